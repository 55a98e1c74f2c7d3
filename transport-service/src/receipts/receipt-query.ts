import { RECEIPT_STATES, type NotificationId, type ReceiptView, type ReceiptWaitFor } from '@notification-transport/contract';
import { ReceiptNotFoundError } from '../errors/transport-error.js';
import type { ReceiptRecord, ReceiptStore } from './receipt-store.js';
import type { ReceiptWaiters } from './receipt-waiters.js';

/** How a query waits: for a state, at most this long. */
export interface ReceiptWait {
  waitFor: ReceiptWaitFor;
  timeoutMs: number;
  /** Aborts when the client went away. */
  signal?: AbortSignal;
}

/**
 * `GET /api/v1/notifications/{userId}/{id}/receipt`: a receipt as the contract shows it, only to the initiator scope
 * that sent the notification (any other gets the same 404 as for no receipt at all), optionally waiting until the
 * state is at least `waitFor` (or `expired`, which no later state follows).
 */
export class ReceiptQuery {
  constructor(
    private readonly store: ReceiptStore,
    private readonly waiters: ReceiptWaiters,
  ) {}

  async read(userId: string, id: NotificationId, scope: string, wait?: ReceiptWait): Promise<ReceiptView> {
    const first = await this.store.get(userId, id);
    if (!first || first.scope !== scope) throw new ReceiptNotFoundError(userId, id);
    if (!wait || reached(first, wait.waitFor)) return view(first);
    const last = await this.waiters.wait(userId, id, (record) => reached(record, wait.waitFor), wait.timeoutMs, wait.signal);
    return view(last ?? first);
  }
}

function reached(record: ReceiptRecord, waitFor: ReceiptWaitFor): boolean {
  return RECEIPT_STATES.indexOf(record.state) >= RECEIPT_STATES.indexOf(waitFor);
}

function view(record: ReceiptRecord): ReceiptView {
  const { userId, id, type, createdAt, state, deliveredAt, readAt } = record;
  return { userId, id, type, createdAt, state, ...(deliveredAt ? { deliveredAt } : {}), ...(readAt ? { readAt } : {}) };
}
