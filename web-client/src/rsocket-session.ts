import {
  DATA_MIME_TYPE,
  METADATA_MIME_TYPE,
  parseReason,
  ROUTES,
  type ReceiptConfirmation,
  type SessionInfo,
} from '@notification-transport/contract';
import { RSocketConnector, type Payload, type RSocket } from 'rsocket-core';
import { WebsocketClientTransport } from 'rsocket-websocket-client';
import type { WebSocketConstructor } from './client-options.js';
import type { FrameRecord } from './frame-log.js';
import { routePayload, setupPayload, streamRequest } from './session-payloads.js';
import type { Session, SessionEnd, SessionHandlers, SessionOpener, SessionRequest } from './session-transport.js';
import { tapWebSocket } from './websocket-tap.js';

const IGNORE = (): void => {};
const OPEN = 1; // WebSocket.OPEN, without relying on a global WebSocket (Node has none)

function textOf(payload: Payload): string {
  return payload.data ? payload.data.toString('utf8') : '';
}

function sessionInfoOf(text: string): SessionInfo | undefined {
  try {
    const value = JSON.parse(text) as Partial<SessionInfo> | null;
    return typeof value?.userId === 'string' && typeof value.connectionId === 'string' ? (value as SessionInfo) : undefined;
  } catch {
    return undefined;
  }
}

function messageOf(error: unknown, fallback: string): string {
  return error instanceof Error && error.message !== '' ? error.message : fallback;
}

/**
 * One connection on rsocket-js 1.0: SETUP, the `notifications` stream, then the `session` route. Ends exactly once,
 * with the reason token of the first ERROR that carried one.
 */
export class RSocketSession implements Session {
  private rsocket: RSocket | undefined;
  private socket: WebSocket | undefined;
  private stream: { request(n: number): void } | undefined;
  private ended = false;
  private transportClosed = false;

  constructor(
    private readonly setup: SessionRequest,
    private readonly handlers: SessionHandlers,
    private readonly createSocket: (url: string) => WebSocket,
  ) {
    const connector = new RSocketConnector({
      setup: {
        keepAlive: setup.keepAlive,
        lifetime: setup.lifetime,
        dataMimeType: DATA_MIME_TYPE,
        metadataMimeType: METADATA_MIME_TYPE,
        payload: setupPayload(setup.token, setup.userId),
      },
      transport: new WebsocketClientTransport({ url: setup.url, wsCreator: (url) => (this.socket = this.createSocket(url)) }),
    });
    connector.connect().then(
      (rsocket) => this.onConnected(rsocket),
      (error: unknown) => this.end({ reason: 'connection-lost', message: messageOf(error, `could not open a WebSocket to ${setup.url}`) }),
    );
  }

  request(n: number): void {
    if (n > 0 && !this.ended) this.stream?.request(n);
  }

  confirm(confirmation: ReceiptConfirmation): boolean {
    const rsocket = this.rsocket;
    if (this.ended || this.transportClosed || rsocket === undefined || this.socket?.readyState !== OPEN) return false;
    let refused = false;
    // rsocket-js writes the frame before fireAndForget returns, or reports at once that the connection is closed.
    rsocket.fireAndForget(routePayload(ROUTES.receipt, confirmation), {
      onComplete: IGNORE,
      onError: () => {
        refused = true;
      },
    });
    return !refused;
  }

  close(): void {
    if (this.ended) return;
    this.ended = true;
    this.closeTransport();
  }

  private onConnected(rsocket: RSocket): void {
    this.rsocket = rsocket;
    if (this.ended) return this.closeTransport();
    rsocket.onClose((error) => {
      this.transportClosed = true;
      this.fail(error ?? new Error('the connection closed'));
    });
    if (this.isEnded()) return; // onClose runs at once when the connection already closed
    // The stream goes first: the server answers `session` only once live delivery for the user is active, so with
    // the stream already open nothing committed after that answer can fall between the two.
    this.stream = rsocket.requestStream(routePayload(ROUTES.notifications, streamRequest(this.setup.lastEventId)), this.setup.credits, {
      onNext: (payload) => {
        if (!this.ended) this.handlers.onPayload(textOf(payload));
      },
      onError: (error) => this.fail(error),
      onComplete: () => this.end({ reason: 'connection-lost', message: 'the server completed the notifications stream' }),
      onExtension: IGNORE,
    });
    rsocket.requestResponse(routePayload(ROUTES.session), {
      onNext: (payload) => this.onSessionAnswer(textOf(payload)),
      onError: (error) => this.fail(error),
      onComplete: IGNORE,
      onExtension: IGNORE,
    });
  }

  private onSessionAnswer(text: string): void {
    if (this.ended) return;
    const info = sessionInfoOf(text);
    if (info === undefined) return this.end({ reason: 'protocol-error', message: `the session route answered ${text.slice(0, 200)}` });
    this.handlers.onSession(info);
  }

  // A method, not the field, where a callback just run may have ended the session (TypeScript keeps field narrowing).
  private isEnded(): boolean {
    return this.ended;
  }

  // rsocket-js reports a connection-level ERROR first to each open stream as "Closed. Original cause [...]" and
  // only then to onClose with the server's own message: an error without a reason token waits one microtask so
  // the one carrying the token decides how the session ended.
  private fail(error: Error): void {
    if (this.ended) return;
    const reason = parseReason(error.message);
    if (reason !== undefined) return this.end({ reason, message: error.message });
    queueMicrotask(() => this.end({ reason: 'connection-lost', message: error.message }));
  }

  private end(end: SessionEnd): void {
    if (this.ended) return;
    this.ended = true;
    this.closeTransport();
    this.handlers.onEnd(end);
  }

  // rsocket-js warns on the console when a closed connection is closed again: close it once, and only if it is open.
  private closeTransport(): void {
    if (this.rsocket) {
      if (!this.transportClosed) {
        this.transportClosed = true;
        this.rsocket.close();
      }
    } else {
      this.socket?.close();
    }
  }
}

/** Builds the {@link SessionOpener} over a WebSocket constructor, tapping each socket for the frame log when asked. */
export function rsocketSessionOpener(WebSocketImpl: WebSocketConstructor, now: () => number): SessionOpener {
  return (request, handlers, onFrame?: (record: FrameRecord) => void) =>
    new RSocketSession(request, handlers, (url) => {
      const socket = new WebSocketImpl(url);
      // The `ws` package (Node) throws on an 'error' event nobody listens to, which can follow rsocket-js removing
      // its own listeners on close; browsers ignore the extra listener.
      socket.addEventListener('error', IGNORE);
      if (onFrame) tapWebSocket(socket, onFrame, now);
      return socket;
    });
}
