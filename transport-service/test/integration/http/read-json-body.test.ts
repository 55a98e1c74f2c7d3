import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { assertRestError } from '../../support/rest-assertions.js';
import { RawConnection } from '../../support/raw-connection.js';
import { postNotification, startTestServer, type TestServer } from '../../support/http-test-server.js';

const LIMIT = 1_024;
const VALID = JSON.stringify({ userId: 'alice', type: 'order.updated', payload: { n: 1 } });
const CHUNK = `400\r\n${'x'.repeat(0x400)}\r\n`;

function post(server: TestServer, body: string | Uint8Array, contentType?: string): Promise<Response> {
  const headers: Record<string, string> = contentType === undefined ? {} : { 'content-type': contentType };
  return fetch(`${server.url}/api/v1/notifications`, { method: 'POST', headers, body });
}

function chunkedHead(contentType = 'application/json'): string {
  return `POST /api/v1/notifications HTTP/1.1\r\nHost: t\r\nContent-Type: ${contentType}\r\nTransfer-Encoding: chunked\r\n\r\n`;
}

describe('reading the JSON body', () => {
  let server: TestServer;
  before(async () => (server = await startTestServer({ maxBodyBytes: LIMIT })));
  after(() => server.close());

  it('refuses text/plain with 415', async () => {
    await assertRestError(await post(server, VALID, 'text/plain'), 415, 'unsupported_media_type', /application\/json, got "text\/plain"/);
  });

  it('refuses a missing content type with 415', async () => {
    await assertRestError(await post(server, new TextEncoder().encode(VALID)), 415, 'unsupported_media_type', /got none/);
  });

  it('refuses a JSON-like but different media type and a non-UTF-8 charset with 415', async () => {
    await assertRestError(await post(server, VALID, 'application/jsonx'), 415, 'unsupported_media_type', /application\/json/);
    await assertRestError(await post(server, VALID, 'application/json; charset=latin1'), 415, 'unsupported_media_type', /latin1/);
  });

  it('accepts application/json with a UTF-8 charset, case-insensitively', async () => {
    assert.equal((await post(server, VALID, 'application/json; charset=utf-8')).status, 202);
    assert.equal((await post(server, VALID, 'Application/JSON;Charset="UTF-8"')).status, 202);
  });

  it('accepts a body of exactly the limit', async () => {
    const padded = JSON.stringify({ userId: 'alice', type: 't', payload: '' });
    const body = padded.replace('""', `"${'p'.repeat(LIMIT - padded.length)}"`);
    assert.equal(Buffer.byteLength(body), LIMIT);
    assert.equal((await postNotification(server, body)).status, 202);
  });

  it('refuses a body one byte over the limit with 413', async () => {
    const body = JSON.stringify({ userId: 'alice', type: 't', payload: 'p'.repeat(LIMIT) });
    await assertRestError(await postNotification(server, body), 413, 'payload_too_large', /exceeds 1024 bytes \(MAX_BODY_BYTES\)/);
  });

  it('answers 413 on an oversize Content-Length before any of the body arrives', async () => {
    const conn = await RawConnection.open(server.port);
    conn.write(`POST /api/v1/notifications HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\nContent-Length: 100000000\r\n\r\n`);
    const res = await conn.nextResponse();
    conn.destroy();
    assert.equal(res.status, 413);
    assert.equal((JSON.parse(res.body) as { error: { code: string } }).error.code, 'payload_too_large');
  });

  it('answers 413 on a chunked body passing the limit, then keeps the connection usable once the body ends', async () => {
    const conn = await RawConnection.open(server.port);
    conn.write(chunkedHead());
    const response = conn.nextResponse();
    for (let i = 0; i < 8; i += 1) conn.write(CHUNK);
    const res = await response;
    assert.equal(res.status, 413);
    assert.match(res.body, /"code":"payload_too_large"/);
    conn.write(CHUNK);
    conn.write('0\r\n\r\nGET /healthz HTTP/1.1\r\nHost: t\r\n\r\n');
    const next = await conn.nextResponse();
    conn.destroy();
    assert.equal(next.status, 200);
    assert.equal(next.body, '{"status":"ok"}');
  });

  it('refuses a chunked body with a wrong content type before reading it', async () => {
    const conn = await RawConnection.open(server.port);
    conn.write(chunkedHead('text/plain'));
    const res = await conn.nextResponse();
    conn.destroy();
    assert.equal(res.status, 415);
  });

  it('answers 400 invalid_json to a chunked body that is not JSON', async () => {
    const conn = await RawConnection.open(server.port);
    conn.write(`${chunkedHead()}5\r\n{"a":\r\n0\r\n\r\n`);
    const res = await conn.nextResponse();
    conn.destroy();
    assert.equal(res.status, 400);
    assert.match(res.body, /"code":"invalid_json"/);
  });

  it('lets Node refuse a malformed Content-Length with a 400, never a 5xx', async () => {
    const conn = await RawConnection.open(server.port);
    conn.write(`POST /api/v1/notifications HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\nContent-Length: 12abc\r\n\r\n{}`);
    const res = await conn.nextResponse();
    conn.destroy();
    assert.equal(res.status, 400);
  });

  it('treats a body cut short by the client as nothing received and stays up', async () => {
    const conn = await RawConnection.open(server.port);
    conn.write(`POST /api/v1/notifications HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\nContent-Length: 50\r\n\r\n{"userId"`);
    conn.end();
    await conn.closed;
    assert.equal((await fetch(`${server.url}/healthz`)).status, 200);
    assert.equal(server.deliveries.length, 0);
    assert.deepEqual(server.logs.filter((line) => line.includes('"level":50')), []);
  });
});
