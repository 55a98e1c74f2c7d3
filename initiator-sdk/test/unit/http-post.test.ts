import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { describeNetworkError } from '../../src/http-post.js';
import { fullJitterDelay } from '../../src/full-jitter-delay.js';

describe('describeNetworkError', () => {
  it('names every attempt of a dual-stack connect failure', () => {
    const cause = new AggregateError([new Error('connect ECONNREFUSED ::1:80'), new Error('connect ECONNREFUSED 127.0.0.1:80')]);
    assert.equal(describeNetworkError(new TypeError('fetch failed', { cause })), 'connect ECONNREFUSED ::1:80; connect ECONNREFUSED 127.0.0.1:80');
  });

  it('falls back to the code of a cause without message, then to the error itself; names a timeout', () => {
    const cause = Object.assign(new Error(''), { code: 'ECONNRESET' });
    assert.equal(describeNetworkError(new TypeError('fetch failed', { cause })), 'ECONNRESET');
    assert.equal(describeNetworkError(new TypeError('fetch failed')), 'fetch failed');
    assert.equal(describeNetworkError(new DOMException('The operation was aborted due to timeout', 'TimeoutError'), 250), 'no answer within 250 ms');
  });
});

describe('fullJitterDelay', () => {
  it('draws from [0, min(max, base * 2^(retry-1)))', () => {
    assert.deepEqual([1, 2, 3, 4].map((retry) => fullJitterDelay(retry, 100, 500, () => 0.999)), [99, 199, 399, 499]);
    assert.equal(fullJitterDelay(30, 100, 500, () => 0), 0);
  });
});
