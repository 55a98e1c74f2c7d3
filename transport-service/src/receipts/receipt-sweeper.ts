import { BrokerUnavailableError } from '../errors/transport-error.js';
import type { Logger } from '../log/logger.js';
import type { ReceiptStore } from './receipt-store.js';
import type { ReceiptWebhook } from './receipt-webhook.js';

/** What the sweeper works with. */
export interface ReceiptSweeperOptions {
  store: ReceiptStore;
  /** `undefined` without `RECEIPT_WEBHOOK_URL` (no events are enqueued then). */
  webhook: ReceiptWebhook | undefined;
  /** How long a claimed event is this instance's alone (longer than one POST may take). */
  claimMs: number;
  /** Counts receipts that expired. */
  expired: (count: number) => void;
  logger: Logger;
  intervalMs?: number;
}

/** Webhook events one sweep claims at most. */
const EVENTS_PER_SWEEP = 100;

/**
 * Runs in every instance, once a second (at once again while more work is due): the store's sweep (only the
 * instance holding the sweep lease does the work) expires receipts whose notification is no longer recoverable and
 * claims due webhook events, which are POSTed before the next sweep starts. `close()` stops it and waits for the
 * sweep in progress.
 */
export class ReceiptSweeper {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private stopped = false;

  constructor(private readonly options: ReceiptSweeperOptions) {}

  start(): void {
    this.schedule();
  }

  async close(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running;
  }

  private schedule(delayMs = this.options.intervalMs ?? 1_000): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.running = this.sweepOnce().then((more) => this.schedule(more ? 0 : undefined));
    }, delayMs);
    this.timer.unref();
  }

  /** One sweep and its webhook POSTs; resolves to whether more work is due at once. */
  private async sweepOnce(): Promise<boolean> {
    const { store, webhook, claimMs, logger } = this.options;
    try {
      const { expired, events, more } = await store.sweep(webhook ? EVENTS_PER_SWEEP : 0, claimMs);
      if (expired > 0) this.options.expired(expired);
      if (webhook) await Promise.all(events.map((event) => webhook.deliver(event)));
      return more === true;
    } catch (error) {
      // Redis being away is an outage the instance already reports once; anything else is unexpected.
      if (error instanceof BrokerUnavailableError) logger.debug({ reason: error.message }, 'receipt sweep failed; retrying in a second');
      else logger.warn({ err: error }, 'receipt sweep failed; retrying in a second');
      return false;
    }
  }
}
