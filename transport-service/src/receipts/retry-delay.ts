/** The first retry of a webhook event waits up to this long; each further one doubles it, up to the configured max. */
export const FIRST_RETRY_DELAY_MS = 1_000;

/**
 * How long to wait before attempt `attempt + 1` of a webhook event that failed attempt `attempt` (1-based):
 * exponential backoff capped at `maxMs`, with jitter over its upper half (equal jitter) so that receivers coming back are not
 * hit by every instance's retries at once.
 */
export function retryDelayMs(attempt: number, maxMs: number, random: () => number = Math.random): number {
  const ceiling = Math.min(maxMs, FIRST_RETRY_DELAY_MS * 2 ** Math.min(attempt - 1, 30));
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}
