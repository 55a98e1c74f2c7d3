/** How receipts behave, from the configuration. */
export interface ReceiptSettings {
  /** A receipt is kept at least this long after its last change (`RECEIPT_TTL_SECONDS`). */
  ttlSeconds: number;
  /** Whether state changes are enqueued for the webhook (`RECEIPT_WEBHOOK_URL` is set). */
  webhook: boolean;
}

/**
 * A live-only notification (`ttlSeconds: 0`) is never recoverable: its receipt expires at once when no connection of
 * the user existed at commit, else after this grace, long enough for a client that got it live to confirm it.
 */
export const LIVE_ONLY_GRACE_MS = 30_000;

/** The webhook event id of a state change: the same for every attempt, unique per change. */
export function receiptEventKey(userId: string, id: string, state: string): string {
  return `${userId}\n${id}\n${state}`;
}
