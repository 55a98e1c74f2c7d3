import { hostname } from 'node:os';
import { RECEIPT_LIMITS } from '@notification-transport/contract';
import { ConfigError } from './config-error.js';
import { readEnum, readFlag, readInteger, readList, readSecret, readString } from './env-readers.js';

/** Every setting of one service instance, read once from the environment and validated. */
export interface Config {
  port: number;
  host: string;
  /** Names this instance in logs, metrics and the `session` route. */
  instanceId: string;
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  allowInsecure: boolean;
  /** HS256 secret for client tokens; `undefined`: development identity mode. */
  authJwtSecret: string | undefined;
  /** Origins from which the `access_token` cookie is accepted as a token carrier. */
  allowedOrigins: readonly string[];
  initiatorApiKeys: readonly string[];
  maxBodyBytes: number;
  /** Largest recipients × notification bytes one request may cost; more is refused up front with 413. */
  maxFanoutBytes: number;
  maxConnectionsPerUser: number;
  connectionLimitPolicy: 'reject-new' | 'evict-oldest';
  /** Largest WebSocket message (one RSocket frame) accepted from a client. */
  maxFrameBytes: number;
  /** Largest metadata + data of one frame from a client. */
  maxDataBytes: number;
  /** Frames one connection may send per second. */
  maxFramesPerSecond: number;
  /** Notification streams one connection may hold open. */
  maxStreamsPerConnection: number;
  /** Bytes that may wait in one socket's write buffer before the connection ends as a slow consumer. */
  maxBufferedBytes: number;
  /** Notifications that may wait for credit (REQUEST_N) on one connection before it is ended as a slow consumer. */
  maxPendingPerConnection: number;
  /** A socket that has not sent SETUP by then is closed. */
  setupTimeoutMs: number;
  /** Largest `lifetime` a SETUP may ask for (the contract's minimum bound is 300,000). */
  maxLifetimeMs: number;
  /** Graceful shutdown deadline after SIGTERM/SIGINT. */
  shutdownTimeoutMs: number;
  /** Redis for everything shared between instances; `undefined`: one instance on the in-process broker. */
  redisUrl: string | undefined;
  /** Redis Cluster seed nodes (sharded Pub/Sub); empty unless `REDIS_CLUSTER_NODES` is set. */
  redisClusterNodes: Array<{ host: string; port: number }>;
  /** A Redis command slower than this fails (REST answers 503). */
  redisCommandTimeoutMs: number;
  /** Notifications kept per user for recovery. */
  historyMaxLen: number;
  /** Default recoverability of a notification whose request names no `ttlSeconds`. */
  historyTtlSeconds: number;
  /** How long idempotency records are kept (at least 24 h). */
  idempotencyTtlSeconds: number;
  /** In-process broker: notification bytes all users' histories together may hold. */
  historyMaxBytes: number;
  /** A connection's slot in the per-user limit is a lease this long, refreshed while it lives. */
  slotLeaseMs: number;
  /** Serve the demo page at `/` (default: in development identity mode only). */
  demoPage: boolean;
  /** Delivery receipts: how long they are kept, the webhook, the bound on waiting queries. */
  receipts: ReceiptConfig;
}

/** The `RECEIPT_*` settings. */
export interface ReceiptConfig {
  /** A receipt is kept at least this long after its last change. */
  ttlSeconds: number;
  /** Where every state change is POSTed; `undefined`: no webhook. */
  webhookUrl: string | undefined;
  /** The HMAC-SHA256 key of the `X-Receipt-Signature` header (required with a webhook URL). */
  webhookSecret: string | undefined;
  /** One webhook POST slower than this counts as failed and is retried. */
  webhookTimeoutMs: number;
  /** The longest wait between two attempts of one event (exponential backoff, jitter over its upper half). */
  webhookMaxRetryDelayMs: number;
  /** Receipt queries (`waitFor`) that may wait at once on one instance; one more gets 429. */
  maxWaiters: number;
}

/** The loopback hosts on which the development modes are allowed without `ALLOW_INSECURE=1`. */
const LOOPBACK = /^(127\.\d{1,3}\.\d{1,3}\.\d{1,3}|::1|localhost)$/;

