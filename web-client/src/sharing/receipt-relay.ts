import type { NotificationId, ReceiptConfirmation } from '@notification-transport/contract';
import { BoundedIdSet } from '../receipts/bounded-id-set.js';
import { RECEIPT_QUEUE_LIMITS } from '../receipts/receipt-queue.js';

/** The connection a tab hands its owed confirmations to when it takes the lead. */
export interface ReceiptTaker {
  markRead(id: NotificationId): unknown;
  confirmDelivered(id: NotificationId): void;
}

/**
 * A follower tab's side of receipts: the leader confirms for the whole browser, so a follower only remembers what is
 * owed until the leader says it wrote it. Its own `markRead` ids (sent to the leader, and again to every new
 * leader), and the notifications with a receipt it was handed live by the leader (confirmed by the leader; if the
 * leader crashes before writing them, the tab that takes over confirms them). Both bounded; oldest forgotten first.
 */
export class ReceiptRelay {
  private readonly reads = new BoundedIdSet(RECEIPT_QUEUE_LIMITS.pending);
  private readonly unconfirmed = new BoundedIdSet(RECEIPT_QUEUE_LIMITS.pending);

  /** Read ids the leader has not written yet, oldest first. */
  get pendingReads(): NotificationId[] {
    return this.reads.values();
  }

  /** Owes `read` for `id`; false when it is owed already. */
  read(id: NotificationId): boolean {
    if (this.reads.has(id)) return false;
    this.reads.add(id);
    this.unconfirmed.delete(id); // read implies delivered
    return true;
  }

  /** The leader handed this tab a notification with a receipt; the leader confirms it. */
  seen(id: NotificationId): void {
    if (!this.reads.has(id)) this.unconfirmed.add(id);
  }

  /** A leader wrote `confirmation`: nothing in it is owed any more. */
  acknowledge(confirmation: ReceiptConfirmation): void {
    if ('read' in confirmation) {
      for (const id of confirmation.read) {
        this.reads.delete(id);
        this.unconfirmed.delete(id);
      }
    } else {
      for (const id of confirmation.delivered) this.unconfirmed.delete(id);
    }
  }

  /** This tab takes the lead: everything still owed goes to its connection, in the order it was owed. */
  handOver(taker: ReceiptTaker): void {
    for (const id of this.unconfirmed.values()) taker.confirmDelivered(id);
    for (const id of this.reads.values()) taker.markRead(id);
    this.unconfirmed.clear();
    this.reads.clear();
  }
}
