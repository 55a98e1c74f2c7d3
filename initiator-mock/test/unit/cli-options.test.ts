import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseCliOptions, type CliCommand } from '../../src/cli-options.js';
import type { SendOptions } from '../../src/send-options.js';
import { ERR_USAGE, UsageError } from '../../src/usage-error.js';

function sendOptions(command: CliCommand): SendOptions {
  assert.equal(command.kind, 'send');
  return command.options;
}

describe('parseCliOptions', () => {
  it('fills every default from one --user', () => {
    assert.deepEqual(sendOptions(parseCliOptions(['--user', 'alice'])), {
      urls: ['http://127.0.0.1:8080/'],
      users: ['alice'],
      type: 'demo.message',
      payload: { text: 'hello' },
      count: 1,
      attempts: 5,
    });
  });

  it('reads every option', () => {
    const argv = [
      '--url', 'https://notify.example:8443/base',
      '--url', 'https://backup.example/',
      '--user', 'alice',
      '--type', 'order.updated',
      '--payload', '{"orderId":7,"tags":["a"]}',
      '--count', '3',
      '--key', 'order-7',
      '--api-key', 'k1',
      '--ttl', '0',
      '--attempts', '9',
    ];
    assert.deepEqual(sendOptions(parseCliOptions(argv)), {
      urls: ['https://notify.example:8443/base', 'https://backup.example/'],
      users: ['alice'],
      type: 'order.updated',
      payload: { orderId: 7, tags: ['a'] },
      count: 3,
      attempts: 9,
      key: 'order-7',
      apiKey: 'k1',
      ttlSeconds: 0,
    });
  });

  it('accepts --opt=value and any JSON value as payload', () => {
    const options = sendOptions(parseCliOptions(['--user=alice', '--payload=[1,null]', '--ttl=86400']));
    assert.deepEqual(options.payload, [1, null]);
    assert.equal(options.ttlSeconds, 86_400);
  });

  it('collects repeated and comma-separated users in order, trimming spaces', () => {
    const options = sendOptions(parseCliOptions(['--user', 'alice, bob', '--user', 'carol']));
    assert.deepEqual(options.users, ['alice', 'bob', 'carol']);
  });

  it('takes the API key from the defaults unless --api-key is given', () => {
    assert.equal(sendOptions(parseCliOptions(['--user', 'a'], { apiKey: 'from-env' })).apiKey, 'from-env');
    const overridden = parseCliOptions(['--user', 'a', '--api-key', 'flag'], { apiKey: 'from-env' });
    assert.equal(sendOptions(overridden).apiKey, 'flag');
  });

  it('allows a key whose suffixed form is exactly the contract maximum', () => {
    const key = 'k'.repeat(198);
    assert.equal(sendOptions(parseCliOptions(['--user', 'a', '--key', key, '--count', '9'])).key, key);
  });

  it('answers --help and -h with the help command, before any validation', () => {
    assert.deepEqual(parseCliOptions(['--help']), { kind: 'help' });
    assert.deepEqual(parseCliOptions(['-h', '--count', 'zero']), { kind: 'help' });
  });
});

describe('parseCliOptions usage errors', () => {
  it('throws UsageError carrying the stable code', () => {
    assert.throws(() => parseCliOptions([]), { name: 'UsageError', code: ERR_USAGE });
  });

  const cases: Array<[string, string[], RegExp]> = [
    ['no --user', [], /--user is required/],
    ['empty --user', ['--user', ''], /--user "" must not be empty/],
    ['empty id between commas', ['--user', 'a,,b'], /--user "" must not be empty/],
    ['id with braces', ['--user', 'a{b}'], /--user "a\{b\}" must not contain/],
    ['too many users', ['--user', Array.from({ length: 1001 }, (_, i) => `u${i}`).join(',')], /--user .*at most 1000/],
    ['relative --url', ['--user', 'a', '--url', 'localhost'], /--url must be an absolute URL/],
    ['non-http --url', ['--user', 'a', '--url', 'ftp://host'], /--url must use http or https/],
    ['missing --url value', ['--user', 'a', '--url'], /--url/],
    ['bad --type', ['--user', 'a', '--type', 'has space'], /--type "has space" must be/],
    ['reserved $ --type', ['--user', 'a', '--type', '$control'], /--type/],
    ['invalid JSON --payload', ['--user', 'a', '--payload', '{text:1}'], /--payload is not valid JSON/],
    ['empty --payload', ['--user', 'a', '--payload', ''], /--payload is not valid JSON/],
    ['zero --count', ['--user', 'a', '--count', '0'], /--count must be a whole number of at least 1, got "0"/],
    ['fractional --count', ['--user', 'a', '--count', '1.5'], /--count must be a whole number/],
    ['word --count', ['--user', 'a', '--count', 'ten'], /--count must be a whole number/],
    ['dash-looking --count', ['--user', 'a', '--count', '-1'], /--count/],
    ['--ttl above the maximum', ['--user', 'a', '--ttl', '86401'], /--ttl must be a whole number from 0 to 86400/],
    ['negative --ttl', ['--user', 'a', '--ttl=-1'], /--ttl must be a whole number/],
    ['empty --key', ['--user', 'a', '--key', ''], /--key must be printable/],
    ['non-ASCII --key', ['--user', 'a', '--key', 'clé'], /--key must be printable/],
    [
      '--key too long once suffixed',
      ['--user', 'a', '--key', 'k'.repeat(198), '--count', '10'],
      /--key .* longer than 200/,
    ],
    ['zero --attempts', ['--user', 'a', '--attempts', '0'], /--attempts must be a whole number from 1 to 100/],
    ['empty --api-key', ['--user', 'a', '--api-key', ''], /--api-key must not be empty/],
    ['unknown option', ['--user', 'a', '--bogus'], /--bogus/],
    ['positional argument', ['--user', 'a', 'extra'], /'extra'/],
  ];
  for (const [name, argv, message] of cases) {
    it(`rejects ${name}`, () => {
      assert.throws(
        () => parseCliOptions(argv),
        (err: unknown) => err instanceof UsageError && message.test(err.message),
      );
    });
  }
});
