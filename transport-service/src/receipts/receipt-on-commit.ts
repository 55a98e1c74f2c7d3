import type { NotificationDraft } from '../broker/broker.js';
import { receiptKeys } from './redis-receipt-keys.js';
import { LIVE_ONLY_GRACE_MS } from './receipt-settings.js';

/** The extra KEYS and ARGV of the COMMIT script that create a receipt, and the index write Cluster mode does after it. */
export interface ReceiptCommitArguments {
  /** The receipt's KEYS, after the commit's own: the user's receipt prefix (and the global due index on one Redis). */
  keys: string[];
  args: Array<string | number>;
  /** Cluster mode: the global index lives in another slot, so it is written after the commit (score, member). */
  indexAfter?: [number, string];
}

/** The COMMIT script's receipt arguments (`RECEIPT_ON_COMMIT`) for one user's notification that asked for one. */
export function receiptCommitArguments(
  userId: string,
  draft: NotificationDraft & { receipt: { scope: string } },
  receiptTtlSeconds: number,
  sharded: boolean,
): ReceiptCommitArguments {
  return {
    keys: sharded ? [receiptKeys.prefix(userId)] : [receiptKeys.prefix(userId), receiptKeys.dueUsers],
    args: ['1', userId, draft.receipt.scope, sharded ? '0' : '1', receiptTtlSeconds * 1000, LIVE_ONLY_GRACE_MS, draft.type, draft.createdAt],
    // Never later than the receipt's true expiry (the script adds the grace only for a live-only one with receivers).
    ...(sharded ? { indexAfter: [Date.now() + draft.ttlSeconds * 1000, userId] as [number, string] } : {}),
  };
}
