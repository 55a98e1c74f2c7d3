import { formatReason, RSOCKET_ERROR_CODES, type Reason } from '@notification-transport/contract';
import { Flags, FrameTypes, type Frame, type SetupFrame } from 'rsocket-core';
import type { RawData } from 'ws';
import { RSocketEndError } from '../errors/transport-error.js';
import { decodeFrame, IGNORABLE, MalformedFrameError } from './frame-decoder.js';
import type { WebSocketDuplexConnection, SessionHandler } from './websocket-duplex-connection.js';
import type { Acceptor, SessionFactory, WebSocketServerTransportOptions } from './websocket-server-transport.js';

type ReaderState = 'awaiting-setup' | 'accepting' | 'accepted';

/** Turns one socket's messages into frames: SETUP first, then the session; any bad input ends this connection only. */
export class ConnectionReader {
  private state: ReaderState = 'awaiting-setup';
  private session: SessionHandler | undefined;
  private early: Frame[] | undefined;
  private lastReceivedAt = Date.now();
  private windowStart = 0;
  private framesInWindow = 0;
  /** Until SETUP: the SETUP timeout; after: the client's lifetime (it sends KEEPALIVE well within it). */
  private idleLimitMs: number;

  constructor(
    readonly connection: WebSocketDuplexConnection,
    private readonly acceptor: Acceptor,
    private readonly createSession: SessionFactory,
    private readonly options: WebSocketServerTransportOptions,
  ) {
    this.idleLimitMs = options.setupTimeoutMs;
  }

  /** Ends the connection when its deadline passed: no SETUP in time, or nothing received for its lifetime. */
  checkDeadline(now: number): void {
    if (this.connection.done || now - this.lastReceivedAt < this.idleLimitMs) return;
    if (this.state === 'awaiting-setup') {
      return this.refuse(RSOCKET_ERROR_CODES.INVALID_SETUP, formatReason('invalid-setup', `no SETUP within ${this.idleLimitMs} ms`));
    }
    this.connection.close(new Error(`nothing received for the client's lifetime of ${this.idleLimitMs} ms`));
  }

  read(data: RawData, isBinary: boolean): void {
    if (this.connection.done) return;
    const now = Date.now();
    this.lastReceivedAt = now;
    try {
      this.countFrame(now);
      if (!isBinary) throw new MalformedFrameError('text messages are not RSocket frames; send binary messages');
      const message = toBuffer(data);
      if (message.length > this.options.maxFrameBytes) {
        throw tooLarge(`a frame of ${message.length} bytes exceeds the limit of ${this.options.maxFrameBytes}`);
      }
      const frame = decodeFrame(message);
      if (frame === IGNORABLE) return;
      const carried = dataBytes(frame);
      if (carried > this.options.maxDataBytes) {
        throw tooLarge(`metadata and data of ${carried} bytes exceed the limit of ${this.options.maxDataBytes}`);
      }
      this.dispatch(frame);
    } catch (error) {
      this.fail(error);
    }
  }

  /** Flood guard: more than `maxFramesPerSecond` frames in one one-second window ends the connection. */
  private countFrame(now: number): void {
    if (now - this.windowStart >= 1_000) {
      this.windowStart = now;
      this.framesInWindow = 0;
    }
    this.framesInWindow += 1;
    if (this.framesInWindow > this.options.maxFramesPerSecond) {
      throw new RSocketEndError(
        'invalid-request',
        RSOCKET_ERROR_CODES.CONNECTION_ERROR,
        `more than ${this.options.maxFramesPerSecond} frames in one second`,
      );
    }
  }

  private dispatch(frame: Frame): void {
    if (this.state === 'accepted') return this.session?.handle(frame);
    if (this.state === 'accepting') return this.hold(frame);
    this.first(frame);
  }

  private first(frame: Frame): void {
    const refusal = refuseFirstFrame(frame);
    if (refusal) return this.refuse(refusal.code, refusal.message);
    this.state = 'accepting';
    this.idleLimitMs = (frame as SetupFrame).lifetime;
    this.session = this.createSession(frame, this.connection);
    this.connection.attach(this.session);
    this.acceptor(frame, this.connection).then(
      () => this.accepted(),
      (error: unknown) => this.fail(error),
    );
  }

