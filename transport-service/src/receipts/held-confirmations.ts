import type { NotificationId } from '@notification-transport/contract';
import type { ConfirmedState } from './receipt-store.js';

/** One client frame's confirmation, as the store takes it. */
export interface Confirmation {
  userId: string;
  state: ConfirmedState;
  ids: readonly NotificationId[];
}

/** How held confirmations are tried again. */
export interface HeldConfirmationsOptions {
  /** Writes one confirmation to the store; rejects while the store cannot take it. */
  apply: (confirmation: Confirmation) => Promise<void>;
  /** Ids held at most; a confirmation past it is dropped (and counted). */
  maxIds: number;
  /** The wait before try `attempt + 1` after `attempt` failed tries in a row (1-based). */
  delayMs: (attempt: number) => number;
  /** Told how many ids were dropped, past the bound or at close. */
  dropped: (count: number) => void;
}

/**
 * Confirmations the store could not take (Redis away or not answering), held in arrival order and tried again with
 * backoff until they land. A client's REQUEST_FNF has no answer, so without this a confirmation sent during an outage
 * would be lost and its receipt would stay `pending`. Confirming is idempotent (states only move forward), so trying
 * again is safe. Bounded by `maxIds`; what is still held at `close()` is dropped and counted.
 */
export class HeldConfirmations {
  private readonly queue: Confirmation[] = [];
  private heldIds = 0;
  private failures = 0;
  private timer: NodeJS.Timeout | undefined;
  private flushing = false;
  private closed = false;

  constructor(private readonly options: HeldConfirmationsOptions) {}

  /** Ids held now. */
  get size(): number {
    return this.heldIds;
  }

  /** Holds a confirmation the store refused; false when it was dropped (over the bound or closed). */
  hold(confirmation: Confirmation): boolean {
    if (this.closed || this.heldIds + confirmation.ids.length > this.options.maxIds) {
      this.options.dropped(confirmation.ids.length);
      return false;
    }
    this.queue.push(confirmation);
    this.heldIds += confirmation.ids.length;
    if (this.timer === undefined && !this.flushing) this.schedule();
    return true;
  }

  /** Stops trying; drops what is held. Idempotent. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    clearTimeout(this.timer);
    this.timer = undefined;
    if (this.heldIds > 0) this.options.dropped(this.heldIds);
    this.queue.length = 0;
    this.heldIds = 0;
  }

  /** A method, not a field read: `close()` may run while a try is awaited. */
  private isOpen(): boolean {
    return !this.closed;
  }

  private schedule(): void {
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.flush();
    }, this.options.delayMs(this.failures + 1));
    this.timer.unref();
  }

  /** Tries the held confirmations oldest first; stops at the first refusal and waits longer. */
  private async flush(): Promise<void> {
    this.flushing = true;
    try {
      while (this.isOpen() && this.queue.length > 0) {
        const next = this.queue[0] as Confirmation;
        try {
          await this.options.apply(next);
        } catch {
          this.failures += 1;
          if (this.isOpen()) this.schedule();
          return;
        }
        if (!this.isOpen()) return;
        this.queue.shift();
        this.heldIds -= next.ids.length;
        this.failures = 0;
      }
    } finally {
      this.flushing = false;
    }
  }
}
