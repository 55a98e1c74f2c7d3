import type { NotificationId, ReceiptState } from '@notification-transport/contract';
import type { RedisAvailability } from '../broker/redis-availability.js';
import type { RedisClient, RedisTopology } from '../broker/redis-topology.js';
import { BrokerUnavailableError } from '../errors/transport-error.js';
import type { Logger } from '../log/logger.js';
import { receiptKeys } from './redis-receipt-keys.js';
import {
  ACKNOWLEDGE_SCRIPT,
  CONFIRM_SCRIPT,
  LEASE_SCRIPT,
  NEXT_DUE_SCRIPT,
  RETRY_SCRIPT,
  SWEEP_USER_SCRIPT,
} from './redis-receipt-scripts.js';
import type { ReceiptSettings } from './receipt-settings.js';
import type { ClaimedEvent, ConfirmedState, ReceiptChangeListener, ReceiptRecord, ReceiptStore, SweepResult } from './receipt-store.js';

/** Where Redis is, how receipts behave, and who this instance is (the sweep lease's holder). */
export interface RedisReceiptStoreOptions {
  topology: RedisTopology;
  settings: ReceiptSettings;
  instanceId: string;
  logger: Logger;
  /** The instance's view of Redis, for failures in the product's words (raw client errors without it). */
  availability?: RedisAvailability;
}

/** Users one sweep looks at; the rest wait for the next sweep. */
const USERS_PER_SWEEP = 200;
/** Receipts one user's sweep step expires at most. */
const EXPIRIES_PER_USER = 500;
/** The sweep lease; the sweeping instance renews it every sweep, another takes over this long after it died. */
const SWEEP_LEASE_MS = 5_000;

type ScriptClient = RedisClient & {
  ntReceiptConfirm(...args: Array<string | number>): Promise<string[]>;
  ntReceiptSweep(...args: Array<string | number>): Promise<Array<string | number>>;
  ntReceiptNext(...args: string[]): Promise<string>;
  ntReceiptAck(...args: string[]): Promise<number>;
  ntReceiptRetry(...args: Array<string | number>): Promise<number>;
  ntReceiptLease(...args: Array<string | number>): Promise<number>;
};

const FIELD_STATE: Record<string, ReceiptState> = { pending: 'pending', delivered: 'delivered', read: 'read', expired: 'expired' };

/**
 * Receipts in Redis (one server or a Cluster), shared by every instance. Each receipt is a hash in its user's slot;
 * every change (a client's confirmation, an expiry) and the webhook event it enqueues are one Lua step, and is
 * published on one change channel. A global index of users with something due (expiries, webhook events) lets the
 * instance holding the sweep lease find the work; in Cluster mode that index is written right after the step.
 */
export class RedisReceiptStore implements ReceiptStore {
  private readonly commands: ScriptClient;
  private listener: RedisClient | undefined;
  private onChange: ReceiptChangeListener | undefined;
  private onGap: (() => void) | undefined;
  private closed = false;

  constructor(private readonly options: RedisReceiptStoreOptions) {
    this.commands = options.topology.createCommands() as ScriptClient;
    // An outage is logged once by the instance's RedisAvailability; here only its detail, without a stack.
    this.commands.on('error', (error: Error) => options.logger.debug({ reason: error.message }, 'redis connection error (receipts)'));
    this.commands.defineCommand('ntReceiptConfirm', { lua: CONFIRM_SCRIPT });
    this.commands.defineCommand('ntReceiptSweep', { lua: SWEEP_USER_SCRIPT });
    this.commands.defineCommand('ntReceiptNext', { numberOfKeys: 1, lua: NEXT_DUE_SCRIPT });
    this.commands.defineCommand('ntReceiptAck', { numberOfKeys: 1, lua: ACKNOWLEDGE_SCRIPT });
    this.commands.defineCommand('ntReceiptRetry', { numberOfKeys: 1, lua: RETRY_SCRIPT });
    this.commands.defineCommand('ntReceiptLease', { numberOfKeys: 1, lua: LEASE_SCRIPT });
  }

  /** Connects; rejects when Redis cannot be reached at start. */
  async connect(): Promise<void> {
    await this.commands.connect();
  }

  async get(userId: string, id: NotificationId): Promise<ReceiptRecord | undefined> {
    const fields = await this.call(() => this.commands.hgetall(receiptKeys.prefix(userId) + id));
    const state = FIELD_STATE[fields.st ?? ''];
    if (state === undefined) return undefined;
    return {
      userId,
      id,
      type: fields.t ?? '',
      createdAt: fields.c ?? '',
      state,
      ...(fields.d ? { deliveredAt: fields.d } : {}),
      ...(fields.r ? { readAt: fields.r } : {}),
      scope: fields.s ?? '',
    };
  }

  async confirm(userId: string, state: ConfirmedState, ids: readonly NotificationId[]): Promise<NotificationId[]> {
    if (ids.length === 0) return [];
    const now = Date.now();
    const changed = await this.call(() => this.commands.ntReceiptConfirm(...this.changeHead(userId, now), state, ...ids));
    if (changed.length > 0) await this.indexAfter(userId, now);
    return changed;
  }

