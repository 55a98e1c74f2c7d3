import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BatchingRedis } from '../../../src/broker/batching-redis.js';
import { onCleanup } from '../../../../test/support/cleanup.js';
import { RedisProcess } from '../../../../test/support/redis-process.js';

async function connected(url: string): Promise<BatchingRedis> {
  const client = new BatchingRedis(url, { lazyConnect: true, enableOfflineQueue: false, maxRetriesPerRequest: 0, commandTimeout: 5_000 });
  onCleanup(() => client.disconnect());
  await client.connect();
  return client;
}

/** How many reads Redis has made from its clients' sockets so far. */
async function readsProcessed(client: BatchingRedis): Promise<number> {
  return Number(/total_reads_processed:(\d+)/.exec(await client.info('stats'))?.[1]);
}

describe('BatchingRedis', () => {
  it('sends the commands of one event-loop turn in one write: Redis reads 300 of them in a few reads, each answered', async () => {
    const redis = await RedisProcess.start();
    const client = await connected(redis.url);
    const before = await readsProcessed(client);
    const replies = await Promise.all(Array.from({ length: 300 }, (_, i) => client.incr(`counter:${i % 3}`)));
    const after = await readsProcessed(client);
    assert.deepEqual(replies.slice(-3).sort(), [100, 100, 100]);
    // One write of ~10 KB (and the INFO after it); written one by one, Redis would read about 300 times.
    assert.ok(after - before < 30, `Redis read ${after - before} times for 300 commands of one turn`);
  });

  it('batches commands sent from separate callbacks of one turn, and answers a lone command too', async () => {
    const redis = await RedisProcess.start();
    const client = await connected(redis.url);
    assert.equal(await client.set('lone', 'yes'), 'OK');
    const before = await readsProcessed(client);
    const replies = await Promise.all(
      Array.from({ length: 100 }, (_, i) => new Promise((resolve) => setTimeout(() => resolve(client.incr(`timer:${i % 2}`)), 0))),
    );
    const after = await readsProcessed(client);
    assert.equal(replies.length, 100);
    assert.equal(await client.get('timer:0'), '50');
    assert.ok(after - before < 30, `Redis read ${after - before} times for 100 commands of one turn`);
  });
});
