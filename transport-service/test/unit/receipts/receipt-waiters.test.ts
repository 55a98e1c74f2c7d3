import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { NotificationId } from '@notification-transport/contract';
import { waitFor } from '../../../../test/support/wait-for.js';
import { TooManyWaitersError } from '../../../src/errors/transport-error.js';
import { MemoryReceiptStore } from '../../../src/receipts/memory-receipt-store.js';
import { ReceiptWaiters } from '../../../src/receipts/receipt-waiters.js';
import type { ReceiptRecord } from '../../../src/receipts/receipt-store.js';

const ID = '1-0' as NotificationId;
const delivered = (record: ReceiptRecord): boolean => record.state !== 'pending';
/** Long enough that no test here ends by its timeout unless it says so. */
const AN_HOUR = 3_600_000;
/** A test that would wait AN_HOUR if an answer did not come at once fails after this instead. */
const PROMPTLY = { timeout: 5_000 };

/** The in-process store with one pending receipt for alice, counting its reads. */
function storeWithReceipt(): { store: MemoryReceiptStore; reads: () => number } {
  const store = new MemoryReceiptStore({ ttlSeconds: 60, webhook: false });
  store.created('alice', ID, { type: 't', payloadJson: '{}', createdAt: new Date(0).toISOString(), ttlSeconds: 60, receipt: { scope: 's' } }, true);
  let reads = 0;
  const get = store.get.bind(store);
  store.get = (userId, id) => {
    reads += 1;
    return get(userId, id);
  };
  return { store, reads: () => reads };
}

describe('ReceiptWaiters', () => {
  it('answers with the changed receipt it read, reading it once per wake', PROMPTLY, async () => {
    const { store, reads } = storeWithReceipt();
    const waiters = new ReceiptWaiters(store, 10);
    const answer = waiters.wait('alice', ID, delivered, AN_HOUR);
    await waitFor(() => reads() === 1, 'the read once listening began');
    assert.deepEqual(await store.confirm('alice', 'delivered', [ID]), [ID]);
    const record = await answer;
    assert.equal(record?.state, 'delivered');
    assert.equal(reads(), 2, 'one read after listening began, one on the change; none again to answer');
    assert.equal(waiters.size, 0);
  });

  it('answers with the current state at the timeout', async () => {
    const { store } = storeWithReceipt();
    const record = await new ReceiptWaiters(store, 10).wait('alice', ID, delivered, 1);
    assert.equal(record?.state, 'pending');
  });

  it('answers every waiter at finishAll, and every later query at once without waiting', PROMPTLY, async () => {
    const { store } = storeWithReceipt();
    const waiters = new ReceiptWaiters(store, 10);
    const early = waiters.wait('alice', ID, delivered, AN_HOUR);
    await waitFor(() => waiters.size === 1, 'one waiter');
    waiters.finishAll();
    assert.equal((await early)?.state, 'pending');
    // Registered after shutdown began: without the finished state this would hold for an hour.
    const late = await waiters.wait('alice', ID, delivered, AN_HOUR);
    assert.equal(late?.state, 'pending');
    assert.equal(waiters.size, 0);
    waiters.finishAll();
  });

  it('answers at once for a client already gone, and when the client goes', PROMPTLY, async () => {
    const { store } = storeWithReceipt();
    const waiters = new ReceiptWaiters(store, 10);
    const gone = new AbortController();
    gone.abort();
    assert.equal((await waiters.wait('alice', ID, delivered, AN_HOUR, gone.signal))?.state, 'pending');
    const leaving = new AbortController();
    const answer = waiters.wait('alice', ID, delivered, AN_HOUR, leaving.signal);
    await waitFor(() => waiters.size === 1, 'one waiter');
    leaving.abort();
    assert.equal((await answer)?.state, 'pending');
    assert.equal(waiters.size, 0);
  });

  it('refuses a waiter past the limit, and takes one again once a place is free', PROMPTLY, async () => {
    const { store } = storeWithReceipt();
    const waiters = new ReceiptWaiters(store, 1);
    const leaving = new AbortController();
    const first = waiters.wait('alice', ID, delivered, AN_HOUR, leaving.signal);
    await assert.rejects(waiters.wait('alice', ID, delivered, AN_HOUR), TooManyWaitersError);
    leaving.abort();
    await first;
    assert.equal((await waiters.wait('alice', ID, delivered, 1))?.state, 'pending');
  });
});
