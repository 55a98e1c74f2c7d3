import type { Server } from 'node:http';
import { randomBytes } from 'node:crypto';
import { RSOCKET_PATH } from '@notification-transport/contract';
import type { Closeable, DuplexConnection, Frame, Outbound, SetupFrame } from 'rsocket-core';
import type { Config } from '../config/config.js';
import type { ConnectionSlots } from '../delivery/connection-slots.js';
import type { UserRegistry } from '../delivery/user-registry.js';
import type { IdentityResolver } from '../identity/identity-resolver.js';
import type { Logger } from '../log/logger.js';
import type { Metrics } from '../metrics/metrics.js';
import { NotificationSession, type SessionContext } from './notification-session.js';
import { RequestRouter, type UserFeed } from './request-router.js';
import { validateSetup } from './setup-validation.js';
import { WebSocketDuplexConnection } from './websocket-duplex-connection.js';
import { WebSocketServerTransport } from './websocket-server-transport.js';

/** What the RSocket endpoint is built from. */
export interface RSocketEndpointDeps {
  server: Server;
  config: Config;
  identity: IdentityResolver;
  /** When a user's live delivery is ready here, and its history for recovery. */
  feed: UserFeed;
  registry: UserRegistry<NotificationSession>;
  /** The per-user connection limit (local or across instances). */
  slots: ConnectionSlots;
  metrics: Metrics;
  logger: Logger;
  /** False once shutdown began: new upgrades get 503. */
  admitting: () => boolean;
}

/**
 * `ws://HOST:PORT/rsocket`: binds the WebSocket transport to the HTTP server, accepts SETUPs (bounds, identity,
 * per-user limit) and keeps each accepted connection in the user registry until it closes.
 */
export class RSocketEndpoint {
  private readonly transport: WebSocketServerTransport;
  private readonly context: SessionContext;
  private readonly idPrefix = randomBytes(4).toString('hex');
  private nextId = 0;
  private streams = 0;
  private closeable: Closeable | undefined;

  constructor(private readonly deps: RSocketEndpointDeps) {
    const { config, metrics, logger, registry } = deps;
    this.transport = new WebSocketServerTransport({
      server: deps.server,
      path: RSOCKET_PATH,
      maxFrameBytes: config.maxFrameBytes,
      maxDataBytes: config.maxDataBytes,
      maxFramesPerSecond: config.maxFramesPerSecond,
      setupTimeoutMs: config.setupTimeoutMs,
      admit: deps.admitting,
      onRefused: (reason) => metrics.refused(reason),
      onSweep: (now) => this.endExpiredTokens(now),
      logger: logger.child({ module: 'rsocket-transport' }),
    });
    this.context = {
      router: new RequestRouter(config.instanceId, deps.feed, logger.child({ module: 'rsocket' })),
      maxPending: config.maxPendingPerConnection,
      maxStreams: config.maxStreamsPerConnection,
      maxBufferedBytes: config.maxBufferedBytes,
      streamsChanged: (delta) => (this.streams += delta),
      delivered: () => metrics.delivered.inc(),
      ended: (reason) => metrics.refused(reason),
      released: (session) => {
        if (!session.accepted) return;
        registry.remove(session);
        deps.slots.release(session);
      },
    };
  }

  /** Open notification streams on this instance. */
  get streamCount(): number {
    return this.streams;
  }

  /** Starts accepting upgrades on the HTTP server (call before `listen`). */
  async bind(): Promise<void> {
    this.closeable = await this.transport.bind(
      (frame, connection) => this.accept(frame, connection),
      (_frame, outbound) => this.createSession(outbound),
    );
  }

  /** Ends every accepted connection with `[draining]` (streams first, then the connection). */
  drain(): void {
    for (const session of [...this.deps.registry.all()]) session.drain();
  }

  /** Ends every accepted connection with `[internal]`: the clients reconnect (with lastEventId) and recover. */
  interruptAll(message: string): void {
    for (const session of [...this.deps.registry.all()]) session.end('internal', message);
  }

  /** Stops the transport and closes every socket still open; idempotent. */
  close(): void {
    this.closeable?.close();
  }

  /** Ends every connection whose token expired, with `[token-expired]` (the client retries with a fresh token). */
  private endExpiredTokens(now: number): void {
    for (const session of this.deps.registry.all()) {
      const { expiresAt } = session.identity;
      if (expiresAt !== undefined && now >= expiresAt) session.end('token-expired', 'the token expired; reconnect with a fresh token');
    }
  }

  private createSession(outbound: Outbound & Closeable): NotificationSession {
    if (!(outbound instanceof WebSocketDuplexConnection)) throw new Error('RSocketEndpoint needs WebSocketDuplexConnection');
    const connection = outbound;
    const id = `${this.idPrefix}-${(this.nextId++).toString(36)}`;
    connection.connectionId = id;
    return new NotificationSession(id, connection, this.context);
  }

  private async accept(frame: Frame, connection: DuplexConnection): Promise<void> {
    const setup = frame as SetupFrame;
    if (!(connection instanceof WebSocketDuplexConnection)) throw new Error('RSocketEndpoint needs WebSocketDuplexConnection');
    const session = connection.multiplexerDemultiplexer;
    if (!(session instanceof NotificationSession)) throw new Error('RSocketEndpoint needs its own NotificationSession');
    validateSetup(setup, this.deps.config);
    const upgrade = connection.request;
    if (upgrade === undefined) throw new Error('SETUP was already decided for this connection');
    const { userId, expiresAt } = await this.deps.identity.resolve(setup, upgrade);
    connection.releaseRequest();
    if (connection.done) return;
    session.accept({ userId, keepAlive: setup.keepAlive, lifetime: setup.lifetime, expiresAt });
    connection.userId = userId;
    await this.deps.slots.acquire(session);
    // The client may have gone while the slot was being taken (availability drops to 0 once closed).
    if (connection.availability === 0) return this.deps.slots.release(session);
    this.deps.registry.add(session);
  }
}
