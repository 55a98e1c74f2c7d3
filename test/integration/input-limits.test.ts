import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { Flags, FrameTypes, type Frame } from 'rsocket-core';
import { startService, type RunningService } from '../support/service.js';
import { connectModern, type TestClient } from '../support/rsocket-clients.js';
import { RawRSocket, routeMetadata } from '../support/raw-rsocket.js';
import { waitFor } from '../support/wait-for.js';

describe('input limits end only the offending connection', () => {
  let service: RunningService;
  let bystander: TestClient;
  let sent = 0;

  before(async () => {
    service = await startService({
      MAX_FRAME_BYTES: '4096',
      MAX_DATA_BYTES: '1024',
      MAX_FRAMES_PER_SECOND: '50',
      MAX_STREAMS_PER_CONNECTION: '2',
    });
    bystander = await connectModern(service.wsUrl, { userId: 'bystander' });
    await bystander.session();
  });

  async function expectEnded(send: (raw: RawRSocket) => void, reason: 'too-large' | 'invalid-request', detail: RegExp): Promise<void> {
    const raw = await RawRSocket.open(service.wsUrl);
    raw.setup('offender');
    send(raw);
    const error = await raw.error(0);
    assert.equal(error.code, 0x101, error.message);
    assert.match(error.message, new RegExp(`^\\[${reason}\\] `));
    assert.match(error.message, detail);
    await raw.serverClosed();
    sent += 1;
    assert.equal((await service.send({ userId: 'bystander', type: 't', payload: sent })).status, 202);
    await waitFor(() => bystander.received.length === sent, 'the bystander still receives');
  }

  it('a WebSocket message over MAX_FRAME_BYTES → [too-large]', () =>
    expectEnded((raw) => raw.sendBytes(Buffer.alloc(5_000, 1)), 'too-large', /5000 bytes exceeds the limit of 4096/));

  it('a message far over the limit is refused by the socket itself (bounded memory), not the process', async () => {
    const raw = await RawRSocket.open(service.wsUrl);
    raw.setup('offender');
    raw.sendBytes(Buffer.alloc(64 * 1024, 1));
    const closed = await raw.serverClosed();
    assert.equal(closed.code, 1009);
  });

  it('metadata + data over MAX_DATA_BYTES → [too-large]', () =>
    expectEnded(
      (raw) => raw.send({ type: FrameTypes.REQUEST_STREAM, streamId: 1, flags: Flags.METADATA, requestN: 1, data: Buffer.alloc(1_500, 32), metadata: routeMetadata('notifications') } as Frame),
      'too-large',
      /exceed the limit of 1024/,
    ));

  it('more than MAX_FRAMES_PER_SECOND frames → [invalid-request]', () =>
    expectEnded(
      (raw) => {
        for (let i = 0; i < 60; i += 1) raw.send({ type: FrameTypes.KEEPALIVE, streamId: 0, flags: Flags.NONE, lastReceivedPosition: 0, data: null } as Frame);
      },
      'invalid-request',
      /more than 50 frames in one second/,
    ));

  it('more than MAX_STREAMS_PER_CONNECTION streams → [invalid-request]', () =>
    expectEnded(
      (raw) => {
        raw.requestStream(1, 1);
        raw.requestStream(3, 1);
        raw.requestStream(5, 1);
      },
      'invalid-request',
      /more than 2 notification streams/,
    ));

  it('counts each ending by reason in the metrics', async () => {
    const metrics = await (await fetch(`${service.baseUrl}/metrics`)).text();
    assert.match(metrics, /transport_refusals_total\{reason="too-large",instance="test-instance"\} 2/);
    assert.match(metrics, /transport_refusals_total\{reason="invalid-request",instance="test-instance"\} 2/);
  });
});
