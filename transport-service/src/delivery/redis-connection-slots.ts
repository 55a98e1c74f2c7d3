import { RSOCKET_ERROR_CODES } from '@notification-transport/contract';
import { redisKeys } from '../broker/redis-keys.js';
import type { RedisClient, RedisTopology } from '../broker/redis-topology.js';
import { RSocketEndError } from '../errors/transport-error.js';
import type { Logger } from '../log/logger.js';
import { connectionLimitError, type ConnectionLimitSettings, type ConnectionSlots, type SlotHolder } from './connection-slots.js';
import { ACQUIRE_SCRIPT, REFRESH_SCRIPT } from './redis-slot-scripts.js';

/** Where Redis is, who this instance is, and how long a slot's lease lasts. */
export interface RedisConnectionSlotsOptions {
  topology: RedisTopology;
  instanceId: string;
  settings: ConnectionLimitSettings;
  /** A crashed instance's slots are free again within this long. */
  leaseMs: number;
  logger: Logger;
}

type SlotClient = RedisClient & {
  ntAcquire(...args: Array<string | number>): Promise<Array<string | number>>;
  ntRefresh(...args: Array<string | number>): Promise<number>;
};

/**
 * The per-user connection limit across every instance: each user's slots live in Redis and are taken in one Lua
 * step, so simultaneous connects through different instances never exceed the limit. A slot is a lease this
 * instance refreshes (one timer, every third of the lease) while its connection lives; a clean close frees it at
 * once, a crash lets it lapse. `evict-oldest` tells the instance holding the oldest connection to end it.
 */
export class RedisConnectionSlots implements ConnectionSlots {
  private readonly commands: SlotClient;
  private readonly subscriber: RedisClient;
  private readonly held = new Map<string, SlotHolder>();
  private readonly refresher: NodeJS.Timeout;

  constructor(private readonly options: RedisConnectionSlotsOptions) {
    this.commands = options.topology.createCommands() as SlotClient;
    this.subscriber = options.topology.createSubscriber();
    this.commands.defineCommand('ntAcquire', { numberOfKeys: 2, lua: ACQUIRE_SCRIPT });
    this.commands.defineCommand('ntRefresh', { numberOfKeys: 2, lua: REFRESH_SCRIPT });
    for (const client of [this.commands, this.subscriber]) {
      client.on('error', (error: Error) => options.logger.warn({ err: error }, 'redis connection error (connection slots)'));
    }
    options.topology.onMessage(this.subscriber, (_channel, member) => this.held.get(member.toString())?.evict());
    this.refresher = setInterval(() => void this.refresh(), Math.max(250, Math.floor(options.leaseMs / 3)));
    this.refresher.unref();
  }

  /**
   * Connects and listens for evictions of this instance's connections. The subscription is made even when Redis is
   * unreachable at start: the subscriber queues it until Redis answers.
   */
  async connect(): Promise<void> {
    try {
      await Promise.all([this.commands.connect(), this.subscriber.connect()]);
    } finally {
      this.options.topology
        .subscribe(this.subscriber, redisKeys.evictions(this.options.instanceId))
        .catch((error: unknown) => this.options.logger.error({ err: error }, 'eviction channel subscription failed'));
    }
  }

  async acquire(holder: SlotHolder): Promise<void> {
    const { maxConnectionsPerUser: max, policy } = this.options.settings;
    const member = this.memberOf(holder);
    let reply: Array<string | number>;
    try {
      reply = await this.commands.ntAcquire(redisKeys.slots(holder.userId), redisKeys.leases(holder.userId), member, max, policy, this.options.leaseMs);
    } catch (error) {
      this.options.logger.warn({ err: error, userId: holder.userId }, 'connection slot unavailable');
      throw new RSocketEndError('internal', RSOCKET_ERROR_CODES.REJECTED_SETUP, 'the connection limit cannot be checked right now; reconnect shortly');
    }
    if (reply[0] !== 1) throw connectionLimitError(max);
    this.held.set(member, holder);
    for (const evicted of reply.slice(1)) this.evict(String(evicted));
  }

  release(holder: SlotHolder): void {
    const member = this.memberOf(holder);
    if (!this.held.delete(member)) return;
    this.commands
      .multi()
      .zrem(redisKeys.slots(holder.userId), member)
      .hdel(redisKeys.leases(holder.userId), member)
      .exec()
      .catch((error: unknown) => this.options.logger.warn({ err: error, userId: holder.userId }, 'slot release failed; its lease will lapse'));
  }

  async close(): Promise<void> {
    clearInterval(this.refresher);
    await Promise.allSettled([this.commands.quit(), this.subscriber.quit()]);
  }

  private memberOf(holder: SlotHolder): string {
    return `${this.options.instanceId}|${holder.connectionId}`;
  }

  /** Ends an evicted connection here, or tells the instance that holds it. */
  private evict(member: string): void {
    const local = this.held.get(member);
    if (local) return local.evict();
    const instance = member.slice(0, member.lastIndexOf('|'));
    this.options.topology.publish(this.commands, redisKeys.evictions(instance), member).catch((error: unknown) => {
      this.options.logger.warn({ err: error }, 'could not tell another instance to evict a connection');
    });
  }

  /** Extends every local slot's lease; a connection whose slot is gone with no room left is ended. */
  private async refresh(): Promise<void> {
    if (this.held.size === 0 || this.commands.status !== 'ready') return;
    const { maxConnectionsPerUser: max } = this.options.settings;
    // One call per slot, all written at once: a Cluster cannot pipeline keys of different slots in one batch.
    const refreshes = [...this.held.entries()].map(async ([member, holder]) => {
      const kept = await this.commands.ntRefresh(redisKeys.slots(holder.userId), redisKeys.leases(holder.userId), member, max, this.options.leaseMs);
      if (kept === 0) holder.evict();
    });
    await Promise.allSettled(refreshes);
  }
}
