import { RedisCluster } from './redis-cluster.js';
import { RedisProcess } from './redis-process.js';
import { ServiceProcess } from './service-process.js';

/** Redis (one server, or a Redis Cluster) plus several service instances on it, as the product runs behind a load balancer. */
export class Cluster {
  private constructor(
    private readonly redisProcess: RedisProcess | undefined,
    readonly instances: ServiceProcess[],
    /** The Redis Cluster under the instances, when started with {@link Cluster.startOnRedisCluster}. */
    readonly redisCluster?: RedisCluster,
  ) {}

  /** Starts Redis and `count` instances sharing it (extra `env` for every instance). */
  static async start(count: number, env: Record<string, string> = {}): Promise<Cluster> {
    const redis = await RedisProcess.start();
    return new Cluster(redis, await startInstances(count, { REDIS_URL: redis.url, ...env }));
  }

  /** Starts a 3-master Redis Cluster and `count` instances on it (`REDIS_CLUSTER_NODES`, sharded Pub/Sub). */
  static async startOnRedisCluster(count: number, env: Record<string, string> = {}): Promise<Cluster> {
    const redisCluster = await RedisCluster.start();
    return new Cluster(undefined, await startInstances(count, { REDIS_CLUSTER_NODES: redisCluster.seeds, ...env }), redisCluster);
  }

  /** The single Redis server (not available on a Redis Cluster). */
  get redis(): RedisProcess {
    if (!this.redisProcess) throw new Error('this cluster runs on a Redis Cluster, not one redis-server');
    return this.redisProcess;
  }

  /** Base URLs of the instances still running. */
  liveUrls = (): string[] => this.instances.filter((i) => !i.exited).map((i) => i.baseUrl);

  /** WebSocket URLs of the instances still running. */
  liveWsUrls = (): string[] => this.instances.filter((i) => !i.exited).map((i) => i.wsUrl);
}

function startInstances(count: number, env: Record<string, string>): Promise<ServiceProcess[]> {
  return Promise.all(
    Array.from({ length: count }, (_, i) => ServiceProcess.start({ INSTANCE_ID: `instance-${i + 1}`, MAX_CONNECTIONS_PER_USER: '100', ...env })),
  );
}
