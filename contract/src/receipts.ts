import type { NotificationId } from './notification-id.js';

/**
 * A receipt's state. States only move forward: `pending` → `delivered` → `read` (`read` implies `delivered`);
 * a `pending` receipt whose notification stopped being recoverable becomes `expired`.
 */
export type ReceiptState = 'pending' | 'delivered' | 'read' | 'expired';

/** Every receipt state, in the order they can be reached. */
export const RECEIPT_STATES: readonly ReceiptState[] = ['pending', 'delivered', 'read', 'expired'];

/** The states a receipt query can wait for (`?waitFor=`). */
export type ReceiptWaitFor = 'delivered' | 'read';

/** `GET /api/v1/notifications/{userId}/{id}/receipt` 200 body. */
export interface ReceiptView {
  userId: string;
  id: NotificationId;
  type: string;
  /** ISO-8601 time the notification was accepted. */
  createdAt: string;
  state: ReceiptState;
  /** ISO-8601 time of the first `delivered` (or `read`) confirmation. */
  deliveredAt?: string;
  /** ISO-8601 time of the first `read` confirmation. */
  readAt?: string;
}

/** A state change as POSTed to `RECEIPT_WEBHOOK_URL`. */
export interface ReceiptEvent {
  /** Unique per state change: a receiver drops repeats by it. */
  event: string;
  userId: string;
  id: NotificationId;
  type: string;
  state: Exclude<ReceiptState, 'pending'>;
  /** ISO-8601 time of the change. */
  at: string;
}

/** Data of a REQUEST_FNF on the `receipt` route: exactly one of the two lists. */
export type ReceiptConfirmation = { delivered: NotificationId[] } | { read: NotificationId[] };

/** Header carrying `sha256=<hex HMAC-SHA256 of the raw body with RECEIPT_WEBHOOK_SECRET>` on webhook POSTs. */
export const RECEIPT_SIGNATURE_HEADER = 'X-Receipt-Signature';

/** Bounds of receipts. */
export const RECEIPT_LIMITS = {
  /** Ids in one `receipt` REQUEST_FNF frame. */
  maxIdsPerConfirmation: 100,
  /** Longest `timeoutMs` of a receipt query. */
  maxWaitMs: 30_000,
  /** Documented default of `RECEIPT_TTL_SECONDS`. */
  defaultTtlSeconds: 86_400,
} as const;

/** The REST path of a notification's receipt. */
export function receiptPath(userId: string, id: NotificationId): string {
  return `/api/v1/notifications/${encodeURIComponent(userId)}/${encodeURIComponent(id)}/receipt`;
}
