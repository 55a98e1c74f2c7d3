import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Broker } from './broker/broker.js';
import { MemoryBroker } from './broker/memory-broker.js';
import { RedisAvailability } from './broker/redis-availability.js';
import { RedisBroker } from './broker/redis-broker.js';
import { RedisTopology } from './broker/redis-topology.js';
import type { DeliveryListener } from './broker/broker.js';
import type { Config } from './config/config.js';
import type { ConnectionSlots } from './connection-limit/connection-slots.js';
import { MemoryConnectionSlots } from './connection-limit/memory-connection-slots.js';
import { RedisConnectionSlots } from './connection-limit/redis-connection-slots.js';
import { UserRegistry } from './delivery/user-registry.js';
import { createHttpApp } from './http/create-http-app.js';
import type { Readiness } from './http/probe-handlers.js';
import { DevelopmentIdentity } from './identity/development-identity.js';
import { JwtIdentity } from './identity/jwt-identity.js';
import type { Logger } from './log/logger.js';
import { Metrics } from './metrics/metrics.js';
import { NotificationPublisher } from './notifications/notification-publisher.js';
import type { NotificationSession } from './rsocket/notification-session.js';
import { DeliveryReceipts } from './receipts/delivery-receipts.js';
import { MemoryReceiptStore } from './receipts/memory-receipt-store.js';
import type { ReceiptStore } from './receipts/receipt-store.js';
import { RedisReceiptStore } from './receipts/redis-receipt-store.js';
import { RSocketEndpoint } from './rsocket/rsocket-endpoint.js';

type State = 'created' | 'listening' | 'draining' | 'closed';

/**
 * The composition root of one instance: one HTTP port for the REST API and `/rsocket`, the broker, the registry of
 * live connections and the metrics. `start()` listens; `close()` shuts down in order, once.
 */
export class TransportServer {
  readonly metrics: Metrics;
  readonly registry: UserRegistry<NotificationSession>;
  private readonly http: Server;
  private readonly broker: Broker;
  private readonly slots: ConnectionSlots;
  private readonly receiptStore: ReceiptStore;
  private readonly receipts: DeliveryReceipts;
  private readonly endpoint: RSocketEndpoint;
  /** Whether Redis answers on every connection the broker and the connection slots open; none without Redis. */
  private readonly availability: RedisAvailability | undefined;
  private state: State = 'created';
  private closing: Promise<void> | undefined;

  constructor(
    private readonly config: Config,
    private readonly logger: Logger,
  ) {
    const topology = redisTopology(config);
    const redis = topology && { topology, availability: new RedisAvailability(topology, logger.child({ module: 'redis' })) };
    this.availability = redis?.availability;
    ({ broker: this.broker, receipts: this.receiptStore } = createBroker(
      config,
      logger,
      redis,
      (userId, delivery) => {
        this.metrics.brokerDeliveries.inc();
        this.registry.deliver(userId, delivery);
      },
      () => this.endpoint.interruptAll('live delivery from Redis was interrupted; reconnect with lastEventId to recover what was missed'),
    ));
    this.registry = new UserRegistry<NotificationSession>(this.broker, (userId, error) =>
      logger.error({ err: error, userId }, 'subscribing to a user failed; live delivery to this instance may be late'),
    );
    this.metrics = new Metrics(
      {
        connections: () => this.registry.connections,
        streams: () => this.endpoint.streamCount,
        users: () => this.registry.userCount,
        receiptWaiters: () => this.receipts.waiters.size,
      },
      config.instanceId,
    );
    this.slots = createSlots(config, logger, redis);
    const { receipts: receiptConfig } = config;
    this.receipts = new DeliveryReceipts({
      store: this.receiptStore,
      maxWaiters: receiptConfig.maxWaiters,
      ...(receiptConfig.webhookUrl !== undefined && receiptConfig.webhookSecret !== undefined
        ? { webhook: { url: receiptConfig.webhookUrl, secret: receiptConfig.webhookSecret, timeoutMs: receiptConfig.webhookTimeoutMs, maxRetryDelayMs: receiptConfig.webhookMaxRetryDelayMs } }
        : {}),
      metrics: this.metrics,
      logger: logger.child({ module: 'receipts' }),
    });
    const publisher = new NotificationPublisher(this.broker, {
      defaultTtlSeconds: config.historyTtlSeconds,
      maxFanoutBytes: config.maxFanoutBytes,
      onAccepted: (_userId, receipt) => {
        this.metrics.accepted.inc();
        if (receipt) this.metrics.receipts.inc('pending');
      },
    });
    const rest = createHttpApp({
      publisher,
      receipts: this.receipts.query,
      isReady: () => this.readiness(),
      metrics: this.metrics,
      maxBodyBytes: config.maxBodyBytes,
      initiatorApiKeys: config.initiatorApiKeys,
      demoPage: config.demoPage,
      logger,
    });
    this.http = createServer(rest);
    this.endpoint = new RSocketEndpoint({
      server: this.http,
      config,
      identity:
        config.authJwtSecret === undefined
          ? new DevelopmentIdentity()
          : new JwtIdentity({ secret: config.authJwtSecret, allowedOrigins: config.allowedOrigins }),
      registry: this.registry,
      slots: this.slots,
      metrics: this.metrics,
      confirmReceipts: (userId, state, ids) => this.receipts.confirm(userId, state, ids),
      logger,
    });
  }

  /** The bound port (useful with `PORT=0`). */
  get port(): number {
    return (this.http.address() as AddressInfo).port;
  }

