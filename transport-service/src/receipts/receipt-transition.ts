import type { ReceiptState } from '@notification-transport/contract';
import type { ReceiptRecord } from './receipt-store.js';

/**
 * The receipt after a move to `target` at `at` (ISO-8601), or `undefined` when the move is not forward: `pending` →
 * `delivered` → `read` (`read` sets `deliveredAt` too when missing), `pending` → `expired`; `read` and `expired` are
 * final. The Redis scripts apply the same rule.
 */
export function nextState(record: ReceiptRecord, target: Exclude<ReceiptState, 'pending'>, at: string): ReceiptRecord | undefined {
  const forward = record.state === 'pending' || (target === 'read' && record.state === 'delivered');
  if (!forward) return undefined;
  if (target === 'expired') return { ...record, state: 'expired' };
  if (target === 'delivered') return { ...record, state: 'delivered', deliveredAt: at };
  return { ...record, state: 'read', deliveredAt: record.deliveredAt ?? at, readAt: at };
}
