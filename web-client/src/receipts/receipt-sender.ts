import type { NotificationId, ReceiptConfirmation } from '@notification-transport/contract';
import type { Clock, TimerHandle } from '../clock.js';
import { ReceiptQueue, type ReadOutcome } from './receipt-queue.js';

/** How long the first confirmation of a batch waits for others before the batch goes out, in ms. */
export const RECEIPT_BATCH_MS = 50;

/** Where a {@link ReceiptSender} sends, and what it reports. */
export interface ReceiptOutlet {
  /** Writes one REQUEST_FNF on the `receipt` route; false when there is no accepted, open connection to write it to. */
  send(confirmation: ReceiptConfirmation): boolean;
  /** One confirmation was written. */
  sent(confirmation: ReceiptConfirmation): void;
  /** `count` ids were dropped from a full queue. */
  dropped(count: number): void;
}

/**
 * Batches a client's receipt confirmations: the first id queued starts a {@link RECEIPT_BATCH_MS} timer, and when it
 * fires everything queued goes out, at most 100 ids a frame. What cannot be written (no connection) stays queued
 * until {@link flush} is called again, e.g. once a connection is accepted.
 */
export class ReceiptSender {
  private readonly queue = new ReceiptQueue();
  private timer: { handle: TimerHandle } | undefined;

  constructor(
    private readonly clock: Clock,
    private readonly outlet: ReceiptOutlet,
  ) {}

  /** Ids waiting to be sent. */
  get pending(): number {
    return this.queue.size;
  }

  /** Queues `delivered` for `id` unless it was queued or confirmed already. */
  delivered(id: NotificationId): void {
    if (this.queue.addDelivered(id)) this.queued();
  }

  /** Queues `read` for `id`; says whether it was queued now, was queued already, or was sent already. */
  read(id: NotificationId): ReadOutcome {
    const outcome = this.queue.addRead(id);
    if (outcome === 'queued') this.queued();
    return outcome;
  }

  /** Sends everything queued now, as long as the outlet takes it. */
  flush(): void {
    this.cancel();
    for (let confirmation = this.queue.next(); confirmation !== undefined; confirmation = this.queue.next()) {
      if (!this.outlet.send(confirmation)) return;
      this.queue.markSent(confirmation);
      this.outlet.sent(confirmation);
    }
  }

  /** Stops the batch timer; what is queued stays queued. */
  cancel(): void {
    if (this.timer === undefined) return;
    this.clock.clearTimeout(this.timer.handle);
    this.timer = undefined;
  }

  private queued(): void {
    const dropped = this.queue.takeDropped();
    if (dropped > 0) this.outlet.dropped(dropped);
    this.timer ??= {
      handle: this.clock.setTimeout(() => {
        this.timer = undefined;
        this.flush();
      }, RECEIPT_BATCH_MS),
    };
  }
}
