import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { startService } from '../support/service.js';
import { CLIENT_GENERATIONS, connectLegacy, connectModern } from '../support/rsocket-clients.js';
import { quietPeriod, waitFor } from '../support/wait-for.js';

const NOTIFICATION_KEYS = ['id', 'type', 'payload', 'createdAt'];

describe('REST in, PAYLOAD out', () => {
  for (const { name, connect } of CLIENT_GENERATIONS) {
    it(`delivers a POSTed notification to a ${name} client in the contract's shape`, async () => {
      const service = await startService();
      const client = await connect(service.wsUrl, { userId: 'alice' });
      await client.session();

      const { status, body } = await service.send({ userId: 'alice', type: 'order.updated', payload: { orderId: 7, tags: ['a'] } });

      assert.equal(status, 202);
      assert.deepEqual(Object.keys(body), ['notifications']);
      assert.equal(body.notifications.length, 1);
      const [accepted] = body.notifications;
      assert.deepEqual(Object.keys(accepted ?? {}), ['userId', 'id', 'online']);
      assert.equal(accepted?.userId, 'alice');
      assert.equal(accepted?.online, true);
      await waitFor(() => client.received.length === 1, 'the notification');
      const [notification] = client.received;
      assert.deepEqual(Object.keys(notification ?? {}), NOTIFICATION_KEYS);
      assert.equal(notification?.id, accepted?.id);
      assert.equal(notification?.type, 'order.updated');
      assert.deepEqual(notification?.payload, { orderId: 7, tags: ['a'] });
      assert.ok(!Number.isNaN(Date.parse(notification?.createdAt ?? '')), 'createdAt is an ISO-8601 time');
    });
  }

  it('the session route says who the connection is', async () => {
    const service = await startService();
    for (const { connect } of CLIENT_GENERATIONS) {
      const client = await connect(service.wsUrl, { userId: 'carol', keepAlive: 5_000, lifetime: 20_000 });
      const info = await client.session();
      assert.equal(info.userId, 'carol');
      assert.equal(info.instance, 'test-instance');
      assert.equal(info.keepAlive, 5_000);
      assert.equal(info.lifetime, 20_000);
      assert.match(info.connectionId, /\S+/);
    }
  });

  it('userIds reaches each user exactly once, and the 202 lists each distinct user in request order', async () => {
    const service = await startService();
    const alice = await connectModern(service.wsUrl, { userId: 'alice' });
    const bob = await connectLegacy(service.wsUrl, { userId: 'bob' });
    await Promise.all([alice.session(), bob.session()]);

    const { status, body } = await service.send({ userIds: ['bob', 'alice', 'bob', 'dave'], type: 'news', payload: 'hi' });

    assert.equal(status, 202);
    assert.deepEqual(
      body.notifications.map(({ userId, online }) => ({ userId, online })),
      [
        { userId: 'bob', online: true },
        { userId: 'alice', online: true },
        { userId: 'dave', online: false },
      ],
    );
    await waitFor(() => alice.received.length === 1 && bob.received.length === 1, 'one notification each');
    await quietPeriod();
    assert.equal(alice.received.length, 1);
    assert.equal(bob.received.length, 1);
    assert.equal(alice.received[0]?.id, body.notifications[1]?.id);
    assert.equal(bob.received[0]?.id, body.notifications[0]?.id);
  });

  it('isolation: bob never receives alice\'s notifications; both of alice\'s tabs do', async () => {
    const service = await startService();
    const tab1 = await connectModern(service.wsUrl, { userId: 'alice' });
    const tab2 = await connectLegacy(service.wsUrl, { userId: 'alice' });
    const bob = await connectModern(service.wsUrl, { userId: 'bob' });
    await Promise.all([tab1.session(), tab2.session(), bob.session()]);

    for (let i = 0; i < 5; i += 1) {
      assert.equal((await service.send({ userId: 'alice', type: 'private', payload: { i } })).status, 202);
    }
    await service.send({ userId: 'bob', type: 'mine', payload: null });

    await waitFor(() => tab1.received.length === 5 && tab2.received.length === 5 && bob.received.length === 1, 'all deliveries');
    await quietPeriod();
    assert.deepEqual(tab1.received.map((n) => n.payload), [0, 1, 2, 3, 4].map((i) => ({ i })));
    assert.deepEqual(tab2.received, tab1.received);
    assert.deepEqual(bob.received.map((n) => n.type), ['mine']);
  });

  it('the userId query parameter identifies a client that sends empty SETUP data', async () => {
    const service = await startService();
    const client = await connectLegacy(service.wsUrl, { query: '?userId=erin' });
    assert.equal((await client.session()).userId, 'erin');
    await service.send({ userId: 'erin', type: 'hello', payload: 1 });
    await waitFor(() => client.received.length === 1, 'the notification');
  });

  it('ids increase per user in the order notifications were accepted', async () => {
    const service = await startService();
    const client = await connectModern(service.wsUrl, { userId: 'frank' });
    await client.session();
    for (let i = 0; i < 20; i += 1) await service.send({ userId: 'frank', type: 't', payload: i });
    await waitFor(() => client.received.length === 20, '20 notifications');
    const ids = client.received.map((n) => n.id.split('-').map(Number) as [number, number]);
    for (let i = 1; i < ids.length; i += 1) {
      const [prev, next] = [ids[i - 1] as [number, number], ids[i] as [number, number]];
      assert.ok(next[0] > prev[0] || (next[0] === prev[0] && next[1] > prev[1]), `id ${i} increases`);
    }
  });
});
