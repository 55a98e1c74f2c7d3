import { Cluster, type Redis } from 'ioredis';
import { describeConnectionError, describeRedisFailure, type RedisFailure } from '../errors/redis-failure.js';
import type { Logger } from '../log/logger.js';
import type { RedisClient, RedisTopology } from './redis-topology.js';

/** How long after one probe round the next starts; a round that gets no answer fails after the command timeout. */
const PROBE_INTERVAL_MS = 500;

/** Slack past the command timeout before a probe gives up on its own (the client's timeout normally fires first). */
const PROBE_GRACE_MS = 250;

/** Command connections are PINGed (every master, on a Cluster); subscriber connections count by their state. */
export type WatchedRole = 'commands' | 'subscriber';

interface Watched {
  client: RedisClient;
  name: string;
  role: WatchedRole;
  /** Came up at least once: until every connection has, a probe round has nothing to say. */
  wasReady: boolean;
}

type State = 'starting' | 'up' | 'down' | 'closed';

/**
 * Whether Redis answers, for one instance: what readiness reports, what an outage log says, and the words a failed
 * command is described with. It watches every connection the instance opens to Redis (the broker's and the
 * connection slots'): each command connection is PINGed every {@link PROBE_INTERVAL_MS} (on a Cluster, every
 * master), a PING that gets no answer within the command timeout means down, and so does a real command failing
 * the same way; Redis is back once a whole probe round answers. An outage is logged once when it starts (with the
 * reason) and once when it ends (with how long it lasted); each connection error is logged at debug level only.
 */
export class RedisAvailability {
  private readonly watched = new Set<Watched>();
  private state: State = 'starting';
  private reason = '';
  private downSince = 0;
  /** Why the connection is down, as the last connection error said, until a probe round answers. */
  private connectionProblem: string | undefined;
  private started = false;
  private timer: NodeJS.Timeout | undefined;
  private probing = false;
  private probeAgain = false;

  constructor(
    private readonly topology: RedisTopology,
    private readonly logger: Logger,
  ) {}

  /** True while every watched connection is up and Redis answered the last probe round in time. */
  get answering(): boolean {
    if (this.state === 'down' || this.state === 'closed') return false;
    for (const { client } of this.watched) if (client.status !== 'ready') return false;
    return true;
  }

  /** Why Redis cannot be used now, in the product's words; `undefined` while it answers. */
  get problem(): string | undefined {
    if (this.state === 'closed') return 'the Redis connections are closed';
    if (this.state === 'down') return this.reason;
    return this.answering ? undefined : this.unreachable(this.topology.where);
  }

  /** Watches `client`, which `name` describes in debug logs; its errors are logged at debug level only. */
  watch(client: RedisClient, name: string, role: WatchedRole): void {
    const watched: Watched = { client, name, role, wasReady: client.status === 'ready' };
    this.watched.add(watched);
    const logger = this.logger.child({ redis: name });
    client.on('error', (error: Error) => {
      this.connectionProblem = describeConnectionError(error);
      logger.debug({ err: error }, 'redis connection error');
    });
    if (client instanceof Cluster) {
      client.on('node error', (error: Error, node: string) => {
        this.connectionProblem = describeConnectionError(error);
        logger.debug({ err: error, node }, 'redis cluster node error');
      });
    }
    client.on('close', () => this.probeSoon());
    client.on('ready', () => {
      watched.wasReady = true;
      logger.debug('redis connection ready');
      this.probeSoon();
    });
    client.on('end', () => this.watched.delete(watched));
  }

  /** Starts probing; idempotent. */
  start(): void {
    if (this.started || this.state === 'closed') return;
    this.started = true;
    this.schedule(0);
  }

  /**
   * Records a real command's failure and returns it in the product's words: one that means Redis cannot be used now
   * marks it down at once (the next probe round that answers brings it back); any other is logged as unexpected.
   */
  failed(error: unknown): RedisFailure {
    const failure = describeRedisFailure(error, this.context(this.topology.where));
    if (failure.outage) this.down(failure.words);
    else this.logger.warn({ err: error }, 'Redis command failed unexpectedly');
    return failure;
  }

