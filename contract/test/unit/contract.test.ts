import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  compareNotificationIds,
  formatReason,
  parseNotificationId,
  parseReason,
  reconnectAdvice,
  REASONS,
  typeProblem,
  userIdProblem,
} from '@notification-transport/contract';

describe('identifiers', () => {
  it('accepts user ids of 1-128 characters without control characters or braces', () => {
    assert.equal(userIdProblem('alice'), undefined);
    assert.equal(userIdProblem('ü'.repeat(128)), undefined);
    assert.match(userIdProblem('') ?? '', /empty/);
    assert.match(userIdProblem('a'.repeat(129)) ?? '', /128/);
    assert.match(userIdProblem('a\nb') ?? '', /control/);
    assert.match(userIdProblem('a\u0085b') ?? '', /control/);
    assert.match(userIdProblem('{alice}') ?? '', /"\{"/);
    assert.match(userIdProblem(5) ?? '', /string/);
  });

  it('refuses user ids with a lone UTF-16 surrogate, which would share Redis keys with U+FFFD', () => {
    for (const lone of ['a\ud800', '\udc00b', 'a\ud800b', 'a\udc00\ud800', '\ud83d']) {
      assert.match(userIdProblem(lone) ?? '', /well-formed Unicode/, JSON.stringify(lone));
    }
    for (const whole of ['a\ufffd', 'emoji \ud83c\udf89', '\ud83d\ude00\ud83d\ude00']) assert.equal(userIdProblem(whole), undefined, whole);
  });

  it('accepts types from [A-Za-z0-9._:-] up to 128 characters', () => {
    assert.equal(typeProblem('order.updated:v2_x-y'), undefined);
    assert.notEqual(typeProblem(''), undefined);
    assert.notEqual(typeProblem('a'.repeat(129)), undefined);
    assert.notEqual(typeProblem('has space'), undefined);
    assert.notEqual(typeProblem('$recovery.incomplete'), undefined);
  });
});

describe('notification ids', () => {
  it('parse only the <ms>-<seq> shape', () => {
    assert.deepEqual(parseNotificationId('1732380000000-12'), [1732380000000, 12]);
    for (const bad of ['', '1', '1-', '-1', '1-2-3', 'a-1', '1 -2', '1234567890123456-0']) {
      assert.equal(parseNotificationId(bad), undefined, bad);
    }
  });

  it('compare numerically, not as strings', () => {
    assert.ok(compareNotificationIds('9-0', '10-0') < 0);
    assert.ok(compareNotificationIds('10-2', '10-10') < 0);
    assert.equal(compareNotificationIds('5-5', '5-5'), 0);
    assert.ok(compareNotificationIds('11-0', '10-99') > 0);
  });
});

describe('reasons', () => {
  it('round-trip through the ERROR message format', () => {
    for (const reason of REASONS) assert.equal(parseReason(formatReason(reason, 'do something')), reason);
    assert.equal(parseReason('[nope] x'), undefined);
    assert.equal(parseReason('no token'), undefined);
  });

  it('advise reconnecting exactly as the contract says', () => {
    assert.deepEqual(
      REASONS.filter((reason) => reconnectAdvice(reason) === 'reconnect'),
      ['slow-consumer', 'draining', 'internal'],
    );
    assert.equal(reconnectAdvice('token-expired'), 'refresh-token');
    for (const reason of ['auth', 'connection-limit', 'replaced', 'invalid-setup', 'bounds', 'too-large', 'invalid-request'] as const) {
      assert.equal(reconnectAdvice(reason), 'stay-down', reason);
    }
    assert.equal(reconnectAdvice(undefined), 'stay-down');
  });
});
