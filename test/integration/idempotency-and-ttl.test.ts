import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { RedisProcess } from '../support/redis-process.js';
import { startService, type RunningService } from '../support/service.js';
import { connectModern } from '../support/rsocket-clients.js';
import { quietPeriod, waitFor } from '../support/wait-for.js';

for (const backend of ['in-process broker', 'Redis'] as const) {
  describe(`Idempotency-Key and ttlSeconds (${backend})`, () => {
    let service: RunningService;
    let user = 0;
    const nextUser = (): string => `u${++user}`;

    before(async () => {
      const env: Record<string, string> = { INITIATOR_API_KEYS: 'key-one,key-two' };
      if (backend === 'Redis') env.REDIS_URL = (await RedisProcess.start()).url;
      service = await startService(env);
    });
    const as = (apiKey: string, idempotencyKey?: string): Record<string, string> => ({
      authorization: `Bearer ${apiKey}`,
      ...(idempotencyKey === undefined ? {} : { 'idempotency-key': idempotencyKey }),
    });

    it('the same key twice delivers once and answers the same body', async () => {
      const [alice, bob] = [nextUser(), nextUser()];
      const clients = await Promise.all([connectModern(service.wsUrl, { userId: alice }), connectModern(service.wsUrl, { userId: bob })]);
      await Promise.all(clients.map((c) => c.session()));
      const body = { userIds: [alice, bob], type: 'once', payload: { n: 1 } };
      const first = await service.send(body, as('key-one', 'order-42'));
      const again = await service.send({ type: 'once', payload: { n: 1 }, userIds: [alice, bob] }, as('key-one', 'order-42'));
      assert.equal(first.status, 202);
      assert.equal(again.status, 202);
      assert.deepEqual(again.body, first.body);
      await waitFor(() => clients.every((c) => c.received.length === 1), 'one delivery each');
      await quietPeriod();
      assert.deepEqual(clients.map((c) => c.received.length), [1, 1]);
    });

    it('the same key with a different body is a 409, and keys are scoped per initiator key', async () => {
      const alice = nextUser();
      assert.equal((await service.send({ userId: alice, type: 'a', payload: 1 }, as('key-one', 'k-1'))).status, 202);
      const conflict = await service.send({ userId: alice, type: 'a', payload: 2 }, as('key-one', 'k-1'));
      assert.equal(conflict.status, 409);
      assert.equal(conflict.body.error?.code, 'idempotency_conflict');
      assert.match(conflict.body.error?.message ?? '', /k-1/);
      const otherInitiator = await service.send({ userId: alice, type: 'a', payload: 2 }, as('key-two', 'k-1'));
      assert.equal(otherInitiator.status, 202, 'another initiator\'s key space');
    });

    it('a malformed Idempotency-Key is a 400 naming the header', async () => {
      const bad = await service.send({ userId: nextUser(), type: 'a', payload: 1 }, as('key-one', 'x'.repeat(201)));
      assert.equal(bad.status, 400);
      assert.match(bad.body.error?.message ?? '', /Idempotency-Key/);
    });

    it('ttlSeconds decides what a reconnecting client recovers: 0 is live only, the default is kept', async () => {
      const alice = nextUser();
      const live = await connectModern(service.wsUrl, { userId: alice });
      await live.session();
      const first = await service.send({ userId: alice, type: 'kept', payload: 0 }, as('key-one'));
      await service.send({ userId: alice, type: 'live-only', payload: 1, ttlSeconds: 0 }, as('key-one'));
      await service.send({ userId: alice, type: 'short', payload: 2, ttlSeconds: 1 }, as('key-one'));
      await service.send({ userId: alice, type: 'kept', payload: 3 }, as('key-one'));
      await waitFor(() => live.received.length === 4, 'live delivery of all four, whatever their ttl');

      await new Promise((resolve) => setTimeout(resolve, 1_100));
      const returning = await connectModern(service.wsUrl, { userId: alice, streamData: { lastEventId: first.body.notifications[0]?.id } });
      await waitFor(() => returning.received.length === 1, 'the recovered notification');
      await quietPeriod();
      assert.deepEqual(returning.received.map((n) => n.payload), [3], 'only what is still recoverable, no marker');
    });
  });
}
