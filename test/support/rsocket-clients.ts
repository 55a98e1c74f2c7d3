import { onCleanup } from './cleanup.js';
import {
  DATA_MIME_TYPE,
  METADATA_MIME_TYPE,
  ROUTES,
  type Notification,
  type ReceiptConfirmation,
  type SessionInfo,
} from '@notification-transport/contract';
import { encodeCompositeMetadata, encodeRoute, WellKnownMimeType } from 'rsocket-composite-metadata';
import { RSocketConnector, type RSocket } from 'rsocket-core';
import { WebsocketClientTransport } from 'rsocket-websocket-client';
import {
  BufferEncoders,
  encodeCompositeMetadata as legacyEncodeComposite,
  encodeRoute as legacyEncodeRoute,
  MESSAGE_RSOCKET_ROUTING,
  RSocketClient,
  type LegacyReactiveSocket,
  type LegacySubscription,
} from 'rsocket-core-legacy';
import legacyWebSocketClient from 'rsocket-websocket-client-legacy';
import WebSocket from 'ws';

/** A connected test client of either rsocket-js generation with one `notifications` stream open. */
export interface TestClient {
  readonly generation: '1.0' | '0.0.27';
  /** Notifications (and control messages) received on the stream, in order. */
  readonly received: Notification[];
  /** The error the stream or connection ended with, if any. */
  readonly error: Error | undefined;
  /** Resolves with that error when the stream or connection ends. */
  readonly ended: Promise<Error>;
  /** Grants `n` more credit on the stream. */
  request(n: number): void;
  /** Calls the `session` route. */
  session(): Promise<SessionInfo>;
  /** Confirms receipts: REQUEST_FNF on the `receipt` route. */
  confirm(confirmation: ReceiptConfirmation): void;
  close(): void;
}

/** How to connect: the user id (development identity), credit, keepalive and the stream's request data. */
export interface ClientOptions {
  userId?: string;
  /** Initial REQUEST_N on the stream; default: unbounded. */
  credits?: number;
  keepAlive?: number;
  lifetime?: number;
  /** REQUEST_STREAM data, e.g. `{ lastEventId }`. */
  streamData?: unknown;
  /** Query string appended to the URL, e.g. `?userId=bob`. */
  query?: string;
  /** Open the notifications stream right away (default true). */
  openStream?: boolean;
  /** Called with each notification as it arrives (besides `received`). */
  onNotification?: (notification: Notification) => void;
  /** SETUP metadata, e.g. composite metadata with a bearer token; default none. */
  setupMetadata?: Buffer;
  /** SETUP data as JSON (overrides `userId`'s `{"userId"}`). */
  setupData?: unknown;
  /** Headers of the WebSocket upgrade, e.g. `Cookie`, `Origin`, `Authorization`. */
  headers?: Record<string, string>;
}

const UNBOUNDED = 0x7fffffff;

// rsocket-js 1.0.0-alpha.3's requester streams console.warn "Trying to close for the second time" whenever a
// connection closes after a stream already ended (RequestStreamStream.js, RequestResponseStream.js): client-side
// noise that would bury real warnings in the test output, so only that line is dropped.
/* eslint-disable no-console -- filtering one library warning, see above */
const warn = console.warn.bind(console);
console.warn = (...args: unknown[]): void => {
  if (typeof args[0] === 'string' && args[0].startsWith('Trying to close for the second time')) return;
  warn(...args);
};
/* eslint-enable no-console */

function setupData(options: ClientOptions): Buffer {
  if (options.setupData !== undefined) return Buffer.from(JSON.stringify(options.setupData));
  return options.userId === undefined ? Buffer.alloc(0) : Buffer.from(JSON.stringify({ userId: options.userId }));
}

function routeMetadata(route: string): Buffer {
  return encodeCompositeMetadata([[WellKnownMimeType.MESSAGE_RSOCKET_ROUTING, encodeRoute(route)]]);
}

function streamData(options: ClientOptions): Buffer {
  return options.streamData === undefined ? Buffer.alloc(0) : Buffer.from(JSON.stringify(options.streamData));
}

/** Connects with rsocket-js 1.0 (`RSocketConnector` + `WebsocketClientTransport`). */
export async function connectModern(url: string, options: ClientOptions = {}): Promise<TestClient> {
  const connector = new RSocketConnector({
    setup: {
      keepAlive: options.keepAlive ?? 20_000,
      lifetime: options.lifetime ?? 90_000,
      dataMimeType: DATA_MIME_TYPE,
      metadataMimeType: METADATA_MIME_TYPE,
      payload: { data: setupData(options), ...(options.setupMetadata ? { metadata: options.setupMetadata } : {}) },
    },
    transport: new WebsocketClientTransport({
      url: url + (options.query ?? ''),
      wsCreator: (target) => new WebSocket(target, { headers: options.headers }) as unknown as globalThis.WebSocket,
    }),
  });
  const rsocket: RSocket = await connector.connect();
  const client = new ModernClient(rsocket);
  rsocket.onClose((error) => client.markEnded(error ?? new Error('connection closed')));
  if (options.openStream !== false) client.open(options);
  onCleanup(() => client.close());
  return client;
}

/** Records what a client receives and how it ended; shared by both generations. */
abstract class RecordingClient {
  readonly received: Notification[] = [];
  error: Error | undefined;
  readonly ended: Promise<Error>;
  private resolveEnded: (error: Error) => void = () => {};
  protected onNotification: ((notification: Notification) => void) | undefined;