  /**
   * Connects the broker (an unreachable Redis is logged and retried: the instance serves, not ready, until it
   * answers), binds the RSocket endpoint, then listens on HOST:PORT.
   */
  async start(): Promise<void> {
    if (this.state !== 'created') throw new Error(`cannot start a server that is ${this.state}`);
    this.availability?.start();
    if (this.broker instanceof RedisBroker) {
      const connected = Promise.all([
        this.broker.connect(),
        this.slots instanceof RedisConnectionSlots ? this.slots.connect() : undefined,
        this.receiptStore instanceof RedisReceiptStore ? this.receiptStore.connect() : undefined,
      ]);
      await connected.catch((error: unknown) => {
        this.logger.error({ reason: this.availability?.failed(error).words }, 'Redis is unreachable at start; retrying, not ready until it answers');
      });
    }
    this.endpoint.listen();
    this.receipts.start();
    await new Promise<void>((resolve, reject) => {
      this.http.once('error', reject);
      this.http.listen(this.config.port, this.config.host, () => {
        this.http.off('error', reject);
        resolve();
      });
    });
    // After listening, a server error (EMFILE on accept near the descriptor limit) is logged, never thrown.
    this.http.on('error', (error) => this.logger.error({ err: error }, 'HTTP server error'));
    this.setState('listening');
    this.logger.info({ host: this.config.host, port: this.port }, 'transport-service listening');
  }

  /**
   * Graceful shutdown, idempotent: readiness goes 503, the port stops listening, every connection ends with
   * `[draining]`, upgrades still arriving on open HTTP connections get 503, in-flight REST requests finish (up to
   * the deadline; receipt queries still waiting are answered at once), then the transport, the connection slots, the
   * broker and the receipt store close, in that order.
   */
  close(): Promise<void> {
    this.closing ??= this.shutdown();
    return this.closing;
  }

  private async shutdown(): Promise<void> {
    const wasListening = this.state === 'listening';
    this.setState('draining');
    this.endpoint.drain();
    // Waiting receipt queries are answered with their current state, so in-flight REST requests can finish.
    await this.receipts.close();
    if (wasListening) await this.closeHttp();
    this.endpoint.close();
    // Closing the Redis connections is no outage: stop watching them first.
    this.availability?.close();
    await this.slots.close();
    await this.broker.close();
    await this.receiptStore.close();
    this.setState('closed');
  }

  /** Ready while listening (not starting, not draining) and the broker is connected and answering. */
  private readiness(): Readiness {
    if (this.state !== 'listening') return { ready: false, reason: this.state === 'created' ? 'starting' : 'draining' };
    if (!this.broker.connected) return { ready: false, reason: this.availability?.problem ?? 'the broker is closed' };
    return { ready: true };
  }

  /** The one place the lifecycle moves (created → listening → draining → closed), logged as it happens. */
  private setState(next: State): void {
    if (next === this.state) return;
    this.logger.debug({ from: this.state, to: next }, 'lifecycle');
    this.state = next;
  }

  private closeHttp(): Promise<void> {
    return new Promise((resolve) => {
      const deadline = setTimeout(() => this.http.closeAllConnections(), this.config.shutdownTimeoutMs);
      deadline.unref();
      this.http.close(() => {
        clearTimeout(deadline);
        resolve();
      });
      this.http.closeIdleConnections();
    });
  }
}

/** Where Redis is and whether it answers, shared by everything on Redis in one instance. */
interface RedisSetup {
  topology: RedisTopology;
  availability: RedisAvailability;
}

/** The per-user connection limit: across instances in Redis, or this instance's own. */
function createSlots(config: Config, logger: Logger, redis: RedisSetup | undefined): ConnectionSlots {
  const settings = { maxConnectionsPerUser: config.maxConnectionsPerUser, policy: config.connectionLimitPolicy };
  if (redis === undefined) return new MemoryConnectionSlots(settings);
  return new RedisConnectionSlots({
    ...redis,
    instanceId: config.instanceId,
    settings,
    leaseMs: config.slotLeaseMs,
    logger: logger.child({ module: 'connection-slots' }),
  });
}

/** The Redis `REDIS_URL` or `REDIS_CLUSTER_NODES` names, or `undefined` for one instance on its own. */
function redisTopology(config: Config): RedisTopology | undefined {
  if (config.redisUrl !== undefined) return new RedisTopology({ mode: 'single', url: config.redisUrl }, config.redisCommandTimeoutMs);
  if (config.redisClusterNodes.length > 0) {
    return new RedisTopology({ mode: 'cluster', nodes: config.redisClusterNodes }, config.redisCommandTimeoutMs);
  }
  return undefined;
}

/**
 * The broker the configuration asks for and the receipt store beside it: Redis (or a Redis Cluster) shared by every
 * instance, or the in-process twins, where the broker creates receipts in the memory store in the commit's own step.
 */
function createBroker(
  config: Config,
  logger: Logger,
  redis: RedisSetup | undefined,
  listener: DeliveryListener,
  onDeliveryGap: () => void,
): { broker: Broker; receipts: ReceiptStore } {
  const history = { maxLen: config.historyMaxLen, idempotencyTtlSeconds: config.idempotencyTtlSeconds, maxBytes: config.historyMaxBytes };
  const settings = { ttlSeconds: config.receipts.ttlSeconds, webhook: config.receipts.webhookUrl !== undefined };
  if (redis === undefined) {
    const receipts = new MemoryReceiptStore(settings);
    return { broker: new MemoryBroker(listener, history, Date.now, receipts), receipts };
  }
  const receiptTtlSeconds = config.receipts.ttlSeconds;
  return {
    broker: new RedisBroker(listener, { ...redis, history, logger: logger.child({ module: 'redis-broker' }), onDeliveryGap, receiptTtlSeconds }),
    receipts: new RedisReceiptStore({ ...redis, settings, instanceId: config.instanceId, logger: logger.child({ module: 'receipts' }) }),
  };
}
