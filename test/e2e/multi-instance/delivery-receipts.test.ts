import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { describe, it } from 'node:test';
import type { ReceiptEvent } from '@notification-transport/contract';
import { Cluster } from '../../support/cluster.js';
import { getReceipt, sendWithKey, WebhookReceiver } from '../../support/receipt-http.js';
import { connectLegacy, connectModern } from '../../support/rsocket-clients.js';
import { waitFor } from '../../support/wait-for.js';

const KEYS = { INITIATOR_API_KEYS: 'key-a,key-b' };
const SECRET = 'receipt-webhook-secret-of-at-least-32-bytes';

describe('delivery receipts across two instances over Redis', () => {
  it("pending → delivered by the user's own confirmation (not another user's) → read; a long-poll on the other instance answers on the change", async (t) => {
    const cluster = await Cluster.start(2, KEYS);
    const [a, b] = cluster.instances as [NonNullable<(typeof cluster.instances)[0]>, NonNullable<(typeof cluster.instances)[0]>];
    const alice = await connectModern(b.wsUrl, { userId: 'alice' });
    const mallory = await connectLegacy(b.wsUrl, { userId: 'mallory' });
    await Promise.all([alice.session(), mallory.session()]);

    const sent = await sendWithKey(a.baseUrl, 'key-a', { userId: 'alice', type: 'card.blocked', payload: { card: 1 }, receipt: true });
    assert.equal(sent.status, 202);
    const id = sent.body.notifications[0]?.id as string;
    await waitFor(() => alice.received.length === 1, 'the notification');
    assert.equal(alice.received[0]?.receipt, true, 'the notification says a receipt was asked for');
    const pending = await getReceipt(a.baseUrl, 'key-a', 'alice', id);
    assert.equal(pending.status, 200);
    assert.deepEqual(pending.body, { userId: 'alice', id, type: 'card.blocked', createdAt: alice.received[0]?.createdAt, state: 'pending' });

    const longPoll = getReceipt(a.baseUrl, 'key-a', 'alice', id, '?waitFor=delivered&timeoutMs=30000').then((answer) => ({ answer, at: Date.now() }));
    mallory.confirm({ delivered: [id] });
    await mallory.session(); // the confirmation was read and applied in frame order before this answer
    assert.equal((await getReceipt(b.baseUrl, 'key-a', 'alice', id)).body.state, 'pending', "another user's confirmation changes nothing");

    const confirmedAt = Date.now();
    alice.confirm({ delivered: [id] });
    const { answer, at } = await longPoll;
    assert.equal(answer.status, 200);
    assert.equal(answer.body.state, 'delivered');
    assert.ok(answer.body.deliveredAt && answer.body.readAt === undefined);
    // Answered on the change: well before its 30 s timeout (within a second on an idle machine; generous when loaded).
    assert.ok(at - confirmedAt < 10_000, `the long-poll answered ${at - confirmedAt} ms after the confirmation`);
    t.diagnostic(`the long-poll on instance A answered ${at - confirmedAt} ms after the confirmation on instance B`);

    alice.confirm({ read: [id] });
    const read = await getReceipt(b.baseUrl, 'key-a', 'alice', id, '?waitFor=read&timeoutMs=30000');
    assert.equal(read.body.state, 'read');
    assert.equal(read.body.deliveredAt, answer.body.deliveredAt, 'deliveredAt stays');
    assert.ok(read.body.readAt && Date.parse(read.body.readAt) >= Date.parse(answer.body.deliveredAt as string));
  });

  it('404 without a receipt, for another initiator key and for an unknown id; 400 invalid_query for bad parameters', async () => {
    const cluster = await Cluster.start(2, KEYS);
    const [a, b] = cluster.instances as [NonNullable<(typeof cluster.instances)[0]>, NonNullable<(typeof cluster.instances)[0]>];
    const plain = await sendWithKey(a.baseUrl, 'key-a', { userId: 'bob', type: 't', payload: 1 });
    const asked = await sendWithKey(a.baseUrl, 'key-a', { userId: 'bob', type: 't', payload: 1, receipt: true });
    const [plainId, askedId] = [plain.body.notifications[0]?.id as string, asked.body.notifications[0]?.id as string];
    assert.equal((await getReceipt(b.baseUrl, 'key-a', 'bob', askedId)).status, 200);
    for (const [what, answer] of [
      ['no receipt asked', await getReceipt(b.baseUrl, 'key-a', 'bob', plainId)],
      ['another initiator key', await getReceipt(b.baseUrl, 'key-b', 'bob', askedId)],
      ['unknown id', await getReceipt(b.baseUrl, 'key-a', 'bob', '1-0')],
      ['another user', await getReceipt(b.baseUrl, 'key-a', 'carol', askedId)],
    ] as const) {
      assert.equal(answer.status, 404, what);
      assert.equal(answer.body.error?.code, 'not_found', what);
    }
    for (const query of ['?waitFor=seen', '?waitFor=read&timeoutMs=30001', '?waitFor=read&timeoutMs=-1', '?timeoutMs=10', '?wait=read']) {
      const answer = await getReceipt(b.baseUrl, 'key-a', 'bob', askedId, query);
      assert.equal(answer.status, 400, query);
      assert.equal(answer.body.error?.code, 'invalid_query', query);
    }
  });

  it("an offline user's receipt with ttlSeconds 1 becomes expired, and a waiting query answers with it", async () => {
    const cluster = await Cluster.start(2, KEYS);
    const [a, b] = cluster.instances as [NonNullable<(typeof cluster.instances)[0]>, NonNullable<(typeof cluster.instances)[0]>];
    const sent = await sendWithKey(a.baseUrl, 'key-a', { userId: 'offline', type: 't', payload: 1, ttlSeconds: 1, receipt: true });
    assert.equal(sent.body.notifications[0]?.online, false);
    const answer = await getReceipt(b.baseUrl, 'key-a', 'offline', sent.body.notifications[0]?.id as string, '?waitFor=delivered&timeoutMs=30000');
    assert.equal(answer.status, 200);
    assert.equal(answer.body.state, 'expired');
  });

  it('on a Redis Cluster too: a long-poll answers a confirmation made on the other instance, and an offline receipt expires', async () => {
    const cluster = await Cluster.startOnRedisCluster(2, KEYS);
    const [a, b] = cluster.instances as [NonNullable<(typeof cluster.instances)[0]>, NonNullable<(typeof cluster.instances)[0]>];
    const alice = await connectModern(b.wsUrl, { userId: 'alice' });
    await alice.session();
    const toAlice = (await sendWithKey(a.baseUrl, 'key-a', { userId: 'alice', type: 't', payload: 1, receipt: true })).body.notifications[0]?.id;
    const offline = await sendWithKey(a.baseUrl, 'key-a', { userId: 'offline', type: 't', payload: 1, ttlSeconds: 1, receipt: true });
    const toOffline = offline.body.notifications[0]?.id;
    await waitFor(() => alice.received.length === 1, 'the notification');
    const longPoll = getReceipt(a.baseUrl, 'key-a', 'alice', toAlice as string, '?waitFor=read&timeoutMs=30000');
    alice.confirm({ read: [toAlice as string] });
    assert.equal((await longPoll).body.state, 'read');
    const expired = await getReceipt(b.baseUrl, 'key-a', 'offline', toOffline as string, '?waitFor=delivered&timeoutMs=30000');
    assert.equal(expired.body.state, 'expired');
  });

  it('the webhook gets each change once, signed; with the receiver down 10 s and the changing instance SIGKILLed meanwhile, nothing is lost', async () => {
    const receiver = await WebhookReceiver.start();
    receiver.down = true;
    const cluster = await Cluster.start(2, {
      ...KEYS,
      RECEIPT_WEBHOOK_URL: receiver.url,
      RECEIPT_WEBHOOK_SECRET: SECRET,
      RECEIPT_WEBHOOK_MAX_RETRY_DELAY_MS: '2000',
    });
    const [a, b] = cluster.instances as [NonNullable<(typeof cluster.instances)[0]>, NonNullable<(typeof cluster.instances)[0]>];
    const dave = await connectModern(b.wsUrl, { userId: 'dave' });
    await dave.session();
    const sent = await sendWithKey(a.baseUrl, 'key-a', { userId: 'dave', type: 'card.blocked', payload: 1, receipt: true });
    const id = sent.body.notifications[0]?.id as string;
    await waitFor(() => dave.received.length === 1, 'the notification');
    dave.confirm({ delivered: [id] });
    await waitFor(async () => (await getReceipt(a.baseUrl, 'key-a', 'dave', id)).body.state === 'delivered', 'delivered');
    dave.confirm({ read: [id] });
    await waitFor(async () => (await getReceipt(a.baseUrl, 'key-a', 'dave', id)).body.state === 'read', 'read');
    const downSince = Date.now();
    await waitFor(() => receiver.received.length > 0, 'a first (refused) attempt', 10_000);
    await b.kill('SIGKILL'); // the instance where both changes were made
    // The outage under test: the receiver stays down for 10 s in all.
    await waitFor(() => Date.now() - downSince >= 10_000, 'the receiver outage to last 10 s', 15_000);
    receiver.down = false;

    await waitFor(() => receiver.accepted.length >= 2, 'both events delivered after the outage', 30_000);
    const events = receiver.accepted.map((hook) => JSON.parse(hook.body) as ReceiptEvent);
    assert.deepEqual(events.map((e) => e.state).sort(), ['delivered', 'read']);
    for (const hook of receiver.accepted) {
      assert.equal(hook.signature, `sha256=${createHmac('sha256', SECRET).update(hook.body).digest('hex')}`);
    }
    const [delivered, read] = [events.find((e) => e.state === 'delivered'), events.find((e) => e.state === 'read')];
    assert.notEqual(delivered?.event, read?.event, 'an event id per change');
    assert.deepEqual({ ...delivered, event: undefined, at: undefined }, { event: undefined, userId: 'dave', id, type: 'card.blocked', state: 'delivered', at: undefined });
    const final = (await getReceipt(a.baseUrl, 'key-a', 'dave', id)).body;
    assert.equal(delivered?.at, final.deliveredAt);
    assert.equal(read?.at, final.readAt);
    assert.ok(receiver.received.some((hook) => hook.status === 503), 'attempts were made and refused during the outage');
    await waitFor(async () => (await fetch(`${a.baseUrl}/metrics`).then((r) => r.text())).includes('transport_receipt_webhook_attempts_total{outcome="delivered"'), 'the metric');
    assert.equal(receiver.accepted.length, 2, 'each change delivered once');
  });
});
