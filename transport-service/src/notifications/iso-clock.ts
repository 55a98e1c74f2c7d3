/** The largest time value a Date holds (±100,000,000 days from the epoch). */
const MAX_TIME_MS = 8.64e15;

/**
 * A clock reading the current time as `new Date().toISOString()` would (UTC, milliseconds, `Z`), built from a prefix
 * computed once per second: `toISOString` costs a few microseconds, and every accepted request takes one reading.
 */
export function isoClock(nowMs: () => number = Date.now): () => string {
  let second = Number.NaN;
  let prefix = '';
  return () => {
    // Whole milliseconds, as a Date keeps them; outside the Date range `toISOString` itself throws.
    const ms = Math.trunc(nowMs()) + 0;
    if (!(Math.abs(ms) <= MAX_TIME_MS)) return new Date(ms).toISOString();
    const s = Math.floor(ms / 1000);
    if (s !== second) {
      second = s;
      const iso = new Date(s * 1000).toISOString();
      // Everything up to and including the '.' before the milliseconds ('000Z' at a whole second).
      prefix = iso.slice(0, iso.length - 4);
    }
    const fraction = ms - s * 1000;
    return `${prefix}${fraction < 10 ? '00' : fraction < 100 ? '0' : ''}${fraction}Z`;
  };
}
