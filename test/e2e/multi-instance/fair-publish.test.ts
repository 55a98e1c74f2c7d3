import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Cluster } from '../../support/cluster.js';
import { bodyFilling, bystander, quantile, rssBytes, samplePeak } from '../../support/fan-out-load.js';
import { postNotification, postWithRetry } from '../../support/initiator.js';
import { redisCommand } from '../../support/redis-cli.js';
import { onFirstCommand } from '../../support/redis-monitor.js';
import { connectModern, type TestClient } from '../../support/rsocket-clients.js';
import { quietPeriod, waitFor } from '../../support/wait-for.js';

const MAX_BODY_BYTES = 1_048_576;
const MiB = 1_048_576;

async function usedMemory(port: number): Promise<number> {
  return Number(/used_memory:(\d+)/.exec(await redisCommand(port, 'INFO', 'memory'))?.[1] ?? 0);
}

/** How many notifications each user's history holds, in one script call. */
async function historyLengths(port: number, userIds: string[]): Promise<number[]> {
  const script = 'local out = {} for i = 1, #KEYS do out[i] = redis.call("XLEN", KEYS[i]) end return out';
  const out = await redisCommand(port, 'EVAL', script, String(userIds.length), ...userIds.map((u) => `nt:{${u}}:h`));
  return out.split('\n').map(Number);
}

