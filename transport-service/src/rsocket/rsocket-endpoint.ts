import type { IncomingMessage, Server } from 'node:http';
import { RSOCKET_PATH } from '@notification-transport/contract';
import type { SetupFrame } from 'rsocket-core';
import type { Config } from '../config/config.js';
import type { ConnectionSlots } from '../connection-limit/connection-slots.js';
import type { UserRegistry } from '../delivery/user-registry.js';
import type { IdentityResolver } from '../identity/identity-resolver.js';
import type { Logger } from '../log/logger.js';
import type { Metrics } from '../metrics/metrics.js';
import type { Admitted } from './connection-handler.js';
import { NotificationSession, type SessionContext } from './notification-session.js';
import { WebSocketTransport } from './websocket-transport.js';

/** What the RSocket endpoint is built from. */
export interface RSocketEndpointDeps {
  server: Server;
  config: Config;
  identity: IdentityResolver;
  /** Live connections by user; also the feed of each user's live delivery and history. */
  registry: UserRegistry<NotificationSession>;
  /** The per-user connection limit (local or across instances). */
  slots: ConnectionSlots;
  metrics: Metrics;
  /** Applies receipt confirmations (REQUEST_FNF `receipt`). */
  confirmReceipts?: (userId: string, state: 'delivered' | 'read', ids: readonly string[]) => void;
  logger: Logger;
}

/** Frames a client may send after its SETUP while the SETUP is being decided. */
const MAX_FRAMES_BEFORE_ACCEPT = 64;
/** Milliseconds a closing socket may take to finish the close handshake before it is destroyed. */
const CLOSE_GRACE_MS = 2_000;
const SWEEP_INTERVAL_MS = 1_000;

/**
 * `ws://HOST:PORT/rsocket`: the WebSocket transport with a {@link NotificationSession} per connection. It admits
 * each SETUP (identity, then a slot under the per-user limit), keeps accepted sessions in the user registry until
 * they close, and ends them all on shutdown or when live delivery was interrupted.
 */
export class RSocketEndpoint {
  private readonly transport: WebSocketTransport;
  private streams = 0;

  constructor(private readonly deps: RSocketEndpointDeps) {
    const { config, metrics, logger } = deps;
    const context: SessionContext = {
      instance: config.instanceId,
      admit: (session, setup, upgrade) => this.admit(session, setup, upgrade),
      feed: deps.registry,
      maxStreams: config.maxStreamsPerConnection,
      streamsChanged: (delta) => (this.streams += delta),
      delivered: () => metrics.delivered.inc(),
      released: (session) => this.release(session),
      ...(deps.confirmReceipts ? { confirmReceipts: deps.confirmReceipts } : {}),
      logger: logger.child({ module: 'rsocket' }),
    };
    this.transport = new WebSocketTransport(
      {
        server: deps.server,
        path: RSOCKET_PATH,
        maxFrameBytes: config.maxFrameBytes,
        maxDataBytes: config.maxDataBytes,
        maxFramesPerSecond: config.maxFramesPerSecond,
        maxFramesBeforeAccept: MAX_FRAMES_BEFORE_ACCEPT,
        maxLifetimeMs: config.maxLifetimeMs,
        budget: { maxBufferedBytes: config.maxBufferedBytes, maxWaiting: config.maxPendingPerConnection },
        closeGraceMs: CLOSE_GRACE_MS,
        setupTimeoutMs: config.setupTimeoutMs,
        sweepIntervalMs: SWEEP_INTERVAL_MS,
        onEnded: (reason) => metrics.refused(reason),
        logger: logger.child({ module: 'rsocket-transport' }),
      },
      (connection) => new NotificationSession(connection, context),
    );
  }

  /** Open notification streams on this instance. */
  get streamCount(): number {
    return this.streams;
  }

  /** Starts taking upgrades on the HTTP server (call before `listen`). */
  listen(): void {
    this.transport.listen();
  }

  /**
   * Shutdown, first step: new upgrades get 503 from now on, every accepted connection ends with `[draining]`
   * (streams first, then CONNECTION_CLOSE), and those still deciding their SETUP with CONNECTION_CLOSE too.
   */
  drain(): void {
    this.transport.stopAdmitting();
    for (const session of [...this.deps.registry.all()]) session.drain();
    this.transport.endAll('draining', 'this instance is shutting down; reconnect (with lastEventId) to another one');
  }

  /** Ends every accepted connection with `[internal]`: the clients reconnect (with lastEventId) and recover. */
  interruptAll(detail: string): void {
    for (const session of [...this.deps.registry.all()]) session.connection.end('internal', detail);
  }

  /** Shutdown, last step (after the HTTP server closed): stops the transport; idempotent. */
  close(): void {
    this.transport.close();
  }

  /**
   * Admits a SETUP the protocol layer found acceptable: who it is (identity refusals throw), then a slot under the
   * per-user limit (refusals throw), then registration for live delivery.
   */
  private async admit(session: NotificationSession, setup: SetupFrame, upgrade: IncomingMessage): Promise<Admitted> {
    const { userId, expiresAt } = await this.deps.identity.resolve(setup, upgrade);
    session.identify({ userId, keepAlive: setup.keepAlive, lifetime: setup.lifetime });
    if (session.isClosed()) return { userId };
    await this.deps.slots.acquire(session);
    // The client may have gone while the slot was being taken: its release ran before the slot existed.
    if (session.isClosed()) this.deps.slots.release(session);
    else this.deps.registry.add(session);
    return { userId, expiresAt };
  }

  private release(session: NotificationSession): void {
    if (!session.identified) return;
    this.deps.registry.remove(session);
    this.deps.slots.release(session);
  }
}
