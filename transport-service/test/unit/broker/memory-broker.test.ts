import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MemoryBroker } from '../../../src/broker/memory-broker.js';
import { BrokerUnavailableError } from '../../../src/errors/transport-error.js';
import { describeBrokerContract } from '../../support/broker-contract.js';

describeBrokerContract('MemoryBroker', (listener, settings) => Promise.resolve(new MemoryBroker(listener, settings)));

describe('MemoryBroker', () => {
  const settings = { maxLen: 10, idempotencyTtlSeconds: 86_400 };
  const draft = { type: 't', payloadJson: '1', createdAt: '2026-11-23T12:00:00.000Z', ttlSeconds: 300 };

  it('mints increasing ids even when the clock stands still or steps back', async () => {
    let now = 0;
    const broker = new MemoryBroker(() => {}, settings, () => now);
    const ids = [];
    for (const time of [1000, 1000, 999, 1001, 2000]) {
      now = time;
      ids.push((await broker.commit('a', draft)).id);
    }
    await broker.close();
    assert.deepEqual(ids, ['1000-0', '1000-1', '1000-2', '1001-0', '2000-0']);
  });

  it('forgets a history once its last entry expired, and the newest id once the idempotency ttl passed', async () => {
    let now = 1_000_000;
    const broker = new MemoryBroker(() => {}, settings, () => now);
    const { id } = await broker.commit('a', { ...draft, ttlSeconds: 10 });
    now += 11_000;
    assert.deepEqual(await broker.replay('a', '999999-0'), { complete: false, deliveries: [], newest: { ms: 1_000_000, seq: 0 } });
    assert.deepEqual(await broker.replay('a', id), { complete: true, deliveries: [], newest: { ms: 1_000_000, seq: 0 } });
    now += 86_400_000;
    assert.deepEqual(await broker.replay('a', id), { complete: false, deliveries: [] });
    await broker.close();
  });

  it('keeps all histories within maxBytes: past it notifications are delivered live but not kept, and a replay says so', async () => {
    const got: string[] = [];
    const broker = new MemoryBroker((_userId, delivery) => got.push(delivery.id), { ...settings, maxBytes: 250 });
    await broker.subscribe('a');
    const ids = [];
    for (let i = 0; i < 4; i += 1) ids.push((await broker.commit('a', { ...draft, payloadJson: '"0123456789"' })).id);
    assert.deepEqual(got, ids, 'live delivery is unaffected');
    const replay = await broker.replay('a', ids[0]!);
    assert.equal(replay.complete, false, 'what was not kept is announced');
    assert.ok(replay.deliveries.length < 3, `only what fits was kept (${replay.deliveries.length})`);
    await broker.close();
  });

  it('refuses commits once closed', async () => {
    const broker = new MemoryBroker(() => {}, settings);
    await broker.close();
    assert.equal(broker.connected, false);
    await assert.rejects(broker.commit('a', draft), BrokerUnavailableError);
  });
});
