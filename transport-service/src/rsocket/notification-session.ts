import {
  formatReason,
  RSOCKET_ERROR_CODES,
  type Reason,
  type SessionInfo,
} from '@notification-transport/contract';
import {
  Flags,
  FrameTypes,
  type CancelFrame,
  type ErrorFrame,
  type Frame,
  type KeepAliveFrame,
  type Outbound,
  type RequestNFrame,
  type RequestChannelFrame,
  type RequestFnfFrame,
  type RequestResponseFrame,
  type RequestStreamFrame,
  type StreamFrameHandler,
  type StreamLifecycleHandler,
} from 'rsocket-core';
import type { Delivery } from '../broker/broker.js';
import { RSocketEndError } from '../errors/transport-error.js';
import { encodePayloadFrame } from './payload-frame-encoder.js';
import { NotificationStream, type StreamOwner } from './notification-stream.js';
import type { RequestRouter } from './request-router.js';
import type { SessionHandler, WebSocketDuplexConnection } from './websocket-duplex-connection.js';

/** What every session of an instance shares. */
export interface SessionContext {
  router: RequestRouter;
  /** Notifications that may wait for credit on one connection before it ends as a slow consumer. */
  maxPending: number;
  /** Notification streams one connection may hold. */
  maxStreams: number;
  /** Bytes that may wait in the socket's write buffer before the connection ends as a slow consumer. */
  maxBufferedBytes: number;
  /** A session's streams opened or closed (for the streams gauge). */
  streamsChanged(delta: number): void;
  delivered(): void;
  /** The server ended this connection with `reason` (for the refusals counter). */
  ended(reason: Reason): void;
  /** The connection is gone: release everything it held. */
  released(session: NotificationSession): void;
}

/** Who the session is once SETUP was accepted. */
export interface SessionIdentity {
  userId: string;
  keepAlive: number;
  lifetime: number;
  /** When the connection's token expires (epoch ms); `undefined` without a token. */
  expiresAt?: number;
}

/**
 * One accepted RSocket connection: answers KEEPALIVE, routes requests, holds the user's notification streams and
 * ends the connection with a reason. It is the rsocket-core multiplexer/demultiplexer for its connection; it opens
 * no streams towards the client and handles connection and request frames itself.
 */
export class NotificationSession implements StreamOwner, SessionHandler {
  // Few per connection (MAX_STREAMS_PER_CONNECTION): a scan of a small array costs less memory than a Map. The
  // first stream gets an array literal of its own size: a push onto an empty array reserves room for 16 (~130 B
  // more on every connection, measured in a heap snapshot).
  private streams: NotificationStream[] = [];
  private pendingTotal = 0;
  private identityValue: SessionIdentity | undefined;

  constructor(
    readonly connectionId: string,
    readonly connection: WebSocketDuplexConnection,
    private readonly context: SessionContext,
  ) {
    connection.onClose(() => this.release());
  }

  /** The user and keepalive settings; throws before SETUP was accepted. */
  get identity(): SessionIdentity {
    if (!this.identityValue) throw new Error('session not accepted yet');
    return this.identityValue;
  }

  /** The user this connection belongs to; throws before SETUP was accepted. */
  get userId(): string {
    return this.identity.userId;
  }

  /** Ends this connection to make room under the per-user limit (`evict-oldest`). */
  evict(): void {
    this.end('replaced', 'a newer connection of this user replaced this one (connection limit); not reconnecting');
  }

  /** Whether SETUP was accepted. */
  get accepted(): boolean {
    return this.identityValue !== undefined;
  }

  /** Marks the SETUP accepted for `identity`. */
  accept(identity: SessionIdentity): void {
    this.identityValue = identity;
  }

  get connectionOutbound(): Outbound {
    return this.connection;
  }

  /** Hands one notification to every notification stream of this connection. */
  deliver(delivery: Delivery): void {
    // Backwards: a push may end its stream (or the whole connection), which removes it from the array.
    for (let i = this.streams.length - 1; i >= 0; i -= 1) this.streams[i]?.push(delivery);
  }

  /** Number of open notification streams. */
  get streamCount(): number {
    return this.streams.length;
  }

  handle(frame: Frame): void {
    switch (frame.type) {
      case FrameTypes.KEEPALIVE:
        return this.keepAlive(frame);
      case FrameTypes.REQUEST_STREAM:
      case FrameTypes.REQUEST_RESPONSE:
      case FrameTypes.REQUEST_FNF:
      case FrameTypes.REQUEST_CHANNEL:
        return this.request(frame);
      case FrameTypes.REQUEST_N:
        return this.streamOn(frame.streamId)?.request(positive(frame));
      case FrameTypes.CANCEL:
        return this.streamOn(frame.streamId)?.cancel();
      case FrameTypes.ERROR:
        return this.clientError(frame);
      default:
        // A second SETUP, METADATA_PUSH, LEASE, EXT and PAYLOADs towards our streams are ignored (spec).
        return;
    }
  }

