import { formatReason, RSOCKET_ERROR_CODES, type Reason, type ReceiptConfirmation, type SessionInfo } from '@notification-transport/contract';
import { decodeCompositeMetadata, decodeRoutes } from 'rsocket-composite-metadata';
import { deserializeFrame, Flags, FrameTypes, serializeFrame, type Frame, type SetupFrame } from 'rsocket-core';
import type { WebSocketConstructor } from '../../src/client-options.js';
import { FakeWebSocket } from './fake-websocket.js';

function routeOf(frame: Frame): string | undefined {
  const metadata = (frame as { metadata?: Buffer | null }).metadata;
  if (!metadata) return undefined;
  for (const entry of decodeCompositeMetadata(metadata)) return [...decodeRoutes(entry.content)][0];
  return undefined;
}

/** The server end of one fake connection: what the client sent, and the frames the test sends back. */
export class FakeConnection {
  readonly received: Frame[] = [];
  readonly socket: FakeWebSocket;

  constructor(
    url: string,
    private readonly server: FakeRSocketServer,
  ) {
    this.socket = new FakeWebSocket(url, (bytes) => this.onFrame(deserializeFrame(bytes)));
  }

  get setup(): SetupFrame | undefined {
    return this.received.find((frame): frame is SetupFrame => frame.type === FrameTypes.SETUP);
  }

  /** The REQUEST_STREAM of the `notifications` route, once the client sent it. */
  get stream(): (Frame & { type: FrameTypes.REQUEST_STREAM }) | undefined {
    return this.received.find((frame) => frame.type === FrameTypes.REQUEST_STREAM && routeOf(frame) === 'notifications') as
      | (Frame & { type: FrameTypes.REQUEST_STREAM })
      | undefined;
  }

  /** Parsed data of the stream request (`{lastEventId}` or undefined for empty data). */
  get streamData(): { lastEventId?: string } | undefined {
    const data = this.stream?.data;
    return data && data.byteLength > 0 ? (JSON.parse(data.toString('utf8')) as { lastEventId?: string }) : undefined;
  }

  /** Credits granted on the stream so far: the initial requestN plus every REQUEST_N. */
  get credits(): number {
    const stream = this.stream;
    if (!stream) return 0;
    const more = this.received.filter((frame) => frame.type === FrameTypes.REQUEST_N && frame.streamId === stream.streamId);
    return stream.requestN + more.reduce((sum, frame) => sum + (frame as { requestN: number }).requestN, 0);
  }

  /** Data of every REQUEST_FNF on the `receipt` route, in the order the client sent them. */
  get confirmations(): ReceiptConfirmation[] {
    return this.received
      .filter((frame) => frame.type === FrameTypes.REQUEST_FNF && routeOf(frame) === 'receipt')
      .map((frame) => JSON.parse((frame as { data: Buffer }).data.toString('utf8')) as ReceiptConfirmation);
  }

  send(frame: Frame): void {
    this.socket.receive(serializeFrame(frame));
  }

  /** Sends one PAYLOAD(NEXT) on the notifications stream: an object as JSON, a string as is. */
  push(message: object | string): void {
    const data = Buffer.from(typeof message === 'string' ? message : JSON.stringify(message));
    this.send({ type: FrameTypes.PAYLOAD, streamId: this.stream?.streamId ?? 0, flags: Flags.NEXT, data, metadata: undefined });
  }

  /** ERROR on the notifications stream, e.g. APPLICATION_ERROR `[draining]`. */
  streamError(reason: Reason, message = 'stream ended', code: number = RSOCKET_ERROR_CODES.APPLICATION_ERROR): void {
    this.send({ type: FrameTypes.ERROR, streamId: this.stream?.streamId ?? 0, flags: 0, code, message: formatReason(reason, message) });
  }

  /** ERROR on stream 0 then close, as the server refuses or ends a connection. */
  connectionError(reason: Reason, message = 'refused', code: number = RSOCKET_ERROR_CODES.REJECTED_SETUP): void {
    this.send({ type: FrameTypes.ERROR, streamId: 0, flags: 0, code, message: formatReason(reason, message) });
    this.socket.drop(1000);
  }

  /** Answers the pending `session` request. */
  answerSession(info: Partial<SessionInfo> = {}): void {
    const request = this.received.find((frame) => frame.type === FrameTypes.REQUEST_RESPONSE && routeOf(frame) === 'session');
    if (!request) throw new Error('no session request yet');
    const body = { userId: 'alice', connectionId: `c${this.server.connections.indexOf(this)}`, instance: 'fake', keepAlive: 15000, lifetime: 45000, ...info };
    const data = Buffer.from(JSON.stringify(body));
    this.send({ type: FrameTypes.PAYLOAD, streamId: request.streamId, flags: Flags.NEXT | Flags.COMPLETE, data, metadata: undefined });
  }

  private onFrame(frame: Frame): void {
    this.received.push(frame);
    if (frame.type === FrameTypes.SETUP) this.server.onSetup(this);
    if (frame.type === FrameTypes.REQUEST_RESPONSE && this.server.autoSession) queueMicrotask(() => this.answerSession());
  }
}

/** A scripted RSocket server behind {@link FakeWebSocket}s: `WebSocket` is the constructor to inject in the client. */
export class FakeRSocketServer {
  readonly connections: FakeConnection[] = [];
  /** Complete the handshake of new sockets on their own (default true). */
  autoOpen = true;
  /** Answer the `session` route on its own (default true). */
  autoSession = true;
  /** Called when a connection's SETUP arrives, e.g. to refuse it. */
  onSetup: (connection: FakeConnection) => void = () => {};
  readonly WebSocket: WebSocketConstructor;

  constructor() {
    const connect = (url: string): FakeWebSocket => {
      const connection = new FakeConnection(url, this);
      this.connections.push(connection);
      if (this.autoOpen) queueMicrotask(() => connection.socket.open());
      return connection.socket;
    };
    // A plain function so the client can call it with `new`; returning an object makes that object the instance.
    this.WebSocket = function FakeWebSocketConstructor(url: string) {
      return connect(url);
    } as unknown as WebSocketConstructor;
  }

  /** The most recent connection. */
  get last(): FakeConnection {
    const connection = this.connections.at(-1);
    if (!connection) throw new Error('no connection yet');
    return connection;
  }
}
