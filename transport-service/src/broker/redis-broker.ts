import { createHash, randomBytes } from 'node:crypto';
import { parseNotificationId, RECEIPT_LIMITS, type NotificationId } from '@notification-transport/contract';
import { BrokerUnavailableError } from '../errors/transport-error.js';
import type { Logger } from '../log/logger.js';
import type {
  Broker,
  ClaimResult,
  Committed,
  Delivery,
  DeliveryListener,
  IdempotencyClaim,
  NotificationDraft,
  Replay,
  SharedContent,
} from './broker.js';
import { encodeNotification, notificationSuffix, toDelivery } from './encode-notification.js';
import { userHashSlot } from './hash-slot.js';
import type { HistorySettings } from './history-settings.js';
import { RedisAvailability, type WatchedRole } from './redis-availability.js';
import type { RedisClient, RedisTopology } from './redis-topology.js';
import { redisKeys } from './redis-keys.js';
import { CLAIM_SCRIPT, commitScript, REPLAY_SCRIPT } from './redis-scripts.js';
import { SharedContentReader } from './shared-content-reader.js';
import { receiptCommitArguments } from '../receipts/receipt-on-commit.js';
import { receiptKeys } from '../receipts/redis-receipt-keys.js';

/** Content smaller than this is copied into each commit: storing it once would cost more than it saves. */
const SHARE_MIN_BYTES = 1_024;
/**
 * How long shared content outlives the newest deadline of the entries referencing it: instances read it when the
 * reference reaches them over Pub/Sub, also for notifications kept for live delivery only (`ttlSeconds` 0).
 */
const CONTENT_GRACE_MS = 60_000;

/** The commit script's answer when the shared content it references is gone. */
class SharedContentGone extends Error {
  constructor() {
    super('the shared notification content is gone');
  }
}

/** One request's content token, the same on every retry under its Idempotency-Key (scope, key and request hash). */
function contentToken(claim: IdempotencyClaim): string {
  return createHash('sha256').update(`${claim.scope}\n${claim.key}\n${claim.hash}`).digest('base64url').slice(0, 16);
}

/** Where Redis is (one server or a Cluster) and how much history to keep. */
export interface RedisBrokerOptions {
  topology: RedisTopology;
  history: HistorySettings;
  logger: Logger;
  /**
   * Called when the subscriber connection came back after a drop: whatever was published meanwhile never reached
   * this instance, so its clients must recover from history (the caller ends their connections with `[internal]`).
   */
  onDeliveryGap?: () => void;
  /**
   * Whether Redis answers (readiness, outage logs, failures in the product's words), shared with the instance's other
   * Redis users; by default one of the broker's own, started by `connect()` and closed with the broker.
   */
  availability?: RedisAvailability;
  /** How long a delivery receipt is kept after its last change (`RECEIPT_TTL_SECONDS`). */
  receiptTtlSeconds?: number;
}

type ScriptClient = RedisClient & {
  ntCommit(...args: Array<string | number>): Promise<string>;
  ntReplay(...args: string[]): Promise<Array<string | number>>;
  ntClaim(...args: Array<string | number>): Promise<ClaimResult>;
};

/**
 * The broker shared by every instance, on one Redis or a Redis Cluster (ioredis): per-user channels on a separate subscriber
 * connection, a bounded per-user history in a Redis Stream, and commits that append, publish and record
 * idempotency in one Lua step. Commands fail at once while Redis is unreachable (the REST caller gets 503 and
 * retries); both connections reconnect by themselves and the subscriber re-subscribes its channels.
 */
export class RedisBroker implements Broker {
  private readonly commands: ScriptClient;
  private readonly subscriber: RedisClient;
  /** Users subscribed to here (their ids, not their channels' names: a second string per user costs memory). */
  private readonly subscribed = new Set<string>();
  private readonly reader: SharedContentReader;
  private readonly availability: RedisAvailability;
  private closed = false;

  constructor(
    private readonly listener: DeliveryListener,
    private readonly options: RedisBrokerOptions,
  ) {
    this.commands = options.topology.createCommands() as ScriptClient;
    this.subscriber = options.topology.createSubscriber();
    this.availability = options.availability ?? new RedisAvailability(options.topology, options.logger);
    const { maxLen, idempotencyTtlSeconds } = options.history;
    const lua = commitScript({ maxLen, idempotencyTtlSeconds, publishCommand: options.topology.publishCommand, contentGraceMs: CONTENT_GRACE_MS });
    // The commit's key count varies (optional idempotency record, shared content, receipt): each call passes it first.
    this.commands.defineCommand('ntCommit', { lua });
    this.commands.defineCommand('ntReplay', { numberOfKeys: 2, lua: REPLAY_SCRIPT });
    this.commands.defineCommand('ntClaim', { numberOfKeys: 1, lua: CLAIM_SCRIPT });
    this.watch(this.commands, 'commands');
    this.watch(this.subscriber, 'subscriber');
    this.watchForGaps();
    this.reader = new SharedContentReader(
      (key) => this.call(() => this.commands.getBuffer(key)),
      listener,
      (userId, error) => {
        this.options.logger.error({ err: error, userId }, 'shared notification content unreadable; local connections recover from history');
        this.options.onDeliveryGap?.();
      },
    );
    options.topology.onMessage(this.subscriber, (channel, message) => this.receive(channel, message));
  }

