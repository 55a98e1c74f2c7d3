/** Subscribes `listener` to "the network is back" and returns the function that unsubscribes it. */
export type OnlineSignal = (listener: () => void) => () => void;

interface EventTargetLike {
  addEventListener?: (type: string, listener: () => void) => void;
  removeEventListener?: (type: string, listener: () => void) => void;
}

/**
 * The browser's `online` event on the global object (window or a worker's self); a no-op where there is none, as in
 * Node. Only listens: writes nothing to the global.
 */
export const browserOnlineSignal: OnlineSignal = (listener) => {
  const target = globalThis as EventTargetLike;
  if (typeof target.addEventListener !== 'function') return () => {};
  target.addEventListener('online', listener);
  return () => target.removeEventListener?.('online', listener);
};
