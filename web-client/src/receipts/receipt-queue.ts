import { RECEIPT_LIMITS, type NotificationId, type ReceiptConfirmation } from '@notification-transport/contract';
import { BoundedIdSet } from './bounded-id-set.js';

/** Bounds of a {@link ReceiptQueue}: ids waiting to be sent, and ids remembered as sent so none is sent twice. */
export const RECEIPT_QUEUE_LIMITS = { pending: 1_000, remembered: 1_000 } as const;

/** What {@link ReceiptQueue.read} did with an id: queued it now, found it queued already, or found it sent already. */
export type ReadOutcome = 'queued' | 'pending' | 'sent';

/**
 * The confirmations a client still owes the server, and those it already sent. `read` implies `delivered`, so a
 * queued `delivered` gives way to a `read` of the same id, and an id already confirmed `read` is never confirmed
 * `delivered`. Bounded: beyond the limit the oldest waiting `delivered` ids go first (the least news to an
 * initiator), then the oldest `read` ids; {@link takeDropped} says how many.
 */
export class ReceiptQueue {
  private readonly delivered = new Set<NotificationId>();
  private readonly read = new Set<NotificationId>();
  private readonly sentDelivered = new BoundedIdSet(RECEIPT_QUEUE_LIMITS.remembered);
  private readonly sentRead = new BoundedIdSet(RECEIPT_QUEUE_LIMITS.remembered);
  private dropped = 0;

  /** Ids waiting to be sent. */
  get size(): number {
    return this.delivered.size + this.read.size;
  }

  /** Queues `delivered` for `id`; false when it is queued or confirmed already (as delivered or read). */
  addDelivered(id: NotificationId): boolean {
    if (this.delivered.has(id) || this.read.has(id) || this.sentDelivered.has(id) || this.sentRead.has(id)) return false;
    this.delivered.add(id);
    this.bound();
    return true;
  }

  /** Queues `read` for `id`, replacing a queued `delivered` of it. */
  addRead(id: NotificationId): ReadOutcome {
    if (this.sentRead.has(id)) return 'sent';
    if (this.read.has(id)) return 'pending';
    this.delivered.delete(id);
    this.read.add(id);
    this.bound();
    return 'queued';
  }

  /** The next frame's confirmation (at most `RECEIPT_LIMITS.maxIdsPerConfirmation` ids, `delivered` first), if any. */
  next(): ReceiptConfirmation | undefined {
    if (this.delivered.size > 0) return { delivered: firstOf(this.delivered) };
    if (this.read.size > 0) return { read: firstOf(this.read) };
    return undefined;
  }

  /** The confirmation went out: its ids leave the queue and are remembered as sent. */
  markSent(confirmation: ReceiptConfirmation): void {
    const [queue, sent] = 'delivered' in confirmation ? [this.delivered, this.sentDelivered] : [this.read, this.sentRead];
    for (const id of 'delivered' in confirmation ? confirmation.delivered : confirmation.read) {
      queue.delete(id);
      sent.add(id);
    }
  }

  /** How many ids were dropped to stay within the bound since the last call. */
  takeDropped(): number {
    const dropped = this.dropped;
    this.dropped = 0;
    return dropped;
  }

  private bound(): void {
    while (this.size > RECEIPT_QUEUE_LIMITS.pending) {
      const queue = this.delivered.size > 0 ? this.delivered : this.read;
      const oldest = queue.values().next().value;
      if (oldest === undefined) return;
      queue.delete(oldest);
      this.dropped += 1;
    }
  }
}

function firstOf(ids: ReadonlySet<NotificationId>): NotificationId[] {
  const batch: NotificationId[] = [];
  for (const id of ids) {
    if (batch.length === RECEIPT_LIMITS.maxIdsPerConfirmation) break;
    batch.push(id);
  }
  return batch;
}
