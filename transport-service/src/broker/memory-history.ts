import { compareIdParts as compare } from '@notification-transport/contract';
import type { Delivery, Replay } from './broker.js';
import { encodeNotificationBytes, toDelivery } from './encode-notification.js';

/** A notification's JSON after its id, held once however many users' histories keep it. */
export interface MemoryContent {
  /** The suffix's UTF-8 bytes, encoded once; each recipient's notification copies them after its id. */
  readonly suffix: Buffer;
  /** History entries that keep it. */
  refs: number;
}

/** One kept notification: its id and a reference to its shared content. */
export interface MemoryEntry {
  id: string;
  ms: number;
  seq: number;
  content: MemoryContent;
  expiresAt: number;
}

/**
 * One user's bounded history in memory, with the same rules as the Redis stream: the newest `maxLen` entries,
 * each recoverable until its own expiry, the whole history gone once its last entry expired. It remembers where it
 * begins (`born`: the id committed for the user just before its first entry, or that first entry's own id when none
 * is known) and the newest id it trimmed, which is how a replay knows it is complete.
 * Entries reference their content; the broker counts what they hold (content shared by many users counts once).
 */
export class MemoryHistory {
  private entries: MemoryEntry[] = [];
  private readonly born: [number, number];
  private trimmed: [number, number] = [0, 0];
  expiresAt = 0;

  constructor(
    born: { ms: number; seq: number },
    private readonly maxLen: number,
  ) {
    this.born = [born.ms, born.seq];
  }

  /** Appends an entry; trims to `maxLen`. Returns the entries trimming dropped. */
  append(entry: MemoryEntry): MemoryEntry[] {
    this.entries.push(entry);
    this.expiresAt = Math.max(this.expiresAt, entry.expiresAt);
    if (this.entries.length <= this.maxLen) return [];
    const dropped = this.entries.splice(0, this.entries.length - this.maxLen);
    const newest = dropped[dropped.length - 1] as MemoryEntry;
    this.trimmed = [newest.ms, newest.seq];
    return dropped;
  }

  /** Records a notification that was not kept (the global memory bound): a replay from before it is incomplete. */
  skip(id: { ms: number; seq: number }): void {
    this.trimmed = [id.ms, id.seq];
  }

  /** Empties the history (it expired); returns what it held. */
  clear(): MemoryEntry[] {
    const held = this.entries;
    this.entries = [];
    return held;
  }

  /** What is kept after (ms, seq) and not expired at `now`, and whether nothing after it was ever dropped. */
  replay(ms: number, seq: number, now: number): Replay {
    const complete = compare(this.born[0], this.born[1], ms, seq) <= 0 && compare(this.trimmed[0], this.trimmed[1], ms, seq) <= 0;
    const deliveries: Delivery[] = [];
    for (const entry of this.entries) {
      if (compare(entry.ms, entry.seq, ms, seq) <= 0 || entry.expiresAt <= now) continue;
      deliveries.push(toDelivery(entry.id, encodeNotificationBytes(entry.id, entry.content.suffix)));
    }
    return { complete, deliveries };
  }
}
