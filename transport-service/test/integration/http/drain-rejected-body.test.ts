import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { DRAIN_LIMIT_MS } from '../../../src/http/drain-rejected-body.js';
import { RawConnection, within } from '../../support/raw-connection.js';
import { startTestServer, type TestServer } from '../../support/http-test-server.js';

const CHUNK = `400\r\n${'x'.repeat(0x400)}\r\n`;

/** Opens a chunked POST to `path` and keeps feeding it until the test ends. */
async function endlessPost(server: TestServer, path: string, headers = ''): Promise<{ conn: RawConnection; stop: () => void }> {
  const conn = await RawConnection.open(server.port);
  conn.write(`POST ${path} HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\n${headers}Transfer-Encoding: chunked\r\n\r\n`);
  const writer = setInterval(() => conn.write(CHUNK), 5);
  return {
    conn,
    stop: () => {
      clearInterval(writer);
      conn.destroy();
    },
  };
}

describe('draining a refused body', { concurrency: true }, () => {
  let server: TestServer;
  before(async () => (server = await startTestServer({ maxBodyBytes: 1_024, initiatorApiKeys: ['k'] })));
  after(() => server.close());

  for (const [name, path, headers, status] of [
    ['413 for a body passing the limit', '/api/v1/notifications', 'Authorization: Bearer k\r\n', 413],
    ['401 before the body is read', '/api/v1/notifications', '', 401],
    ['404 on an unknown route', '/nope', '', 404],
  ] as const) {
    it(`answers ${name} at once, then cuts a body that never ends`, async () => {
      const { conn, stop } = await endlessPost(server, path, headers);
      try {
        assert.equal((await conn.nextResponse()).status, status);
        assert.ok(await within(conn.closed, DRAIN_LIMIT_MS + 3_000), 'the server kept reading an endless refused body');
      } finally {
        stop();
      }
    });
  }

  it('answers 401 at once to a huge declared body, and keeps the connection when the body does end', async () => {
    const conn = await RawConnection.open(server.port);
    conn.write('POST /api/v1/notifications HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\nContent-Length: 4096\r\n\r\n');
    assert.equal((await conn.nextResponse()).status, 401);
    conn.write('x'.repeat(4096));
    conn.write('GET /healthz HTTP/1.1\r\nHost: t\r\n\r\n');
    const next = await conn.nextResponse();
    conn.destroy();
    assert.equal(next.status, 200);
  });
});
