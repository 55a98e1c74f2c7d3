import assert from 'node:assert/strict';
import type { Socket } from 'node:net';
import { describe, it } from 'node:test';
import { FrameTypes, type ErrorFrame } from 'rsocket-core';
import { RawRSocket } from '../support/raw-rsocket.js';
import { connectModern } from '../support/rsocket-clients.js';
import { startService } from '../support/service.js';
import { waitFor } from '../support/wait-for.js';

const PAYLOAD = 'x'.repeat(16 * 1024);

describe('slow consumers', () => {
  it('a client that grants maximum credit and stops reading is ended with [slow-consumer]; others get everything', async () => {
    const service = await startService({ MAX_BUFFERED_BYTES: '1048576' });
    const slow = await RawRSocket.open(service.wsUrl);
    slow.setup('slow');
    slow.requestStream(1, 0x7fffffff);
    const healthy = await connectModern(service.wsUrl, { userId: 'healthy' });
    await healthy.session();
    await waitFor(() => service.server.registry.connectionsOf('slow').size === 1, 'the slow client to register');
    const socket = (slow.ws as unknown as { _socket: Socket })._socket;
    socket.pause();

    let sentToHealthy = 0;
    const deadline = Date.now() + 10_000;
    while (Date.now() < deadline && (await service.metric('transport_refusals_total')) === 0) {
      for (let i = 0; i < 20; i += 1) await service.send({ userId: 'slow', type: 'big', payload: PAYLOAD });
      await service.send({ userId: 'healthy', type: 'small', payload: sentToHealthy++ });
    }
    assert.ok((await service.metric('transport_refusals_total')) >= 1, 'the slow consumer was ended within 10 s');
    socket.resume();

    const error = (await slow.error(0)) as ErrorFrame;
    assert.equal(error.code, 0x101);
    assert.match(error.message, /^\[slow-consumer\] /);
    await slow.serverClosed();
    assert.ok(slow.ofType(FrameTypes.PAYLOAD).length > 0, 'it got notifications before it stalled');
    await waitFor(() => healthy.received.length === sentToHealthy, 'every notification of the healthy client');
    assert.deepEqual(healthy.received.map((n) => n.payload), Array.from({ length: sentToHealthy }, (_, i) => i));
    assert.equal(service.server.registry.connectionsOf('slow').size, 0);
  });
});
