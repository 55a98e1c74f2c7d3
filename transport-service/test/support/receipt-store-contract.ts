import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Broker, Delivery, DeliveryListener, NotificationDraft } from '../../src/broker/broker.js';
import type { ReceiptSettings } from '../../src/receipts/receipt-settings.js';
import type { ClaimedEvent, ReceiptStore } from '../../src/receipts/receipt-store.js';

/** A broker that creates receipts at commit, and the store they are read and changed in (one instance). */
export interface ReceiptFixture {
  broker: Broker;
  store: ReceiptStore;
}

/** Makes a fresh broker + receipt store pair around a listener; each test uses its own users. */
export type ReceiptFactory = (listener: DeliveryListener, settings: ReceiptSettings) => Promise<ReceiptFixture>;

const SETTINGS: ReceiptSettings = { ttlSeconds: 86_400, webhook: true };
const CREATED_AT = '2026-11-30T12:00:00.000Z';

function draft(ttlSeconds = 300, scope = 'key-a'): NotificationDraft {
  return { type: 'card.blocked', payloadJson: '{"card":1}', createdAt: CREATED_AT, ttlSeconds, receipt: { scope } };
}

async function eventually<T>(read: () => Promise<T | undefined>, what: string, timeoutMs = 5_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/**
 * What every ReceiptStore (with its broker) owes the service, run against each implementation: creation at commit
 * only when asked, forward-only states per user, expiry, the change feed and the webhook outbox.
 */
export function describeReceiptStoreContract(name: string, factory: ReceiptFactory): void {
  describe(`${name} (ReceiptStore contract)`, () => {
    const got: Array<[string, Delivery]> = [];
    let broker: Broker;
    let store: ReceiptStore;
    let user = 0;
    const nextUser = (): string => `r-user-${process.pid}-${++user}`;
    const claimed: ClaimedEvent[] = [];
    /** Sweeps until an event of `userId` in `state` is claimed, and returns it. */
    const eventFor = (userId: string, state: string): Promise<ClaimedEvent> =>
      eventually(async () => {
        claimed.push(...(await store.sweep(100, 60_000)).events);
        return claimed.find((e) => e.userId === userId && (JSON.parse(e.body) as { state: string }).state === state);
      }, `a ${state} event of ${userId}`);

    before(async () => {
      ({ broker, store } = await factory((userId, delivery) => got.push([userId, delivery]), SETTINGS));
    });
    after(async () => {
      await broker.close();
      await store.close();
    });

    it('creates a pending receipt at commit only when asked, and the notification says so', async () => {
      const alice = nextUser();
      await broker.subscribe(alice);
      const asked = await broker.commit(alice, draft());
      const plain = await broker.commit(alice, { ...draft(), receipt: undefined } as NotificationDraft);
      assert.deepEqual(await store.get(alice, asked.id), { userId: alice, id: asked.id, type: 'card.blocked', createdAt: CREATED_AT, state: 'pending', scope: 'key-a' });
      assert.equal(await store.get(alice, plain.id), undefined);
      assert.equal(await store.get(nextUser(), asked.id), undefined, 'another user has no such receipt');
      await eventually(() => Promise.resolve(got.filter(([u]) => u === alice).length === 2 ? true : undefined), 'both deliveries');
      const [withReceipt, without] = got.filter(([u]) => u === alice).map(([, d]) => JSON.parse(d.data.toString()) as Record<string, unknown>);
      assert.equal(withReceipt?.receipt, true);
      assert.equal('receipt' in (without ?? {}), false);
      broker.unsubscribe(alice);
    });

    it('creates receipts for commits that reference content stored once for several users', async () => {
      const users = [nextUser(), nextUser(), nextUser()];
      for (const userId of users) await broker.subscribe(userId);
      const big = { ...draft(), payloadJson: JSON.stringify({ text: 'x'.repeat(4_096) }) };
      const shares = broker.shareContent(big, users);
      const drafts = new Map<string, NotificationDraft>();
      for (const share of shares) {
        const stored = await share.store();
        for (const userId of share.userIds) drafts.set(userId, stored);
      }
      const ids = await Promise.all(users.map(async (userId) => (await broker.commit(userId, drafts.get(userId) ?? big)).id));
      for (const [i, userId] of users.entries()) assert.equal((await store.get(userId, ids[i] as string))?.state, 'pending', userId);
      await eventually(() => Promise.resolve(users.every((u) => got.some(([g]) => g === u)) ? true : undefined), 'every delivery');
      for (const userId of users) {
        const [, delivery] = got.find(([u]) => u === userId) as [string, Delivery];
        assert.equal((JSON.parse(delivery.data.toString()) as { receipt?: boolean }).receipt, true, userId);
        broker.unsubscribe(userId);
      }
    });

    it('moves forward only, for the user it belongs to: pending → delivered → read', async () => {
      const [alice, mallory] = [nextUser(), nextUser()];
      const { id } = await broker.commit(alice, draft());
      assert.deepEqual(await store.confirm(mallory, 'delivered', [id]), [], "another user's confirmation changes nothing");
      assert.equal((await store.get(alice, id))?.state, 'pending');
      assert.deepEqual(await store.confirm(alice, 'delivered', [id, '1-0']), [id], 'unknown ids are ignored');
      const delivered = await store.get(alice, id);
      assert.equal(delivered?.state, 'delivered');
      assert.ok(delivered?.deliveredAt && !Number.isNaN(Date.parse(delivered.deliveredAt)));
      assert.deepEqual(await store.confirm(alice, 'delivered', [id]), [], 'a repeat changes nothing');
      assert.deepEqual(await store.confirm(alice, 'read', [id]), [id]);
      const read = await store.get(alice, id);
      assert.equal(read?.state, 'read');
      assert.equal(read?.deliveredAt, delivered.deliveredAt, 'deliveredAt stays');
      assert.ok(read?.readAt);
      assert.deepEqual(await store.confirm(alice, 'delivered', [id]), [], 'never backwards');
    });

    it('read straight from pending sets deliveredAt too', async () => {
      const alice = nextUser();
      const { id } = await broker.commit(alice, draft());
      await store.confirm(alice, 'read', [id]);
      const read = await store.get(alice, id);
      assert.equal(read?.state, 'read');
      assert.equal(read?.deliveredAt, read?.readAt);
    });

    it('expires a pending receipt once its notification is no longer recoverable; expired is final', async () => {
      const alice = nextUser();
      const short = await broker.commit(alice, draft(1));
      const live = await broker.commit(alice, draft(0));
      const kept = await broker.commit(alice, draft(300));
      await eventually(async () => {
        await store.sweep(0, 60_000);
        return (await store.get(alice, short.id))?.state === 'expired' ? true : undefined;
      }, 'the ttl 1 receipt to expire');
      assert.equal((await store.get(alice, live.id))?.state, 'expired', 'live-only to an offline user: expired at once');
      assert.equal((await store.get(alice, kept.id))?.state, 'pending');
      assert.deepEqual(await store.confirm(alice, 'read', [short.id]), []);
    });

    it('tells listeners of every change, whoever made it', async () => {
      const alice = nextUser();
      const heard: string[] = [];
      await store.listen((userId, ids) => {
        if (userId === alice) heard.push(...ids);
      });
      const { id } = await broker.commit(alice, draft());
      await store.confirm(alice, 'delivered', [id]);
      await eventually(() => Promise.resolve(heard.includes(id) ? true : undefined), 'the change');
      store.unlisten();
    });

    it('enqueues one webhook event per change with the change, claimed with a lease, retried, then acknowledged', async () => {
      const alice = nextUser();
      const { id } = await broker.commit(alice, draft());
      await store.confirm(alice, 'delivered', [id]);
      const first = await eventFor(alice, 'delivered');
      assert.equal(first.attempt, 1);
      const body = JSON.parse(first.body) as Record<string, unknown>;
      assert.deepEqual({ ...body, at: undefined }, { event: first.event, userId: alice, id, type: 'card.blocked', state: 'delivered', at: undefined });
      assert.equal(body.at, (await store.get(alice, id))?.deliveredAt);
      const again = (await store.sweep(100, 60_000)).events.filter((e) => e.userId === alice);
      assert.deepEqual(again, [], 'a claimed event is not handed out again while its lease lasts');
      await store.retryLater(first, 0);
      const second = await eventually(async () => {
        claimed.push(...(await store.sweep(100, 60_000)).events);
        return claimed.filter((e) => e.event === first.event)[1];
      }, 'the retry');
      assert.equal(second.attempt, 2);
      assert.equal(second?.body, first.body, 'the same event, byte for byte');
      await store.acknowledge(first);
      await store.retryLater(first, 0);
      await store.confirm(alice, 'read', [id]);
      const read = await eventFor(alice, 'read');
      assert.notEqual(read.event, first.event, 'each change has its own event id');
      assert.equal(claimed.filter((e) => e.event === first.event).length, 2, 'an acknowledged event never comes back');
    });
  });
}
