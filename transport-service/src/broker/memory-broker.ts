import { compareIdParts, parseNotificationId, type NotificationId } from '@notification-transport/contract';
import { BrokerUnavailableError } from '../errors/transport-error.js';
import { NotificationIdGenerator } from '../notifications/notification-id-generator.js';
import type {
  Broker,
  ClaimResult,
  Committed,
  DeliveryListener,
  IdempotencyClaim,
  NotificationDraft,
  Replay,
  SharedContent,
} from './broker.js';
import { encodeNotificationBytes, notificationSuffix, toDelivery } from './encode-notification.js';
import type { HistorySettings } from './history-settings.js';
import { MemoryHistory, type MemoryContent, type MemoryEntry } from './memory-history.js';

/** Told of every commit that asked for a receipt, in the commit's own synchronous step (the in-memory receipts). */
export interface ReceiptRecorder {
  created(userId: string, id: NotificationId, draft: NotificationDraft & { receipt: { scope: string } }, online: boolean): void;
}

/** How often expired histories and idempotency records are dropped. */
const SWEEP_INTERVAL_MS = 10_000;
/** What one history entry costs besides its shared content: id, numbers, references. */
const ENTRY_BYTES = 64;

interface Expiring<T> {
  value: T;
  expiresAt: number;
}

/**
 * The in-process broker: one instance, nothing shared, the twin of `RedisBroker` with the same semantics. Ids come
 * from one process-wide generator (increasing per user); histories and idempotency records expire on their own
 * clocks and are swept, so memory stays bounded by what is still recoverable.
 */
export class MemoryBroker implements Broker {
  private readonly subscribed = new Set<string>();
  private readonly histories = new Map<string, MemoryHistory>();
  private readonly claims = new Map<string, Expiring<string>>();
  private readonly committed = new Map<string, Expiring<Committed>>();
  /** The newest id per user, kept as long as idempotency records: it outlives the history. */
  private readonly newest = new Map<string, Expiring<{ ms: number; seq: number }>>();
  private readonly ids: NotificationIdGenerator;
  /** Each request's content, once for all its recipients (the draft is the request's). */
  private readonly contents = new WeakMap<NotificationDraft, MemoryContent>();
  private bytesHeld = 0;
  private readonly sweeper: NodeJS.Timeout;
  private closed = false;

  constructor(
    private readonly listener: DeliveryListener,
    private readonly settings: HistorySettings,
    private readonly now: () => number = Date.now,
    private readonly receipts?: ReceiptRecorder,
  ) {
    this.ids = new NotificationIdGenerator(now);
    this.sweeper = setInterval(() => this.sweep(), SWEEP_INTERVAL_MS);
    this.sweeper.unref();
  }

  get connected(): boolean {
    return !this.closed;
  }

  claimIdempotency(claim: IdempotencyClaim): Promise<ClaimResult> {
    if (this.closed) return Promise.reject(closedError());
    const key = `${claim.scope}\u0000${claim.key}`;
    const existing = this.live(this.claims, key);
    if (existing !== undefined) return Promise.resolve(existing === claim.hash ? 'repeat' : 'conflict');
    this.claims.set(key, { value: claim.hash, expiresAt: this.now() + this.settings.idempotencyTtlSeconds * 1000 });
    return Promise.resolve('new');
  }

  commit(userId: string, draft: NotificationDraft, idempotency?: IdempotencyClaim): Promise<Committed> {
    if (this.closed) return Promise.reject(closedError());
    const recordKey = idempotency && `${idempotency.scope}\u0000${idempotency.key}\u0000${userId}`;
    const earlier = recordKey === undefined ? undefined : this.live(this.committed, recordKey);
    if (earlier) return Promise.resolve(earlier);
    const result = this.append(userId, draft);
    if (recordKey !== undefined) {
      this.committed.set(recordKey, { value: result, expiresAt: this.now() + this.settings.idempotencyTtlSeconds * 1000 });
    }
    return Promise.resolve(result);
  }

  /** Nothing to plan: every recipient's history references the request's one content in memory. */
  shareContent(): SharedContent[] {
    return [];
  }

  subscribe(userId: string): Promise<void> {
    this.subscribed.add(userId);
    return Promise.resolve();
  }

