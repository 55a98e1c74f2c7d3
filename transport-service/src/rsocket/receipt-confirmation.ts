import { parseNotificationId, RECEIPT_LIMITS, type NotificationId } from '@notification-transport/contract';

/** A client's confirmation on the `receipt` route, checked. */
export interface ReceiptConfirmationRequest {
  state: 'delivered' | 'read';
  /** Distinct, well-formed notification ids (1 to `RECEIPT_LIMITS.maxIdsPerConfirmation`). */
  ids: NotificationId[];
}

/**
 * The data of a REQUEST_FNF on the `receipt` route: `{"delivered": [ids]}` or `{"read": [ids]}` with 1 to 100
 * notification ids. A string says what is wrong (the frame is then ignored: a fire-and-forget has no answer).
 */
export function parseReceiptConfirmation(data: Buffer | null | undefined): ReceiptConfirmationRequest | string {
  let parsed: unknown;
  try {
    parsed = JSON.parse(data?.toString('utf8') ?? '');
  } catch {
    return 'receipt data must be JSON {"delivered": [ids]} or {"read": [ids]}';
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return 'receipt data must be a JSON object';
  const keys = Object.keys(parsed);
  const state = keys[0];
  if (keys.length !== 1 || (state !== 'delivered' && state !== 'read')) return 'receipt data must hold exactly one of "delivered" and "read"';
  const ids: unknown = (parsed as Record<string, unknown>)[state];
  const { maxIdsPerConfirmation } = RECEIPT_LIMITS;
  if (!Array.isArray(ids) || ids.length === 0 || ids.length > maxIdsPerConfirmation) {
    return `"${state}" must be an array of 1 to ${maxIdsPerConfirmation} notification ids`;
  }
  if (!ids.every((id): id is string => typeof id === 'string' && parseNotificationId(id) !== undefined)) {
    return `"${state}" must hold notification ids such as "1732380000000-0"`;
  }
  return { state, ids: [...new Set(ids)] };
}
