import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import Koa from 'koa';
import { pino } from 'pino';
import { InvalidBodyError } from '../../../src/errors/transport-error.js';
import { restListener } from '../../../src/http/rest-listener.js';
import type { RouteHandler } from '../../../src/http/route-table.js';
import { RawConnection, type RawResponse } from '../../support/raw-connection.js';
import { startTestServer, type TestServer } from '../../support/http-test-server.js';
import { assertRestError } from '../../support/rest-assertions.js';

/** Sends one raw request (head and body as given) and reads its answer. */
async function exchange(port: number, head: string, body = ''): Promise<RawResponse> {
  const conn = await RawConnection.open(port);
  conn.write(`${head}\r\nHost: t\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`);
  try {
    return await conn.nextResponse();
  } finally {
    conn.destroy();
  }
}

/** What the answer says, without what differs between any two answers (Date). */
function comparable(response: RawResponse): RawResponse {
  const headers = { ...response.headers };
  delete headers.date;
  return { ...response, headers };
}

// The hot route answers requests with an origin-form target itself; the same request with an absolute-form target
// goes down Koa's middleware chain (error boundary, route table). Both must answer exactly alike.
describe('the notifications route past the middleware chain answers as the chain does', () => {
  let server: TestServer;
  before(async () => (server = await startTestServer({ initiatorApiKeys: ['k-1'], maxBodyBytes: 64 })));
  after(() => server.close());

  const valid = '{"userId":"u","type":"t","payload":1}';
  const cases: Array<{ name: string; headers: string[]; body: string; status: number; message?: RegExp }> = [
    { name: 'no initiator key', headers: ['Content-Type: application/json'], body: '{"userId":"u","type":"t","payload":1}', status: 401 },
    { name: 'an unknown initiator key', headers: ['Authorization: Bearer nope', 'Content-Type: application/json'], body: '{}', status: 401 },
    { name: 'a wrong content type', headers: ['Authorization: Bearer k-1', 'Content-Type: text/plain'], body: 'hi', status: 415 },
    { name: 'a body over MAX_BODY_BYTES', headers: ['Authorization: Bearer k-1', 'Content-Type: application/json'], body: `{"p":"${'x'.repeat(100)}"}`, status: 413 },
    { name: 'malformed JSON', headers: ['Authorization: Bearer k-1', 'Content-Type: application/json'], body: '{"userId":', status: 400 },
    { name: 'a schema error', headers: ['Authorization: Bearer k-1', 'Content-Type: application/json'], body: '{"userId":"u","type":"t"}', status: 400 },
    {
      name: 'an Idempotency-Key over 200 characters',
      headers: ['Authorization: Bearer k-1', 'Content-Type: application/json', `Idempotency-Key: ${'k'.repeat(201)}`],
      body: valid,
      status: 400,
      message: /Idempotency-Key/,
    },
  ];
  for (const { name, headers, body, status, message } of cases) {
    it(`${name}: ${status}, the same status, headers and body either way`, async () => {
      const hot = await exchange(server.port, ['POST /api/v1/notifications?via=hot HTTP/1.1', ...headers].join('\r\n'), body);
      const chain = await exchange(server.port, ['POST http://localhost/api/v1/notifications HTTP/1.1', ...headers].join('\r\n'), body);
      assert.equal(hot.status, status, hot.body);
      assert.deepEqual(comparable(hot), comparable(chain));
      assert.match(hot.headers['content-type'] ?? '', /^application\/json; charset=utf-8$/);
      assert.equal(Number(hot.headers['content-length']), Buffer.byteLength(hot.body));
      if (message) assert.match((JSON.parse(hot.body) as { error: { message: string } }).error.message, message);
    });
  }

  it('accepts the same notification either way', async () => {
    const headers = ['Authorization: Bearer k-1', 'Content-Type: application/json'];
    for (const target of ['/api/v1/notifications', 'http://localhost/api/v1/notifications']) {
      const answer = await exchange(server.port, [`POST ${target} HTTP/1.1`, ...headers].join('\r\n'), '{"userId":"u","type":"t","payload":1}');
      assert.equal(answer.status, 202, answer.body);
      assert.match(answer.body, /^\{"notifications":\[\{"userId":"u","id":"\d+-\d+","online":false\}\]\}$/);
    }
  });
});

describe('restListener', () => {
  const logs: string[] = [];
  let http: Server;
  let port: number;
  const handlers = new Map<string, RouteHandler>([
    ['/silent', () => {}],
    ['/silent-async', async () => {}],
    ['/throws', () => {
      throw new InvalidBodyError('thrown before any await');
    }],
    ['/unexpected', async () => {
      await Promise.resolve();
      throw new Error('a bug');
    }],
  ]);

  before(async () => {
    const app = new Koa();
    app.use((ctx) => {
      ctx.body = { via: 'chain' };
    });
    const logger = pino({ level: 'debug' }, { write: (line: string) => void logs.push(line) });
    const listeners = [...handlers].map(([path, handler]) => [path, restListener(app, { method: 'POST', path, handler }, logger)] as const);
    http = createServer((req, res) => {
      const match = listeners.find(([path]) => req.url === path) ?? listeners[0];
      match?.[1](req, res);
    });
    await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
    port = (http.address() as AddressInfo).port;
  });
  after(() => new Promise<void>((resolve) => http.close(() => resolve())));

  for (const path of ['/silent', '/silent-async']) {
    it(`answers a handler that finished without answering (${path}) with the logged 500, not a hung request`, async () => {
      // Without its answer the request would hang: the abort turns that into a failure.
      const res = await fetch(`http://127.0.0.1:${port}${path}`, { method: 'POST', signal: AbortSignal.timeout(10_000) });
      await assertRestError(res, 500, 'internal_error', /^internal error; the failure was logged$/);
      assert.ok(logs.some((line) => line.includes(`finished without answering`) && line.includes(path)));
    });
  }

  it('answers a handler that throws synchronously with its error', async () => {
    await assertRestError(await fetch(`http://127.0.0.1:${port}/throws`, { method: 'POST' }), 400, 'invalid_body', /^thrown before any await$/);
  });

  it('answers an unexpected failure with the logged 500', async () => {
    await assertRestError(await fetch(`http://127.0.0.1:${port}/unexpected`, { method: 'POST' }), 500, 'internal_error', /logged/);
    assert.ok(logs.some((line) => line.includes('"level":50') && line.includes('a bug')));
  });

  it('passes other methods and paths to the Koa app', async () => {
    const res = await fetch(`http://127.0.0.1:${port}/silent`);
    assert.equal(res.status, 200);
    assert.deepEqual(await res.json(), { via: 'chain' });
  });
});
