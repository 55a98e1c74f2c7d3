import { RedisAvailability } from '../broker/redis-availability.js';
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
  /**
   * Whether Redis answers (readiness, outage logs, failures in the product's words), shared with the instance's other
   * Redis users; by default one of its own, started by `connect()` and closed with the slots.
   */
  availability?: RedisAvailability;
}

/**
 * The refresh period (a third of the lease) is cut into this many ticks, and each connection is refreshed on one of
 * them: the scripts go out a slice at a time instead of one burst per period, which showed as 20-40 ms latency
 * spikes for every notification in flight (bench/results/side-by-side.md).
 */
const REFRESH_SLICES = 8;

type SlotClient = RedisClient & {
  ntAcquire(...args: Array<string | number>): Promise<Array<string | number>>;
  ntRefresh(...args: Array<string | number>): Promise<number>;
};

/**
 * The per-user connection limit across every instance: each user's slots live in Redis and are taken in one Lua
 * step, so simultaneous connects through different instances never exceed the limit. A slot is a lease this
 * instance refreshes every third of the lease while its connection lives (one timer; an eighth of the slots per
 * tick); a clean close frees it at once, a crash lets it lapse. `evict-oldest` tells the instance holding the
 * oldest connection to end it.
 */
export class RedisConnectionSlots implements ConnectionSlots {
  private readonly commands: SlotClient;
  private readonly subscriber: RedisClient;
  private readonly availability: RedisAvailability;
  /** This instance's slots by member, spread over the refresh slices (a new slot joins the next slice in turn). */
  private readonly slices = Array.from({ length: REFRESH_SLICES }, () => new Map<string, SlotHolder>());
  private nextSlice = 0;
  private tick = 0;
  private readonly refresher: NodeJS.Timeout;

  constructor(private readonly options: RedisConnectionSlotsOptions) {
    this.commands = options.topology.createCommands() as SlotClient;
    this.subscriber = options.topology.createSubscriber();
    this.commands.defineCommand('ntAcquire', { numberOfKeys: 2, lua: ACQUIRE_SCRIPT });
    this.commands.defineCommand('ntRefresh', { numberOfKeys: 2, lua: REFRESH_SCRIPT });
    this.availability = options.availability ?? new RedisAvailability(options.topology, options.logger);
    this.availability.watch(this.commands, 'connection-slots commands', 'commands');
    this.availability.watch(this.subscriber, 'connection-slots subscriber', 'subscriber');
    options.topology.onMessage(this.subscriber, (_channel, member) => this.find(member.toString())?.evict());
    const period = Math.max(250, Math.floor(options.leaseMs / 3));
    this.refresher = setInterval(() => void this.refresh(), Math.floor(period / REFRESH_SLICES));
    this.refresher.unref();
  }

  /**
   * Connects and listens for evictions of this instance's connections. The subscription is made even when Redis is
   * unreachable at start: the subscriber queues it until Redis answers.
   */
  async connect(): Promise<void> {
    if (this.options.availability === undefined) this.availability.start();
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
      this.options.logger.debug({ reason: this.availability.failed(error).words, userId: holder.userId }, 'connection slot unavailable');
      throw new RSocketEndError('setup-unavailable', 'the connection limit cannot be checked right now; reconnect shortly');
    }
    if (reply[0] !== 1) throw connectionLimitError(max);
    this.slices[this.nextSlice]?.set(member, holder);
    this.nextSlice = (this.nextSlice + 1) % REFRESH_SLICES;
    for (const evicted of reply.slice(1)) this.evict(String(evicted));
  }

  release(holder: SlotHolder): void {
    const member = this.memberOf(holder);
    if (!this.slices.some((slice) => slice.delete(member))) return;
    this.commands
      .multi()
      .zrem(redisKeys.slots(holder.userId), member)
      .hdel(redisKeys.leases(holder.userId), member)
      .exec()
      .catch((error: unknown) => {
        this.options.logger.debug({ reason: this.availability.failed(error).words, userId: holder.userId }, 'slot release failed; its lease will lapse');
      });
  }

  async close(): Promise<void> {
    clearInterval(this.refresher);
    if (this.options.availability === undefined) this.availability.close();
    await Promise.allSettled([this.commands.quit(), this.subscriber.quit()]);
    // QUIT cannot reach a client that is reconnecting; disconnect stops its retries, so nothing outlives close().
    this.commands.disconnect();
    this.subscriber.disconnect();
  }

  private memberOf(holder: SlotHolder): string {
    return `${this.options.instanceId}|${holder.connectionId}`;
  }

  /** The local connection holding `member`'s slot, if it is here. */
  private find(member: string): SlotHolder | undefined {
    for (const slice of this.slices) {
      const holder = slice.get(member);
      if (holder) return holder;
    }
    return undefined;
  }

  /** Ends an evicted connection here, or tells the instance that holds it. */
  private evict(member: string): void {
    const local = this.find(member);
    if (local) return local.evict();
    const instance = member.slice(0, member.lastIndexOf('|'));
    this.options.topology.publish(this.commands, redisKeys.evictions(instance), member).catch((error: unknown) => {
      this.options.logger.warn({ reason: this.availability.failed(error).words }, 'could not tell another instance to evict a connection');
    });
  }

  /**
   * Extends the leases of this tick's slice of local slots (each slot comes round once a period); a connection whose
   * slot is gone with no room left is ended.
   */
  private async refresh(): Promise<void> {
    const slice = this.slices[this.tick];
    this.tick = (this.tick + 1) % REFRESH_SLICES;
    if (slice === undefined || slice.size === 0 || this.commands.status !== 'ready') return;
    const { maxConnectionsPerUser: max } = this.options.settings;
    // One call per slot: a Cluster cannot pipeline keys of different slots in one batch.
    const refreshes = [...slice.entries()].map(async ([member, holder]) => {
      const kept = await this.commands.ntRefresh(redisKeys.slots(holder.userId), redisKeys.leases(holder.userId), member, max, this.options.leaseMs);
      if (kept === 0) holder.evict();
    });
    await Promise.allSettled(refreshes);
  }
}
