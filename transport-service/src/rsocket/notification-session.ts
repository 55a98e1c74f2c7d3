import type { IncomingMessage } from 'node:http';
import { formatReason, parseNotificationId, RSOCKET_ERROR_CODES, type SessionInfo } from '@notification-transport/contract';
import { Flags, FrameTypes, type ErrorFrame, type Frame, type KeepAliveFrame, type SetupFrame } from 'rsocket-core';
import type { Delivery, Replay } from '../broker/broker.js';
import { RSocketEndError } from '../errors/transport-error.js';
import type { Logger } from '../log/logger.js';
import type { Admitted, ConnectionHandler, ConnectionPort } from './connection-handler.js';
import { ENDINGS, type StreamEnding } from './endings.js';
import { encodeErrorFrame, encodeKeepAliveFrame, encodePayloadFrame } from './frame-encoder.js';
import { NotificationStream, type StreamOwner } from './notification-stream.js';
import { recoveryIncomplete } from './recovery-incomplete.js';
import { routeRequest, type RequestFrame, type RouteDecision } from './request-routing.js';

/** A user's feed on this instance, owned by the component that holds the user's subscriptions. */
export interface UserFeed {
  /** Resolves once live delivery for the user is active here (its broker subscription is confirmed). */
  subscribed(userId: string): Promise<void>;
  /** The history after `afterId`, read once live delivery is active, so nothing falls between the two. */
  replay(userId: string, afterId: string): Promise<Replay>;
}

/** What every session of an instance shares. */
export interface SessionContext {
  /** Names this instance in the `session` answer. */
  instance: string;
  /** Decides who a SETUP is and takes its place under the connection limit (throws `RSocketEndError` to refuse). */
  admit(session: NotificationSession, setup: SetupFrame, upgrade: IncomingMessage): Promise<Admitted>;
  feed: UserFeed;
  /** Notification streams one connection may hold. */
  maxStreams: number;
  /** A session's streams opened or closed (for the streams gauge). */
  streamsChanged(delta: number): void;
  delivered(): void;
  /** A receipt confirmation of the connection's own user (absent: receipts are ignored). */
  confirmReceipts?: (userId: string, state: 'delivered' | 'read', ids: readonly string[]) => void;
  /** The connection is over: forget the session wherever it was registered. */
  released(session: NotificationSession): void;
  logger: Logger;
}

/** Who the session is once its SETUP was decided. */
export interface SessionIdentity {
  userId: string;
  keepAlive: number;
  lifetime: number;
}

/** The client's ERROR codes on stream 0 that end the connection; the SETUP codes and the rest are ignored. */
const CLOSING_ERROR_CODES: ReadonlySet<number> = new Set([RSOCKET_ERROR_CODES.CONNECTION_ERROR, RSOCKET_ERROR_CODES.CONNECTION_CLOSE]);

/**
 * The server's side of one RSocket connection: answers KEEPALIVE, acts on each request's route decision, holds the
 * user's notification streams, and writes every frame through the connection's one way out.
 */
export class NotificationSession implements ConnectionHandler, StreamOwner {
  // Few per connection (MAX_STREAMS_PER_CONNECTION): a scan of a small array costs less memory than a Map. The
  // first stream gets an array literal of its own size: a push onto an empty array reserves room for 16 (~130 B
  // more on every connection, measured in a heap snapshot).
  private streams: NotificationStream[] = [];
  // The identity as fields, not an object of its own (~30 bytes less a connection).
  private identifiedAs: string | undefined;
  private keepAliveMs = 0;
  private lifetimeMs = 0;
  private over = false;
  /** History reads started by this connection and not yet answered (cancelled streams' included). */
  private recoveries = 0;

  constructor(
    readonly connection: ConnectionPort,
    private readonly context: SessionContext,
  ) {}

  /** The connection's id. */
  get connectionId(): string {
    return this.connection.id;
  }

  /** The user and keepalive settings; throws before the SETUP was decided. */
  get identity(): SessionIdentity {
    return { userId: this.userId, keepAlive: this.keepAliveMs, lifetime: this.lifetimeMs };
  }

