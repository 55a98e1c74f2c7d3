import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { compareNotificationIds } from '@notification-transport/contract';
import type { Broker, Delivery, DeliveryListener, NotificationDraft } from '../../src/broker/broker.js';
import type { HistorySettings } from '../../src/broker/history-settings.js';

/** Makes a fresh broker around a listener; each test gets its own users, so one broker may serve a whole suite. */
export type BrokerFactory = (listener: DeliveryListener, settings: HistorySettings) => Promise<Broker>;

const SETTINGS: HistorySettings = { maxLen: 5, idempotencyTtlSeconds: 86_400 };

function draft(n: number, ttlSeconds = 300): NotificationDraft {
  return { type: 'order.updated', payloadJson: JSON.stringify({ n }), createdAt: '2026-11-23T12:00:00.000Z', ttlSeconds };
}

async function eventually(predicate: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 3_000;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/**
 * The behaviour every Broker implementation owes the service, run against each one (the in-memory twin and Redis):
 * delivery to subscribers only, increasing ids, atomic idempotent commits, claims, and history replay.
 */
export function describeBrokerContract(name: string, factory: BrokerFactory): void {
  describe(`${name} (Broker contract)`, () => {
    const got: Array<[string, Delivery]> = [];
    let broker: Broker;
    let user = 0;
    const nextUser = (): string => `user-${process.pid}-${++user}`;
    const payloadsOf = (userId: string): unknown[] =>
      got.filter(([u]) => u === userId).map(([, d]) => (JSON.parse(d.data.toString()) as { payload: unknown }).payload);

    before(async () => {
      broker = await factory((userId, delivery) => got.push([userId, delivery]), SETTINGS);
    });
    after(() => broker.close());

    it('delivers to subscribed users only, in the contract\'s JSON, and says who was online', async () => {
      const [alice, bob] = [nextUser(), nextUser()];
      await broker.subscribe(alice);
      const online = await broker.commit(alice, draft(1));
      const offline = await broker.commit(bob, draft(2));
      assert.deepEqual([online.online, offline.online], [true, false]);
      await eventually(() => payloadsOf(alice).length === 1, 'the delivery');
      const [, delivery] = got.find(([u]) => u === alice)!;
      assert.equal(delivery.id, online.id);
      assert.deepEqual(JSON.parse(delivery.data.toString()), {
        id: online.id,
        type: 'order.updated',
        payload: { n: 1 },
        createdAt: '2026-11-23T12:00:00.000Z',
      });
      assert.deepEqual(payloadsOf(bob), []);
      broker.unsubscribe(alice);
      assert.equal((await broker.commit(alice, draft(3))).online, false);
    });

    it('mints ids that increase per user', async () => {
      const alice = nextUser();
      const ids = [];
      for (let i = 0; i < 20; i += 1) ids.push((await broker.commit(alice, draft(i))).id);
      for (let i = 1; i < ids.length; i += 1) assert.ok(compareNotificationIds(ids[i - 1]!, ids[i]!) < 0, `${ids[i - 1]} < ${ids[i]}`);
    });

    it('an idempotent commit repeated returns the first result and delivers once', async () => {
      const alice = nextUser();
      await broker.subscribe(alice);
      const claim = { scope: 'open', key: `k-${alice}`, hash: 'h1' };
      const first = await broker.commit(alice, draft(1), claim);
      const again = await broker.commit(alice, draft(1), claim);
      assert.deepEqual(again, first);
      await eventually(() => payloadsOf(alice).length >= 1, 'the delivery');
      await new Promise((resolve) => setTimeout(resolve, 50));
      assert.deepEqual(payloadsOf(alice), [{ n: 1 }]);
      broker.unsubscribe(alice);
    });

    it('claims are new once, then repeat for the same hash and conflict for another, per scope', async () => {
      const key = `claim-${nextUser()}`;
      assert.equal(await broker.claimIdempotency({ scope: 's1', key, hash: 'a' }), 'new');
      assert.equal(await broker.claimIdempotency({ scope: 's1', key, hash: 'a' }), 'repeat');
      assert.equal(await broker.claimIdempotency({ scope: 's1', key, hash: 'b' }), 'conflict');
      assert.equal(await broker.claimIdempotency({ scope: 's2', key, hash: 'b' }), 'new');
    });

    it('replays what came after an id, completely while the history reaches back', async () => {
      const alice = nextUser();
      const ids = [];
      for (let i = 0; i < 4; i += 1) ids.push((await broker.commit(alice, draft(i))).id);
      const replay = await broker.replay(alice, ids[1]!);
      assert.equal(replay.complete, true);
      assert.deepEqual(replay.deliveries.map((d) => d.id), ids.slice(2));
      assert.deepEqual(replay.deliveries.map((d) => (JSON.parse(d.data.toString()) as { payload: unknown }).payload), [{ n: 2 }, { n: 3 }]);
      const none = await broker.replay(alice, ids[3]!);
      assert.deepEqual([none.complete, none.deliveries.length], [true, 0]);
    });

    it('is incomplete once trimming passed the id, or when there is no history at all', async () => {
      const alice = nextUser();
      const ids = [];
      for (let i = 0; i < SETTINGS.maxLen + 3; i += 1) ids.push((await broker.commit(alice, draft(i))).id);
      const trimmed = await broker.replay(alice, ids[0]!);
      assert.equal(trimmed.complete, false);
      assert.deepEqual(trimmed.deliveries.map((d) => d.id), ids.slice(-SETTINGS.maxLen));
      const stillComplete = await broker.replay(alice, ids[2]!);
      assert.equal(stillComplete.complete, true, 'the newest trimmed id is exactly the one given');
      const nobody = await broker.replay(nextUser(), '1000-0');
      assert.deepEqual(nobody, { complete: false, deliveries: [] });
      const older = await broker.replay(alice, '1-0');
      assert.equal(older.complete, false, 'an id from before this history was born');
    });

    it('knows the newest id after the history expired: a quiet user\'s up-to-date reconnect is complete', async () => {
      const alice = nextUser();
      const { id } = await broker.commit(alice, draft(0, 1));
      await new Promise((resolve) => setTimeout(resolve, 1_200));
      const replay = await broker.replay(alice, id);
      assert.equal(replay.complete, true, 'nothing was committed after the id, so nothing was missed');
      assert.deepEqual(replay.deliveries, []);
      const older = await broker.replay(alice, '1-0');
      assert.equal(older.complete, false, 'something after 1-0 existed and is gone');
    });

    it('a history begun again after expiring reaches back exactly to the newest id before it; a short ttl never cuts a longer one', async () => {
      const alice = nextUser();
      const bob = nextUser();
      const older = await broker.commit(alice, draft(0, 1));
      const newest = await broker.commit(alice, draft(1, 1));
      const kept = await broker.commit(bob, draft(0, 300));
      await broker.commit(bob, draft(1, 1));
      await new Promise((resolve) => setTimeout(resolve, 1_200));
      const next = await broker.commit(alice, draft(2));
      const fromNewest = await broker.replay(alice, newest.id);
      assert.equal(fromNewest.complete, true, 'the new history was committed right after that id');
      assert.deepEqual(fromNewest.deliveries.map((d) => d.id), [next.id]);
      const fromOlder = await broker.replay(alice, older.id);
      assert.equal(fromOlder.complete, false, 'the notification after that id expired');
      assert.deepEqual(fromOlder.deliveries.map((d) => d.id), [next.id]);
      const bobs = await broker.replay(bob, '1-0');
      assert.deepEqual(bobs.deliveries.map((d) => d.id), [kept.id], 'the 1 s entry after it did not shorten the history');
    });

    it('reports the newest id, so a lastEventId from the future cannot hide real notifications', async () => {
      const alice = nextUser();
      const { id } = await broker.commit(alice, draft(0));
      const replay = await broker.replay(alice, '99999999999999-0');
      assert.equal(replay.complete, true);
      const [ms, seq] = id.split('-').map(Number);
      assert.deepEqual(replay.newest, { ms, seq });
    });

    it('does not replay notifications whose ttlSeconds ran out (0: live only)', async () => {
      const alice = nextUser();
      const first = await broker.commit(alice, draft(0));
      await broker.commit(alice, draft(1, 0));
      const third = await broker.commit(alice, draft(2));
      const replay = await broker.replay(alice, first.id);
      assert.deepEqual(replay.deliveries.map((d) => d.id), [third.id]);
      assert.equal(replay.complete, true);
    });

    it('content shared by several users is delivered live and replayed for each, in order with inline ones', async () => {
      const users = [nextUser(), nextUser(), nextUser()];
      await broker.subscribe(users[0]!);
      const big = { ...draft(0), payloadJson: JSON.stringify({ n: 'x'.repeat(4_096) }) };
      const drafts = new Map(users.map((u) => [u, big]));
      for (const share of broker.shareContent(big, users)) {
        const stored = await share.store();
        for (const u of share.userIds) drafts.set(u, stored);
      }
      const ids = [];
      for (const u of users) ids.push((await broker.commit(u, drafts.get(u)!)).id);
      const small = await broker.commit(users[0]!, draft(1));
      await eventually(() => payloadsOf(users[0]!).length === 2, 'both deliveries');
      assert.deepEqual(payloadsOf(users[0]!), [{ n: 'x'.repeat(4_096) }, { n: 1 }], 'the referenced one first, as committed');
      assert.equal(got.filter(([u]) => u === users[0])[0]![1].id, ids[0]);
      for (const [i, u] of users.entries()) {
        const replay = await broker.replay(u, '1-0');
        const mine = replay.deliveries.map((d) => JSON.parse(d.data.toString()) as { id: string; payload: unknown });
        assert.equal(mine[0]?.id, ids[i]);
        assert.deepEqual(mine[0]?.payload, { n: 'x'.repeat(4_096) });
      }
      assert.equal((await broker.replay(users[0]!, ids[0]!)).deliveries[0]?.id, small.id);
      broker.unsubscribe(users[0]!);
    });
  });
}
