import { createHash } from 'node:crypto';
import type { NotificationId } from '@notification-transport/contract';
import type { NotificationDraft } from '../broker/broker.js';
import type { ReceiptRecorder } from '../broker/memory-broker.js';
import { BrokerUnavailableError } from '../errors/transport-error.js';
import { nextState } from './receipt-transition.js';
import { LIVE_ONLY_GRACE_MS, receiptEventKey, type ReceiptSettings } from './receipt-settings.js';
import { receiptKey, type ClaimedEvent, type ConfirmedState, type ReceiptChangeListener, type ReceiptRecord, type ReceiptStore, type SweepResult } from './receipt-store.js';

interface Held {
  record: ReceiptRecord;
  /** When a `pending` receipt expires (ms). */
  expiresAt: number;
  /** When the receipt itself is dropped (ms): a ttl after its last change. */
  keptUntil: number;
}

interface Outgoing {
  userId: string;
  body: string;
  due: number;
  attempts: number;
  keptUntil: number;
}

/**
 * The in-process twin of `RedisReceiptStore`, for one instance on the in-process broker: the same states, expiry
 * and webhook outbox, in memory. Created by the broker's commit (`ReceiptRecorder`) in the commit's own step.
 */
export class MemoryReceiptStore implements ReceiptStore, ReceiptRecorder {
  private readonly receipts = new Map<string, Held>();
  private readonly pending = new Set<string>();
  private readonly outbox = new Map<string, Outgoing>();
  private listener: ReceiptChangeListener | undefined;
  private closed = false;

  constructor(
    private readonly settings: ReceiptSettings,
    private readonly now: () => number = Date.now,
  ) {}

  created(userId: string, id: NotificationId, draft: NotificationDraft & { receipt: { scope: string } }, online: boolean): void {
    const now = this.now();
    const live = draft.ttlSeconds === 0;
    const expiresAt = now + (live ? (online ? LIVE_ONLY_GRACE_MS : 0) : draft.ttlSeconds * 1000);
    const record: ReceiptRecord = { userId, id, type: draft.type, createdAt: draft.createdAt, state: 'pending', scope: draft.receipt.scope };
    const key = receiptKey(userId, id);
    this.receipts.set(key, { record, expiresAt, keptUntil: expiresAt + this.settings.ttlSeconds * 1000 });
    this.pending.add(key);
  }

  get(userId: string, id: NotificationId): Promise<ReceiptRecord | undefined> {
    if (this.closed) return Promise.reject(closedError());
    const held = this.live(receiptKey(userId, id));
    return Promise.resolve(held && { ...held.record });
  }

  confirm(userId: string, state: ConfirmedState, ids: readonly NotificationId[]): Promise<NotificationId[]> {
    if (this.closed) return Promise.reject(closedError());
    const changed = ids.filter((id) => this.move(receiptKey(userId, id), state));
    this.announce(userId, changed);
    return Promise.resolve(changed);
  }

  sweep(maxEvents: number, leaseMs: number): Promise<SweepResult> {
    if (this.closed) return Promise.resolve({ expired: 0, events: [] });
    const now = this.now();
    const expired = new Map<string, NotificationId[]>();
    let count = 0;
    for (const key of this.pending) {
      const held = this.receipts.get(key);
      if (held && held.expiresAt > now) continue;
      if (held && this.move(key, 'expired')) {
        const ids = expired.get(held.record.userId);
        if (ids) ids.push(held.record.id);
        else expired.set(held.record.userId, [held.record.id]);
        count += 1;
      }
      this.pending.delete(key);
    }
    for (const [userId, ids] of expired) this.announce(userId, ids);
    return Promise.resolve({ expired: count, events: this.claim(now, maxEvents, leaseMs) });
  }

  acknowledge(event: ClaimedEvent): Promise<void> {
    this.outbox.delete(event.event);
    return Promise.resolve();
  }

  retryLater(event: ClaimedEvent, delayMs: number): Promise<void> {
    const held = this.outbox.get(event.event);
    if (held) held.due = this.now() + delayMs;
    return Promise.resolve();
  }

  /** Nothing is ever missed in one process: there is no gap to report. */
  listen(listener: ReceiptChangeListener): Promise<void> {
    this.listener = listener;
    return Promise.resolve();
  }

  unlisten(): void {
    this.listener = undefined;
  }

  close(): Promise<void> {
    this.closed = true;
    this.receipts.clear();
    this.pending.clear();
    this.outbox.clear();
    this.listener = undefined;
    return Promise.resolve();
  }

  private move(key: string, target: ConfirmedState | 'expired'): boolean {
    const held = this.live(key);
    if (!held) return false;
    const at = new Date(this.now()).toISOString();
    const next = nextState(held.record, target, at);
    if (!next) return false;
    held.record = next;
    held.keptUntil = this.now() + this.settings.ttlSeconds * 1000;
    this.pending.delete(key);
    if (this.settings.webhook) this.enqueue(held.record, target, at);
    return true;
  }

  private enqueue(record: ReceiptRecord, state: ConfirmedState | 'expired', at: string): void {
    const event = createHash('sha1').update(receiptEventKey(record.userId, record.id, state)).digest('hex');
    const body = JSON.stringify({ event, userId: record.userId, id: record.id, type: record.type, state, at });
    const now = this.now();
    this.outbox.set(event, { userId: record.userId, body, due: now, attempts: 0, keptUntil: now + this.settings.ttlSeconds * 1000 });
  }

  private claim(now: number, maxEvents: number, leaseMs: number): ClaimedEvent[] {
    const claimed: ClaimedEvent[] = [];
    for (const [event, held] of this.outbox) {
      if (held.keptUntil <= now) this.outbox.delete(event);
      if (held.due > now || claimed.length >= maxEvents || held.keptUntil <= now) continue;
      held.due = now + leaseMs;
      held.attempts += 1;
      claimed.push({ userId: held.userId, event, body: held.body, attempt: held.attempts });
    }
    return claimed;
  }

  private announce(userId: string, ids: readonly NotificationId[]): void {
    if (ids.length > 0) this.listener?.(userId, ids);
  }

  private live(key: string): Held | undefined {
    const held = this.receipts.get(key);
    if (!held || held.keptUntil > this.now()) return held;
    this.receipts.delete(key);
    this.pending.delete(key);
    return undefined;
  }
}

function closedError(): BrokerUnavailableError {
  return new BrokerUnavailableError('the in-process receipt store is closed');
}
