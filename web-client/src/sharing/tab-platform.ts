/** The part of the Web Locks API (`navigator.locks`) that tab sharing uses. */
export interface TabLocks {
  /**
   * Waits for the exclusive lock `name`, then holds it until the promise `callback` returns settles; the browser also
   * releases it when the tab closes, navigates away or crashes. `signal` withdraws a request still waiting.
   */
  request(name: string, options: { signal?: AbortSignal }, callback: () => Promise<void>): Promise<unknown>;
}

/** The part of a `BroadcastChannel` that tab sharing uses: messages go to every other channel of that name in the origin. */
export interface TabChannelPort {
  postMessage(message: unknown): void;
  addEventListener(type: 'message', listener: (event: MessageEvent) => void): void;
  close(): void;
}

/** A `BroadcastChannel` constructor: the browser's own, or an in-memory twin in tests. */
export type BroadcastChannelConstructor = new (name: string) => TabChannelPort;

/** The two platform APIs tabs share a connection with. */
export interface TabPlatform {
  locks: TabLocks;
  BroadcastChannel: BroadcastChannelConstructor;
}

interface GlobalWithTabApis {
  navigator?: { locks?: TabLocks };
  BroadcastChannel?: BroadcastChannelConstructor;
}

/**
 * The platform APIs from the given overrides or the global object; `undefined` when either is missing (old browsers,
 * insecure origins where `navigator.locks` is absent, Node), which means one connection per tab.
 */
export function tabPlatformOf(overrides: Partial<TabPlatform>): TabPlatform | undefined {
  const host = globalThis as GlobalWithTabApis;
  const locks = overrides.locks ?? host.navigator?.locks;
  const BroadcastChannelImpl = overrides.BroadcastChannel ?? host.BroadcastChannel;
  if (locks === undefined || typeof locks.request !== 'function' || typeof BroadcastChannelImpl !== 'function') return undefined;
  return { locks, BroadcastChannel: BroadcastChannelImpl };
}
