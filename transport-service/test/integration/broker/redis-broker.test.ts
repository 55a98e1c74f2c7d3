import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { pino } from 'pino';
import type { DeliveryListener } from '../../../src/broker/broker.js';
import { RedisBroker } from '../../../src/broker/redis-broker.js';
import { BrokerUnavailableError } from '../../../src/errors/transport-error.js';
import { RedisTopology } from '../../../src/broker/redis-topology.js';
import { RedisCluster } from '../../../../test/support/redis-cluster.js';
import { redisCommand } from '../../../../test/support/redis-cli.js';
import { RedisProcess } from '../../../../test/support/redis-process.js';
import { describeBrokerContract } from '../../support/broker-contract.js';

const logger = pino({ level: 'silent' });

async function redisBroker(url: string, listener: DeliveryListener): Promise<RedisBroker> {
  const topology = new RedisTopology({ mode: 'single', url }, 500);
  const broker = new RedisBroker(listener, { topology, history: { maxLen: 5, idempotencyTtlSeconds: 86_400 }, logger });
  await broker.connect();
  return broker;
}

describeBrokerContract('RedisBroker on one Redis', async (listener, settings) => {
  const redis = await RedisProcess.start();
  const broker = new RedisBroker(listener, { topology: new RedisTopology({ mode: 'single', url: redis.url }, 1_000), history: settings, logger });
  await broker.connect();
  return broker;
});

describeBrokerContract('RedisBroker on a Redis Cluster (sharded Pub/Sub)', async (listener, settings) => {
  const cluster = await RedisCluster.start();
  const nodes = cluster.nodes.map((node) => ({ host: '127.0.0.1', port: node.port }));
  const broker = new RedisBroker(listener, { topology: new RedisTopology({ mode: 'cluster', nodes }, 1_000), history: settings, logger });
  await broker.connect();
  return broker;
});

describe('RedisBroker against a failing Redis', () => {
  it('fails commits with 503 while Redis is down and works again once it is back, without a restart', async () => {
    const redis = await RedisProcess.start();
    const got: string[] = [];
    const broker = await redisBroker(redis.url, (_userId, delivery) => got.push(delivery.id));
    await broker.subscribe('alice');
    const draft = { type: 't', payloadJson: '1', createdAt: '2026-11-23T12:00:00.000Z', ttlSeconds: 300 };
    await broker.commit('alice', draft);

    await redis.kill();
    await assert.rejects(broker.commit('alice', draft), BrokerUnavailableError);
    assert.equal(broker.connected, false);

    await redis.restart();
    const deadline = Date.now() + 5_000;
    while (!broker.connected && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
    assert.equal(broker.connected, true, 'reconnected by itself');
    const after = await broker.commit('alice', draft);
    assert.equal(after.online, true, 'the subscriber re-subscribed by itself');
    while (!got.includes(after.id) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
    assert.ok(got.includes(after.id), 'delivery resumed');
    await broker.close();
  });
});

describe('RedisBroker history written before entries were linked', () => {
  it('replays entries holding an absolute deadline, and is complete only from the oldest one on', async () => {
    const redis = await RedisProcess.start();
    const broker = await redisBroker(redis.url, () => undefined);
    const deadline = String(Date.now() + 300_000);
    const suffix = ',"type":"t","payload":1,"createdAt":"2026-11-23T12:00:00.000Z"}';
    await redisCommand(redis.port, 'XADD', 'nt:{alice}:h', '1000-1', 's', suffix, 'e', deadline);
    await redisCommand(redis.port, 'XADD', 'nt:{alice}:h', '1000-2', 's', suffix, 'e', deadline);
    await redisCommand(redis.port, 'SET', 'nt:{alice}:last', '1000-2');
    const next = await broker.commit('alice', { type: 't', payloadJson: '2', createdAt: '2026-11-23T12:00:00.000Z', ttlSeconds: 300 });
    const fromOldest = await broker.replay('alice', '1000-1');
    assert.equal(fromOldest.complete, true);
    assert.deepEqual(fromOldest.deliveries.map((d) => d.id), ['1000-2', next.id]);
    const fromBefore = await broker.replay('alice', '999-0');
    assert.equal(fromBefore.complete, false, 'nothing tells what came before the oldest entry');
    assert.deepEqual(fromBefore.deliveries.map((d) => d.id), ['1000-1', '1000-2', next.id]);
    await broker.close();
  });
});
