import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { quietPeriod, waitFor } from '../../../../test/support/wait-for.js';
import { type Confirmation, HeldConfirmations } from '../../../src/receipts/held-confirmations.js';

/** A store that refuses while `down` and records what it took. */
function flakyStore(): { down: boolean; taken: Confirmation[]; tries: number; apply: (c: Confirmation) => Promise<void> } {
  const store = {
    down: true,
    taken: [] as Confirmation[],
    tries: 0,
    apply(confirmation: Confirmation): Promise<void> {
      store.tries += 1;
      if (store.down) return Promise.reject(new Error('Redis did not answer'));
      store.taken.push(confirmation);
      return Promise.resolve();
    },
  };
  return store;
}

describe('HeldConfirmations', () => {
  it('tries again while the store refuses, then lands every held confirmation once, oldest first', async () => {
    const store = flakyStore();
    let dropped = 0;
    const held = new HeldConfirmations({ apply: store.apply, maxIds: 10, delayMs: () => 1, dropped: (count) => (dropped += count) });
    assert.equal(held.hold({ userId: 'alice', state: 'delivered', ids: ['1-0', '2-0'] }), true);
    assert.equal(held.hold({ userId: 'alice', state: 'read', ids: ['1-0'] }), true);
    assert.equal(held.size, 3);
    await waitFor(() => store.tries >= 3, 'a few refused tries');
    assert.deepEqual(store.taken, []);
    store.down = false;
    await waitFor(() => held.size === 0, 'every held confirmation landed');
    assert.deepEqual(store.taken, [
      { userId: 'alice', state: 'delivered', ids: ['1-0', '2-0'] },
      { userId: 'alice', state: 'read', ids: ['1-0'] },
    ]);
    assert.equal(dropped, 0);
    held.close();
  });

  it('drops (and counts) a confirmation past the bound, keeps the rest', async () => {
    const store = flakyStore();
    let dropped = 0;
    const held = new HeldConfirmations({ apply: store.apply, maxIds: 3, delayMs: () => 1, dropped: (count) => (dropped += count) });
    assert.equal(held.hold({ userId: 'bob', state: 'delivered', ids: ['1-0', '2-0', '3-0'] }), true);
    assert.equal(held.hold({ userId: 'bob', state: 'delivered', ids: ['4-0'] }), false);
    assert.equal(dropped, 1);
    store.down = false;
    await waitFor(() => held.size === 0, 'the held confirmation landed');
    assert.deepEqual(store.taken.map((c) => c.ids), [['1-0', '2-0', '3-0']]);
    held.close();
  });

  it('close drops what is held, counts it, and tries no more', async () => {
    const store = flakyStore();
    let dropped = 0;
    const held = new HeldConfirmations({ apply: store.apply, maxIds: 10, delayMs: () => 1, dropped: (count) => (dropped += count) });
    held.hold({ userId: 'carol', state: 'read', ids: ['1-0', '2-0'] });
    await waitFor(() => store.tries >= 1, 'one refused try');
    held.close();
    held.close();
    assert.equal(dropped, 2);
    assert.equal(held.size, 0);
    const tries = store.tries;
    store.down = false;
    assert.equal(held.hold({ userId: 'carol', state: 'read', ids: ['3-0'] }), false);
    assert.equal(dropped, 3);
    await quietPeriod(50);
    assert.equal(store.tries, tries);
    assert.deepEqual(store.taken, []);
  });
});
