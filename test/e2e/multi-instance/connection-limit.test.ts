import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Flags, FrameTypes, type ErrorFrame, type Frame } from 'rsocket-core';
import { Cluster } from '../../support/cluster.js';
import { postNotification } from '../../support/initiator.js';
import { RawRSocket, routeMetadata } from '../../support/raw-rsocket.js';
import { connectLegacy, connectModern } from '../../support/rsocket-clients.js';
import { quietPeriod, waitFor } from '../../support/wait-for.js';

type Outcome = { raw: RawRSocket; accepted: boolean; error?: ErrorFrame };

/** SETUP then the `session` route: accepted when the session answers, refused when an ERROR arrives on stream 0. */
async function tryConnect(url: string, userId: string): Promise<Outcome> {
  const raw = await RawRSocket.open(url);
  raw.setup(userId);
  raw.send({ type: FrameTypes.REQUEST_RESPONSE, streamId: 1, flags: Flags.METADATA, data: null, metadata: routeMetadata('session') } as Frame);
  await waitFor(() => raw.ofType(FrameTypes.PAYLOAD).length > 0 || raw.frames.some((f) => f.type === FrameTypes.ERROR && f.streamId === 0), 'an answer');
  const error = raw.frames.find((f): f is ErrorFrame => f.type === FrameTypes.ERROR && f.streamId === 0);
  return error ? { raw, accepted: false, error } : { raw, accepted: true };
}

const pair = (cluster: Cluster) => cluster.instances as [NonNullable<(typeof cluster.instances)[0]>, NonNullable<(typeof cluster.instances)[0]>];

describe('per-user connection limit across instances', () => {
  it('reject-new, limit 2: 20 simultaneous connects over 2 instances → exactly 2 accepted; closing one lets exactly one in', async () => {
    const cluster = await Cluster.start(2, { MAX_CONNECTIONS_PER_USER: '2', CONNECTION_LIMIT_POLICY: 'reject-new' });
    const [a, b] = pair(cluster);
    const other = await connectModern(b.wsUrl, { userId: 'bob' });
    await other.session();
    const outcomes = await Promise.all(Array.from({ length: 20 }, (_, i) => tryConnect((i % 2 ? a : b).wsUrl, 'alice')));
    const accepted = outcomes.filter((o) => o.accepted);
    const refused = outcomes.filter((o) => !o.accepted);
    assert.equal(accepted.length, 2);
    assert.equal(refused.length, 18);
    for (const { error } of refused) {
      assert.equal(error?.code, 0x3);
      assert.match(error?.message ?? '', /^\[connection-limit\] .*connection limit/);
    }

    accepted[0]?.raw.ws.close();
    await accepted[0]?.raw.serverClosed();
    const retries = [];
    for (let i = 0; i < 3; i += 1) retries.push(await tryConnect((i % 2 ? a : b).wsUrl, 'alice'));
    assert.deepEqual(retries.map((o) => o.accepted), [true, false, false], 'exactly one new connection fits');
    assert.equal(other.error, undefined, 'another user is unaffected');
    await postNotification(a.baseUrl, { userId: 'bob', type: 't', payload: 1 });
    await waitFor(() => other.received.length === 1, 'bob still receives');
  });

  it('evict-oldest, limit 2: a third connection on another instance ends the oldest with [replaced]', async () => {
    const cluster = await Cluster.start(2, { MAX_CONNECTIONS_PER_USER: '2', CONNECTION_LIMIT_POLICY: 'evict-oldest' });
    const [a, b] = pair(cluster);
    const oldest = await connectModern(a.wsUrl, { userId: 'alice' });
    await oldest.session();
    const middle = await connectLegacy(a.wsUrl, { userId: 'alice' });
    await middle.session();
    const newest = await connectModern(b.wsUrl, { userId: 'alice' });
    await newest.session();

    await waitFor(() => oldest.error !== undefined, 'the oldest connection to be replaced');
    assert.match(oldest.error?.message ?? '', /\[replaced\]/);
    const outcome = await postNotification(b.baseUrl, { userId: 'alice', type: 't', payload: 'after' });
    assert.equal(outcome.status, 202);
    await waitFor(() => middle.received.length === 1 && newest.received.length === 1, 'the two live connections to receive');
    await quietPeriod();
    assert.equal(oldest.received.length, 0);
    assert.equal(middle.error, undefined);
    assert.equal(newest.error, undefined);
  });

  it('live connections keep their slots past the lease: every slot is refreshed while its connection lives', async () => {
    const cluster = await Cluster.start(2, { MAX_CONNECTIONS_PER_USER: '1', SLOT_LEASE_MS: '1000' });
    const [a, b] = pair(cluster);
    // More users than refresh slices, so every slice holds a slot.
    const users = Array.from({ length: 12 }, (_, i) => `dora-${i}`);
    const held = await Promise.all(users.map((user) => tryConnect(a.wsUrl, user)));
    assert.deepEqual(held.map((o) => o.accepted), users.map(() => true));
    await new Promise((resolve) => setTimeout(resolve, 3_500));

    const late = await Promise.all(users.map((user) => tryConnect(b.wsUrl, user)));
    assert.deepEqual(late.map((o) => o.error?.message.startsWith('[connection-limit]') ?? false), users.map(() => true), 'each slot still held after 3.5 leases');
    assert.ok(held.every((o) => o.raw.closed === undefined), 'the first connections are untouched');
  });

  it('an instance killed with SIGKILL: its users\' slots are free again within SLOT_LEASE_MS', async () => {
    const cluster = await Cluster.start(2, { MAX_CONNECTIONS_PER_USER: '2', SLOT_LEASE_MS: '2000' });
    const [a, b] = pair(cluster);
    await tryConnect(a.wsUrl, 'carol');
    await tryConnect(a.wsUrl, 'carol');
    assert.equal((await tryConnect(b.wsUrl, 'carol')).accepted, false, 'at the limit while instance A lives');
    await a.kill('SIGKILL');
    const killedAt = Date.now();

    // Each slot lapses within the lease of its last refresh; slots refreshed in different slices lapse apart.
    const freedAfter: number[] = [];
    for (const slot of ['first', 'second']) {
      await waitFor(async () => {
        const outcome = await tryConnect(b.wsUrl, 'carol');
        if (outcome.accepted) freedAfter.push(Date.now() - killedAt);
        else outcome.raw.ws.terminate();
        return outcome.accepted;
      }, `the ${slot} slot to lapse`, 6_000);
    }
    assert.ok(freedAfter.every((ms) => ms <= 2_000 + 500), `both freed within the lease (${freedAfter.join(', ')} ms)`);
  });
});
