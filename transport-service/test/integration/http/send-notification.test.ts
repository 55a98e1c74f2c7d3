import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { assertRestError } from '../../support/rest-assertions.js';
import { postNotification, startTestServer, type TestServer } from '../../support/http-test-server.js';

interface Accepted {
  notifications: Array<{ userId: string; id: string; online: boolean }>;
}

const ID = /^\d+-\d+$/;

describe('POST /api/v1/notifications accepts valid bodies with 202', () => {
  let server: TestServer;
  beforeEach(async () => (server = await startTestServer()));
  afterEach(() => server.close());

  it('answers a single user with exactly the contract body', async () => {
    const res = await postNotification(server, JSON.stringify({ userId: 'alice', type: 'order.updated', payload: { n: 1 } }));
    assert.equal(res.status, 202);
    assert.match(res.headers.get('content-type') ?? '', /^application\/json/);
    const body = (await res.json()) as Accepted;
    assert.deepEqual(Object.keys(body), ['notifications']);
    assert.equal(body.notifications.length, 1);
    const [entry] = body.notifications;
    assert.deepEqual(Object.keys(entry ?? {}).sort(), ['id', 'online', 'userId']);
    assert.equal(entry?.userId, 'alice');
    assert.equal(entry?.online, false);
    assert.match(entry?.id ?? '', ID);
  });

  it('delivers to a listening user, payload bytes as sent, and reports it online', async () => {
    await server.broker.subscribe('alice');
    const res = await postNotification(server, '{"userId":"alice","type":"order.updated","payload":{"a":[1,"x",null]},"ttlSeconds":0}');
    const body = (await res.json()) as Accepted;
    assert.equal(body.notifications[0]?.online, true);
    assert.equal(server.deliveries.length, 1);
    const delivered = JSON.parse(server.deliveries[0]?.data ?? '') as Record<string, unknown>;
    assert.deepEqual(delivered.payload, { a: [1, 'x', null] });
    assert.equal(delivered.type, 'order.updated');
    assert.equal(delivered.id, body.notifications[0]?.id);
  });

  it('accepts a null payload and the ttlSeconds bounds', async () => {
    await server.broker.subscribe('bob');
    for (const ttlSeconds of [0, 86_400, undefined]) {
      const res = await postNotification(server, JSON.stringify({ userId: 'bob', type: 'a:b-c.D9', payload: null, ttlSeconds }));
      assert.equal(res.status, 202);
    }
    assert.equal(server.deliveries.length, 3);
    assert.equal((JSON.parse(server.deliveries[0]?.data ?? '') as { payload: unknown }).payload, null);
  });

  it('collapses duplicate userIds into one entry per distinct user, in request order, with distinct ids', async () => {
    await server.broker.subscribe('carol');
    const userIds = ['carol', 'alice', 'carol', 'bob', 'alice', 'dave'];
    const res = await postNotification(server, JSON.stringify({ userIds, type: 'chat.message', payload: 'hi' }));
    assert.equal(res.status, 202);
    const { notifications } = (await res.json()) as Accepted;
    assert.deepEqual(notifications.map((n) => n.userId), ['carol', 'alice', 'bob', 'dave']);
    assert.deepEqual(notifications.map((n) => n.online), [true, false, false, false]);
    assert.equal(new Set(notifications.map((n) => n.id)).size, 4);
    for (const n of notifications) assert.match(n.id, ID);
    assert.deepEqual(server.deliveries.map((d) => d.userId), ['carol']);
  });

  it('accepts 1,000 userIds and unusual but valid user ids', async () => {
    const userIds = Array.from({ length: 1000 }, (_, i) => `user-${i}`);
    userIds[1] = 'ü ñ 🙂 "quoted" / \\ 日本';
    userIds[2] = 'u'.repeat(128);
    const res = await postNotification(server, JSON.stringify({ userIds, type: 't', payload: [] }));
    assert.equal(res.status, 202);
    const { notifications } = (await res.json()) as Accepted;
    assert.equal(notifications.length, 1000);
    assert.equal(notifications[1]?.userId, userIds[1]);
  });

  it('answers 503 broker_unavailable when the broker cannot commit', async () => {
    await server.broker.close();
    const res = await postNotification(server, JSON.stringify({ userId: 'alice', type: 't', payload: 1 }));
    await assertRestError(res, 503, 'broker_unavailable', /retry later/);
  });

  it('counts accepted notifications in /metrics', async () => {
    await postNotification(server, JSON.stringify({ userIds: ['a', 'b', 'a'], type: 't', payload: 1 }));
    const res = await fetch(`${server.url}/metrics`);
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /^text\/plain; version=0\.0\.4/);
    assert.match(await res.text(), /^transport_notifications_accepted_total\{instance="test"\} 2$/m);
  });
});
