import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Cluster } from '../../../test/support/cluster.js';
import { freePort } from '../../../test/support/free-port.js';
import { ResilientClient } from '../../../test/support/resilient-client.js';
import { connectModern } from '../../../test/support/rsocket-clients.js';
import { startService } from '../../../test/support/service.js';
import { waitFor } from '../../../test/support/wait-for.js';
import { fetchPost, InitiatorClient, SendError, type HttpPost, type RetryInfo } from '../../src/index.js';

// Short backoff so a test spends its time on the outage, not on waiting; the retry logic is the product's own.
const FAST = { baseMs: 20, maxMs: 200 };

describe('InitiatorClient against a running transport-service', () => {
  it('retries the 503s of a Redis outage until Redis is back; the notification is delivered exactly once', async () => {
    const cluster = await Cluster.start(1);
    const [instance] = cluster.instances;
    assert.ok(instance);
    const retries: RetryInfo[] = [];
    const sdk = new InitiatorClient({ baseUrl: instance.baseUrl, maxAttempts: 500, backoff: FAST, onRetry: (retry) => retries.push(retry) });
    const alice = new ResilientClient('alice', () => [instance.wsUrl]);
    await alice.start();
    await sdk.send({ userId: 'alice', type: 'before', payload: 0 });
    await waitFor(() => alice.notifications.length === 1, 'the notification sent before the outage');

    await cluster.redis.stop();
    const sending = sdk.send({ userId: 'alice', type: 'during', payload: 1 }, { idempotencyKey: 'outage-1' });
    await waitFor(() => retries.filter((retry) => retry.status === 503).length >= 2, 'two 503s retried while Redis is down', 10_000);
    await cluster.redis.restart();
    const accepted = await sending;

    const id = accepted.notifications[0]?.id;
    assert.ok(id !== undefined, 'the 202 names the notification');
    assert.ok(retries.every((retry) => retry.status === 503 && retry.idempotencyKey === 'outage-1'), 'only 503s, all with the same key');
    await sdk.send({ userId: 'alice', type: 'after', payload: 2 });
    await waitFor(() => alice.notifications.some((n) => n.type === 'after'), 'the notification sent after the outage', 10_000);
    assert.deepEqual(alice.notifications.filter((n) => n.type === 'during').map((n) => n.id), [id], 'delivered once');
    alice.stop();
  });

  it('does not retry a 400: one request, and the error carries the service\'s code and message', async () => {
    const service = await startService();
    const retries: RetryInfo[] = [];
    let posted = 0;
    // The real fetch transport, counted: every HTTP request the SDK makes goes through here.
    const post: HttpPost = (request) => {
      posted += 1;
      return fetchPost(request);
    };
    const sdk = new InitiatorClient({ baseUrl: service.baseUrl, backoff: FAST, onRetry: (retry) => retries.push(retry), post });
    const error = await sdk.send({ userId: 'alice', type: 'not a type!', payload: 1 }).then(() => undefined, (caught: unknown) => caught);
    assert.ok(error instanceof SendError);
    assert.deepEqual([error.problem, error.status, error.serviceError?.code, error.attempts.length], ['rejected', 400, 'invalid_body', 1]);
    assert.match(error.serviceError?.message ?? '', /type/);
    assert.deepEqual(retries, []);
    assert.equal(posted, 1, 'one HTTP request, never repeated');
  });

  it('moves on to the second base URL when the first gives a network error, and the notification arrives', async () => {
    const service = await startService();
    const nobody = `http://127.0.0.1:${await freePort()}`;
    const retries: RetryInfo[] = [];
    const sdk = new InitiatorClient({ baseUrl: [nobody, service.baseUrl], backoff: FAST, onRetry: (retry) => retries.push(retry) });
    const bob = await connectModern(service.wsUrl, { userId: 'bob' });
    await bob.session();
    const accepted = await sdk.send({ userId: 'bob', type: 'failover', payload: { n: 1 } });
    assert.equal(retries.length, 1);
    assert.equal(retries[0]?.url, `${nobody}/api/v1/notifications`);
    assert.match(retries[0]?.error ?? '', /ECONNREFUSED/);
    assert.equal(retries[0]?.nextUrl, `${service.baseUrl}/api/v1/notifications`);
    await waitFor(() => bob.received.some((n) => n.id === accepted.notifications[0]?.id), 'the notification on the stream');
    bob.close();
  });
});
