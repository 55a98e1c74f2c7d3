import { compareIdParts as compare } from '@notification-transport/contract';
import type { Delivery, Replay } from './broker.js';

interface Entry extends Delivery {
  expiresAt: number;
}


/**
 * One user's bounded history in memory, with the same rules as the Redis stream: the newest `maxLen` entries,
 * each recoverable until its own expiry, the whole history gone once its last entry expired. It remembers the
 * first id it ever held (`born`) and the newest id it trimmed, which is how a replay knows it is complete.
 */
export class MemoryHistory {
  private entries: Entry[] = [];
  private readonly born: [number, number];
  private trimmed: [number, number] = [0, 0];
  expiresAt = 0;
  /** Bytes of notification data held. */
  bytes = 0;

  constructor(
    first: Delivery,
    private readonly maxLen: number,
  ) {
    this.born = [first.ms, first.seq];
  }

  /** Appends a delivery recoverable until `expiresAt`; trims to `maxLen`. Returns the change in bytes held. */
  append(delivery: Delivery, expiresAt: number): number {
    const before = this.bytes;
    this.entries.push({ ...delivery, expiresAt });
    this.bytes += delivery.data.length;
    this.expiresAt = Math.max(this.expiresAt, expiresAt);
    while (this.entries.length > this.maxLen) {
      const dropped = this.entries.shift() as Entry;
      this.bytes -= dropped.data.length;
      this.trimmed = [dropped.ms, dropped.seq];
    }
    return this.bytes - before;
  }

  /** Records a delivery that was not kept (the global memory bound): a replay from before it is incomplete. */
  skip(delivery: Delivery): void {
    this.trimmed = [delivery.ms, delivery.seq];
  }

  /** What is kept after (ms, seq) and not expired at `now`, and whether nothing after it was ever dropped. */
  replay(ms: number, seq: number, now: number): Replay {
    const complete = compare(this.born[0], this.born[1], ms, seq) <= 0 && compare(this.trimmed[0], this.trimmed[1], ms, seq) <= 0;
    const deliveries: Delivery[] = [];
    for (const entry of this.entries) {
      if (compare(entry.ms, entry.seq, ms, seq) <= 0 || entry.expiresAt <= now) continue;
      deliveries.push({ id: entry.id, ms: entry.ms, seq: entry.seq, data: entry.data });
    }
    return { complete, deliveries };
  }
}
