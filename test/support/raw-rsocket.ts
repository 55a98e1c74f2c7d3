import { onCleanup } from './cleanup.js';
import { DATA_MIME_TYPE, METADATA_MIME_TYPE, ROUTES, type ReceiptConfirmation } from '@notification-transport/contract';
import { encodeCompositeMetadata, encodeRoute, WellKnownMimeType } from 'rsocket-composite-metadata';
import { deserializeFrame, Flags, FrameTypes, serializeFrame, type ErrorFrame, type Frame } from 'rsocket-core';
import WebSocket from 'ws';
import { waitFor } from './wait-for.js';

/**
 * A WebSocket speaking raw RSocket frames, for protocol tests: sends exactly the bytes a test builds and records
 * every frame the server sends back, and how the socket closed.
 */
export class RawRSocket {
  readonly frames: Frame[] = [];
  closed: { code: number } | undefined;

  private constructor(readonly ws: WebSocket) {
    ws.on('message', (data: Buffer) => this.frames.push(deserializeFrame(data)));
    ws.on('close', (code) => (this.closed = { code }));
    ws.on('error', () => {});
  }

  /** Opens a socket to `url` (with `options`, e.g. upgrade `headers`) and waits for the upgrade. */
  static async open(url: string, options: WebSocket.ClientOptions = {}): Promise<RawRSocket> {
    const ws = new WebSocket(url, options);
    const client = new RawRSocket(ws);
    onCleanup(() => ws.terminate());
    await new Promise<void>((resolve, reject) => {
      ws.once('open', resolve);
      ws.once('error', reject);
    });
    return client;
  }

  send(frame: Frame): void {
    this.ws.send(serializeFrame(frame));
  }

  sendBytes(bytes: Buffer): void {
    this.ws.send(bytes, { binary: true });
  }

  /** SETUP in development identity mode for `userId`, with overridable fields. */
  setup(userId: string, overrides: Partial<Record<string, unknown>> = {}): void {
    this.send(setupFrame(userId, overrides));
  }

  /** REQUEST_STREAM on the `notifications` route. */
  requestStream(streamId: number, requestN: number, data: Buffer | null = null): void {
    this.send({
      type: FrameTypes.REQUEST_STREAM,
      streamId,
      flags: Flags.METADATA,
      requestN,
      data,
      metadata: routeMetadata(ROUTES.notifications),
    } as Frame);
  }

  /** REQUEST_FNF on the `receipt` route with `data` (a confirmation, or any bytes). */
  confirm(streamId: number, data: ReceiptConfirmation | Buffer): void {
    const bytes = Buffer.isBuffer(data) ? data : Buffer.from(JSON.stringify(data));
    this.send({ type: FrameTypes.REQUEST_FNF, streamId, flags: Flags.METADATA, data: bytes, metadata: routeMetadata(ROUTES.receipt) } as Frame);
  }

  requestN(streamId: number, requestN: number): void {
    this.send({ type: FrameTypes.REQUEST_N, streamId, flags: Flags.NONE, requestN } as Frame);
  }

  /** Frames of a type received so far. */
  ofType(type: FrameTypes): Frame[] {
    return this.frames.filter((frame) => frame.type === type);
  }

  /** Waits for an ERROR frame on `streamId` and returns it. */
  async error(streamId: number, timeoutMs = 3_000): Promise<ErrorFrame> {
    await waitFor(() => this.findError(streamId) !== undefined, `an ERROR frame on stream ${streamId}`, timeoutMs);
    return this.findError(streamId) as ErrorFrame;
  }

  /** Waits until the server closed the socket. */
  async serverClosed(timeoutMs = 3_000): Promise<{ code: number }> {
    await waitFor(() => this.closed !== undefined, 'the server to close the socket', timeoutMs);
    return this.closed as { code: number };
  }

  private findError(streamId: number): ErrorFrame | undefined {
    return this.frames.find((frame): frame is ErrorFrame => frame.type === FrameTypes.ERROR && frame.streamId === streamId);
  }
}

/** Composite metadata carrying one route. */
export function routeMetadata(route: string): Buffer {
  return encodeCompositeMetadata([[WellKnownMimeType.MESSAGE_RSOCKET_ROUTING, encodeRoute(route)]]);
}

/** A valid SETUP frame object for `userId`, with overrides. */
export function setupFrame(userId: string, overrides: Partial<Record<string, unknown>> = {}): Frame {
  return {
    type: FrameTypes.SETUP,
    streamId: 0,
    flags: Flags.METADATA,
    majorVersion: 1,
    minorVersion: 0,
    keepAlive: 20_000,
    lifetime: 90_000,
    dataMimeType: DATA_MIME_TYPE,
    metadataMimeType: METADATA_MIME_TYPE,
    resumeToken: null,
    data: Buffer.from(JSON.stringify({ userId })),
    metadata: Buffer.alloc(0),
    ...overrides,
  } as Frame;
}