  unsubscribe(userId: string): void {
    this.subscribed.delete(userId);
  }

  replay(userId: string, afterId: NotificationId): Promise<Replay> {
    if (this.closed) return Promise.reject(closedError());
    const parsed = parseNotificationId(afterId);
    const newest = this.live(this.newest, userId);
    const known = newest ? { newest } : {};
    if (!parsed) return Promise.resolve({ complete: false, deliveries: [], ...known });
    if (newest && compareIdParts(newest.ms, newest.seq, parsed[0], parsed[1]) <= 0) {
      return Promise.resolve({ complete: true, deliveries: [], ...known });
    }
    const history = this.histories.get(userId);
    if (!history || history.expiresAt <= this.now()) return Promise.resolve({ complete: false, deliveries: [], ...known });
    return Promise.resolve({ ...history.replay(parsed[0], parsed[1], this.now()), ...known });
  }

  close(): Promise<void> {
    this.closed = true;
    clearInterval(this.sweeper);
    this.subscribed.clear();
    this.histories.clear();
    this.bytesHeld = 0;
    this.claims.clear();
    this.committed.clear();
    this.newest.clear();
    return Promise.resolve();
  }

  private append(userId: string, draft: NotificationDraft): Committed {
    const id = this.ids.next();
    const [ms, seq] = parseNotificationId(id) as [number, number];
    const content = this.contentOf(draft);
    const now = this.now();
    let history = this.histories.get(userId);
    if (!history || history.expiresAt <= now) {
      if (history) this.release(history.clear());
      history = new MemoryHistory(this.live(this.newest, userId) ?? { ms, seq }, this.settings.maxLen);
      this.histories.set(userId, history);
    }
    const adds = ENTRY_BYTES + (content.refs === 0 ? content.suffix.length : 0);
    if (this.bytesHeld + adds > (this.settings.maxBytes ?? Infinity)) {
      history.skip({ ms, seq });
    } else {
      this.hold(content);
      this.release(history.append({ id, ms, seq, content, expiresAt: now + draft.ttlSeconds * 1000 }));
    }
    this.newest.set(userId, { value: { ms, seq }, expiresAt: now + this.settings.idempotencyTtlSeconds * 1000 });
    const online = this.subscribed.has(userId);
    if (draft.receipt) this.receipts?.created(userId, id, { ...draft, receipt: draft.receipt }, online);
    if (online) this.listener(userId, toDelivery(id, encodeNotificationBytes(id, content.suffix)));
    return { id, online };
  }

  private contentOf(draft: NotificationDraft): MemoryContent {
    let content = this.contents.get(draft);
    if (content === undefined) {
      content = { suffix: Buffer.from(draft.suffix ?? notificationSuffix(draft)), refs: 0 };
      this.contents.set(draft, content);
    }
    return content;
  }

  private hold(content: MemoryContent): void {
    if (content.refs === 0) this.bytesHeld += content.suffix.length;
    content.refs += 1;
    this.bytesHeld += ENTRY_BYTES;
  }

  private release(entries: MemoryEntry[]): void {
    for (const { content } of entries) {
      content.refs -= 1;
      if (content.refs === 0) this.bytesHeld -= content.suffix.length;
      this.bytesHeld -= ENTRY_BYTES;
    }
  }

  private live<T>(map: Map<string, Expiring<T>>, key: string): T | undefined {
    const entry = map.get(key);
    if (!entry) return undefined;
    if (entry.expiresAt > this.now()) return entry.value;
    map.delete(key);
    return undefined;
  }

  /** Drops what expired; the only thing that bounds memory for users who never come back. */
  private sweep(): void {
    const now = this.now();
    for (const [userId, history] of this.histories) {
      if (history.expiresAt > now) continue;
      this.release(history.clear());
      this.histories.delete(userId);
    }
    for (const map of [this.claims, this.committed, this.newest] as Array<Map<string, Expiring<unknown>>>) {
      for (const [key, entry] of map) if (entry.expiresAt <= now) map.delete(key);
    }
  }
}

function closedError(): BrokerUnavailableError {
  return new BrokerUnavailableError('the in-process broker is closed');
}
