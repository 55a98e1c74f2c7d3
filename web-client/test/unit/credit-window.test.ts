import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CreditWindow } from '../../src/credit-window.js';

/** Simulates a server that sends whenever it has credit, and returns the outstanding credit before each PAYLOAD. */
function simulate(size: number, payloads: number): number[] {
  const window = new CreditWindow(size);
  let credit = window.open();
  const before: number[] = [];
  for (let i = 0; i < payloads; i += 1) {
    before.push(credit);
    if (credit === 0) break;
    credit -= 1;
    credit += window.handled();
  }
  return before;
}

describe('CreditWindow', () => {
  it('grants the whole window first, then half of it each time half was handled', () => {
    const window = new CreditWindow(8);
    assert.equal(window.open(), 8);
    assert.deepEqual([1, 2, 3, 4].map(() => window.handled()), [0, 0, 0, 4]);
    assert.equal(window.remaining, 8);
    assert.deepEqual([1, 2, 3, 4].map(() => window.handled()), [0, 0, 0, 4]);
  });

  for (const size of [1, 2, 3, 8, 64, 1000]) {
    it(`window ${size}: never more than the window outstanding, never stalls`, () => {
      const before = simulate(size, 5_000);
      assert.equal(before.length, 5_000, 'the stream kept flowing');
      assert.ok(before.every((credit) => credit >= 1 && credit <= size), `outstanding within [1, ${size}]`);
    });
  }

  it('starts over on a new stream', () => {
    const window = new CreditWindow(4);
    window.open();
    window.handled();
    assert.equal(window.open(), 4);
    assert.equal(window.remaining, 4);
    assert.deepEqual([window.handled(), window.handled()], [0, 2]);
  });

  it('does not go negative when a server sends more than granted', () => {
    const window = new CreditWindow(2);
    window.open();
    for (let i = 0; i < 10; i += 1) assert.ok(window.handled() <= 2);
    assert.equal(window.remaining, 2);
  });

  it('refuses windows outside 1..2^31-1', () => {
    for (const size of [0, -1, 1.5, 2 ** 31, Number.NaN]) assert.throws(() => new CreditWindow(size), RangeError);
  });
});
