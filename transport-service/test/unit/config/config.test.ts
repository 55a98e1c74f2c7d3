import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { loadConfig } from '../../../src/config/config.js';
import { ConfigError } from '../../../src/config/config-error.js';

function fails(env: Record<string, string>, variable: RegExp, message: RegExp): void {
  assert.throws(
    () => loadConfig(env),
    (error: unknown) => error instanceof ConfigError && variable.test(error.variable) && message.test(error.message),
  );
}

describe('configuration', () => {
  it('has the contract\'s defaults', () => {
    const config = loadConfig({});
    assert.equal(config.port, 8080);
    assert.equal(config.host, '127.0.0.1');
    assert.equal(config.maxConnectionsPerUser, 5);
    assert.equal(config.connectionLimitPolicy, 'reject-new');
    assert.equal(config.maxBodyBytes, 1_048_576);
    assert.deepEqual(config.initiatorApiKeys, []);
    assert.equal(config.allowInsecure, false);
  });

  it('reads every variable', () => {
    const config = loadConfig({
      PORT: '9000',
      HOST: '127.0.0.2',
      MAX_CONNECTIONS_PER_USER: '2',
      CONNECTION_LIMIT_POLICY: 'evict-oldest',
      INITIATOR_API_KEYS: 'k1,k2',
      MAX_BODY_BYTES: '2048',
      MAX_FRAME_BYTES: '4096',
      MAX_PENDING_PER_CONNECTION: '10',
      HISTORY_MAX_LEN: '10',
      SETUP_TIMEOUT_MS: '500',
      MAX_LIFETIME_MS: '600000',
      SHUTDOWN_TIMEOUT_MS: '1000',
      INSTANCE_ID: 'i-1',
      LOG_LEVEL: 'debug',
    });
    assert.deepEqual(
      [config.port, config.host, config.maxConnectionsPerUser, config.connectionLimitPolicy, config.initiatorApiKeys],
      [9000, '127.0.0.2', 2, 'evict-oldest', ['k1', 'k2']],
    );
    assert.deepEqual(
      [config.maxBodyBytes, config.maxFrameBytes, config.maxPendingPerConnection, config.setupTimeoutMs, config.maxLifetimeMs],
      [2048, 4096, 10, 500, 600_000],
    );
    assert.deepEqual([config.shutdownTimeoutMs, config.instanceId, config.logLevel], [1000, 'i-1', 'debug']);
  });

  it('stops on a bad value, naming the variable and what is allowed', () => {
    fails({ PORT: 'eighty' }, /^PORT$/, /integer from 0 to 65535/);
    fails({ PORT: '70000' }, /^PORT$/, /from 0 to 65535/);
    fails({ MAX_CONNECTIONS_PER_USER: '0' }, /^MAX_CONNECTIONS_PER_USER$/, /from 1/);
    fails({ CONNECTION_LIMIT_POLICY: 'random' }, /^CONNECTION_LIMIT_POLICY$/, /reject-new, evict-oldest/);
    fails({ MAX_BODY_BYTES: '-5' }, /^MAX_BODY_BYTES$/, /integer/);
    fails({ LOG_LEVEL: 'loud' }, /^LOG_LEVEL$/, /one of/);
    fails({ ALLOW_INSECURE: 'yes' }, /^ALLOW_INSECURE$/, /1 or 0/);
    fails({ INITIATOR_API_KEYS: 'a,,b' }, /^INITIATOR_API_KEYS$/, /comma-separated/);
    fails({ MAX_LIFETIME_MS: '1000' }, /^MAX_LIFETIME_MS$/, /from 300000/);
    fails({ HOST: ' 127.0.0.1' }, /^HOST$/, /spaces/);
  });

  it('reads the receipt settings; a webhook needs an http(s) URL and its secret', () => {
    assert.deepEqual(loadConfig({}).receipts, {
      ttlSeconds: 86_400,
      webhookUrl: undefined,
      webhookSecret: undefined,
      webhookTimeoutMs: 5_000,
      webhookMaxRetryDelayMs: 300_000,
      maxWaiters: 10_000,
    });
    const secret = 's'.repeat(32);
    const config = loadConfig({ RECEIPT_WEBHOOK_URL: 'https://hooks.example.com/r', RECEIPT_WEBHOOK_SECRET: secret, RECEIPT_TTL_SECONDS: '3600', RECEIPT_MAX_WAITERS: '5' });
    assert.deepEqual([config.receipts.webhookUrl, config.receipts.webhookSecret, config.receipts.ttlSeconds, config.receipts.maxWaiters], ['https://hooks.example.com/r', secret, 3600, 5]);
    fails({ RECEIPT_WEBHOOK_URL: 'https://hooks.example.com/r' }, /^RECEIPT_WEBHOOK_SECRET$/, /must be set when RECEIPT_WEBHOOK_URL/);
    fails({ RECEIPT_WEBHOOK_URL: 'ftp://x/y', RECEIPT_WEBHOOK_SECRET: secret }, /^RECEIPT_WEBHOOK_URL$/, /http/);
    fails({ RECEIPT_WEBHOOK_URL: 'hooks', RECEIPT_WEBHOOK_SECRET: secret }, /^RECEIPT_WEBHOOK_URL$/, /must be a URL/);
    fails({ RECEIPT_WEBHOOK_SECRET: 'short' }, /^RECEIPT_WEBHOOK_SECRET$/, /32 bytes/);
    fails({ RECEIPT_TTL_SECONDS: '10' }, /^RECEIPT_TTL_SECONDS$/, /from 60/);
  });

  it('reads Redis Cluster seeds and refuses bad ones', () => {
    assert.deepEqual(loadConfig({ REDIS_CLUSTER_NODES: '127.0.0.1:7000,redis-b:7001' }).redisClusterNodes, [
      { host: '127.0.0.1', port: 7000 },
      { host: 'redis-b', port: 7001 },
    ]);
    assert.deepEqual(loadConfig({}).redisClusterNodes, []);
    fails({ REDIS_CLUSTER_NODES: '127.0.0.1' }, /^REDIS_CLUSTER_NODES$/, /host:port/);
    fails({ REDIS_CLUSTER_NODES: 'a:70000' }, /^REDIS_CLUSTER_NODES$/, /host:port/);
  });

  it('reads the Redis and history settings', () => {
    const config = loadConfig({
      REDIS_URL: 'redis://127.0.0.1:6380/2',
      REDIS_COMMAND_TIMEOUT_MS: '250',
      HISTORY_MAX_LEN: '10',
      HISTORY_TTL_SECONDS: '60',
      IDEMPOTENCY_TTL_SECONDS: '172800',
      HISTORY_MAX_BYTES: '2097152',
    });
    assert.equal(config.historyMaxBytes, 2_097_152);
    assert.deepEqual(
      [config.redisUrl, config.redisCommandTimeoutMs, config.historyMaxLen, config.historyTtlSeconds, config.idempotencyTtlSeconds],
      ['redis://127.0.0.1:6380/2', 250, 10, 60, 172_800],
    );
    const defaults = loadConfig({});
    assert.deepEqual([defaults.redisUrl, defaults.historyMaxLen, defaults.historyTtlSeconds, defaults.idempotencyTtlSeconds], [undefined, 100, 300, 86_400]);
    fails({ REDIS_URL: 'localhost:6379' }, /^REDIS_URL$/, /redis:\/\//);
    fails({ REDIS_URL: 'not a url' }, /^REDIS_URL$/, /must be a URL/);
    fails({ REDIS_URL: 'redis://a', REDIS_CLUSTER_NODES: 'b:1' }, /^REDIS_CLUSTER_NODES$/, /both set/);
    fails({ IDEMPOTENCY_TTL_SECONDS: '3600' }, /^IDEMPOTENCY_TTL_SECONDS$/, /from 86400/);
    fails({ HISTORY_MAX_LEN: '0' }, /^HISTORY_MAX_LEN$/, /from 1/);
    fails({ HISTORY_MAX_LEN: '500', MAX_PENDING_PER_CONNECTION: '100' }, /^HISTORY_MAX_LEN$/, /must not exceed MAX_PENDING_PER_CONNECTION/);
  });

  it('reads MAX_FANOUT_BYTES, whose default carries 1,000 users × MAX_BODY_BYTES, and refuses one below MAX_BODY_BYTES', () => {
    const defaults = loadConfig({});
    assert.ok(defaults.maxFanoutBytes >= 1_000 * defaults.maxBodyBytes, 'the largest documented request fits the default');
    assert.equal(loadConfig({ MAX_FANOUT_BYTES: '4194304' }).maxFanoutBytes, 4_194_304);
    fails({ MAX_FANOUT_BYTES: '1000' }, /^MAX_FANOUT_BYTES$/, /from 65536/);
    fails({ MAX_FANOUT_BYTES: '1048576', MAX_BODY_BYTES: '2097152' }, /^MAX_FANOUT_BYTES$/, /at least MAX_BODY_BYTES/);
  });

  it('reads the identity and limit settings, refusing a short JWT secret', () => {
    const secret = 'x'.repeat(32);
    const config = loadConfig({ AUTH_JWT_SECRET: secret, ALLOWED_ORIGINS: 'https://a.example,https://b.example', SLOT_LEASE_MS: '5000' });
    assert.equal(config.authJwtSecret, secret);
    assert.deepEqual(config.allowedOrigins, ['https://a.example', 'https://b.example']);
    assert.equal(config.slotLeaseMs, 5_000);
    fails({ AUTH_JWT_SECRET: 'short' }, /^AUTH_JWT_SECRET$/, /at least 32 bytes/);
    assert.equal(loadConfig({ HOST: '0.0.0.0', AUTH_JWT_SECRET: secret, INITIATOR_API_KEYS: 'k' }).host, '0.0.0.0', 'no development mode left');
    fails({ HOST: '0.0.0.0', AUTH_JWT_SECRET: secret }, /^INITIATOR_API_KEYS$/, /ALLOW_INSECURE=1/);
  });

  it('allows the development modes only on loopback unless ALLOW_INSECURE=1', () => {
    for (const host of ['127.0.0.1', '127.1.2.3', '::1', 'localhost']) assert.equal(loadConfig({ HOST: host }).host, host);
    fails({ HOST: '0.0.0.0' }, /AUTH_JWT_SECRET and INITIATOR_API_KEYS/, /not a loopback address/);
    fails({ HOST: '0.0.0.0', INITIATOR_API_KEYS: 'k' }, /^AUTH_JWT_SECRET$/, /ALLOW_INSECURE=1/);
    assert.equal(loadConfig({ HOST: '0.0.0.0', ALLOW_INSECURE: '1' }).allowInsecure, true);
  });
});