  /** Stops probing and logging; idempotent. Called before the watched connections close, so closing is no outage. */
  close(): void {
    this.state = 'closed';
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  private probeSoon(): void {
    if (!this.started || this.state === 'closed') return;
    if (this.probing) {
      this.probeAgain = true;
      return;
    }
    this.schedule(0);
  }

  private schedule(delayMs: number): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.probeRound(), delayMs);
    this.timer.unref();
  }

  /** PINGs every command connection at once; the first failure is the reason Redis is down. */
  private async probeRound(): Promise<void> {
    this.timer = undefined;
    this.probing = true;
    try {
      const clients = [...this.watched];
      // At start, nothing to say before every connection first came up: one still connecting is no outage (an owner
      // whose connect fails says so through failed()). A connection not up is never PINGed: a PING would connect a
      // connection its owner has not connected yet behind its back.
      if (this.state === 'starting' && clients.some(({ wasReady }) => !wasReady)) return;
      const failures = await Promise.all(clients.map((watched) => this.probe(watched)));
      if (this.state === 'closed') return;
      const failure = failures.find((words) => words !== undefined);
      if (failure !== undefined) this.down(failure);
      else this.up();
    } catch (error) {
      this.logger.error({ err: error }, 'Redis probe failed unexpectedly');
    } finally {
      this.probing = false;
      if (this.state !== 'closed') this.schedule(this.probeAgain ? 0 : PROBE_INTERVAL_MS);
      this.probeAgain = false;
    }
  }

  /** Probes one connection: `undefined` when it answered, else why not in the product's words. */
  private async probe({ client, role }: Watched): Promise<string | undefined> {
    if (client.status !== 'ready') return this.unreachable(this.topology.where);
    if (role === 'subscriber') return undefined;
    if (!(client instanceof Cluster)) return this.ping(client, this.topology.where);
    const masters = clusterMasters(client);
    if (masters === undefined) return `the Redis Cluster at ${this.topology.where} does not cover every slot`;
    const nodes = new Map(client.nodes('master').map((node) => [`${node.options.host}:${node.options.port}`, node]));
    // A master's connection that ended is only replaced when the slot map is read again (a real command to its slots
    // would do it through a redirection); the probe does it itself, so a master that answers again is seen to.
    if (masters.some((key) => !nodes.has(key))) client.refreshSlotsCache();
    const failures = await Promise.all(
      masters.map((key) => {
        const node = nodes.get(key);
        const where = `${key} (Redis Cluster master)`;
        return node === undefined ? Promise.resolve(this.unreachable(where)) : this.ping(node, where);
      }),
    );
    return failures.find((words) => words !== undefined);
  }

  private async ping(client: Redis, where: string): Promise<string | undefined> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error('Command timed out')), this.topology.commandTimeout + PROBE_GRACE_MS);
    });
    try {
      await Promise.race([client.ping(), timeout]);
      return undefined;
    } catch (error) {
      return describeRedisFailure(error, this.context(where)).words;
    } finally {
      clearTimeout(timer);
    }
  }

  private down(reason: string): void {
    if (this.state === 'closed') return;
    if (this.state === 'down') {
      if (reason !== this.reason) this.logger.debug({ reason }, 'Redis still down');
      this.reason = reason;
      return;
    }
    this.state = 'down';
    this.reason = reason;
    this.downSince = Date.now();
    this.logger.warn({ reason }, 'Redis is down');
  }

  private up(): void {
    this.connectionProblem = undefined;
    if (this.state === 'up' || this.state === 'closed') return;
    if (this.state === 'down') this.logger.info({ downForMs: Date.now() - this.downSince, reason: this.reason }, 'Redis is back');
    this.state = 'up';
  }

  private unreachable(where: string): string {
    return `Redis is unreachable at ${where}: ${this.connectionProblem ?? 'connection lost; reconnecting'}`;
  }

  private context(where: string): { where: string; commandTimeoutMs: number; connectionProblem?: string } {
    return { where, commandTimeoutMs: this.topology.commandTimeout, ...(this.connectionProblem === undefined ? {} : { connectionProblem: this.connectionProblem }) };
  }
}

/** The `host:port` of every master serving a slot, or `undefined` while some slot has none. */
function clusterMasters(cluster: Cluster): string[] | undefined {
  const masters = new Set<string>();
  for (let slot = 0; slot < 16_384; slot += 1) {
    const master = cluster.slots[slot]?.[0];
    if (master === undefined) return undefined;
    masters.add(master);
  }
  return [...masters];
}
