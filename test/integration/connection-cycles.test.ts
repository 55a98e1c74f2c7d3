import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FrameTypes } from 'rsocket-core';
import WebSocket from 'ws';
import { startService } from '../support/service.js';
import { connectLegacy, connectModern } from '../support/rsocket-clients.js';
import { RawRSocket } from '../support/raw-rsocket.js';
import { waitFor } from '../support/wait-for.js';

const CYCLES = 2_000;
const PARALLEL = 50;

/** One way of coming and going, as real clients and networks do. */
type Cycle = (url: string, i: number) => Promise<void>;

const cycles: Cycle[] = [
  // rsocket-js 1.0: SETUP, stream, session answered, clean close.
  async (url, i) => {
    const client = await connectModern(url, { userId: `user-${i % 97}` });
    await client.session();
    client.close();
  },
  // rsocket-js 0.0.27: the same with the older client.
  async (url, i) => {
    const client = await connectLegacy(url, { userId: `user-${i % 97}` });
    await client.session();
    client.close();
  },
  // Abrupt: the TCP socket dies after the stream opened (no close frame).
  async (url, i) => {
    const raw = await RawRSocket.open(url);
    raw.setup(`user-${i % 97}`);
    raw.requestStream(1, 10);
    raw.send({ type: FrameTypes.REQUEST_RESPONSE, streamId: 3, flags: 0, data: null, metadata: null } as never);
    await waitFor(() => raw.frames.length > 0, 'the answer to the request');
    raw.ws.terminate();
  },
  // Gone before SETUP.
  async (url) => {
    const ws = new WebSocket(url);
    await new Promise((resolve) => ws.once('open', resolve));
    ws.close();
  },
];

describe('connect/close cycles', () => {
  it(`${CYCLES} cycles of every kind leave zero connections, streams and users registered`, async () => {
    const service = await startService({ MAX_CONNECTIONS_PER_USER: '1000' });
    for (let start = 0; start < CYCLES; start += PARALLEL) {
      const batch = [];
      for (let i = start; i < Math.min(start + PARALLEL, CYCLES); i += 1) batch.push((cycles[i % cycles.length] as Cycle)(service.wsUrl, i));
      await Promise.all(batch);
    }
    await waitFor(async () => (await service.metric('transport_connections')) === 0, 'zero connections', 10_000);
    await waitFor(async () => (await service.metric('transport_streams')) === 0, 'zero streams', 10_000);
    assert.equal(await service.metric('transport_users'), 0);
    assert.equal(service.server.registry.connections, 0);
    assert.equal(service.server.registry.userCount, 0);
  });
});
