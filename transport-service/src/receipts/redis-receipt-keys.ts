/**
 * Redis names of receipts. A user's receipts, pending-expiry set and webhook outbox share the user's hash tag, so
 * each change stays one atomic script in one slot (Cluster mode); only the index of users with something due, the
 * sweep lease and the change channel are global.
 */
export const receiptKeys = {
  /** Prefix of the user's receipt keys: `<prefix><id>` (a hash), `<prefix>due`, `<prefix>out`, `<prefix>ev`. */
  prefix: (userId: string): string => `nt:{${userId}}:r:`,
  /** Users with an expiry or a webhook event due, scored by the earliest due time (ms). */
  dueUsers: 'nt:r:users',
  /** Held by the instance that sweeps; lapses when it dies. */
  sweepLease: 'nt:r:lease',
  /** Every receipt change is published here as `<userId>\n<id>,<id>…` (instances with waiters listen). */
  changes: 'nt:r:changes',
};