  constructor() {
    this.ended = new Promise((resolve) => (this.resolveEnded = resolve));
  }

  protected receive(data: Buffer | null | undefined): void {
    const notification = JSON.parse(data?.toString('utf8') ?? 'null') as Notification;
    this.received.push(notification);
    this.onNotification?.(notification);
  }

  markEnded(error: Error): void {
    if (this.error) return;
    this.error = error;
    this.resolveEnded(error);
  }
}

class ModernClient extends RecordingClient implements TestClient {
  readonly generation = '1.0' as const;
  private subscription: { request(n: number): void; cancel(): void } | undefined;

  constructor(private readonly rsocket: RSocket) {
    super();
  }

  open(options: ClientOptions): void {
    this.onNotification = options.onNotification;
    this.subscription = this.rsocket.requestStream(
      { data: streamData(options), metadata: routeMetadata(ROUTES.notifications) },
      options.credits ?? UNBOUNDED,
      {
        onNext: (payload) => this.receive(payload.data),
        onError: (error) => this.markEnded(error),
        onComplete: () => {},
        onExtension: () => {},
      },
    );
  }

  request(n: number): void {
    this.subscription?.request(n);
  }

  session(): Promise<SessionInfo> {
    return new Promise((resolve, reject) => {
      this.rsocket.requestResponse({ data: Buffer.alloc(0), metadata: routeMetadata(ROUTES.session) }, {
        onNext: (payload) => resolve(JSON.parse(payload.data?.toString('utf8') ?? 'null') as SessionInfo),
        onError: reject,
        onComplete: () => {},
        onExtension: () => {},
      });
    });
  }

  confirm(confirmation: ReceiptConfirmation): void {
    this.rsocket.fireAndForget(
      { data: Buffer.from(JSON.stringify(confirmation)), metadata: routeMetadata(ROUTES.receipt) },
      { onError: () => {}, onComplete: () => {} },
    );
  }

  close(): void {
    this.rsocket.close();
  }
}

/** Connects with rsocket-js 0.0.27 (`RSocketClient` + `RSocketWebSocketClient`), the generation older deployed clients use. */
export async function connectLegacy(url: string, options: ClientOptions = {}): Promise<TestClient> {
  const client = new RSocketClient({
    setup: {
      keepAlive: options.keepAlive ?? 20_000,
      lifetime: options.lifetime ?? 90_000,
      dataMimeType: DATA_MIME_TYPE,
      metadataMimeType: METADATA_MIME_TYPE,
      payload: { data: setupData(options), metadata: options.setupMetadata ?? Buffer.alloc(0) },
    },
    transport: new legacyWebSocketClient.default(
      { url: url + (options.query ?? ''), wsCreator: (target) => new WebSocket(target, { headers: options.headers }) },
      BufferEncoders,
    ),
  });
  const socket = await new Promise<LegacyReactiveSocket>((resolve, reject) => {
    client.connect().subscribe({ onComplete: resolve, onError: reject });
  });
  const wrapper = new LegacyClient(client, socket);
  socket.connectionStatus().subscribe({
    onNext: (status) => {
      if (status.kind === 'ERROR' || status.kind === 'CLOSED') wrapper.markEnded(status.error ?? new Error(`connection ${status.kind}`));
    },
    onSubscribe: (subscription) => subscription.request(UNBOUNDED),
  });
  if (options.openStream !== false) wrapper.open(options);
  onCleanup(() => wrapper.close());
  return wrapper;
}

function legacyRoute(route: string): Buffer {
  return legacyEncodeComposite([[MESSAGE_RSOCKET_ROUTING, legacyEncodeRoute(route)]]);
}

class LegacyClient extends RecordingClient implements TestClient {
  readonly generation = '0.0.27' as const;
  private subscription: LegacySubscription | undefined;

  constructor(
    private readonly client: RSocketClient,
    private readonly socket: LegacyReactiveSocket,
  ) {
    super();
  }

  open(options: ClientOptions): void {
    this.onNotification = options.onNotification;
    this.socket.requestStream({ data: streamData(options), metadata: legacyRoute(ROUTES.notifications) }).subscribe({
      onNext: (payload) => this.receive(payload.data),
      onError: (error) => this.markEnded(error),
      onComplete: () => {},
      onSubscribe: (subscription) => {
        this.subscription = subscription;
        subscription.request(options.credits ?? UNBOUNDED);
      },
    });
  }

  request(n: number): void {
    this.subscription?.request(n);
  }

  session(): Promise<SessionInfo> {
    return new Promise((resolve, reject) => {
      this.socket.requestResponse({ data: Buffer.alloc(0), metadata: legacyRoute(ROUTES.session) }).subscribe({
        onComplete: (payload) => resolve(JSON.parse(payload.data?.toString('utf8') ?? 'null') as SessionInfo),
        onError: reject,
      });
    });
  }

  confirm(confirmation: ReceiptConfirmation): void {
    this.socket.fireAndForget({ data: Buffer.from(JSON.stringify(confirmation)), metadata: legacyRoute(ROUTES.receipt) });
  }

  close(): void {
    this.client.close();
  }
}

/** Both generations, for tests that must hold for each. */
export const CLIENT_GENERATIONS = [
  { name: 'rsocket-js 1.0', connect: connectModern },
  { name: 'rsocket-js 0.0.27', connect: connectLegacy },
] as const;