  /** Connects both clients; rejects when Redis cannot be reached at start. */
  async connect(): Promise<void> {
    if (this.options.availability === undefined) this.availability.start();
    await Promise.all([this.commands.connect(), this.subscriber.connect()]);
  }

  /** Both connections are up and Redis answers within the command timeout (with a shared availability: on every connection it watches). */
  get connected(): boolean {
    return !this.closed && this.availability.answering;
  }

  async claimIdempotency(claim: IdempotencyClaim): Promise<ClaimResult> {
    const ttl = this.options.history.idempotencyTtlSeconds;
    return this.call(() => this.commands.ntClaim(redisKeys.claim(claim.scope, claim.key), claim.hash, ttl));
  }

  /**
   * Commits one notification. Shared content that is gone (evicted, or expired while the commit waited) is no broker
   * failure: that user's notification is committed again with the content inline.
   */
  commit(userId: string, draft: NotificationDraft, idempotency?: IdempotencyClaim): Promise<Committed> {
    const committing = this.commitOnce(userId, draft, idempotency);
    if (draft.contentKey === undefined || draft.suffix === undefined) return committing;
    return committing.catch((error: unknown) => {
      if (!(error instanceof SharedContentGone)) throw error;
      this.options.logger.warn({ userId }, 'shared notification content was gone at commit; committed inline instead');
      const inline: NotificationDraft = { ...draft };
      delete inline.contentKey;
      return this.commitOnce(userId, inline, idempotency);
    });
  }

  /** One call of the commit script; the hot path of every notification, so one promise on top of the client's. */
  private commitOnce(userId: string, draft: NotificationDraft, idempotency?: IdempotencyClaim): Promise<Committed> {
    if (this.closed) return Promise.reject(new BrokerUnavailableError('the broker is closed'));
    const keys = [redisKeys.history(userId), redisKeys.last(userId)];
    if (idempotency) keys.push(redisKeys.committed(userId, idempotency.scope, idempotency.key));
    if (draft.contentKey !== undefined) keys.push(draft.contentKey);
    const suffix = draft.contentKey !== undefined ? '' : (draft.suffix ?? notificationSuffix(draft));
    const receipt = draft.receipt && receiptCommitArguments(userId, { ...draft, receipt: draft.receipt }, this.options.receiptTtlSeconds ?? RECEIPT_LIMITS.defaultTtlSeconds, this.options.topology.sharded);
    let sent: Promise<string>;
    try {
      sent = receipt
        ? this.commands.ntCommit(keys.length + receipt.keys.length, ...keys, ...receipt.keys, suffix, draft.ttlSeconds * 1000, ...receipt.args)
        : this.commands.ntCommit(keys.length, ...keys, suffix, draft.ttlSeconds * 1000);
    } catch (error) {
      sent = Promise.reject(error instanceof Error ? error : new Error(String(error)));
    }
    return sent.then(
      (reply) => {
        if (receipt?.indexAfter) this.indexReceipt(userId, receipt.indexAfter);
        const bar = reply.lastIndexOf('|');
        return { id: reply.slice(0, bar), online: reply.slice(bar + 1) === '1' };
      },
      (error: unknown) => {
        // Redis answered that the content is gone: Redis is fine, so this stays out of the availability logic.
        if (error instanceof Error && error.message.startsWith('NTCONTENT')) throw new SharedContentGone();
        throw this.unavailable(error);
      },
    );
  }

  /**
   * Cluster mode: the global receipt index lives in another slot than the commit, so it is written after it. The
   * notification is committed: failing the request now would make a retry without an Idempotency-Key duplicate it.
   * Without this entry the sweeper finds the user's due receipt work once something indexes the user again: the
   * user's next commit with a receipt, or (with webhooks) a confirmation that changes a receipt. Until then this
   * receipt's expiry waits.
   */
  private indexReceipt(userId: string, [due, user]: [number, string]): void {
    this.commands.zadd(receiptKeys.dueUsers, 'LT', due, user).catch((error: unknown) => {
      this.options.logger.warn({ err: error, userId }, 'indexing a receipt for the sweeper failed; its expiry waits until the user is indexed again');
    });
  }

