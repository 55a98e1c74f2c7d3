import type { Notification } from '@notification-transport/contract';
import { connectModern, type TestClient } from './rsocket-clients.js';

/**
 * A client that behaves as the contract asks of a browser tab: it remembers the last notification id it got and,
 * when its connection ends, reconnects to one of the live instances with `lastEventId`. Everything it receives
 * across connections is kept in order, with how many connections it took.
 */
export class ResilientClient {
  readonly received: Notification[] = [];
  /** The error message each ended connection reported, in order. */
  readonly endings: string[] = [];
  connections = 0;
  private lastEventId: string | undefined;
  private current: TestClient | undefined;
  private stopped = false;

  constructor(
    readonly userId: string,
    private readonly liveUrls: () => string[],
    /** Where the first connection goes (default: a random live instance). */
    private readonly firstUrl?: string,
  ) {}

  /** Connects and waits until the `session` route answered (live delivery is active). */
  async start(): Promise<void> {
    await this.connect();
  }

  /** Notifications only (control messages excluded). */
  get notifications(): Notification[] {
    return this.received.filter((n) => !n.type.startsWith('$'));
  }

  /** Stops reconnecting and closes. */
  stop(): void {
    this.stopped = true;
    this.current?.close();
  }

  private async connect(): Promise<void> {
    for (let attempt = 0; !this.stopped; attempt += 1) {
      const urls = this.liveUrls();
      const url = this.connections === 0 && this.firstUrl !== undefined ? this.firstUrl : (urls[Math.floor(Math.random() * urls.length)] as string);
      try {
        const client = await connectModern(url, {
          userId: this.userId,
          streamData: this.lastEventId === undefined ? undefined : { lastEventId: this.lastEventId },
          onNotification: (notification) => this.receive(notification),
        });
        await client.session();
        this.current = client;
        this.connections += 1;
        void client.ended.then((error) => {
          this.endings.push(error.message);
          this.reconnect();
        });
        return;
      } catch {
        await new Promise((resolve) => setTimeout(resolve, 20 * Math.min(attempt + 1, 10)));
      }
    }
  }

  private receive(notification: Notification): void {
    this.received.push(notification);
    if (notification.id !== null) this.lastEventId = notification.id;
  }

  private reconnect(): void {
    if (!this.stopped) void this.connect();
  }
}
