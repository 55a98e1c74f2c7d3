import type { ConnectionEnding } from './endings.js';

/** Where a connection stands, as far as its deadlines go. */
export type DeadlinePhase = 'awaiting-setup' | 'accepting' | 'accepted' | 'ending' | 'closed';

/** What a connection's deadlines are judged from. */
export interface Timed {
  readonly phase: DeadlinePhase;
  /** When the socket was upgraded (epoch ms). */
  readonly openedAt: number;
  /** When the last frame of any kind arrived (epoch ms). */
  readonly lastReceivedAt: number;
  /** The lifetime its SETUP asked for, once a SETUP arrived. */
  readonly lifetimeMs: number | undefined;
  /** When its token stops being accepted, once accepted with a token. */
  readonly tokenExpiresAt: number | undefined;
  end(ending: ConnectionEnding, detail: string): void;
}

/** A deadline that passed: how the connection ends and why. */
export interface DueEnding {
  ending: ConnectionEnding;
  detail: string;
}

/**
 * Every deadline a connection has, in one place: a SETUP within `setupTimeoutMs` of the upgrade (whatever else the
 * socket sends meanwhile); then some frame within each lifetime (the client's own lifetime is the server's idle
 * timeout, as rsocket-java and rsocket-js do); and, with a token, its expiry.
 */
export function dueEnding(connection: Timed, now: number, setupTimeoutMs: number): DueEnding | undefined {
  switch (connection.phase) {
    case 'awaiting-setup':
      if (now - connection.openedAt < setupTimeoutMs) return undefined;
      return { ending: 'invalid-setup', detail: `no SETUP within ${setupTimeoutMs} ms of the upgrade` };
    case 'accepting':
    case 'accepted': {
      const { tokenExpiresAt, lifetimeMs } = connection;
      if (tokenExpiresAt !== undefined && now >= tokenExpiresAt) {
        return { ending: 'token-expired', detail: 'the token expired; reconnect with a fresh token' };
      }
      if (lifetimeMs !== undefined && now - connection.lastReceivedAt >= lifetimeMs) {
        return { ending: 'silent', detail: `nothing received for the client's lifetime of ${lifetimeMs} ms` };
      }
      return undefined;
    }
    default:
      return undefined;
  }
}

/**
 * One timer for every connection of an instance (a timer per connection costs memory at 100k connections): each
 * sweep ends the connections whose deadline passed. It also holds the set of open connections.
 */
export class Deadlines<C extends Timed> {
  private readonly tracked = new Set<C>();
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly setupTimeoutMs: number,
    private readonly sweepIntervalMs: number,
  ) {}

  /** Connections open now (upgraded and not yet closed). */
  get size(): number {
    return this.tracked.size;
  }

  /** Every connection open now. */
  connections(): IterableIterator<C> {
    return this.tracked.values();
  }

  track(connection: C): void {
    this.tracked.add(connection);
  }

  untrack(connection: C): void {
    this.tracked.delete(connection);
  }

  /** Starts sweeping; idempotent. */
  start(): void {
    if (this.timer !== undefined) return;
    this.timer = setInterval(() => this.sweep(Date.now()), this.sweepIntervalMs);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  /** Ends every connection whose deadline passed by `now`. */
  sweep(now: number): void {
    for (const connection of this.tracked) {
      const due = dueEnding(connection, now, this.setupTimeoutMs);
      if (due !== undefined) connection.end(due.ending, due.detail);
    }
  }
}
