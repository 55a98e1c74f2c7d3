import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { assertRestError } from '../../support/rest-assertions.js';
import { RawConnection, type RawResponse } from '../../support/raw-connection.js';
import { startTestServer, type TestServer } from '../../support/http-test-server.js';

async function raw(server: TestServer, requestLine: string): Promise<RawResponse> {
  const conn = await RawConnection.open(server.port);
  conn.write(`${requestLine}\r\nHost: t\r\n\r\n`);
  try {
    return await conn.nextResponse();
  } finally {
    conn.destroy();
  }
}

describe('routing', () => {
  let server: TestServer;
  before(async () => (server = await startTestServer()));
  after(() => server.close());

  for (const path of ['/', '/nope', '/api/v1/notifications/', '/healthz/', '/HEALTHZ', '/api/v1/notification', '/%zz']) {
    it(`answers 404 not_found for ${path}`, async () => {
      await assertRestError(await fetch(`${server.url}${path}`), 404, 'not_found', /^no route for GET \//);
    });
  }

  it('matches the path without its query string', async () => {
    assert.equal((await fetch(`${server.url}/healthz?verbose=1&x=%zz`)).status, 200);
  });

  it('answers 405 with Allow: POST for other methods on the notifications route', async () => {
    for (const method of ['GET', 'PUT', 'DELETE', 'PATCH', 'OPTIONS']) {
      const res = await fetch(`${server.url}/api/v1/notifications`, { method });
      assert.equal(res.headers.get('allow'), 'POST', method);
      await assertRestError(res, 405, 'method_not_allowed', new RegExp(`^${method} is not allowed on /api/v1/notifications; use POST`));
    }
  });

  it('answers 405 with Allow: GET, HEAD for writes to the probes and metrics', async () => {
    for (const path of ['/healthz', '/readyz', '/metrics']) {
      const res = await fetch(`${server.url}${path}`, { method: 'POST', body: '{}' });
      assert.equal(res.headers.get('allow'), 'GET, HEAD', path);
      await assertRestError(res, 405, 'method_not_allowed', /use GET, HEAD/);
    }
  });

  it('answers a HEAD on the notifications route with 405 and no body', async () => {
    const res = await fetch(`${server.url}/api/v1/notifications`, { method: 'HEAD' });
    assert.equal(res.status, 405);
    assert.equal(res.headers.get('allow'), 'POST');
  });

  it('routes an absolute-form request target by its path', async () => {
    const res = await raw(server, 'GET http://localhost/healthz HTTP/1.1');
    assert.equal(res.status, 200);
    assert.equal(res.body, '{"status":"ok"}');
  });

  for (const target of ['http://[::1/healthz', 'https://xn--/healthz', '*', 'ftp://localhost/healthz', '//healthz', '/healthz#frag']) {
    it(`answers a malformed or foreign request target ${target} with a 4xx JSON error`, async () => {
      const res = await raw(server, `GET ${target} HTTP/1.1`);
      assert.equal(res.status, 404, res.body);
      const body = JSON.parse(res.body) as { error: { code: string; message: string } };
      assert.equal(body.error.code, 'not_found');
      assert.match(body.error.message, /^no route for GET /);
    });
  }

  it('lets Node answer a request line it cannot parse with a 400, never a 5xx', async () => {
    const res = await raw(server, 'GET /heal thz HTTP/1.1');
    assert.equal(res.status, 400);
  });

  it('logged no error for any of it', () => {
    assert.deepEqual(server.logs.filter((line) => /"level":(50|60)/.test(line)), []);
  });
});
