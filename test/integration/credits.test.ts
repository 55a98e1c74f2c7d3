import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FrameTypes, type PayloadFrame } from 'rsocket-core';
import { startService } from '../support/service.js';
import { CLIENT_GENERATIONS } from '../support/rsocket-clients.js';
import { RawRSocket } from '../support/raw-rsocket.js';
import { quietPeriod, waitFor } from '../support/wait-for.js';

describe('REQUEST_N credits', () => {
  for (const { name, connect } of CLIENT_GENERATIONS) {
    it(`a ${name} client granting 3 gets exactly 3, then the rest in order after REQUEST_N`, async () => {
      const service = await startService();
      const client = await connect(service.wsUrl, { userId: 'alice', credits: 3 });
      await client.session();

      for (let i = 0; i < 10; i += 1) assert.equal((await service.send({ userId: 'alice', type: 't', payload: i })).status, 202);
      await waitFor(() => client.received.length === 3, '3 notifications');
      await quietPeriod(300);
      assert.equal(client.received.length, 3, 'nothing beyond the granted credit');

      client.request(4);
      await waitFor(() => client.received.length === 7, '7 notifications');
      await quietPeriod(200);
      assert.equal(client.received.length, 7);

      client.request(100);
      await waitFor(() => client.received.length === 10, 'all 10');
      assert.deepEqual(client.received.map((n) => n.payload), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    });
  }

  it('credits add up and saturate at 2^31-1 without overflowing into a stall', async () => {
    const service = await startService();
    const raw = await RawRSocket.open(service.wsUrl);
    raw.setup('sat');
    raw.requestStream(1, 0x7fffffff);
    raw.requestN(1, 0x7fffffff);
    await waitFor(() => service.server.registry.connections === 1, 'the connection to register');
    for (let i = 0; i < 3; i += 1) await service.send({ userId: 'sat', type: 't', payload: i });
    await waitFor(() => raw.ofType(FrameTypes.PAYLOAD).length === 3, '3 payloads');
  });

  it('what waits for credit is bounded: past MAX_PENDING_PER_CONNECTION the connection ends with [slow-consumer]', async () => {
    const service = await startService({ MAX_PENDING_PER_CONNECTION: '5', HISTORY_MAX_LEN: '5' });
    const raw = await RawRSocket.open(service.wsUrl);
    raw.setup('slow');
    raw.requestStream(1, 1);
    await waitFor(() => service.server.registry.connections === 1, 'the connection to register');
    for (let i = 0; i < 7; i += 1) await service.send({ userId: 'slow', type: 't', payload: i });

    const error = await raw.error(0);
    assert.equal(error.code, 0x101);
    assert.match(error.message, /^\[slow-consumer\] /);
    await raw.serverClosed();
    assert.equal(raw.ofType(FrameTypes.PAYLOAD).length, 1);
    assert.equal((raw.ofType(FrameTypes.PAYLOAD)[0] as PayloadFrame).streamId, 1);
    await waitFor(() => service.server.registry.connections === 0, 'the registry to forget it');
  });
});