  /** The user this connection belongs to; throws before the SETUP was decided. */
  get userId(): string {
    if (this.identifiedAs === undefined) throw new Error('session not identified yet');
    return this.identifiedAs;
  }

  /** Whether the SETUP's identity is known (the session may hold a slot and be registered). */
  get identified(): boolean {
    return this.identifiedAs !== undefined;
  }

  setup(setup: SetupFrame, upgrade: IncomingMessage): Promise<Admitted> {
    return this.context.admit(this, setup, upgrade);
  }

  /** Records who the connection is (during admission, before it takes a slot). */
  identify(identity: SessionIdentity): void {
    this.identifiedAs = identity.userId;
    this.keepAliveMs = identity.keepAlive;
    this.lifetimeMs = identity.lifetime;
  }

  frame(frame: Frame): void {
    switch (frame.type) {
      case FrameTypes.KEEPALIVE:
        return this.keepAlive(frame);
      case FrameTypes.REQUEST_STREAM:
      case FrameTypes.REQUEST_RESPONSE:
      case FrameTypes.REQUEST_FNF:
      case FrameTypes.REQUEST_CHANNEL:
        return this.request(frame);
      case FrameTypes.REQUEST_N:
        return this.streamOn(frame.streamId)?.request(frame.requestN);
      case FrameTypes.CANCEL:
        return this.streamOn(frame.streamId)?.cancel();
      case FrameTypes.ERROR:
        return this.clientError(frame);
      default:
        // A second SETUP, LEASE, METADATA_PUSH, RESUME_OK and PAYLOADs towards our streams are ignored (spec).
        return;
    }
  }

  /** Whether the connection is over (it may have ended while its SETUP was still being decided). */
  isClosed(): boolean {
    return this.over;
  }

  closed(): void {
    this.over = true;
    for (const stream of [...this.streams]) stream.cancel();
    this.context.released(this);
  }

  /** Hands one notification to every notification stream of this connection. */
  deliver(delivery: Delivery): void {
    // Backwards: a push may end its stream (or the whole connection), which removes it from the array.
    for (let i = this.streams.length - 1; i >= 0; i -= 1) this.streams[i]?.push(delivery);
  }

  /** Ends this connection to make room under the per-user limit (`evict-oldest`). */
  evict(): void {
    this.connection.end('replaced', 'a newer connection of this user replaced this one (connection limit); not reconnecting');
  }

  /** Shutdown: each stream ends with `[draining]`, then the connection with CONNECTION_CLOSE `[draining]`. */
  drain(): void {
    const detail = 'this instance is shutting down; reconnect (with lastEventId) to another one';
    for (const stream of [...this.streams]) stream.fail('stream-draining', detail);
    this.connection.end('draining', detail);
  }

  write(frame: Buffer): void {
    this.connection.outbound.send(frame);
  }

  writeStreamEnding(streamId: number, ending: StreamEnding, detail: string): void {
    const { code, reason } = ENDINGS[ending];
    this.write(encodeErrorFrame(streamId, code, formatReason(reason, detail)));
  }

  delivered(): void {
    this.context.delivered();
  }

  waitingChanged(delta: number): void {
    this.connection.outbound.waitingChanged(delta);
  }

  streamEnded(stream: NotificationStream): void {
    const index = this.streams.indexOf(stream);
    if (index === -1) return;
    this.streams.splice(index, 1);
    this.context.streamsChanged(-1);
  }

  private keepAlive(frame: KeepAliveFrame): void {
    // KEEPALIVE belongs to stream 0; on another stream it makes no sense and is ignored (spec: be lenient).
    if ((frame.streamId as number) === 0 && Flags.hasRespond(frame.flags)) this.write(encodeKeepAliveFrame(frame.data));
  }

  private request(frame: RequestFrame): void {
    if (frame.streamId === 0) throw new RSocketEndError('protocol-error', 'requests must not use stream 0');
    // A request on a stream id already in use is ignored (spec).
    if (this.streamOn(frame.streamId) !== undefined) return;
    this.act(routeRequest(frame));
  }

