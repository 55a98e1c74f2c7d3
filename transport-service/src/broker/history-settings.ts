/** How much each user's history keeps, and how long idempotency records live. */
export interface HistorySettings {
  /** Notifications kept per user (the newest). */
  maxLen: number;
  /** How long an idempotency record is kept (at least 24 h by contract). */
  idempotencyTtlSeconds: number;
  /** In-process broker only: notification bytes all histories together may hold (Redis is bounded by maxmemory). */
  maxBytes?: number;
}
