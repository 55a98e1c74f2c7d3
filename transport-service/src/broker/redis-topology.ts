import { Cluster, Redis, type RedisOptions } from 'ioredis';
import { BatchingRedis } from './batching-redis.js';

/** Where Redis is: one server (`REDIS_URL`) or a Redis Cluster (`REDIS_CLUSTER_NODES` seeds). */
export type RedisEndpoint = { mode: 'single'; url: string } | { mode: 'cluster'; nodes: Array<{ host: string; port: number }> };

/** A client of either topology; both speak the same commands and define the same scripts. */
export type RedisClient = Redis | Cluster;

const RECONNECT: RedisOptions = { lazyConnect: true, connectTimeout: 2_000, retryStrategy: (times) => Math.min(50 * times, 1_000) };

/**
 * How to talk to one Redis or a Redis Cluster. In Cluster mode Pub/Sub is sharded (SPUBLISH / SSUBSCRIBE): a
 * user's channel carries the user's hash tag, so it lives in the same slot as the user's keys and a commit's
 * publish stays inside its atomic script.
 */
export class RedisTopology {
  constructor(
    readonly endpoint: RedisEndpoint,
    private readonly commandTimeoutMs: number,
  ) {}

  /** True in Cluster mode (sharded Pub/Sub). */
  get sharded(): boolean {
    return this.endpoint.mode === 'cluster';
  }

  /** Where Redis is, for logs and error messages, without credentials: `redis://host:port/db`, or the Cluster's seeds. */
  get where(): string {
    if (this.endpoint.mode === 'cluster') return `${this.endpoint.nodes.map(({ host, port }) => `${host}:${port}`).join(',')} (Redis Cluster)`;
    const url = new URL(this.endpoint.url);
    url.username = '';
    url.password = '';
    return url.toString();
  }

  /** `REDIS_COMMAND_TIMEOUT_MS`: every command (and readiness probe) on a command client fails after this long. */
  get commandTimeout(): number {
    return this.commandTimeoutMs;
  }

  /** The Pub/Sub publish command scripts call. */
  get publishCommand(): 'PUBLISH' | 'SPUBLISH' {
    return this.sharded ? 'SPUBLISH' : 'PUBLISH';
  }

  /**
   * A command client that fails at once while Redis is unreachable (the REST caller gets 503 and retries). On one
   * server, the commands of one event-loop turn share a socket write ({@link BatchingRedis}).
   */
  createCommands(): RedisClient {
    const options: Omit<RedisOptions, 'replyMapping'> = { ...RECONNECT, enableOfflineQueue: false, maxRetriesPerRequest: 0, commandTimeout: this.commandTimeoutMs };
    if (this.endpoint.mode === 'single') return new BatchingRedis(this.endpoint.url, options);
    return new Cluster(this.endpoint.nodes, { lazyConnect: true, enableOfflineQueue: false, redisOptions: options, clusterRetryStrategy: RECONNECT.retryStrategy });
  }

  /** A subscriber client that queues while reconnecting and re-subscribes its channels by itself. */
  createSubscriber(): RedisClient {
    const options: RedisOptions = { ...RECONNECT, maxRetriesPerRequest: null };
    if (this.endpoint.mode === 'single') return new Redis(this.endpoint.url, options);
    return new Cluster(this.endpoint.nodes, { lazyConnect: true, shardedSubscribers: true, redisOptions: options, clusterRetryStrategy: RECONNECT.retryStrategy });
  }

  /** Subscribes `client` to `channel`; resolves once Redis confirmed. */
  subscribe(client: RedisClient, channel: string): Promise<unknown> {
    return this.sharded ? client.ssubscribe(channel) : client.subscribe(channel);
  }

  /** Unsubscribes `client` from `channel`. */
  unsubscribe(client: RedisClient, channel: string): Promise<unknown> {
    return this.sharded ? client.sunsubscribe(channel) : client.unsubscribe(channel);
  }

  /** Publishes outside a script. */
  publish(client: RedisClient, channel: string, message: string): Promise<unknown> {
    return this.sharded ? client.spublish(channel, message) : client.publish(channel, message);
  }

  /** Calls `handler` with every message `client` receives on its subscriptions. */
  onMessage(client: RedisClient, handler: (channel: Buffer, message: Buffer) => void): void {
    client.on(this.sharded ? 'smessageBuffer' : 'messageBuffer', handler);
  }
}
