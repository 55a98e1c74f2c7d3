import assert from 'node:assert/strict';
import { describe, it, type TestContext } from 'node:test';
import { describeFetchError } from '../../src/post-notification.js';
import { sendNotifications } from '../../src/send-notifications.js';
import { SEND_DEFAULTS, type SendOptions } from '../../src/send-options.js';
import { formatOutcome } from '../../src/send-outcome.js';
import { exitCodeFor } from '../../src/send-summary.js';
import { accepted, closedPortUrl, rejected, startRecordingServer, type Responder } from '../support/recording-server.js';

function options(url: string, overrides: Partial<SendOptions> = {}): SendOptions {
  return { url, users: ['alice'], type: SEND_DEFAULTS.type, payload: SEND_DEFAULTS.payload, count: 1, ...overrides };
}

/** Runs `sendNotifications` against a recording server that holds each answer 5 ms, so overlaps would show. */
async function run(t: TestContext, respond: Responder, overrides: Partial<SendOptions> = {}) {
  const server = await startRecordingServer(respond, 5);
  t.after(() => server.close());
  const lines: string[] = [];
  const summary = await sendNotifications(options(server.url, overrides), (line) => lines.push(line));
  return { server, lines, summary };
}

describe('sendNotifications', () => {
  it('posts one notification for one user as userId, with only the JSON content type', async (t) => {
    const { server, lines, summary } = await run(t, (_req, i) => accepted(['alice'], i));
    assert.equal(server.requests.length, 1);
    const request = server.requests[0];
    assert.ok(request);
    assert.equal(request.method, 'POST');
    assert.equal(request.path, '/api/v1/notifications');
    assert.equal(request.headers['content-type'], 'application/json');
    assert.equal(request.headers['idempotency-key'], undefined);
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

  it('prints non-2xx answers, keeps going, and counts them as failed', async (t) => {
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

  it('prints a non-JSON body as a JSON string and an empty body as the status alone', async (t) => {
    const answers = [{ status: 502, text: 'Bad\nGateway' }, { status: 204 }];
    const { lines, summary } = await run(t, (_req, i) => answers[i] ?? { status: 500 }, { count: 2 });
    assert.deepEqual(lines, ['502 "Bad\\nGateway"', '204', 'sent 2, accepted 1, failed 1']);
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

describe('describeFetchError', () => {
  it('names every attempt of a dual-stack connect failure', () => {
    const cause = new AggregateError([
      new Error('connect ECONNREFUSED ::1:80'),
      new Error('connect ECONNREFUSED 127.0.0.1:80'),
    ]);
    const err = new TypeError('fetch failed', { cause });
    assert.equal(describeFetchError(err), 'connect ECONNREFUSED ::1:80; connect ECONNREFUSED 127.0.0.1:80');
  });

  it('falls back to the code of a cause without message, then to the error itself', () => {
    const cause = Object.assign(new Error(''), { code: 'ECONNRESET' });
    assert.equal(describeFetchError(new TypeError('fetch failed', { cause })), 'ECONNRESET');
    assert.equal(describeFetchError(new TypeError('fetch failed')), 'fetch failed');
  });

  it('formats an unreachable outcome as an error line', () => {
    const outcome = { kind: 'unreachable', error: 'getaddrinfo ENOTFOUND x' } as const;
    assert.equal(formatOutcome(outcome), 'error getaddrinfo ENOTFOUND x');
  });
});
