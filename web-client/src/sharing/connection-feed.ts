import { skip, type Subscription } from 'rxjs';
import type { FrameRecord } from '../frame-log.js';
import type { NotificationClient } from '../notification-client.js';
import type { FeedMessage } from './tab-message.js';

/** Where a {@link ConnectionFeed} sends what its connection produces. */
export interface FeedSink {
  feed(message: FeedMessage): void;
  frame(record: FrameRecord): void;
}

/**
 * A tab's own connection (a {@link NotificationClient}) as a feed: every state transition, notification and event
 * goes to the sink as a {@link FeedMessage}, the same messages a follower receives from the leader over the channel.
 */
export class ConnectionFeed {
  private readonly subscriptions: Subscription[];

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
  }

  /** Starts the connection, or starts it again after it stayed down. */
  connect(): void {
    this.client.connect();
  }

  /** Stops forwarding, then closes the connection, so its final `disconnected` reaches no one; idempotent. */
  close(): void {
    for (const subscription of this.subscriptions.splice(0)) subscription.unsubscribe();
    this.client.close();
  }
}
