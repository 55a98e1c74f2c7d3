import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { describeConnectionError, describeRedisFailure } from '../../../src/errors/redis-failure.js';

const context = { where: 'redis://127.0.0.1:6379', commandTimeoutMs: 1_000 };

/** An error as the Redis client raises it: a message, and for socket errors a code. */
function clientError(message: string, extra: { code?: string; name?: string } = {}): Error {
  return Object.assign(new Error(message), extra);
}

describe('Redis failures in the product\'s words', () => {
  it('a command timeout names REDIS_COMMAND_TIMEOUT_MS and its value', () => {
    assert.deepEqual(describeRedisFailure(clientError('Command timed out'), context), {
      words: 'Redis at redis://127.0.0.1:6379 did not answer within REDIS_COMMAND_TIMEOUT_MS (1000 ms)',
      outage: true,
    });
  });

  it('a command refused while reconnecting says where Redis is and why the connection is down', () => {
    const refused = describeRedisFailure(clientError("Stream isn't writeable and enableOfflineQueue options is false"), {
      ...context,
      connectionProblem: describeConnectionError(clientError('connect ECONNREFUSED 127.0.0.1:6379', { code: 'ECONNREFUSED' })),
    });
    assert.deepEqual(refused, { words: 'Redis is unreachable at redis://127.0.0.1:6379: connection refused', outage: true });
    for (const message of [
      'Connection is closed.',
      "Cluster isn't ready and enableOfflineQueue options is false",
      'Reached the max retries per request limit (which is 0). Refer to "maxRetriesPerRequest" option for details.',
      'Failed to refresh slots cache.',
    ]) {
      assert.deepEqual(describeRedisFailure(clientError(message), context), { words: 'Redis is unreachable at redis://127.0.0.1:6379: not connected', outage: true }, message);
    }
  });

  it('socket errors and connection errors read as an operator says them', () => {
    assert.equal(describeConnectionError(clientError('connect ECONNREFUSED', { code: 'ECONNREFUSED' })), 'connection refused');
    assert.equal(describeConnectionError(clientError('read ECONNRESET', { code: 'ECONNRESET' })), 'connection reset');
    assert.equal(describeConnectionError(clientError('connect ETIMEDOUT')), 'connection attempt timed out');
    assert.equal(describeConnectionError(clientError('getaddrinfo ENOTFOUND redis', { code: 'ENOTFOUND' })), 'host name not found');
    assert.equal(describeConnectionError(clientError('NOAUTH Authentication required.', { name: 'ReplyError' })), 'Redis refused the credentials (NOAUTH)');
    assert.equal(describeConnectionError(clientError('weird', { code: 'EWEIRD' })), 'socket error EWEIRD');
    assert.equal(describeConnectionError(clientError('Command timed out')), 'connection lost');
    assert.deepEqual(describeRedisFailure(clientError('write ENOBUFS', { code: 'ENOBUFS' }), context), {
      words: 'Redis is unreachable at redis://127.0.0.1:6379: out of socket buffer space (ENOBUFS)',
      outage: true,
    });
  });

  it('error replies that mean Redis cannot serve now are outages; other replies keep Redis\'s own words', () => {
    const clusterDown = describeRedisFailure(clientError('CLUSTERDOWN The cluster is down', { name: 'ReplyError' }), context);
    assert.deepEqual(clusterDown, { words: 'the Redis Cluster is down (a master is unreachable or slots are uncovered) (redis://127.0.0.1:6379)', outage: true });
    assert.equal(describeRedisFailure(clientError('BUSY Redis is busy running a script.', { name: 'ReplyError' }), context).outage, true);
    const oom = describeRedisFailure(clientError("OOM command not allowed when used memory > 'maxmemory'.\nmore", { name: 'ReplyError' }), context);
    assert.deepEqual(oom, { words: "Redis at redis://127.0.0.1:6379 refused the command: OOM command not allowed when used memory > 'maxmemory'.", outage: false });
  });

  it('anything else is said without the client library\'s text', () => {
    const odd = describeRedisFailure(clientError('Invalid argument undefined'), context);
    assert.deepEqual(odd, { words: 'the Redis client failed unexpectedly (redis://127.0.0.1:6379); the failure was logged', outage: false });
  });
});
