import assert from 'node:assert/strict';
import { describe, it, type TestContext } from 'node:test';
import { sendNotifications } from '../../src/send-notifications.js';
import { SEND_DEFAULTS, type SendOptions } from '../../src/send-options.js';
import { exitCodeFor } from '../../src/send-summary.js';
import { accepted, closedPortUrl, rejected, startRecordingServer, type Responder } from '../support/recording-server.js';

function options(url: string, overrides: Partial<SendOptions> = {}): SendOptions {
  return { urls: [url], users: ['alice'], type: SEND_DEFAULTS.type, payload: SEND_DEFAULTS.payload, count: 1, attempts: 1, ...overrides };
}

/** Runs `sendNotifications` against a recording server that holds each answer 5 ms, so overlaps would show. */
async function run(t: TestContext, respond: Responder, overrides: Partial<SendOptions> = {}) {
  const server = await startRecordingServer(respond, 5);
  t.after(() => server.close());
  const lines: string[] = [];
  const notes: string[] = [];
  const summary = await sendNotifications(options(server.url, overrides), (line) => lines.push(line), (line) => notes.push(line));
  return { server, lines, notes, summary };
}

describe('sendNotifications', () => {
  it('posts one notification for one user as userId, with the JSON content type and a random idempotency key', async (t) => {
    const { server, lines, summary } = await run(t, (_req, i) => accepted(['alice'], i));
    assert.equal(server.requests.length, 1);
    const request = server.requests[0];
    assert.ok(request);
    assert.equal(request.method, 'POST');
    assert.equal(request.path, '/api/v1/notifications');
    assert.equal(request.headers['content-type'], 'application/json');
    assert.match(String(request.headers['idempotency-key']), /^[0-9a-f-]{36}$/, 'a UUID per send, so a retry cannot deliver twice');
    assert.equal(request.headers.authorization, undefined);
    assert.deepEqual(JSON.parse(request.body), {
      userId: 'alice',
      type: 'demo.message',
      payload: { text: 'hello' },
    });
    assert.deepEqual(lines, [
      '202 {"notifications":[{"userId":"alice","id":"1732380000000-0","online":true}]}',
      'sent 1, accepted 1, failed 0',
    ]);
    assert.deepEqual([summary.sent, summary.accepted, summary.failed, summary.outcomes.length], [1, 1, 0, 1]);
    assert.equal(exitCodeFor(summary), 0);
  });

  it('posts several users as userIds with ttlSeconds, the bearer key and the unsuffixed idempotency key', async (t) => {
    const users = ['alice', 'bob'];
    const { server } = await run(t, (_req, i) => accepted(users, i), {
      users, key: 'once', apiKey: 's3cret', ttlSeconds: 60, type: 'order.updated', payload: [1],
    });
    const request = server.requests[0];
    assert.ok(request);
    assert.equal(request.headers['idempotency-key'], 'once');
    assert.equal(request.headers.authorization, 'Bearer s3cret');
    assert.deepEqual(JSON.parse(request.body), {
      userIds: ['alice', 'bob'], type: 'order.updated', payload: [1], ttlSeconds: 60,
    });
  });

  it('sends --count requests strictly one after another with <key>-<i> idempotency keys', async (t) => {
    const { server, lines, summary } = await run(t, (_req, i) => accepted(['alice'], i), { count: 3, key: 'batch' });
    assert.deepEqual(server.requests.map((r) => r.headers['idempotency-key']), ['batch-1', 'batch-2', 'batch-3']);
    assert.equal(server.maxInFlight, 1, 'a request was sent before the previous one was answered');
    assert.equal(new Set(server.requests.map((r) => r.body)).size, 1);
    assert.deepEqual(lines, [
      '202 {"notifications":[{"userId":"alice","id":"1732380000000-0","online":true}]}',
      '202 {"notifications":[{"userId":"alice","id":"1732380000000-1","online":true}]}',
      '202 {"notifications":[{"userId":"alice","id":"1732380000000-2","online":true}]}',
      'sent 3, accepted 3, failed 0',
    ]);
    assert.equal(exitCodeFor(summary), 0);
  });

  it('prints failed sends, keeps going, and counts them as failed', async (t) => {
    const answers = [
      accepted(['alice'], 0),
      rejected(400, 'invalid_body', 'type must be a string'),
      rejected(503, 'broker_unavailable', 'retry later'),
    ];
    const { lines, summary } = await run(t, (_req, i) => answers[i] ?? { status: 500 }, { count: 3 });
    assert.deepEqual(lines.slice(1), [
      '400 {"error":{"code":"invalid_body","message":"type must be a string"}}',
      '503 {"error":{"code":"broker_unavailable","message":"retry later"}}',
      'sent 3, accepted 1, failed 2',
    ]);
    assert.equal(exitCodeFor(summary), 1);
  });

  it('retries a 503 with the same key and reports each retry, but never a 400', async (t) => {
    const answers = [rejected(503, 'broker_unavailable', 'retry later'), accepted(['alice'], 1), rejected(400, 'invalid_body', 'bad')];
    const { server, lines, notes } = await run(t, (_req, i) => answers[i] ?? { status: 500 }, { count: 2, attempts: 3, key: 'k' });
    assert.deepEqual(server.requests.map((r) => r.headers['idempotency-key']), ['k-1', 'k-1', 'k-2']);
    assert.deepEqual(lines, [
      '202 {"notifications":[{"userId":"alice","id":"1732380000000-1","online":true}]}',
      '400 {"error":{"code":"invalid_body","message":"bad"}}',
      'sent 2, accepted 1, failed 1',
    ]);
    assert.equal(notes.length, 1);
    assert.match(notes[0] ?? '', /^retry 1\/2 in \d+ ms: 503 on http:\/\/127\.0\.0\.1:\d+\/api\/v1\/notifications, next http/);
  });

  it('prints the status alone for a failure without the contract\'s error body', async (t) => {
    const answers = [{ status: 502, text: 'Bad\nGateway' }, { status: 204 }];
    const { lines, summary } = await run(t, (_req, i) => answers[i] ?? { status: 500 }, { count: 2 });
    assert.deepEqual(lines, ['502', '204', 'sent 2, accepted 0, failed 2']);
    assert.equal(exitCodeFor(summary), 1);
  });

  it('keeps the path prefix of the base URL', async (t) => {
    const server = await startRecordingServer((_req, i) => accepted(['alice'], i));
    t.after(() => server.close());
    await sendNotifications(options(`${server.url}/notify/`), () => undefined);
    assert.equal(server.requests[0]?.path, '/notify/api/v1/notifications');
  });

  it('reports a refused connection as a failed request naming the error', async () => {
    const url = await closedPortUrl();
    const lines: string[] = [];
    const summary = await sendNotifications(options(url, { count: 2 }), (line) => lines.push(line));
    const expected = `error connect ECONNREFUSED ${new URL(url).host}`;
    assert.deepEqual(lines, [expected, expected, 'sent 2, accepted 0, failed 2']);
    assert.equal(exitCodeFor(summary), 1);
  });
});
