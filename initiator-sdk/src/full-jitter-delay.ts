/**
 * Full-jitter backoff: the delay before retry `retry` (1 for the first retry) is uniformly random in
 * [0, min(maxMs, baseMs * 2^(retry-1))), so many initiators retrying after the same outage spread out instead of
 * arriving together.
 */
export function fullJitterDelay(retry: number, baseMs: number, maxMs: number, random: () => number): number {
  const window = Math.min(maxMs, baseMs * 2 ** Math.max(0, retry - 1));
  return Math.floor(random() * window);
}
