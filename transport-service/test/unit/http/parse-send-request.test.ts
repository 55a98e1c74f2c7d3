import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { InvalidBodyError } from '../../../src/errors/transport-error.js';
import { parseSendRequest } from '../../../src/http/parse-send-request.js';

describe('parseSendRequest', () => {
  it('turns userId into a list of one and leaves the ttl to the configured default', () => {
    assert.deepEqual(parseSendRequest({ userId: 'alice', type: 'order.updated', payload: { a: 1 } }), {
      userIds: ['alice'],
      type: 'order.updated',
      payloadJson: '{"a":1}',
      ttlSeconds: undefined,
    });
  });

  it('serializes every JSON payload once, null and scalars included', () => {
    for (const payload of [null, 0, false, '', 'text', [], [1, { b: null }], { nested: { deep: ['x'] } }]) {
      const request = parseSendRequest({ userId: 'a', type: 't', payload });
      assert.equal(request.payloadJson, JSON.stringify(payload));
    }
  });

  it('asks for a receipt only with receipt: true', () => {
    assert.equal(parseSendRequest({ userId: 'a', type: 't', payload: 1, receipt: true }).receipt, true);
    assert.equal('receipt' in parseSendRequest({ userId: 'a', type: 't', payload: 1, receipt: false }), false);
    assert.throws(() => parseSendRequest({ userId: 'a', type: 't', payload: 1, receipt: 'yes' }), { name: 'InvalidBodyError', message: /receipt must be true or false/ });
  });

  it('keeps the first-seen order of distinct userIds', () => {
    const request = parseSendRequest({ userIds: ['b', 'a', 'b', 'c', 'a'], type: 't', payload: 1, ttlSeconds: 0 });
    assert.deepEqual(request.userIds, ['b', 'a', 'c']);
    assert.equal(request.ttlSeconds, 0);
  });

  it('throws InvalidBodyError naming the field', () => {
    assert.throws(() => parseSendRequest({ userIds: ['a', 'b', 'c', ''], type: 't', payload: 1 }), {
      name: 'InvalidBodyError',
      message: 'userIds[3] must not be empty',
    });
    assert.throws(() => parseSendRequest({ userId: 'a', type: 't', payload: 1, ttlSeconds: 86_401 }), (err: unknown) => {
      return err instanceof InvalidBodyError && err.status === 400 && err.message.startsWith('ttlSeconds must be an integer from 0 to 86400');
    });
    assert.throws(() => parseSendRequest({ userId: 'a', type: 't', payload: 1, foo: 1 }), { message: /^unknown field "foo"/ });
  });

  it('lists at most five unknown fields', () => {
    const body = { userId: 'a', type: 't', payload: 1, f1: 1, f2: 2, f3: 3, f4: 4, f5: 5, f6: 6, f7: 7 };
    assert.throws(() => parseSendRequest(body), { message: /^unknown fields "f1", "f2", "f3", "f4", "f5" and 2 more;/ });
  });
});