/** Reads and validates the configuration; throws {@link ConfigError} naming the variable on any bad value. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  refuseBothRedisModes(env);
  const config: Config = {
    port: readInteger(env, 'PORT', 8080, 0, 65535),
    host: readString(env, 'HOST', '127.0.0.1'),
    instanceId: readString(env, 'INSTANCE_ID', `${hostname()}-${process.pid}`),
    logLevel: readEnum(env, 'LOG_LEVEL', 'info', ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']),
    allowInsecure: readFlag(env, 'ALLOW_INSECURE'),
    authJwtSecret: readSecret(env, 'AUTH_JWT_SECRET'),
    allowedOrigins: readList(env, 'ALLOWED_ORIGINS'),
    initiatorApiKeys: readList(env, 'INITIATOR_API_KEYS'),
    maxBodyBytes: readInteger(env, 'MAX_BODY_BYTES', 1_048_576, 64, 64 * 1_048_576),
    maxFanoutBytes: readInteger(env, 'MAX_FANOUT_BYTES', 1_073_741_824, 65_536, 1_099_511_627_776),
    maxConnectionsPerUser: readInteger(env, 'MAX_CONNECTIONS_PER_USER', 5, 1, 10_000),
    connectionLimitPolicy: readEnum(env, 'CONNECTION_LIMIT_POLICY', 'reject-new', ['reject-new', 'evict-oldest']),
    maxFrameBytes: readInteger(env, 'MAX_FRAME_BYTES', 65_536, 1_024, 16 * 1_048_576),
    maxDataBytes: readInteger(env, 'MAX_DATA_BYTES', 16_384, 256, 16 * 1_048_576),
    maxFramesPerSecond: readInteger(env, 'MAX_FRAMES_PER_SECOND', 1_000, 10, 1_000_000),
    maxStreamsPerConnection: readInteger(env, 'MAX_STREAMS_PER_CONNECTION', 4, 1, 1_000),
    maxBufferedBytes: readInteger(env, 'MAX_BUFFERED_BYTES', 1_048_576, 65_536, 1_073_741_824),
    maxPendingPerConnection: readInteger(env, 'MAX_PENDING_PER_CONNECTION', 1_000, 1, 1_000_000),
    setupTimeoutMs: readInteger(env, 'SETUP_TIMEOUT_MS', 10_000, 100, 600_000),
    maxLifetimeMs: readInteger(env, 'MAX_LIFETIME_MS', 300_000, 300_000, 3_600_000),
    shutdownTimeoutMs: readInteger(env, 'SHUTDOWN_TIMEOUT_MS', 10_000, 100, 600_000),
    redisUrl: readRedisUrl(env),
    redisClusterNodes: readClusterNodes(env),
    redisCommandTimeoutMs: readInteger(env, 'REDIS_COMMAND_TIMEOUT_MS', 1_000, 50, 60_000),
    historyMaxLen: readInteger(env, 'HISTORY_MAX_LEN', 100, 1, 10_000),
    historyTtlSeconds: readInteger(env, 'HISTORY_TTL_SECONDS', 300, 1, 86_400),
    idempotencyTtlSeconds: readInteger(env, 'IDEMPOTENCY_TTL_SECONDS', 86_400, 86_400, 30 * 86_400),
    historyMaxBytes: readInteger(env, 'HISTORY_MAX_BYTES', 268_435_456, 1_048_576, 68_719_476_736),
    slotLeaseMs: readInteger(env, 'SLOT_LEASE_MS', 30_000, 1_000, 600_000),
    demoPage: false,
    receipts: readReceiptConfig(env),
  };
  config.demoPage = env.DEMO_PAGE === undefined || env.DEMO_PAGE === '' ? config.authJwtSecret === undefined : readFlag(env, 'DEMO_PAGE');
  requireLoopbackForDevelopmentModes(config);
  requireRecoveryToFit(config);
  requireOneRecipientToFit(config);
  return config;
}

/** A single-user request of the largest body must be carried: the fan-out limit is about many recipients. */
function requireOneRecipientToFit(config: Config): void {
  if (config.maxFanoutBytes >= config.maxBodyBytes) return;
  throw new ConfigError(
    'MAX_FANOUT_BYTES',
    `(${config.maxFanoutBytes}) must be at least MAX_BODY_BYTES (${config.maxBodyBytes}): one recipient of the largest body must fit`,
  );
}

