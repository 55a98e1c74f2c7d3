import type { Broker, Delivery, Replay } from '../broker/broker.js';

/** A live connection as the registry sees it. */
export interface UserConnection {
  readonly userId: string;
  deliver(delivery: Delivery): void;
}

/**
 * This instance's live connections by user id: the broker is subscribed for a user while it has at least one
 * connection here, and each delivery reaches every connection (every tab) of that user and no one else.
 * Connections are kept in the order they were added, oldest first. Recovery reads go through here too, so a
 * history is read only once the user's live delivery is active.
 */
export class UserRegistry<C extends UserConnection = UserConnection> {
  // Most users hold one connection here: it is kept as is, and a Set is made only for a second one (less memory).
  private readonly users = new Map<string, C | Set<C>>();
  private readonly subscriptions = new Map<string, Promise<void>>();
  private connectionCount = 0;

  constructor(
    private readonly broker: Pick<Broker, 'subscribe' | 'unsubscribe' | 'replay'>,
    private readonly onSubscribeFailed: (userId: string, error: unknown) => void = () => {},
  ) {}

  /**
   * Resolves once live delivery for `userId` is guaranteed here (its subscription is active). A subscription that
   * failed is tried again by the next caller.
   */
  subscribed(userId: string): Promise<void> {
    const existing = this.subscriptions.get(userId);
    if (existing) return existing;
    if (!this.users.has(userId)) return Promise.reject(new Error(`no live connection of ${userId} here`));
    return this.subscribe(userId);
  }

  /** The user's history after `afterId`, read once live delivery for the user is active here. */
  async replay(userId: string, afterId: string): Promise<Replay> {
    await this.subscribed(userId);
    return this.broker.replay(userId, afterId);
  }

  /** Live connections on this instance. */
  get connections(): number {
    return this.connectionCount;
  }

  /** Users with at least one live connection on this instance. */
  get userCount(): number {
    return this.users.size;
  }

  /** The user's live connections here, oldest first (empty when none). */
  connectionsOf(userId: string): ReadonlySet<C> {
    const held = this.users.get(userId);
    if (held === undefined) return EMPTY;
    return held instanceof Set ? held : new Set([held]);
  }

  /** Registers a connection; the user's first one subscribes the broker. */
  add(connection: C): void {
    const { userId } = connection;
    const held = this.users.get(userId);
    if (held === connection || (held instanceof Set && held.has(connection))) return;
    if (held === undefined) {
      this.users.set(userId, connection);
      void this.subscribe(userId).catch(() => undefined);
    } else if (held instanceof Set) {
      held.add(connection);
    } else {
      this.users.set(userId, new Set([held, connection]));
    }
    this.connectionCount += 1;
  }

  /** Forgets a connection (idempotent); the user's last one unsubscribes the broker. */
  remove(connection: C): void {
    const { userId } = connection;
    const held = this.users.get(userId);
    if (held instanceof Set) {
      if (!held.delete(connection)) return;
      this.connectionCount -= 1;
      if (held.size === 1) this.users.set(userId, held.values().next().value as C);
      return;
    }
    if (held !== connection) return;
    this.connectionCount -= 1;
    this.users.delete(userId);
    this.subscriptions.delete(userId);
    this.broker.unsubscribe(userId);
  }

  private subscribe(userId: string): Promise<void> {
    const subscription = this.broker.subscribe(userId);
    this.subscriptions.set(userId, subscription);
    subscription.then(
      // Once active, every user shares one settled promise instead of keeping their own (~50 bytes a user).
      () => {
        if (this.subscriptions.get(userId) === subscription) this.subscriptions.set(userId, ACTIVE);
      },
      (error: unknown) => {
        if (this.subscriptions.get(userId) === subscription) this.subscriptions.delete(userId);
        this.onSubscribeFailed(userId, error);
      },
    );
    return subscription;
  }

  /** Hands a delivery to every live connection of `userId` here. */
  deliver(userId: string, delivery: Delivery): void {
    const held = this.users.get(userId);
    if (held === undefined) return;
    if (!(held instanceof Set)) return held.deliver(delivery);
    for (const connection of held) connection.deliver(delivery);
  }

  /** Every live connection here (for draining). */
  *all(): IterableIterator<C> {
    for (const held of this.users.values()) {
      if (held instanceof Set) yield* held;
      else yield held;
    }
  }
}

const EMPTY: ReadonlySet<never> = new Set();
const ACTIVE: Promise<void> = Promise.resolve();
