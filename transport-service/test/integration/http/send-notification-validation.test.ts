import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { assertRestError } from '../../support/rest-assertions.js';
import { postNotification, startTestServer, type TestServer } from '../../support/http-test-server.js';

interface BadInput {
  name: string;
  /** Sent verbatim, or JSON-encoded when not a string. */
  body: unknown;
  code: 'invalid_json' | 'invalid_body';
  message: RegExp;
}

const base = { userId: 'alice', type: 'order.updated', payload: { orderId: 7 } };
const without = (field: keyof typeof base): Record<string, unknown> => {
  const copy: Record<string, unknown> = { ...base };
  delete copy[field];
  return copy;
};
const ids = (count: number): string[] => Array.from({ length: count }, (_, i) => `user-${i}`);
const schema = (name: string, body: unknown, message: RegExp): BadInput => ({ name, body, code: 'invalid_body', message });

const CASES: BadInput[] = [
  { name: 'malformed JSON', body: '{"userId": "alice",', code: 'invalid_json', message: /not valid JSON: .+/ },
  { name: 'trailing garbage', body: '{"userId":"a","type":"t","payload":1} x', code: 'invalid_json', message: /not valid JSON/ },
  { name: 'empty body', body: '', code: 'invalid_json', message: /body is empty/ },
  schema('array body', '[]', /body must be a JSON object, got an array/),
  schema('string body', '"alice"', /body must be a JSON object, got a string/),
  schema('null body', 'null', /body must be a JSON object, got null/),
  schema('number body', '42', /body must be a JSON object, got 42/),
  schema('userId a number', { ...base, userId: 42 }, /^userId must be a string/),
  schema('userId null', { ...base, userId: null }, /^userId must be a string/),
  schema('userId an array', { ...base, userId: ['alice'] }, /^userId must be a string/),
  schema('userIds a string', { ...without('userId'), userIds: 'alice' }, /^userIds must be an array of user ids, got a string/),
  schema('userIds an object', { ...without('userId'), userIds: { a: 1 } }, /^userIds must be an array/),
  schema('userIds with a number', { ...without('userId'), userIds: ['a', 1] }, /^userIds\[1\] must be a string/),
  // JSON escapes can carry a lone surrogate, which has no UTF-8 form (it would share Redis keys with U+FFFD).
  schema('userId with a lone surrogate', '{"userId":"alice\\ud800","type":"t","payload":1}', /^userId must be well-formed Unicode/),
  schema('userIds with a lone surrogate', { ...without('userId'), userIds: ['a', 'b\udc00'] }, /^userIds\[1\] must be well-formed Unicode/),
  schema('type a number', { ...base, type: 5 }, /^type must be a string/),
  schema('type null', { ...base, type: null }, /^type must be a string/),
  schema('ttlSeconds a string', { ...base, ttlSeconds: '60' }, /^ttlSeconds must be an integer from 0 to 86400, got a string/),
  schema('ttlSeconds null', { ...base, ttlSeconds: null }, /^ttlSeconds must be an integer from 0 to 86400/),
  schema('ttlSeconds a boolean', { ...base, ttlSeconds: true }, /^ttlSeconds must be an integer from 0 to 86400, got true/),
  schema('ttlSeconds not an integer', { ...base, ttlSeconds: 1.5 }, /^ttlSeconds must be an integer from 0 to 86400, got 1\.5/),
  schema('ttlSeconds negative', { ...base, ttlSeconds: -1 }, /^ttlSeconds must be an integer from 0 to 86400, got -1/),
  schema('ttlSeconds too large', { ...base, ttlSeconds: 86_401 }, /^ttlSeconds must be an integer from 0 to 86400, got 86401/),
  schema('missing type', without('type'), /^type is required/),
  schema('missing payload', without('payload'), /^payload is required/),
  schema('missing user', without('userId'), /^userId or userIds is required/),
  schema('unknown field', { ...base, foo: 1 }, /^unknown field "foo"/),
  schema('unknown fields', { ...base, foo: 1, bar: 2 }, /^unknown fields "foo", "bar"/),
  schema('__proto__ field', '{"userId":"a","type":"t","payload":1,"__proto__":{}}', /^unknown field "__proto__"/),
  schema('both userId and userIds', { ...base, userIds: ['bob'] }, /userId and userIds must not both be given/),
  schema('userId null next to userIds', { ...base, userId: null, userIds: ['bob'] }, /userId and userIds/),
  schema('empty userIds', { ...without('userId'), userIds: [] }, /^userIds must hold 1 to 1000 user ids, got 0/),
  schema('1,001 userIds', { ...without('userId'), userIds: ids(1001) }, /^userIds must hold 1 to 1000 user ids, got 1001/),
  schema('empty userId', { ...base, userId: '' }, /^userId must not be empty/),
  schema('129-character userId', { ...base, userId: 'u'.repeat(129) }, /^userId must be at most 128 characters/),
  schema('userId with a control character', { ...base, userId: 'al\u0001ice' }, /^userId must not contain control characters/),
  schema('userId with DEL', { ...base, userId: 'al\u007fice' }, /^userId must not contain control characters/),
  schema('userId with "{"', { ...base, userId: 'al{ice' }, /^userId must not contain .*"\{"/),
  schema('userId with "}"', { ...base, userId: 'alice}' }, /^userId must not contain .*"\}"/),
  schema('empty entry in userIds', { ...without('userId'), userIds: ['a', 'b', 'c', ''] }, /^userIds\[3\] must not be empty/),
  schema('braced entry in userIds', { ...without('userId'), userIds: ['{a}'] }, /^userIds\[0\] must not contain/),
  schema('type with a space', { ...base, type: 'order updated' }, /^type must be 1-128 characters from \[A-Za-z0-9\._:-\]/),
  schema('type with a slash', { ...base, type: 'order/updated' }, /^type must be 1-128 characters/),
  schema('empty type', { ...base, type: '' }, /^type must be 1-128 characters/),
  schema('129-character type', { ...base, type: 't'.repeat(129) }, /^type must be 1-128 characters/),
  schema('reserved $ type', { ...base, type: '$recovery.incomplete' }, /^type must not start with "\$" \(reserved/),
  schema('reserved bare $', { ...base, type: '$' }, /^type must not start with "\$"/),
];

describe('POST /api/v1/notifications refuses bad bodies with 400', () => {
  let server: TestServer;
  before(async () => (server = await startTestServer()));
  after(() => server.close());

  for (const input of CASES) {
    it(input.name, async () => {
      const body = typeof input.body === 'string' ? input.body : JSON.stringify(input.body);
      const res = await postNotification(server, body);
      assert.ok(res.status < 500, `5xx for bad input: ${res.status}`);
      await assertRestError(res, 400, input.code, input.message);
      assert.equal(server.deliveries.length, 0);
    });
  }

  it('commits nothing for any refused body', async () => {
    await server.broker.subscribe('alice');
    for (const input of CASES.slice(0, 5)) {
      const body = typeof input.body === 'string' ? input.body : JSON.stringify(input.body);
      assert.equal((await postNotification(server, body)).status, 400);
    }
    assert.equal(server.deliveries.length, 0);
    assert.equal((await postNotification(server, JSON.stringify(base))).status, 202);
    assert.equal(server.deliveries.length, 1);
  });
});
