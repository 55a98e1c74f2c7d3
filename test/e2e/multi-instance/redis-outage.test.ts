import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { RECOVERY_INCOMPLETE_TYPE } from '@notification-transport/contract';
import { Cluster } from '../../support/cluster.js';
import { postNotification } from '../../support/initiator.js';
import { ResilientClient } from '../../support/resilient-client.js';
import { connectModern } from '../../support/rsocket-clients.js';
import { waitFor } from '../../support/wait-for.js';

describe('Redis outage', () => {
  it('REST answers 503 while Redis is down; delivery resumes by itself when it returns; lost history is announced', async () => {
    const cluster = await Cluster.start(2);
    const [a, b] = cluster.instances as [NonNullable<(typeof cluster.instances)[0]>, NonNullable<(typeof cluster.instances)[0]>];
    const steady = new ResilientClient('steady', () => [b.wsUrl]);
    await steady.start();
    assert.equal((await postNotification(a.baseUrl, { userId: 'steady', type: 't', payload: 'before' })).status, 202);
    await waitFor(() => steady.notifications.length === 1, 'the first notification');
    const lastSeen = steady.notifications[0]?.id as string;

    await cluster.redis.kill();
    const during = await postNotification(a.baseUrl, { userId: 'steady', type: 't', payload: 'during' });
    assert.equal(during.status, 503);
    assert.equal(during.body.error?.code, 'broker_unavailable');
    assert.match(during.body.error?.message ?? '', /retry/);
    assert.equal((await fetch(`${a.baseUrl}/readyz`)).status, 503);
    assert.equal((await fetch(`${a.baseUrl}/healthz`)).status, 200, 'the process lives');

    await cluster.redis.restart();
    await waitFor(async () => (await fetch(`${a.baseUrl}/readyz`)).status === 200, 'instance A ready again', 10_000);
    await waitFor(async () => (await fetch(`${b.baseUrl}/readyz`)).status === 200, 'instance B ready again', 10_000);
    // Live delivery had a gap while B's subscriber was away: B ended its connections with [internal], and the
    // client came back with lastEventId; the history it asked for died with Redis, which it is told.
    await waitFor(() => steady.endings.some((ending) => ending.includes('[internal]')), 'the connection to be told to recover', 10_000);
    await waitFor(() => steady.received.some((n) => n.type === RECOVERY_INCOMPLETE_TYPE), 'the recovery to be announced incomplete', 10_000);
    await waitFor(
      async () => (await postNotification(a.baseUrl, { userId: 'steady', type: 't', payload: 'after' })).body.notifications?.[0]?.online === true,
      'the reconnected client to be subscribed again',
      10_000,
    );
    await waitFor(() => steady.notifications.some((n) => n.payload === 'after'), 'delivery resumed without restarting the service');
    steady.stop();

    const returning = await connectModern(a.wsUrl, { userId: 'steady', streamData: { lastEventId: lastSeen } });
    await waitFor(() => returning.received.length > 0, 'the recovery answer');
    assert.equal(returning.received[0]?.type, RECOVERY_INCOMPLETE_TYPE, 'history lost with Redis is announced, not silently skipped');
    assert.equal(returning.received[0]?.id, null);
    assert.deepEqual((returning.received[0]?.payload as { lastEventId: string }).lastEventId, lastSeen);
  });
});