  private act(decision: RouteDecision): void {
    switch (decision.action) {
      case 'open-stream':
        return this.openStream(decision.streamId, decision.credits, decision.lastEventId);
      case 'answer-session':
        return this.answerSession(decision.streamId);
      case 'refuse':
        return this.writeStreamEnding(decision.streamId, 'invalid-request', decision.detail);
      case 'confirm-receipts':
        return this.context.confirmReceipts?.(this.userId, decision.state, decision.ids);
      case 'ignore':
        return this.context.logger.debug({ userId: this.userId, connectionId: this.connectionId, detail: decision.detail }, 'ignored a request');
    }
  }

  /**
   * Opens the user's notification stream. With a `lastEventId`, live delivery is held while the history after it is
   * read (once the user's subscription is active, so nothing falls between the two), then merged after it.
   */
  private openStream(streamId: number, credits: number, lastEventId: string | undefined): void {
    if (lastEventId !== undefined && this.recoveries >= this.context.maxStreams) {
      // Open, cancel, open again: each would start a history read; no more run at once than streams may be open.
      return this.writeStreamEnding(streamId, 'invalid-request', `more than ${this.context.maxStreams} recoveries in progress on one connection; wait for one to finish`);
    }
    if (this.streams.length >= this.context.maxStreams) {
      throw new RSocketEndError('protocol-error', `more than ${this.context.maxStreams} notification streams on one connection (MAX_STREAMS_PER_CONNECTION)`);
    }
    const stream = new NotificationStream(streamId, credits, this);
    if (this.streams.length === 0) this.streams = [stream];
    else this.streams.push(stream);
    this.context.streamsChanged(1);
    if (lastEventId === undefined) return;
    const [ms, seq] = parseNotificationId(lastEventId) as [number, number];
    stream.beginRecovery(ms, seq);
    this.recoveries += 1;
    this.context.feed.replay(this.userId, lastEventId).finally(() => (this.recoveries -= 1)).then(
      (replay) => stream.endRecovery(replay, replay.complete ? undefined : recoveryIncomplete(lastEventId)),
      (error: unknown) => {
        this.context.logger.warn({ err: error, userId: this.userId, connectionId: this.connectionId }, 'recovery failed');
        stream.fail('stream-internal', 'could not read the history; reconnect with the same lastEventId');
      },
    );
  }

  /**
   * Answers the `session` route once live delivery for the user is active: a client that treats this answer as
   * "connected" receives every notification committed after it.
   */
  private answerSession(streamId: number): void {
    this.context.feed.subscribed(this.userId).then(
      () => this.write(encodePayloadFrame(streamId, Buffer.from(JSON.stringify(this.sessionInfo())), true)),
      (error: unknown) => {
        if (this.over) return;
        this.context.logger.warn({ err: error, userId: this.userId, connectionId: this.connectionId }, 'subscription failed');
        this.writeStreamEnding(streamId, 'stream-internal', 'live delivery is not available; reconnect');
      },
    );
  }

  private sessionInfo(): SessionInfo {
    const { userId, keepAlive, lifetime } = this.identity;
    return { userId, connectionId: this.connectionId, instance: this.context.instance, keepAlive, lifetime };
  }

  /**
   * The client's ERROR: on stream 0, CONNECTION_ERROR or CONNECTION_CLOSE end the connection, and INVALID_SETUP,
   * UNSUPPORTED_SETUP, REJECTED_SETUP and REJECTED_RESUME are ignored (spec: a server MUST ignore them), as is any
   * other code there; on a stream, it ends that stream.
   */
  private clientError(frame: ErrorFrame): void {
    if (frame.streamId !== 0) return this.streamOn(frame.streamId)?.cancel();
    if (!CLOSING_ERROR_CODES.has(frame.code)) return;
    this.connection.end('client-closed', `the client ended the connection (ERROR 0x${frame.code.toString(16)})`);
  }

  private streamOn(streamId: number): NotificationStream | undefined {
    for (const stream of this.streams) if (stream.streamId === streamId) return stream;
    return undefined;
  }
}