  /**
   * Content of at least `SHARE_MIN_BYTES` for several users is stored once per request: once in all for one Redis,
   * once per hash slot among the recipients on a Cluster (a script touches one slot), tagged with the slot's first
   * recipient. It lives as long as the longest-lived entry referencing it (each commit stretches it) plus a grace.
   */
  shareContent(draft: NotificationDraft, userIds: readonly string[], idempotency?: IdempotencyClaim): SharedContent[] {
    const suffix = draft.suffix ?? notificationSuffix(draft);
    if (userIds.length < 2 || suffix.length < SHARE_MIN_BYTES) return [];
    const token = idempotency ? contentToken(idempotency) : randomBytes(12).toString('base64url');
    const ttlMs = draft.ttlSeconds * 1000 + CONTENT_GRACE_MS;
    // A group of one saves nothing: storing it would add a SET here and a GET on the receiving instance.
    return this.slotGroups(userIds)
      .filter((group) => group.length >= 2)
      .map((group) => ({
        userIds: group,
        bytes: suffix.length,
        store: async (): Promise<NotificationDraft> => {
          const contentKey = redisKeys.content(group[0] as string, token);
          // A retry under the same Idempotency-Key finds the content its earlier attempt stored (its first users'
          // entries reference it) and only makes it live at least as long as this attempt needs.
          const set = await this.call(() => this.commands.set(contentKey, suffix, 'PX', ttlMs, 'NX'));
          if (set === null) await this.call(() => this.commands.pexpire(contentKey, ttlMs, 'GT'));
          return { ...draft, suffix, contentKey };
        },
      }));
  }

  async subscribe(userId: string): Promise<void> {
    this.subscribed.add(userId);
    await this.options.topology.subscribe(this.subscriber, redisKeys.channel(userId));
  }

  unsubscribe(userId: string): void {
    this.subscribed.delete(userId);
    this.options.topology.unsubscribe(this.subscriber, redisKeys.channel(userId)).catch((error: unknown) => {
      this.options.logger.warn({ err: error, userId }, 'unsubscribe failed; the channel is dropped on reconnect');
    });
  }

  async replay(userId: string, afterId: NotificationId): Promise<Replay> {
    const reply = await this.call(() =>
      this.commands.ntReplay(redisKeys.history(userId), redisKeys.last(userId), afterId),
    );
    const deliveries: Delivery[] = [];
    for (let i = 2; i + 1 < reply.length; i += 2) {
      const id = String(reply[i]);
      deliveries.push(toDelivery(id, encodeNotification(id, String(reply[i + 1]))));
    }
    const newest = parseNotificationId(String(reply[1]));
    return { complete: reply[0] === 1, deliveries, ...(newest ? { newest: { ms: newest[0], seq: newest[1] } } : {}) };
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.options.availability === undefined) this.availability.close();
    await Promise.allSettled([this.commands.quit(), this.subscriber.quit()]);
    this.commands.disconnect();
    this.subscriber.disconnect();
  }

  /** One group for one Redis; on a Cluster, the recipients of each hash slot, in request order. */
  private slotGroups(userIds: readonly string[]): string[][] {
    if (!this.options.topology.sharded) return [[...userIds]];
    const groups = new Map<number, string[]>();
    for (const userId of userIds) {
      const slot = userHashSlot(userId);
      const group = groups.get(slot);
      if (group) group.push(userId);
      else groups.set(slot, [userId]);
    }
    return [...groups.values()];
  }

  /**
   * Runs one Redis call; any failure means the broker cannot take the notification now (503, retry), said in the
   * product's words, and one that means Redis is unavailable makes the instance not ready at once.
   */
  private async call<T>(run: () => Promise<T>): Promise<T> {
    if (this.closed) throw new BrokerUnavailableError('the broker is closed');
    try {
      return await run();
    } catch (error) {
      throw this.unavailable(error);
    }
  }

  /** A failed Redis call as the 503 it means, said in the product's words (an outage makes the instance not ready). */
  private unavailable(error: unknown): BrokerUnavailableError {
    return new BrokerUnavailableError(this.availability.failed(error).words);
  }

  private receive(channelBuffer: Buffer, message: Buffer): void {
    const userId = redisKeys.userOfChannel(channelBuffer);
    if (userId === undefined || !this.subscribed.has(userId)) return;
    try {
      this.reader.receive(userId, message);
    } catch (error) {
      this.options.logger.error({ err: error, userId }, 'dropped an unreadable message from Redis');
    }
  }

  /**
   * A subscriber connection that dropped missed whatever was published until it was back: once it is, the local
   * connections are ended (`onDeliveryGap`) so their clients recover from history. One server's subscriber says so
   * with 'close' then 'ready'. In Cluster mode each shard has its own subscriber connection, invisible to those
   * events: ioredis reports one that ended as '-node' and, once it has replaced it and subscribed its channels
   * again, 'subscribersReady'. ('-node' also comes when a node leaves the pool; a needless recovery is harmless.)
   */
  private watchForGaps(): void {
    let dropped = false;
    const [droppedEvent, backEvent] = this.options.topology.sharded ? ['-node', 'subscribersReady'] : ['close', 'ready'];
    this.subscriber.on(droppedEvent, () => {
      dropped = true;
    });
    this.subscriber.on(backEvent, () => {
      if (dropped && !this.closed) {
        this.options.logger.warn('Redis subscriber reconnected: ending local connections so they recover what was missed');
        this.options.onDeliveryGap?.();
      }
      dropped = false;
    });
  }

  /** Connection errors and outages are logged by the availability: once per outage, not per retry. */
  private watch(client: RedisClient, role: WatchedRole): void {
    this.availability.watch(client, `broker ${role}`, role);
  }
}
