/** Process exit codes of the `initiator-mock` CLI. */
export const EXIT_CODES = {
  /** Every request got a 2xx answer. */
  ok: 0,
  /** At least one request got a non-2xx answer or no answer at all. */
  failed: 1,
  /** The command line was wrong. */
  usage: 2,
} as const;
