import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { describe, it } from 'node:test';
import { startService } from '../support/service.js';
import { waitFor } from '../support/wait-for.js';

const UPGRADE = [
  'GET /rsocket HTTP/1.1',
  'Host: test',
  'Upgrade: websocket',
  'Connection: Upgrade',
  'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==',
  'Sec-WebSocket-Version: 13',
  '',
  '',
].join('\r\n');

describe('upgrades while draining', () => {
  it('an upgrade that reaches a draining instance on a connection still open is answered 503, not upgraded', async () => {
    const service = await startService();
    const socket = connect(service.server.port, '127.0.0.1');
    let answer = '';
    socket.on('data', (chunk: Buffer) => (answer += chunk.toString('latin1')));
    await new Promise((resolve) => socket.once('connect', resolve));
    const body = JSON.stringify({ userId: 'someone', type: 'in.flight', payload: null });
    // A REST request in flight keeps this connection open through the shutdown (idle ones are closed at once).
    socket.write(`POST /api/v1/notifications HTTP/1.1\r\nHost: test\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n${body.slice(0, 10)}`);
    const closing = service.server.close();
    socket.write(body.slice(10) + UPGRADE);
    await waitFor(() => answer.includes('HTTP/1.1 503'), 'the upgrade to be answered 503');
    assert.doesNotMatch(answer, /HTTP\/1\.1 101/, 'no WebSocket was opened');
    socket.destroy();
    await closing;
  });
});