  private hold(frame: Frame): void {
    this.early ??= [];
    if (this.early.length >= (this.options.maxFramesBeforeAccept ?? 64)) {
      throw new MalformedFrameError('too many frames before the SETUP was accepted');
    }
    this.early.push(frame);
  }

  private accepted(): void {
    if (this.connection.done) return;
    this.state = 'accepted';
    const early = this.early ?? [];
    this.early = undefined;
    try {
      for (const frame of early) this.session?.handle(frame);
    } catch (error) {
      this.fail(error);
    }
  }

  private refuse(code: number, message: string, reason: Reason = 'invalid-setup'): void {
    this.options.onRefused?.(reason);
    this.connection.sendError(0, code, message);
    this.connection.close(new Error(message), 1002);
  }

  /** The safety net: a bad frame or a failing handler ends this connection, logged, and nothing else. */
  private fail(error: unknown): void {
    if (this.connection.done) return;
    if (error instanceof RSocketEndError) return this.refuse(error.rsocketCode, error.message, error.reason);
    if (error instanceof MalformedFrameError) {
      const beforeSetup = this.state === 'awaiting-setup';
      const reason = beforeSetup ? 'invalid-setup' : 'invalid-request';
      const code = beforeSetup ? RSOCKET_ERROR_CODES.INVALID_SETUP : RSOCKET_ERROR_CODES.CONNECTION_ERROR;
      return this.refuse(code, formatReason(reason, error.message), reason);
    }
    const { connectionId, userId } = this.connection;
    this.options.logger.error({ err: error, connectionId, userId }, 'connection handler failed; ending this connection');
    this.refuse(RSOCKET_ERROR_CODES.CONNECTION_ERROR, formatReason('internal', 'internal error; reconnect'), 'internal');
  }
}

/** The spec's refusal for a first frame, or `undefined` when it is a SETUP this transport can hand on. */
function refuseFirstFrame(frame: Frame): { code: number; message: string } | undefined {
  if (frame.type === FrameTypes.RESUME) {
    return { code: RSOCKET_ERROR_CODES.REJECTED_RESUME, message: formatReason('invalid-setup', 'resume is not supported; connect with a new SETUP') };
  }
  if (frame.type !== FrameTypes.SETUP) {
    return { code: RSOCKET_ERROR_CODES.INVALID_SETUP, message: formatReason('invalid-setup', `the first frame must be SETUP, got ${FrameTypes[frame.type]}`) };
  }
  if ((frame.streamId as number) !== 0) {
    return { code: RSOCKET_ERROR_CODES.INVALID_SETUP, message: formatReason('invalid-setup', 'SETUP must be sent on stream 0') };
  }
  if (frame.majorVersion !== 1) {
    return { code: RSOCKET_ERROR_CODES.UNSUPPORTED_SETUP, message: formatReason('invalid-setup', `RSocket version ${frame.majorVersion}.${frame.minorVersion} is not supported; use 1.x`) };
  }
  if (Flags.hasResume(frame.flags)) {
    return { code: RSOCKET_ERROR_CODES.REJECTED_SETUP, message: formatReason('invalid-setup', 'resume is not supported; clear the resume flag (lost notifications are recovered with lastEventId)') };
  }
  if (Flags.hasLease(frame.flags)) {
    return { code: RSOCKET_ERROR_CODES.UNSUPPORTED_SETUP, message: formatReason('invalid-setup', 'lease is not supported; clear the lease flag') };
  }
  return undefined;
}

function tooLarge(detail: string): RSocketEndError {
  return new RSocketEndError('too-large', RSOCKET_ERROR_CODES.CONNECTION_ERROR, detail);
}

/** Metadata plus data bytes a frame carries (0 for frames without them). */
function dataBytes(frame: Frame): number {
  const { data, metadata } = frame as { data?: Buffer | null; metadata?: Buffer | null };
  return (data?.length ?? 0) + (metadata?.length ?? 0);
}

function toBuffer(data: RawData): Buffer {
  if (Buffer.isBuffer(data)) return data;
  if (Array.isArray(data)) return Buffer.concat(data);
  return Buffer.from(data);
}
