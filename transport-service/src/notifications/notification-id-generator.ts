import type { NotificationId } from '@notification-transport/contract';

/**
 * Mints `<ms>-<seq>` ids that increase for the whole process, hence per user, without any per-user state: the
 * millisecond part never goes backwards (a clock step back reuses the last one) and the sequence counts within it.
 */
export class NotificationIdGenerator {
  private lastMs = 0;
  private seq = 0;

  constructor(private readonly now: () => number = Date.now) {}

  /** The next id, greater than every id minted before. */
  next(): NotificationId {
    const ms = this.now();
    if (ms > this.lastMs) {
      this.lastMs = ms;
      this.seq = 0;
    } else {
      this.seq += 1;
    }
    return `${this.lastMs}-${this.seq}`;
  }
}