describe('fair at any size, on Redis', () => {
  it('1,000 users × a body filling MAX_BODY_BYTES: 202, each connected recipient gets it once, another initiator is not slowed, memory stays bounded', async (t) => {
    const cluster = await Cluster.start(2);
    const [a, b] = cluster.instances as [NonNullable<(typeof cluster.instances)[0]>, NonNullable<(typeof cluster.instances)[0]>];
    const userIds = Array.from({ length: 1_000 }, (_, i) => `fan-${i}`);
    const recipients: TestClient[] = await Promise.all(
      userIds.filter((_, i) => i % 20 === 0).map((userId, i) => connectModern((i % 2 === 0 ? a : b).wsUrl, { userId })),
    );
    const watcher = await connectModern(b.wsUrl, { userId: 'bystander-user' });
    await Promise.all([...recipients, watcher].map((client) => client.session()));
    const baseline = { a: await rssBytes(a.pid), b: await rssBytes(b.pid), redis: await usedMemory(cluster.redis.port) };
    const peaks = [samplePeak(() => rssBytes(a.pid)), samplePeak(() => rssBytes(b.pid)), samplePeak(() => usedMemory(cluster.redis.port))];

    // One measurement: the other initiator posts (from its own process) while the big request is answered and delivered.
    const measure = async (round: number): Promise<{ p99: number; posts: number }> => {
      const delivered = watcher.received.length;
      const other = await bystander(a.baseUrl, 'bystander-user');
      await waitFor(() => watcher.received.length >= delivered + 3, 'the other initiator under way', 10_000);
      const big = await postNotification(b.baseUrl, bodyFilling(MAX_BODY_BYTES, userIds));
      assert.equal(big.status, 202, JSON.stringify(big.body.error));
      assert.equal(big.body.notifications.length, 1_000);
      assert.equal(big.body.notifications.filter((n) => n.online).length, recipients.length);
      await waitFor(() => recipients.every((client) => client.received.length >= round), 'every connected recipient to receive it', 60_000);
      await quietPeriod(500);
      const others = await other.stop();
      assert.ok(others.length >= 5, `the other initiator posted during the request (${others.length} POSTs)`);
      assert.deepEqual([...new Set(others.map((o) => o.status))], [202], 'the other initiator got only 202s');
      await waitFor(() => watcher.received.length === delivered + others.length, 'every bystander notification delivered', 10_000);
      const p99 = quantile(others.map((o) => o.ms), 0.99);
      t.diagnostic(`fan-out, attempt ${round}: bystander p99 ${p99} ms over ${others.length} POSTs`);
      return { p99, posts: others.length };
    };
    // A loaded CI machine can stall every process for a moment; one such stall is not the service slowing the other
    // initiator, so a failed measurement is taken once more (both logged) and the second one decides.
    let rounds = 1;
    let { p99 } = await measure(rounds);
    if (p99 >= 1_000) {
      rounds = 2;
      ({ p99 } = await measure(rounds));
    }
    const [peakA, peakB, peakRedis] = (await Promise.all(peaks.map((peak) => peak.stop()))) as [number, number, number];

    for (const [i, client] of recipients.entries()) {
      assert.equal(client.received.length, rounds, `recipient ${i} got each request exactly once`);
      assert.equal((client.received[0]?.payload as string).length, bodyFilling(MAX_BODY_BYTES, userIds).payload.length);
    }
    assert.ok(p99 < 1_000, `the other initiator's p99 ${p99} ms is under a second`);
    assert.ok(peakA - baseline.a < 256 * MiB, `instance A grew ${((peakA - baseline.a) / MiB).toFixed(1)} MiB`);
    assert.ok(peakB - baseline.b < 256 * MiB, `instance B grew ${((peakB - baseline.b) / MiB).toFixed(1)} MiB`);
    assert.ok(peakRedis - baseline.redis < 128 * MiB, `Redis grew ${((peakRedis - baseline.redis) / MiB).toFixed(1)} MiB`);
    t.diagnostic(
      `fan-out: RSS growth A ${((peakA - baseline.a) / MiB).toFixed(1)} MiB, ` +
        `B ${((peakB - baseline.b) / MiB).toFixed(1)} MiB; Redis growth ${((peakRedis - baseline.redis) / MiB).toFixed(1)} MiB`,
    );
  });

  it('a request over MAX_FANOUT_BYTES is refused up front with 413 naming the limit, nothing committed', async () => {
    const cluster = await Cluster.start(1, { MAX_FANOUT_BYTES: String(4 * MiB) });
    const [a] = cluster.instances as [NonNullable<(typeof cluster.instances)[0]>];
    const userIds = Array.from({ length: 100 }, (_, i) => `refused-${i}`);
    const refused = await postNotification(a.baseUrl, { userIds, type: 't', payload: 'y'.repeat(64 * 1024) }, 'refused-key');
    assert.equal(refused.status, 413);
    assert.equal(refused.body.error?.code, 'payload_too_large');
    assert.match(refused.body.error?.message ?? '', /MAX_FANOUT_BYTES/);
    assert.equal(await redisCommand(cluster.redis.port, 'DBSIZE'), '0', 'nothing committed, not even the idempotency claim');
    const fits = await postNotification(a.baseUrl, { userIds: userIds.slice(0, 10), type: 't', payload: 'y'.repeat(64 * 1024) });
    assert.equal(fits.status, 202);
  });

  it('a request cut by a hung Redis converges on retry with its Idempotency-Key: each user has exactly one notification', async (t) => {
    const cluster = await Cluster.start(2, { REDIS_COMMAND_TIMEOUT_MS: '500' });
    const userIds = Array.from({ length: 1_000 }, (_, i) => `cut-${i}`);
    const body = bodyFilling(MAX_BODY_BYTES, userIds, 'cut');
    const [a] = cluster.instances as [NonNullable<(typeof cluster.instances)[0]>];
    // Freeze Redis from this process the moment it has run the first command that writes a user's history: the
    // request is then mid-way (one user committed, the rest waiting on a server that answers nothing).
    const cutter = await onFirstCommand(cluster.redis.port, '}:h"', () => cluster.redis.pause());
    const cut = await postNotification(a.baseUrl, body, 'cut-key');
    assert.ok(cutter.fired(), 'Redis was frozen during the request');
    await quietPeriod(300);
    cluster.redis.resume();
    const committedBefore = (await historyLengths(cluster.redis.port, userIds)).filter((n) => n === 1).length;
    if (cut.status === 503) {
      // Usually part of the users (the freeze follows the first commit); all of them when it lands after the last.
      assert.ok(committedBefore > 0 && committedBefore <= userIds.length, `committed up to the cut (${committedBefore} users)`);
    } else {
      // On a starved machine the freeze can land after the last commit: then the request completed before the cut,
      // and the retries below must answer the same outcome without committing anything twice.
      assert.equal(cut.status, 202, JSON.stringify(cut.body.error));
      assert.equal(committedBefore, userIds.length);
    }
    t.diagnostic(`cut: the first attempt answered ${cut.status} with ${committedBefore} of ${userIds.length} users committed`);

    const retried = await postWithRetry(cluster.liveUrls, body, 'cut-key');
    assert.equal(retried.status, 202);
    assert.equal(retried.body.notifications.length, userIds.length);
    assert.deepEqual([...new Set(await historyLengths(cluster.redis.port, userIds))], [1], 'each user has exactly one notification');
    const again = await postNotification(cluster.liveUrls()[1] as string, body, 'cut-key');
    assert.deepEqual(again.body, retried.body, 'a further retry answers the same 202 body');
    if (cut.status === 202) assert.deepEqual(retried.body, cut.body, 'the retry answers the body of the request that completed');
  });

  it('200 concurrent single-user POSTs of 1 MB each: all 202, all delivered', async () => {
    // 200 MB reach one Redis at once: on a loaded CI machine a single write can take over the default 1 s command
    // timeout, a 503 about the machine rather than the service. The generous timeout keeps the test about the service.
    const cluster = await Cluster.start(2, { REDIS_COMMAND_TIMEOUT_MS: '10000' });
    const userIds = Array.from({ length: 200 }, (_, i) => `mb-${i}`);
    const urls = cluster.liveUrls();
    const clients = await Promise.all(userIds.map((userId, i) => connectModern(cluster.liveWsUrls()[i % 2] as string, { userId })));
    await Promise.all(clients.map((client) => client.session()));
    const outcomes = await Promise.all(
      userIds.map((userId, i) => postNotification(urls[i % 2] as string, { userId, type: 'mb', payload: 'z'.repeat(MAX_BODY_BYTES - 200) })),
    );
    assert.deepEqual(
      outcomes.filter((o) => o.status !== 202).map((o) => `${o.status} ${o.body.error?.message ?? ''}`),
      [],
      'every POST answered 202',
    );
    await waitFor(() => clients.every((client) => client.received.length === 1), 'every notification delivered', 60_000);
    assert.ok(clients.every((client, i) => client.received[0]?.id === outcomes[i]?.body.notifications[0]?.id));
  });
});
