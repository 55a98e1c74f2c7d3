// Minimal typings for the rsocket-js 0.0.27 packages (shipped with Flow types only), as the tests use them.
declare module 'rsocket-core-legacy' {
  export interface LegacyPayload<D = unknown, M = unknown> {
    data?: D | null;
    metadata?: M | null;
  }
  export interface LegacySubscription {
    request(n: number): void;
    cancel(): void;
  }
  export interface LegacySubscriber<T> {
    onNext?(value: T): void;
    onError?(error: Error): void;
    onComplete?(): void;
    onSubscribe?(subscription: LegacySubscription): void;
  }
  export interface LegacyPublisher<T> {
    subscribe(subscriber?: LegacySubscriber<T>): void;
  }
  export interface LegacyReactiveSocket {
    requestStream(payload: LegacyPayload<Buffer, Buffer>): LegacyPublisher<LegacyPayload<Buffer, Buffer>>;
    requestResponse(payload: LegacyPayload<Buffer, Buffer>): { subscribe(subscriber: { onComplete(value: LegacyPayload<Buffer, Buffer>): void; onError(error: Error): void }): void };
    fireAndForget(payload: LegacyPayload<Buffer, Buffer>): void;
    close(): void;
    connectionStatus(): LegacyPublisher<{ kind: string; error?: Error }>;
  }
  export class RSocketClient {
    constructor(options: {
      setup: { keepAlive: number; lifetime: number; dataMimeType: string; metadataMimeType: string; payload?: LegacyPayload<Buffer, Buffer> };
      transport: unknown;
      serializers?: unknown;
    });
    connect(): { subscribe(subscriber: { onComplete(socket: LegacyReactiveSocket): void; onError(error: Error): void }): void };
    close(): void;
  }
  export const BufferEncoders: unknown;
  export const MESSAGE_RSOCKET_ROUTING: unknown;
  export function encodeCompositeMetadata(entries: Array<[unknown, Buffer]>): Buffer;
  export function encodeRoute(route: string): Buffer;
}

declare module 'rsocket-websocket-client-legacy' {
  class RSocketWebSocketClient {
    constructor(options: { url: string; wsCreator?: (url: string) => unknown; lengthPrefixedFrames?: boolean }, encoders?: unknown);
  }
  // A CommonJS module compiled with `exports.default`: ESM sees the exports object as the default import.
  const legacyModule: { default: typeof RSocketWebSocketClient };
  export default legacyModule;
}
