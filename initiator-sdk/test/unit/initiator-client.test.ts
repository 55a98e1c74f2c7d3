import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { InitiatorClient, type InitiatorOptions, type RetryInfo } from '../../src/index.js';
import type { HttpGetRequest } from '../../src/http-get.js';
import type { HttpAnswer, HttpRequest } from '../../src/http-post.js';
import { ReceiptError } from '../../src/receipt-error.js';
import { SendError } from '../../src/send-error.js';

const ACCEPTED = JSON.stringify({ notifications: [{ userId: 'alice', id: '1700000000000-0', online: true }] });
const unavailable: HttpAnswer = { status: 503, body: JSON.stringify({ error: { code: 'broker_unavailable', message: 'broker down, retry' } }) };
const refused = new TypeError('fetch failed', { cause: Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' }) });

/** A client whose requests are answered in turn by `answers` (an Error rejects like a network error), waiting no time. */
function scripted(answers: Array<HttpAnswer | Error>, options: Partial<InitiatorOptions> = {}) {
  const requests: HttpRequest[] = [];
  const retries: RetryInfo[] = [];
  const delays: number[] = [];
  const client = new InitiatorClient({
    baseUrl: 'http://a.test',
    random: () => 0.5,
    sleep: (ms) => {
      delays.push(ms);
      return Promise.resolve();
    },
    onRetry: (retry) => retries.push(retry),
    post: (request) => {
      requests.push(request);
      const answer = answers[requests.length - 1] ?? { status: 500, body: '' };
      return answer instanceof Error ? Promise.reject(answer) : Promise.resolve(answer);
    },
    ...options,
  });
  return { client, requests, retries, delays };
}

async function failure(promise: Promise<unknown>): Promise<SendError> {
  const error = await promise.then(() => undefined, (caught: unknown) => caught);
  assert.ok(error instanceof SendError, `expected a SendError, got ${String(error)}`);
  return error;
}

describe('InitiatorClient.send', () => {
  it('posts the notification as JSON with a fresh UUID Idempotency-Key and the bearer key, and returns the 202 body', async () => {
    const { client, requests } = scripted([{ status: 202, body: ACCEPTED }], { apiKey: 's3cret' });
    const body = await client.send({ userId: 'alice', type: 'order.updated', payload: { orderId: 42 }, ttlSeconds: 60 });
    assert.deepEqual(body, JSON.parse(ACCEPTED));
    const [request] = requests;
    assert.equal(request?.url, 'http://a.test/api/v1/notifications');
    assert.deepEqual(JSON.parse(request?.body ?? ''), { userId: 'alice', type: 'order.updated', payload: { orderId: 42 }, ttlSeconds: 60 });
    assert.equal(request?.headers['content-type'], 'application/json');
    assert.equal(request?.headers.authorization, 'Bearer s3cret');
    assert.match(request?.headers['idempotency-key'] ?? '', /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    await client.send({ userId: 'alice', type: 't', payload: 1 }).catch(() => undefined);
    assert.notEqual(requests[1]?.headers['idempotency-key'], request?.headers['idempotency-key'], 'each send has its own key');
  });

  it('retries 5xx answers and network errors with the same key and full-jitter delays until accepted', async () => {
    const { client, requests, retries, delays } = scripted([unavailable, refused, { status: 502, body: 'Bad Gateway' }, { status: 202, body: ACCEPTED }], {
      backoff: { baseMs: 100, maxMs: 300 },
    });
    await client.send({ userId: 'alice', type: 't', payload: 1 }, { idempotencyKey: 'order-42' });
    assert.deepEqual(requests.map((r) => r.headers['idempotency-key']), ['order-42', 'order-42', 'order-42', 'order-42']);
    assert.deepEqual(new Set(requests.map((r) => r.body)).size, 1, 'every attempt carries the same body');
    assert.deepEqual(delays, [50, 100, 150], 'random 0.5 of windows 100, 200, then the 300 cap');
    assert.deepEqual(retries.map((r) => [r.attempt, r.status, r.error]), [
      [1, 503, undefined],
      [2, undefined, 'connect ECONNREFUSED 127.0.0.1:1'],
      [3, 502, undefined],
    ]);
  });

  it('never retries a 4xx: one attempt, and the error names the status and the service\'s code and message', async () => {
    const invalid: HttpAnswer = { status: 400, body: JSON.stringify({ error: { code: 'invalid_body', message: 'type must be 1-128 characters' } }) };
    const { client, requests, retries } = scripted([invalid, { status: 202, body: ACCEPTED }]);
    const error = await failure(client.send({ userId: 'alice', type: 'bad type', payload: 1 }));
    assert.equal(requests.length, 1);
    assert.deepEqual(retries, []);
    assert.deepEqual([error.problem, error.status, error.serviceError?.code, error.code], ['rejected', 400, 'invalid_body', 'NT_ERR_SEND']);
    assert.match(error.message, /refused the notification .*400 invalid_body: type must be 1-128 characters \(a 4xx is never retried/);
    for (const status of [401, 404, 409, 413, 415]) {
      const { client: other, requests: sent } = scripted([{ status, body: '' }]);
      assert.equal((await failure(other.send({ userId: 'a', type: 't', payload: 1 }))).problem, 'rejected');
      assert.equal(sent.length, 1, `${status} is not retried`);
    }
  });

  it('moves to the next base URL on each failure and starts the next send where the last one succeeded', async () => {
    const { client, requests, retries } = scripted([refused, { status: 202, body: ACCEPTED }, { status: 202, body: ACCEPTED }], {
      baseUrl: ['http://a.test/', 'http://b.test/prefix/'],
    });
    await client.send({ userId: 'alice', type: 't', payload: 1 });
    await client.send({ userId: 'alice', type: 't', payload: 2 });
    assert.deepEqual(requests.map((r) => r.url), [
      'http://a.test/api/v1/notifications',
      'http://b.test/prefix/api/v1/notifications',
      'http://b.test/prefix/api/v1/notifications',
    ]);
    assert.equal(retries[0]?.nextUrl, 'http://b.test/prefix/api/v1/notifications');
  });

  it('gives up after maxAttempts with the last failure: unavailable after 5xx, unreachable after no answer', async () => {
    const busy = await failure(scripted([unavailable, unavailable, unavailable], { maxAttempts: 3 }).client.send({ userId: 'a', type: 't', payload: 1 }, { idempotencyKey: 'k' }));
    assert.deepEqual([busy.problem, busy.status, busy.serviceError?.code, busy.attempts.length, busy.idempotencyKey], ['unavailable', 503, 'broker_unavailable', 3, 'k']);
    assert.match(busy.message, /stayed unavailable after 3 attempts .*last: 503 broker_unavailable: broker down, retry\. Sending again later with Idempotency-Key "k" delivers at most once/);
    const down = await failure(scripted([unavailable, refused], { maxAttempts: 2 }).client.send({ userId: 'a', type: 't', payload: 1 }));
    assert.deepEqual([down.problem, down.status, down.attempts.at(-1)?.error], ['unreachable', undefined, 'connect ECONNREFUSED 127.0.0.1:1']);
  });

  it('reports an answer that is not the contract\'s as unexpected, without retrying', async () => {
    const { client, requests } = scripted([{ status: 200, body: '<html>login</html>' }]);
    const error = await failure(client.send({ userId: 'a', type: 't', payload: 1 }));
    assert.deepEqual([error.problem, error.status, requests.length], ['unexpected-response', 200, 1]);
    assert.match(error.message, /200 <html>login<\/html> \(expected 202/);
  });

  it('sends nothing for a payload that is not JSON or a key the header cannot carry', async () => {
    const { client, requests } = scripted([]);
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    assert.equal((await failure(client.send({ userId: 'a', type: 't', payload: cyclic }))).problem, 'invalid-notification');
    assert.equal((await failure(client.send({ userId: 'a', type: 't', payload: 1n }))).problem, 'invalid-notification');
    const key = await failure(client.send({ userId: 'a', type: 't', payload: 1 }, { idempotencyKey: 'line\nbreak' }));
    assert.match(key.message, /idempotencyKey must be 1-200 printable ASCII/);
    assert.equal(requests.length, 0);
  });
});

/** A client whose receipt queries are answered in turn by `answers` (an Error rejects like a network error). */
function scriptedGets(answers: Array<HttpAnswer | Error>, options: Partial<InitiatorOptions> = {}) {
  const requests: HttpGetRequest[] = [];
  const client = new InitiatorClient({
    baseUrl: ['http://a.test', 'http://b.test'],
    random: () => 0.5,
    sleep: () => Promise.resolve(),
    get: (request) => {
      requests.push(request);
      const answer = answers[requests.length - 1] ?? { status: 500, body: '' };
      return answer instanceof Error ? Promise.reject(answer) : Promise.resolve(answer);
    },
    ...options,
  });
  return { client, requests };
}

async function receiptFailure(promise: Promise<unknown>): Promise<ReceiptError> {
  const error = await promise.then(() => undefined, (caught: unknown) => caught);
  assert.ok(error instanceof ReceiptError, `expected a ReceiptError, got ${String(error)}`);
  return error;
}

describe('InitiatorClient.receipt', () => {
  const RECEIPT = { userId: 'alice', id: '1700000000000-0', type: 't', createdAt: '2026-11-30T00:00:00.000Z', state: 'delivered', deliveredAt: '2026-11-30T00:00:01.000Z' };

  it('asks with the bearer key and the wait, and returns the receipt; 404 is no receipt', async () => {
    const { client, requests } = scriptedGets([{ status: 200, body: JSON.stringify(RECEIPT) }, { status: 404, body: '{"error":{"code":"not_found","message":"no receipt"}}' }], { apiKey: 's3cret' });
    assert.deepEqual(await client.receipt('alice', '1700000000000-0', { waitFor: 'delivered', timeoutMs: 500 }), RECEIPT);
    assert.equal(requests[0]?.url, 'http://a.test/api/v1/notifications/alice/1700000000000-0/receipt?waitFor=delivered&timeoutMs=500');
    assert.equal(requests[0]?.headers.authorization, 'Bearer s3cret');
    assert.ok((requests[0]?.timeoutMs ?? 0) > 500, 'the request outlasts the wait');
    assert.equal(await client.receipt('alice', '1700000000000-0'), undefined);
    assert.equal(requests[1]?.url, 'http://a.test/api/v1/notifications/alice/1700000000000-0/receipt');
  });

  it('moves to the next base URL after a 5xx or no answer, and gives up after maxAttempts naming the last', async () => {
    const { client, requests } = scriptedGets([unavailable, refused, { status: 200, body: JSON.stringify(RECEIPT) }], { maxAttempts: 3 });
    assert.equal((await client.receipt('alice', '1700000000000-0'))?.state, 'delivered');
    assert.deepEqual(requests.map((r) => new URL(r.url).host), ['a.test', 'b.test', 'a.test']);
    const error = await receiptFailure(scriptedGets([unavailable, refused], { maxAttempts: 2 }).client.receipt('alice', '1700000000000-0'));
    assert.match(error.message, /no receipt answer after 2 attempts; last: connect ECONNREFUSED 127\.0\.0\.1:1 \(http:\/\/b\.test\//);
  });

  it('never retries a 4xx, and reports a 200 that is not a receipt as unexpected, not as a network error', async () => {
    const refusedQuery = scriptedGets([{ status: 400, body: '{"error":{"code":"invalid_query","message":"waitFor must be delivered or read, got \\"sent\\""}}' }]);
    const bad = await receiptFailure(refusedQuery.client.receipt('alice', '1700000000000-0'));
    assert.deepEqual([bad.status, bad.serviceError?.code, refusedQuery.requests.length], [400, 'invalid_query', 1]);
    const login = scriptedGets([{ status: 200, body: '<html>login</html>' }]);
    const odd = await receiptFailure(login.client.receipt('alice', '1700000000000-0'));
    assert.equal(odd.status, 200);
    assert.match(odd.message, /unexpected answer from http:\/\/a\.test\/.*200 with a body that is not a receipt \("<html>login<\/html>"\)/);
    assert.equal(login.requests.length, 1);
  });
});

describe('InitiatorClient options', () => {
  it('names the bad option and what is allowed', () => {
    const rejects = (options: Record<string, unknown>, pattern: RegExp): void =>
      assert.throws(() => new InitiatorClient({ baseUrl: 'http://a.test', ...options }), (error: unknown) => error instanceof TypeError && pattern.test(error.message));
    rejects({ baseUrl: [] }, /"baseUrl" must name at least one URL/);
    rejects({ baseUrl: 'localhost:8080' }, /"baseUrl" must be absolute http\(s\) URLs/);
    rejects({ baseUrl: 'ws://a.test' }, /"baseUrl" must be absolute http\(s\) URLs/);
    rejects({ maxAttempts: 0 }, /"maxAttempts" must be an integer from 1 to 1000/);
    rejects({ backoff: { baseMs: 500, maxMs: 100 } }, /"backoff.maxMs" must be an integer from 500/);
    rejects({ timeoutMs: 0 }, /"timeoutMs"/);
    rejects({ apiKey: '' }, /"apiKey" must be a non-empty string/);
    assert.deepEqual(new InitiatorClient({ baseUrl: ['http://a.test/', 'https://b.test/x//'] }).baseUrls, ['http://a.test', 'https://b.test/x']);
  });
});
