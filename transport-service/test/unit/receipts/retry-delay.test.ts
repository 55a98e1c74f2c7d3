import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { retryDelayMs } from '../../../src/receipts/retry-delay.js';
import { nextState } from '../../../src/receipts/receipt-transition.js';

describe('retryDelayMs', () => {
  it('doubles from 1 s up to the cap, jittered over the upper half', () => {
    assert.deepEqual([1, 2, 3, 4].map((attempt) => retryDelayMs(attempt, 300_000, () => 0.999_999)), [1_000, 2_000, 4_000, 8_000]);
    assert.deepEqual([1, 2, 3, 4].map((attempt) => retryDelayMs(attempt, 300_000, () => 0)), [500, 1_000, 2_000, 4_000]);
    assert.equal(retryDelayMs(40, 300_000, () => 0.999_999), 300_000);
    assert.equal(retryDelayMs(1_000, 2_000, () => 0), 1_000);
  });
});

describe('nextState', () => {
  const pending = { userId: 'u', id: '1-0', type: 't', createdAt: '2026-11-30T12:00:00.000Z', state: 'pending' as const, scope: 's' };
  it('moves forward only; read and expired are final', () => {
    const delivered = nextState(pending, 'delivered', 'T1');
    assert.deepEqual(delivered, { ...pending, state: 'delivered', deliveredAt: 'T1' });
    assert.deepEqual(nextState(delivered!, 'read', 'T2'), { ...pending, state: 'read', deliveredAt: 'T1', readAt: 'T2' });
    assert.deepEqual(nextState(pending, 'read', 'T3'), { ...pending, state: 'read', deliveredAt: 'T3', readAt: 'T3' });
    assert.equal(nextState(delivered!, 'delivered', 'T4'), undefined);
    assert.equal(nextState(delivered!, 'expired', 'T4'), undefined);
    const expired = nextState(pending, 'expired', 'T5');
    assert.equal(expired?.state, 'expired');
    assert.equal(nextState(expired!, 'read', 'T6'), undefined);
  });
});
