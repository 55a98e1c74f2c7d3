import type { NotificationId } from '@notification-transport/contract';
import { TooManyWaitersError } from '../errors/transport-error.js';
import { receiptKey, type ReceiptRecord, type ReceiptStore } from './receipt-store.js';

interface Waiter {
  /** Re-reads the receipt and answers with it when it satisfies the waiter. */
  wake(): void;
  /** Answers now, whatever the state. */
  finish(): void;
}

/**
 * Receipt queries waiting for a state (long-poll), answered on the change from whichever instance made it: while
 * any waits here, the store's change channel is listened to, and each waiter re-reads its receipt once listening
 * began, so a change between its first read and the subscription is not missed. At most `maxWaiters` at once.
 * Once `finishAll` was called (shutdown), no query waits any more.
 */
export class ReceiptWaiters {
  private readonly waiting = new Map<string, Set<Waiter>>();
  private count = 0;
  private listening: Promise<void> | undefined;
  private finished = false;

  constructor(
    private readonly store: ReceiptStore,
    private readonly maxWaiters: number,
  ) {}

  /** Queries waiting now. */
  get size(): number {
    return this.count;
  }

  /**
   * Resolves with the receipt as soon as `satisfied` holds for it, or with its state after `timeoutMs`, or at once
   * when `signal` aborts (the client went away) or `finishAll` is or was called (shutdown). Throws past
   * `maxWaiters`.
   */
  async wait(
    userId: string,
    id: NotificationId,
    satisfied: (record: ReceiptRecord) => boolean,
    timeoutMs: number,
    signal?: AbortSignal,
  ): Promise<ReceiptRecord | undefined> {
    if (this.finished || signal?.aborted) return this.store.get(userId, id);
    if (this.count >= this.maxWaiters) throw new TooManyWaitersError(this.maxWaiters);
    const key = receiptKey(userId, id);
    let waiter: Waiter | undefined;
    let timer: NodeJS.Timeout | undefined;
    const answer = new Promise<ReceiptRecord | undefined>((resolve) => {
      const finish = (): void => resolve(undefined);
      const wake = (): void =>
        void this.store.get(userId, id).then((record) => (record && satisfied(record) ? resolve(record) : undefined), finish);
      waiter = { wake, finish };
      timer = setTimeout(finish, timeoutMs);
      signal?.addEventListener('abort', finish, { once: true });
    });
    this.add(key, waiter as Waiter);
    let met: ReceiptRecord | undefined;
    try {
      // Listening may take long while Redis is away: the timeout (or the client leaving) ends the wait regardless.
      await Promise.race([this.listen().then(() => (waiter as Waiter).wake()), answer]);
      met = await answer;
    } finally {
      clearTimeout(timer);
      this.remove(key, waiter as Waiter);
    }
    return met ?? this.store.get(userId, id);
  }

  /** Answers every waiter now with its current state, and every later query at once (shutdown); idempotent. */
  finishAll(): void {
    this.finished = true;
    for (const set of this.waiting.values()) for (const waiter of set) waiter.finish();
  }

  private listen(): Promise<void> {
    this.listening ??= this.store
      .listen(
        (userId, ids) => {
          for (const id of ids) for (const waiter of this.waiting.get(receiptKey(userId, id)) ?? []) waiter.wake();
        },
        () => {
          for (const set of this.waiting.values()) for (const waiter of set) waiter.wake();
        },
      )
      .catch((error: unknown) => {
        this.listening = undefined;
        throw error;
      });
    return this.listening;
  }

  private add(key: string, waiter: Waiter): void {
    const set = this.waiting.get(key) ?? new Set<Waiter>();
    set.add(waiter);
    this.waiting.set(key, set);
    this.count += 1;
  }

  private remove(key: string, waiter: Waiter): void {
    const set = this.waiting.get(key);
    if (!set?.delete(waiter)) return;
    if (set.size === 0) this.waiting.delete(key);
    this.count -= 1;
    if (this.count === 0 && this.listening) {
      this.listening = undefined;
      this.store.unlisten();
    }
  }
}
