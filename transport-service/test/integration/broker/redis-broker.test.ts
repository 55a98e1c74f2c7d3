import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { pino } from 'pino';
import type { DeliveryListener } from '../../../src/broker/broker.js';
import { RedisBroker } from '../../../src/broker/redis-broker.js';
import { BrokerUnavailableError } from '../../../src/errors/transport-error.js';
import { RedisTopology } from '../../../src/broker/redis-topology.js';
import { userHashSlot } from '../../../src/broker/hash-slot.js';
import { waitFor } from '../../../../test/support/wait-for.js';
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

describe('RedisBroker shared content', () => {
  const big = { type: 't', payloadJson: JSON.stringify('x'.repeat(2_000)), createdAt: '2026-11-23T12:00:00.000Z', ttlSeconds: 300 };

  it('commits inline when the shared content is gone at commit, without calling Redis unavailable', async () => {
    const redis = await RedisProcess.start();
    const got: Array<{ userId: string; data: string }> = [];
    const broker = await redisBroker(redis.url, (userId, delivery) => got.push({ userId, data: delivery.data.toString() }));
    try {
      await broker.subscribe('bob');
      const [share] = broker.shareContent(big, ['alice', 'bob']);
      assert.ok(share, 'content of two users is shared on one Redis');
      const draft = await share.store();
      assert.ok(draft.contentKey);
      await redisCommand(redis.port, 'DEL', draft.contentKey);
      const committed = await broker.commit('bob', draft);
      assert.equal(broker.connected, true, 'Redis stays available');
      const replay = await broker.replay('bob', '0-0');
      assert.equal(replay.deliveries.length, 1);
      assert.ok(replay.deliveries[0]?.data.toString().includes('x'.repeat(2_000)), 'the history holds the content');
      await waitFor(() => got.some((entry) => entry.userId === 'bob' && entry.data.includes(committed.id)), 'bob\'s delivery');
    } finally {
      await broker.close();
      await redis.stop();
    }
  });

  it('stores the content of a retry under the same Idempotency-Key once, under the same key', async () => {
    const redis = await RedisProcess.start();
    const broker = await redisBroker(redis.url, () => {});
    try {
      const claim = { scope: 'initiator', key: 'k1', hash: 'h1' };
      const first = await broker.shareContent(big, ['alice', 'bob'], claim)[0]?.store();
      const retry = await broker.shareContent({ ...big, createdAt: '2026-11-23T12:00:05.000Z' }, ['alice', 'bob'], claim)[0]?.store();
      assert.ok(first?.contentKey);
      assert.equal(retry?.contentKey, first.contentKey);
      assert.equal(await redisCommand(redis.port, 'DBSIZE'), '1');
    } finally {
      await broker.close();
      await redis.stop();
    }
  });

  it('on a Cluster, shares content only among users of one hash slot, and a failed receipt index write does not fail a commit', async () => {
    const cluster = await RedisCluster.start();
    const nodes = cluster.nodes.map((node) => ({ host: '127.0.0.1', port: node.port }));
    const broker = new RedisBroker(() => {}, { topology: new RedisTopology({ mode: 'cluster', nodes }, 1_000), history: { maxLen: 5, idempotencyTtlSeconds: 86_400 }, logger });
    await broker.connect();
    try {
      let mate = 'u0';
      for (let i = 0; userHashSlot(mate) !== userHashSlot('alice'); i += 1) mate = `u${i}`;
      assert.notEqual(userHashSlot('carol'), userHashSlot('alice'));
      const shares = broker.shareContent(big, ['alice', 'carol', mate]);
      assert.deepEqual(shares.map((share) => share.userIds), [['alice', mate]]);

      // The global receipt index (another slot) written after the commit fails: the notification is committed anyway.
      await redisCommand(nodes[0]?.port as number, '-c', 'SET', 'nt:r:users', 'not-a-sorted-set');
      const committed = await broker.commit('alice', { ...big, receipt: { scope: 'initiator' } });
      const replay = await broker.replay('alice', '0-0');
      assert.deepEqual(replay.deliveries.map((delivery) => delivery.id), [committed.id]);
    } finally {
      await broker.close();
    }
  });
});