  /** Ends the connection with a reason: ERROR on stream 0 (CONNECTION_ERROR unless `code` says otherwise), then close. */
  end(reason: Reason, message: string, code: number = RSOCKET_ERROR_CODES.CONNECTION_ERROR): void {
    if (this.connection.done) return;
    this.context.ended(reason);
    this.connection.sendError(0, code, formatReason(reason, message));
    this.connection.close(new Error(`[${reason}] ${message}`));
  }

  /** Shutdown: each stream ends with APPLICATION_ERROR `[draining]`, then CONNECTION_CLOSE `[draining]`, then close. */
  drain(): void {
    if (this.connection.done) return;
    const message = 'this instance is shutting down; reconnect (with lastEventId) to another one';
    for (const stream of [...this.streams]) stream.fail(RSOCKET_ERROR_CODES.APPLICATION_ERROR, formatReason('draining', message));
    this.end('draining', message, RSOCKET_ERROR_CODES.CONNECTION_CLOSE);
  }

  /** The answer of the `session` route. */
  sessionInfo(instance: string): SessionInfo {
    const { userId, keepAlive, lifetime } = this.identity;
    return { userId, connectionId: this.connectionId, instance, keepAlive, lifetime };
  }

  /** Opens a notification stream on `streamId` with `credits` initial credit; over the per-connection limit ends the connection. */
  openStream(streamId: number, credits: number): NotificationStream {
    if (this.streams.length >= this.context.maxStreams) {
      throw new RSocketEndError('invalid-request', RSOCKET_ERROR_CODES.CONNECTION_ERROR, `more than ${this.context.maxStreams} notification streams on one connection`);
    }
    const stream = new NotificationStream(streamId, credits, this);
    if (this.streams.length === 0) this.streams = [stream];
    else this.streams.push(stream);
    this.context.streamsChanged(1);
    return stream;
  }

  /** Whether a stream id is in use by an open stream. */
  hasStream(streamId: number): boolean {
    return this.streamOn(streamId) !== undefined;
  }

  /** Sends a single-payload response (NEXT|COMPLETE). */
  respond(streamId: number, data: Buffer): void {
    this.connection.sendEncoded(encodePayloadFrame(streamId, data, true));
  }

  write(frame: Buffer): void {
    this.connection.sendEncoded(frame);
    if (this.connection.bufferedAmount > this.context.maxBufferedBytes) {
      this.end('slow-consumer', `more than ${this.context.maxBufferedBytes} bytes waited to be written to this connection; reconnect with lastEventId`);
    }
  }

  writeError(streamId: number, code: number, message: string): void {
    this.connection.sendError(streamId, code, message);
  }

  delivered(): void {
    this.context.delivered();
  }

  pendingChanged(delta: number): void {
    this.pendingTotal += delta;
    if (this.pendingTotal > this.context.maxPending) {
      this.end('slow-consumer', `more than ${this.context.maxPending} notifications waited for credit (REQUEST_N); reconnect with lastEventId`);
    }
  }

  streamEnded(stream: NotificationStream): void {
    const index = this.streams.indexOf(stream);
    if (index === -1) return;
    this.streams.splice(index, 1);
    this.context.streamsChanged(-1);
  }

  // rsocket-core's Multiplexer/Demultiplexer: this server opens no streams towards clients, and it handles
  // connection and request frames itself rather than through installed handlers.
  createRequestStream(handler: StreamFrameHandler & StreamLifecycleHandler): void {
    handler.handleReject(new Error('this server opens no streams towards clients'));
  }

  connectionInbound(): void {
    throw new Error('NotificationSession handles connection frames itself');
  }

  handleRequestStream(): void {
    throw new Error('NotificationSession handles request frames itself');
  }

  close(): void {
    this.connection.close();
  }

  private keepAlive(frame: KeepAliveFrame): void {
    if (!Flags.hasRespond(frame.flags)) return;
    this.connection.send({ type: FrameTypes.KEEPALIVE, streamId: 0, flags: Flags.NONE, lastReceivedPosition: 0, data: frame.data });
  }

  private request(frame: RequestStreamFrame | RequestResponseFrame | RequestFnfFrame | RequestChannelFrame): void {
    if (frame.streamId === 0) {
      throw new RSocketEndError('invalid-request', RSOCKET_ERROR_CODES.CONNECTION_ERROR, 'requests must not use stream 0');
    }
    if (this.streamOn(frame.streamId) !== undefined) return;
    this.context.router.route(this, frame);
  }

  private clientError(frame: ErrorFrame | CancelFrame): void {
    if (frame.streamId === 0) return this.connection.close(new Error(`client sent ERROR ${(frame as ErrorFrame).code}`));
    this.streamOn(frame.streamId)?.cancel();
  }

  private release(): void {
    for (const stream of [...this.streams]) stream.cancel();
    this.context.released(this);
  }

  private streamOn(streamId: number): NotificationStream | undefined {
    for (const stream of this.streams) if (stream.streamId === streamId) return stream;
    return undefined;
  }
}

function positive(frame: RequestNFrame): number {
  return frame.requestN > 0 ? frame.requestN : 0;
}
