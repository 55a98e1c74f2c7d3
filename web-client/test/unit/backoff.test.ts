import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { backoffDelay } from '../../src/backoff.js';
import { ReconnectScheduler } from '../../src/reconnect-scheduler.js';
import { FakeClock } from '../support/fake-clock.js';

const settings = { baseMs: 1_000, maxMs: 30_000 };

describe('backoffDelay (full jitter)', () => {
  it('stays in [0, min(max, base * 2^attempt)) for any random value', () => {
    for (let attempt = 0; attempt <= 60; attempt += 1) {
      const ceiling = Math.min(settings.maxMs, settings.baseMs * 2 ** attempt);
      for (const r of [0, 0.25, 0.5, 0.999999, 1, -1, 2]) {
        const delay = backoffDelay(attempt, settings, () => r);
        assert.ok(delay >= 0 && delay < ceiling, `attempt ${attempt}, random ${r}: ${delay} not in [0, ${ceiling})`);
        assert.ok(Number.isInteger(delay));
      }
    }
  });

  it('doubles the window per attempt up to the cap', () => {
    const top = (attempt: number): number => backoffDelay(attempt, settings, () => 0.99999);
    assert.deepEqual([0, 1, 2, 3, 4, 5, 6].map(top), [999, 1999, 3999, 7999, 15999, 29999, 29999]);
  });

  it('spreads clients dropped together (jitter) instead of giving them one delay', () => {
    let seed = 7;
    const random = (): number => ((seed = (seed * 16807) % 2147483647) - 1) / 2147483646;
    const delays = Array.from({ length: 1000 }, () => backoffDelay(0, settings, random));
    const buckets = new Set(delays.map((d) => Math.floor(d / 100)));
    assert.equal(buckets.size, 10, 'every 100 ms slice of the first second is used');
  });
});

describe('ReconnectScheduler', () => {
  it('counts failures, resets after success and runs a pending attempt on demand', () => {
    const clock = new FakeClock();
    const scheduler = new ReconnectScheduler(settings, clock, () => 0.99999);
    let runs = 0;
    const run = (): void => {
      runs += 1;
    };
    assert.deepEqual(scheduler.schedule(run), { attempt: 1, delayMs: 999 });
    clock.advance(999);
    assert.deepEqual(scheduler.schedule(run), { attempt: 2, delayMs: 1999 });
    assert.equal(scheduler.runNow(), true);
    assert.equal(runs, 2);
    assert.deepEqual(clock.pendingDelays(), [], 'running now cancels the timer');
    scheduler.reset();
    assert.deepEqual(scheduler.schedule(run, true), { attempt: 1, delayMs: 0 });
    scheduler.cancel();
    clock.advance(60_000);
    assert.equal(runs, 2, 'a cancelled attempt never runs');
    assert.equal(scheduler.runNow(), false);
  });
});
