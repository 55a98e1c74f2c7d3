import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Cluster } from '../../support/cluster.js';
import { redisCommand } from '../../support/redis-cli.js';
import { postNotification, postWithRetry } from '../../support/initiator.js';
import { ResilientClient } from '../../support/resilient-client.js';
import { connectLegacy, connectModern } from '../../support/rsocket-clients.js';
import { quietPeriod, waitFor } from '../../support/wait-for.js';

const pair = (cluster: Cluster) => cluster.instances as [NonNullable<(typeof cluster.instances)[0]>, NonNullable<(typeof cluster.instances)[0]>];

describe('on a Redis Cluster (REDIS_CLUSTER_NODES, sharded Pub/Sub)', () => {
  it('fans out across instances, keeps every user\'s notifications in order through an instance crash, and evicts across instances', async () => {
    const cluster = await Cluster.startOnRedisCluster(2, { MAX_CONNECTIONS_PER_USER: '2', CONNECTION_LIMIT_POLICY: 'evict-oldest' });
    const [a, b] = pair(cluster);

    const onA = await connectModern(a.wsUrl, { userId: 'alice' });
    const onB = await connectLegacy(b.wsUrl, { userId: 'alice' });
    await Promise.all([onA.session(), onB.session()]);
    const outcome = await postNotification(a.baseUrl, { userId: 'alice', type: 'cluster', payload: 1 });
    assert.equal(outcome.status, 202);
    assert.equal(outcome.body.notifications[0]?.online, true, 'SPUBLISH counted the shard\'s subscribers');
    await waitFor(() => onA.received.length === 1 && onB.received.length === 1, 'delivery on both instances');

    const newest = await connectModern(b.wsUrl, { userId: 'alice' });
    await newest.session();
    await waitFor(() => onA.error !== undefined, 'the oldest connection, on the other instance, to be replaced');
    assert.match(onA.error?.message ?? '', /\[replaced\]/);

    const USERS = 20;
    const PER_USER = 30;
    const clients = Array.from({ length: USERS }, (_, i) => new ResilientClient(`user-${i}`, cluster.liveWsUrls));
    await Promise.all(clients.map((client) => client.start()));
    let accepted = 0;
    await Promise.all(
      clients.map(async (client) => {
        for (let k = 0; k < PER_USER; k += 1) {
          const posted = await postWithRetry(cluster.liveUrls, { userId: client.userId, type: 'k', payload: { k } }, `${client.userId}-${k}`);
          assert.equal(posted.status, 202);
          if (++accepted === (USERS * PER_USER) / 2) void a.kill('SIGKILL');
        }
      }),
    );
    await waitFor(() => clients.every((c) => c.notifications.length >= PER_USER), 'every notification', 20_000);
    await quietPeriod(200);
    for (const client of clients) {
      assert.deepEqual(client.notifications.map((n) => (n.payload as { k: number }).k), Array.from({ length: PER_USER }, (_, k) => k), client.userId);
      client.stop();
    }
  });

  it('a shard subscriber that drops ends the local connections with [internal], so they recover what it missed', async (t) => {
    const cluster = await Cluster.startOnRedisCluster(1);
    const [service] = cluster.instances;
    const nodes = cluster.redisCluster?.nodes ?? [];
    assert.ok(service && nodes.length === 3);
    const client = new ResilientClient('shard-user', () => [service.wsUrl]);
    t.after(() => client.stop());
    await client.start();
    await postNotification(service.baseUrl, { userId: 'shard-user', type: 't', payload: 'before' });
    await waitFor(() => client.notifications.length === 1, 'the first notification');

    // Redis drops the instance's sharded Pub/Sub connections (as on a failover or a network cut): whatever the
    // shard publishes before ioredis has a new subscriber in place never reaches the instance.
    for (const node of nodes) await redisCommand(node.port, 'client', 'kill', 'type', 'pubsub');
    await postNotification(service.baseUrl, { userId: 'shard-user', type: 't', payload: 'during' });
    await waitFor(() => client.endings.some((ending) => ending.includes('[internal]')), 'the connection to be told to recover', 10_000);
    await waitFor(() => client.notifications.some((n) => n.payload === 'during'), 'the notification published during the gap, recovered', 10_000);
    await waitFor(
      async () => (await postNotification(service.baseUrl, { userId: 'shard-user', type: 't', payload: 'after' })).body.notifications?.[0]?.online === true,
      'the reconnected client to be subscribed again',
      10_000,
    );
    await waitFor(() => client.notifications.some((n) => n.payload === 'after'), 'live delivery again');
    const payloads = client.notifications.map((n) => n.payload);
    assert.equal(new Set(client.notifications.map((n) => n.id)).size, client.notifications.length, 'no duplicate');
    assert.deepEqual(payloads.slice(0, 2), ['before', 'during']);
  });
});
