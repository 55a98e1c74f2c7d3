import type { NotificationId, ReceiptConfirmation } from '@notification-transport/contract';
import { skip, type Subscription } from 'rxjs';
import type { FrameRecord } from '../frame-log.js';
import type { NotificationClient } from '../notification-client.js';
import type { FeedMessage } from './tab-message.js';

/** Where a {@link ConnectionFeed} sends what its connection produces. */
export interface FeedSink {
  feed(message: FeedMessage): void;
  frame(record: FrameRecord): void;
  /** A receipt confirmation the connection wrote. */
  receipts?(confirmation: ReceiptConfirmation): void;
}

/**
 * A tab's own connection (a {@link NotificationClient}) as a feed: every state transition, notification and event
 * goes to the sink as a {@link FeedMessage}, the same messages a follower receives from the leader over the channel.
 */
export class ConnectionFeed {
  private readonly subscriptions: Subscription[];
  private readonly receipts: Subscription;

  constructor(
    private readonly client: NotificationClient,
    sink: FeedSink,
  ) {
    this.subscriptions = [
      // state$ replays the current state first (disconnected, not started): only transitions are news.
      client.state$.pipe(skip(1)).subscribe((state) => sink.feed({ kind: 'state', state })),
      client.notifications$.subscribe((notification) => sink.feed({ kind: 'notification', notification })),
      client.events$.subscribe((event) => sink.feed({ kind: 'event', event })),
      client.frames$.subscribe((record) => sink.frame(record)),
    ];
    this.receipts = client.receiptsSent$.subscribe((confirmation) => sink.receipts?.(confirmation));
  }

  /** Starts the connection, or starts it again after it stayed down. */
  connect(): void {
    this.client.connect();
  }

  /** Confirms `read` for `id` on this connection; false when that was written already. */
  markRead(id: NotificationId): boolean {
    return this.client.markRead(id);
  }

  /** Confirms `delivered` for `id`, handed to the page by another way than this connection. */
  confirmDelivered(id: NotificationId): void {
    this.client.confirmDelivered(id);
  }

  /**
   * Stops forwarding, then closes the connection, so its final `disconnected` reaches no one; the confirmations it
   * writes as it closes are still reported. Idempotent.
   */
  close(): void {
    for (const subscription of this.subscriptions.splice(0)) subscription.unsubscribe();
    this.client.close();
    this.receipts.unsubscribe();
  }
}
