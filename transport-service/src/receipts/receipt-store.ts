import type { NotificationId, ReceiptView } from '@notification-transport/contract';

/** A receipt as stored: the contract's view plus the initiator scope (key digest) that may read it. */
export interface ReceiptRecord extends ReceiptView {
  scope: string;
}

/** A webhook event claimed for delivery: nobody else delivers it until its lease lapses. */
export interface ClaimedEvent {
  userId: string;
  /** The contract's `event` id: unique per state change, the same on every attempt. */
  event: string;
  /** The JSON body, byte for byte what is signed and POSTed. */
  body: string;
  /** 1 on the first attempt. */
  attempt: number;
}

/** What one sweep did: receipts moved to `expired`, webhook events claimed, and whether more work is due now. */
export interface SweepResult {
  expired: number;
  events: ClaimedEvent[];
  /** More users had work due than one sweep takes: sweep again at once. */
  more?: boolean;
}

/** Told which of a user's receipts changed, on whichever instance the change happened. */
export type ReceiptChangeListener = (userId: string, ids: readonly NotificationId[]) => void;

/** One key per receipt for maps held in process; a user id holds no control character, so U+0000 separates. */
export function receiptKey(userId: string, id: NotificationId): string {
  return `${userId}\u0000${id}`;
}

/** The states a client confirms. */
export type ConfirmedState = 'delivered' | 'read';

/**
 * Delivery receipts, shared by every instance. A receipt is created `pending` by the broker in the notification's
 * commit; from then on each state change and the webhook event it enqueues happen in one atomic step.
 * Implementations: `MemoryReceiptStore` (one instance) and `RedisReceiptStore`.
 */
export interface ReceiptStore {
  /** The receipt of the user's notification, or `undefined` when there is none. */
  get(userId: string, id: NotificationId): Promise<ReceiptRecord | undefined>;
  /** Moves the user's receipts forward (unknown ids and backward moves are ignored); resolves to the ids changed. */
  confirm(userId: string, state: ConfirmedState, ids: readonly NotificationId[]): Promise<NotificationId[]>;
  /**
   * Expires `pending` receipts whose notification is no longer recoverable and claims due webhook events for
   * `leaseMs`. With several instances, only the one holding the sweep lease does anything.
   */
  sweep(maxEvents: number, leaseMs: number): Promise<SweepResult>;
  /** The event reached the webhook: it is never sent again. */
  acknowledge(event: ClaimedEvent): Promise<void>;
  /** The event failed: it is due again after `delayMs`. */
  retryLater(event: ClaimedEvent, delayMs: number): Promise<void>;
  /**
   * Starts hearing every change; resolves once no later change can be missed. `onGap` is called when changes may
   * have been missed (the listening connection dropped and came back): every waiter should read again.
   */
  listen(listener: ReceiptChangeListener, onGap?: () => void): Promise<void>;
  /** Stops hearing changes. */
  unlisten(): void;
  /** Releases everything; idempotent. */
  close(): Promise<void>;
}
