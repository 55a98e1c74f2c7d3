import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { describe, it } from 'node:test';
import { startService } from '../support/service.js';
import { connectModern } from '../support/rsocket-clients.js';
import { waitFor } from '../support/wait-for.js';

/** An upgrade request on `path`, reset (RST) by the client the moment it is written. */
function resetUpgrade(port: number, path: string): Promise<void> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1', () => {
      socket.write(`GET ${path} HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n`);
      socket.resetAndDestroy();
      resolve();
    });
    socket.on('error', () => resolve());
  });
}

describe('abusive upgrades', () => {
  it('upgrades to unknown paths reset mid-answer cannot crash the process', async () => {
    const service = await startService();
    const bystander = await connectModern(service.wsUrl, { userId: 'bystander' });
    await bystander.session();
    for (let round = 0; round < 20; round += 1) {
      await Promise.all(Array.from({ length: 50 }, () => resetUpgrade(service.server.port, '/nope')));
    }
    await Promise.all(Array.from({ length: 50 }, () => resetUpgrade(service.server.port, '/rsocket')));
    assert.equal((await service.send({ userId: 'bystander', type: 't', payload: 1 })).status, 202);
    await waitFor(() => bystander.received.length === 1, 'the bystander still receives');
  });
});
