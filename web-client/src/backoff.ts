/** Bounds of the reconnect delay: the first window and the cap. */
export interface BackoffSettings {
  baseMs: number;
  maxMs: number;
}

/**
 * Full-jitter exponential backoff (AWS Architecture Blog, "Exponential Backoff And Jitter"): a uniformly random
 * delay in [0, min(maxMs, baseMs * 2^attempt)), so clients dropped together (a drained instance's tabs) spread out
 * instead of stampeding. `attempt` counts from 0; `random` returns values in [0, 1) like `Math.random`.
 */
export function backoffDelay(attempt: number, settings: BackoffSettings, random: () => number): number {
  const exponent = Math.min(Math.max(0, Math.floor(attempt)), 30);
  const ceiling = Math.min(settings.maxMs, settings.baseMs * 2 ** exponent);
  const fraction = Math.min(Math.max(random(), 0), 1 - Number.EPSILON);
  return Math.floor(fraction * ceiling);
}
