import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isoClock } from '../../../src/notifications/iso-clock.js';

describe('isoClock', () => {
  it('reads exactly what Date#toISOString gives, across milliseconds, seconds, days and years', () => {
    const readings = [
      0, 1, 9, 10, 99, 100, 999, 1000, 1001, 59_999, 60_000, 86_399_999, 86_400_000, Date.UTC(2026, 10, 30, 23, 59, 59, 999),
      Date.UTC(2026, 11, 31, 23, 59, 59, 999), Date.UTC(2027, 0, 1), Date.UTC(2028, 1, 29, 12, 0, 0, 5), Date.UTC(9999, 11, 31, 23, 59, 59, 999),
      Date.UTC(10_000, 0, 1, 0, 0, 0, 7),
    ];
    for (let ms = 1_796_000_000_000; ms < 1_796_000_003_000; ms += 7) readings.push(ms);
    let now = 0;
    const clock = isoClock(() => now);
    for (const ms of readings) {
      now = ms;
      assert.equal(clock(), new Date(ms).toISOString(), `at ${ms}`);
    }
    // Back in time (a clock step, also within one second), before the epoch, and fractional readings: still exact.
    const steps = [Date.UTC(2030, 0, 1), Date.UTC(2020, 5, 6, 7, 8, 9, 10), Date.UTC(2020, 5, 6, 7, 8, 9, 11), Date.UTC(2020, 5, 6, 7, 8, 9, 10)];
    steps.push(-1, -999, -1000, -1001, Date.UTC(-1, 0, 1), 1000.5, 1999.999, -0.5, -1000.5, 1_796_000_000_123.7, 8.64e15, -8.64e15);
    for (const ms of steps) {
      now = ms;
      assert.equal(clock(), new Date(ms).toISOString(), `at ${ms}`);
    }
  });

  it('throws outside the Date range, as toISOString does', () => {
    for (const ms of [8.64e15 + 1, -8.64e15 - 1, Number.NaN, Number.POSITIVE_INFINITY]) {
      assert.throws(() => isoClock(() => ms)(), RangeError, String(ms));
    }
  });

  it('reads the real clock by default', () => {
    const before = Date.now();
    const reading = Date.parse(isoClock()());
    assert.ok(reading >= before && reading <= Date.now(), `${reading} within [${before}, now]`);
  });
});
