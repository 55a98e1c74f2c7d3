/** Opaque handle of a pending timer. */
export type TimerHandle = unknown;

/** Time as the client sees it: injected so tests can drive reconnect delays without waiting. */
export interface Clock {
  now(): number;
  setTimeout(callback: () => void, delayMs: number): TimerHandle;
  clearTimeout(handle: TimerHandle): void;
}

/** The host's own timers (`globalThis.setTimeout`), bound so they work as detached methods. */
export const systemClock: Clock = {
  now: () => Date.now(),
  setTimeout: (callback, delayMs) => globalThis.setTimeout(callback, delayMs),
  clearTimeout: (handle) => {
    globalThis.clearTimeout(handle as ReturnType<typeof globalThis.setTimeout>);
  },
};