/** The receipt settings; a webhook URL needs its secret, and must be http(s). */
function readReceiptConfig(env: NodeJS.ProcessEnv): ReceiptConfig {
  const webhookUrl = readWebhookUrl(env);
  const webhookSecret = readSecret(env, 'RECEIPT_WEBHOOK_SECRET');
  if (webhookUrl !== undefined && webhookSecret === undefined) {
    throw new ConfigError('RECEIPT_WEBHOOK_SECRET', 'must be set when RECEIPT_WEBHOOK_URL is: every webhook POST is signed with it');
  }
  return {
    ttlSeconds: readInteger(env, 'RECEIPT_TTL_SECONDS', RECEIPT_LIMITS.defaultTtlSeconds, 60, 30 * 86_400),
    webhookUrl,
    webhookSecret,
    webhookTimeoutMs: readInteger(env, 'RECEIPT_WEBHOOK_TIMEOUT_MS', 5_000, 100, 60_000),
    webhookMaxRetryDelayMs: readInteger(env, 'RECEIPT_WEBHOOK_MAX_RETRY_DELAY_MS', 300_000, 1_000, 3_600_000),
    maxWaiters: readInteger(env, 'RECEIPT_MAX_WAITERS', 10_000, 1, 1_000_000),
  };
}

function readWebhookUrl(env: NodeJS.ProcessEnv): string | undefined {
  const raw = env.RECEIPT_WEBHOOK_URL;
  if (raw === undefined || raw === '') return undefined;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ConfigError('RECEIPT_WEBHOOK_URL', 'must be a URL such as https://hooks.example.com/receipts');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new ConfigError('RECEIPT_WEBHOOK_URL', `must start with http:// or https://, got ${url.protocol}//`);
  }
  return raw;
}

/** A full recovery (the whole history) must fit in what may wait on one connection, or it could never complete. */
function requireRecoveryToFit(config: Config): void {
  if (config.historyMaxLen <= config.maxPendingPerConnection) return;
  throw new ConfigError(
    'HISTORY_MAX_LEN',
    `(${config.historyMaxLen}) must not exceed MAX_PENDING_PER_CONNECTION (${config.maxPendingPerConnection}): a recovery of the whole history waits on one connection`,
  );
}

/** One Redis or a Redis Cluster, never both: the contract makes setting both a start-up error. */
function refuseBothRedisModes(env: NodeJS.ProcessEnv): void {
  if (env.REDIS_CLUSTER_NODES && env.REDIS_URL) {
    throw new ConfigError('REDIS_CLUSTER_NODES', 'and REDIS_URL are both set: choose Redis Cluster or one Redis');
  }
}

function readClusterNodes(env: NodeJS.ProcessEnv): Array<{ host: string; port: number }> {
  return readList(env, 'REDIS_CLUSTER_NODES').map((seed) => {
    const match = /^(.+):(\d{1,5})$/.exec(seed);
    const port = Number(match?.[2]);
    if (!match || port < 1 || port > 65_535) {
      throw new ConfigError('REDIS_CLUSTER_NODES', `must be comma-separated host:port seeds, got ${JSON.stringify(seed)}`);
    }
    return { host: match[1] as string, port };
  });
}

function readRedisUrl(env: NodeJS.ProcessEnv): string | undefined {
  const raw = env.REDIS_URL;
  if (raw === undefined || raw === '') return undefined;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ConfigError('REDIS_URL', 'must be a URL such as redis://127.0.0.1:6379/0');
  }
  if (url.protocol !== 'redis:' && url.protocol !== 'rediss:') {
    throw new ConfigError('REDIS_URL', `must start with redis:// or rediss://, got ${url.protocol}//`);
  }
  return raw;
}

function requireLoopbackForDevelopmentModes(config: Config): void {
  if (config.allowInsecure || LOOPBACK.test(config.host)) return;
  const missing = [
    ...(config.authJwtSecret === undefined ? ['AUTH_JWT_SECRET'] : []),
    ...(config.initiatorApiKeys.length === 0 ? ['INITIATOR_API_KEYS'] : []),
  ];
  if (missing.length === 0) return;
  throw new ConfigError(
    missing.join(' and '),
    `must be set when HOST (${config.host}) is not a loopback address: the development modes accept any user id ` +
      'and any initiator. Set ALLOW_INSECURE=1 to run them there anyway',
  );
}
