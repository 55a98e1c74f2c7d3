import type { IncomingMessage } from 'node:http';
import {
  Deferred,
  Flags,
  FrameTypes,
  serializeFrame,
  type DuplexConnection,
  type Frame,
  type FrameHandler,
  type Demultiplexer,
  type Multiplexer,
} from 'rsocket-core';
import WebSocket from 'ws';

/** What a connection hands frames to once SETUP arrived. */
export type SessionHandler = Multiplexer & Demultiplexer & FrameHandler;

/** Milliseconds a closing socket may take to finish the close handshake before it is destroyed. */
const CLOSE_GRACE_MS = 2_000;

/**
 * One client's WebSocket as an rsocket-core `DuplexConnection`: sends frames only while the socket is open, exposes
 * what waits in the socket's write buffer (backpressure), and carries the HTTP upgrade request (identity carriers).
 * Closing is idempotent and always ends the socket.
 */
export class WebSocketDuplexConnection extends Deferred implements DuplexConnection {
  private handler: SessionHandler | undefined;
  /**
   * The first `onClose` listener (the session's; usually the only one) is kept here: Deferred pushes listeners onto
   * an empty array, which reserves room for 16 on every connection.
   */
  private closeListener: ((error?: Error) => void) | undefined;
  /** Identify this connection in log lines (set once known). */
  connectionId: string | undefined;
  userId: string | undefined;

  constructor(
    readonly socket: WebSocket,
    /** The HTTP upgrade request (headers, cookies and query of the handshake), until SETUP was decided. */
    public request: IncomingMessage | undefined,
  ) {
    super();
  }

  /** Drops the upgrade request once identity is decided: nothing needs it later, and it holds every header. */
  releaseRequest(): void {
    this.request = undefined;
  }

  get multiplexerDemultiplexer(): SessionHandler {
    if (!this.handler) throw new Error('no session yet: SETUP has not been received');
    return this.handler;
  }

  /** Installs the session that receives every frame after SETUP. */
  attach(handler: SessionHandler): void {
    this.handler = handler;
  }

  get availability(): number {
    return this.done ? 0 : 1;
  }

  /** Bytes queued in the socket but not yet written to the network. */
  get bufferedAmount(): number {
    return this.socket.bufferedAmount;
  }

  /** Encodes and sends one frame; dropped silently once the socket is no longer open. */
  send(frame: Frame): void {
    this.sendEncoded(serializeFrame(frame));
  }

  /** Sends an already-encoded frame (the notification hot path). */
  sendEncoded(frame: Buffer): void {
    if (this.socket.readyState === WebSocket.OPEN) this.socket.send(frame);
  }

  /** Sends an ERROR frame on `streamId` (0: the connection). */
  sendError(streamId: number, code: number, message: string): void {
    this.send({ type: FrameTypes.ERROR, streamId, flags: Flags.NONE, code, message });
  }

  /** Registers a listener called once when the connection ends (at once if it already has). */
  override onClose(callback: (error?: Error) => void): void {
    if (this.done || this.closeListener !== undefined) return super.onClose(callback);
    this.closeListener = callback;
  }

  /**
   * Ends the connection: notifies `onClose` listeners once and closes the socket after the frames already queued
   * (WebSocket close code 1000, or `wsCode`, e.g. 1002 for a protocol error).
   */
  override close(error?: Error, wsCode = 1000): void {
    if (this.done) return;
    const listener = this.closeListener;
    this.closeListener = undefined;
    super.close(error);
    listener?.(error);
    const { socket } = this;
    if (socket.readyState === WebSocket.OPEN || socket.readyState === WebSocket.CONNECTING) {
      socket.close(wsCode);
      const timer = setTimeout(() => socket.terminate(), CLOSE_GRACE_MS);
      timer.unref();
      socket.once('close', () => clearTimeout(timer));
    }
  }
}
