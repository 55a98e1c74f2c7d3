import type { NotificationId } from '@notification-transport/contract';
import type { Logger } from '../log/logger.js';
import type { Metrics } from '../metrics/metrics.js';
import { HeldConfirmations } from './held-confirmations.js';
import { ReceiptQuery } from './receipt-query.js';
import type { ConfirmedState, ReceiptStore } from './receipt-store.js';
import { ReceiptSweeper } from './receipt-sweeper.js';
import { ReceiptWaiters } from './receipt-waiters.js';
import { ReceiptWebhook } from './receipt-webhook.js';
import { retryDelayMs } from './retry-delay.js';

/** What receipts are built from. */
export interface DeliveryReceiptsOptions {
  store: ReceiptStore;
  maxWaiters: number;
  /** The webhook, when `RECEIPT_WEBHOOK_URL` is set. */
  webhook?: { url: string; secret: string; timeoutMs: number; maxRetryDelayMs: number };
  metrics: Metrics;
  logger: Logger;
}

/** Extra time a claimed webhook event stays this instance's beyond one POST's timeout. */
const CLAIM_MARGIN_MS = 5_000;
/** Confirmation ids held on one instance while the store cannot take them. */
const MAX_HELD_CONFIRMATION_IDS = 100_000;
/** The longest wait between two tries of held confirmations. */
const MAX_HELD_RETRY_DELAY_MS = 5_000;

/**
 * Delivery receipts on one instance: clients' confirmations in, queries (with waiting) out, and the sweeper that
 * expires receipts and delivers webhook events. `start()` begins sweeping; `close()` answers every waiting query and
 * stops the sweeper (the store is closed by the caller, after the HTTP server).
 */
export class DeliveryReceipts {
  readonly waiters: ReceiptWaiters;
  readonly query: ReceiptQuery;
  private readonly sweeper: ReceiptSweeper;
  private readonly held: HeldConfirmations;

  constructor(private readonly options: DeliveryReceiptsOptions) {
    const { store, metrics, logger } = options;
    this.waiters = new ReceiptWaiters(store, options.maxWaiters);
    this.query = new ReceiptQuery(store, this.waiters);
    const hook = options.webhook;
    const webhook =
      hook &&
      new ReceiptWebhook({ ...hook, store, attempted: (outcome) => metrics.webhookAttempts.inc({ outcome }), logger: logger.child({ module: 'receipt-webhook' }) });
    this.held = new HeldConfirmations({
      apply: (confirmation) => this.apply(confirmation.userId, confirmation.state, confirmation.ids),
      maxIds: MAX_HELD_CONFIRMATION_IDS,
      delayMs: (attempt) => retryDelayMs(attempt, MAX_HELD_RETRY_DELAY_MS),
      dropped: (count) => logger.warn({ count }, 'receipt confirmations were lost: the store could not take them in time'),
    });
    this.sweeper = new ReceiptSweeper({
      store,
      webhook,
      claimMs: (hook?.timeoutMs ?? 0) + CLAIM_MARGIN_MS,
      expired: (count) => metrics.receipts.inc('expired', count),
      logger,
    });
  }

  start(): void {
    this.sweeper.start();
  }

  /**
   * A client's REQUEST_FNF on the `receipt` route, for its own user: one store step for the whole frame. There is no
   * answer to give: one the store cannot take now (Redis away) is held and tried again until it lands.
   */
  confirm(userId: string, state: ConfirmedState, ids: readonly NotificationId[]): void {
    this.apply(userId, state, ids).catch((error: unknown) => {
      this.options.logger.debug({ err: error, userId, state }, 'a receipt confirmation is held until the store takes it');
      this.held.hold({ userId, state, ids });
    });
  }

  /** Confirmation ids held until the store takes them. */
  get heldConfirmations(): number {
    return this.held.size;
  }

  private async apply(userId: string, state: ConfirmedState, ids: readonly NotificationId[]): Promise<void> {
    const changed = await this.options.store.confirm(userId, state, ids);
    if (changed.length > 0) this.options.metrics.receipts.inc(state, changed.length);
  }

  /** Answers every waiting query with its current state, then stops sweeping; idempotent. */
  async close(): Promise<void> {
    this.held.close();
    this.waiters.finishAll();
    await this.sweeper.close();
  }
}