  async sweep(maxEvents: number, leaseMs: number): Promise<SweepResult> {
    const result: SweepResult = { expired: 0, events: [] };
    const held = await this.call(() => this.commands.ntReceiptLease(receiptKeys.sweepLease, this.options.instanceId, SWEEP_LEASE_MS));
    if (held !== 1) return result;
    const now = Date.now();
    const users = await this.call(() => this.commands.zrangebyscore(receiptKeys.dueUsers, '-inf', now, 'LIMIT', 0, USERS_PER_SWEEP));
    // The users' steps go out together (one script each, in each user's slot); events are shared out between them.
    const room = users.length === 0 ? 0 : Math.ceil(maxEvents / users.length);
    await Promise.all(
      users.map(async (userId) => {
        const reply = await this.call(() => this.commands.ntReceiptSweep(...this.changeHead(userId, now), leaseMs, room, EXPIRIES_PER_USER));
        result.expired += Number(reply[0]);
        for (let i = 2; i + 2 < reply.length; i += 3) {
          result.events.push({ userId, event: String(reply[i]), body: String(reply[i + 1]), attempt: Number(reply[i + 2]) });
        }
        await this.settle(userId, String(reply[1]));
      }),
    );
    return { ...result, more: users.length === USERS_PER_SWEEP };
  }

  async acknowledge(event: ClaimedEvent): Promise<void> {
    await this.call(() => this.commands.ntReceiptAck(receiptKeys.prefix(event.userId), event.event));
  }

  /** The index still points at the claim's end; it is pulled forward (a crash in between only delays the retry to then). */
  async retryLater(event: ClaimedEvent, delayMs: number): Promise<void> {
    const due = Date.now() + delayMs;
    const held = await this.call(() => this.commands.ntReceiptRetry(receiptKeys.prefix(event.userId), event.event, due));
    if (held === 1) await this.call(() => this.commands.zadd(receiptKeys.dueUsers, 'LT', due, event.userId));
  }

  async listen(listener: ReceiptChangeListener, onGap?: () => void): Promise<void> {
    this.onChange = listener;
    this.onGap = onGap;
    const client = this.listener ?? this.createListener();
    await this.call(() => client.subscribe(receiptKeys.changes));
  }

  unlisten(): void {
    this.onChange = undefined;
    this.onGap = undefined;
    this.listener?.unsubscribe(receiptKeys.changes).catch((error: unknown) => {
      this.options.logger.debug({ err: error }, 'unsubscribing from receipt changes failed');
    });
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const clients = [this.commands, ...(this.listener ? [this.listener] : [])];
    await Promise.allSettled(clients.map((client) => client.quit()));
    for (const client of clients) client.disconnect();
  }

  /**
   * The change channel's connection, made on first use: it queues while reconnecting and subscribes again by itself;
   * what was published while it was away is lost, so waiters are told to read again once it is back.
   */
  private createListener(): RedisClient {
    const client = this.options.topology.createSubscriber();
    let dropped = false;
    client.on('error', (error: Error) => this.options.logger.debug({ reason: error.message }, 'redis connection error (receipt changes)'));
    client.on('messageBuffer', (_channel: Buffer, message: Buffer) => this.heard(message.toString()));
    client.on('close', () => (dropped = true));
    client.on('ready', () => {
      if (dropped) this.onGap?.();
      dropped = false;
    });
    this.listener = client;
    client.connect().catch((error: unknown) => this.options.logger.debug({ reason: String(error) }, 'receipt change channel unreachable; retrying'));
    return client;
  }

  /**
   * The KEYS and ARGV every change script starts with (`CHANGE_FUNCTIONS`), numkeys first. On one Redis the global
   * index is a second key, written in the step; in Cluster mode it lives in another slot and is left out.
   */
  private changeHead(userId: string, now: number): Array<string | number> {
    const { settings, topology } = this.options;
    const keys = topology.sharded ? [receiptKeys.prefix(userId)] : [receiptKeys.prefix(userId), receiptKeys.dueUsers];
    const argv = [userId, now, new Date(now).toISOString(), settings.webhook ? '1' : '0', settings.ttlSeconds * 1000, topology.sharded ? '0' : '1', receiptKeys.changes];
    return [keys.length, ...keys, ...argv];
  }

  /** Cluster mode: a change enqueued a webhook event the global index must point at. */
  private async indexAfter(userId: string, now: number): Promise<void> {
    if (!this.options.topology.sharded || !this.options.settings.webhook) return;
    await this.call(() => this.commands.zadd(receiptKeys.dueUsers, 'LT', now, userId));
  }

  /**
   * Points the global index at the user's next due time, then reads that time again: a commit or confirmation that
   * ran in between (and wrote the index itself) is either seen by that read or writes the index after this.
   */
  private async settle(userId: string, next: string): Promise<void> {
    if (next === '') await this.call(() => this.commands.zrem(receiptKeys.dueUsers, userId));
    else await this.call(() => this.commands.zadd(receiptKeys.dueUsers, next, userId));
    const again = await this.call(() => this.commands.ntReceiptNext(receiptKeys.prefix(userId)));
    if (again !== '') await this.call(() => this.commands.zadd(receiptKeys.dueUsers, 'LT', again, userId));
  }

  private heard(message: string): void {
    const newline = message.indexOf('\n');
    if (newline < 0) return;
    this.onChange?.(message.slice(0, newline), message.slice(newline + 1).split(','));
  }

  /** Runs one Redis call; any failure means receipts are not available now (503). */
  private async call<T>(run: () => Promise<T>): Promise<T> {
    if (this.closed) throw new BrokerUnavailableError('the receipt store is closed');
    try {
      return await run();
    } catch (error) {
      const words = this.options.availability?.failed(error).words;
      throw new BrokerUnavailableError(words ?? (error instanceof Error ? error.message : String(error)));
    }
  }
}
