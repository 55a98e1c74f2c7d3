import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import { startTestServer, type TestServer } from '../../support/http-test-server.js';

describe('probes and metrics', () => {
  let server: TestServer | undefined;
  afterEach(() => server?.close());

  it('GET /healthz answers 200 {"status":"ok"}', async () => {
    server = await startTestServer({ isReady: () => ({ ready: false, reason: 'starting' }) });
    const res = await fetch(`${server.url}/healthz`);
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /^application\/json/);
    assert.equal(await res.text(), '{"status":"ok"}');
  });

  it('GET /readyz answers 200 while ready and 503 with the reason when not', async () => {
    let ready = true;
    server = await startTestServer({ isReady: () => (ready ? { ready: true } : { ready: false, reason: 'Redis is down' }) });
    const up = await fetch(`${server.url}/readyz`);
    assert.equal(up.status, 200);
    assert.equal(await up.text(), '{"status":"ready"}');
    ready = false;
    const down = await fetch(`${server.url}/readyz`);
    assert.equal(down.status, 503);
    assert.match(down.headers.get('content-type') ?? '', /^application\/json/);
    assert.equal(await down.text(), '{"status":"not-ready","reason":"Redis is down"}');
  });

  it('GET /readyz follows the broker by default', async () => {
    server = await startTestServer();
    assert.equal((await fetch(`${server.url}/readyz`)).status, 200);
    await server.broker.close();
    assert.equal((await fetch(`${server.url}/readyz`)).status, 503);
  });

  it('GET /metrics serves the Prometheus text format', async () => {
    server = await startTestServer();
    const res = await fetch(`${server.url}/metrics`);
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('content-type'), 'text/plain; version=0.0.4; charset=utf-8');
    const text = await res.text();
    assert.match(text, /^# TYPE transport_notifications_accepted_total counter$/m);
    assert.match(text, /^transport_notifications_accepted_total\{instance="test"\} 0$/m);
  });

  it('HEAD is served where GET is, without a body', async () => {
    server = await startTestServer();
    for (const path of ['/healthz', '/readyz', '/metrics']) {
      const res = await fetch(`${server.url}${path}`, { method: 'HEAD' });
      assert.equal(res.status, 200, path);
      assert.equal(await res.text(), '');
    }
  });
});
