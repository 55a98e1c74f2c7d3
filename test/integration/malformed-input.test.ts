import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { Flags, FrameTypes, serializeFrame, serializeFrameWithLength, type Frame } from 'rsocket-core';
import { startService, type RunningService } from '../support/service.js';
import { connectModern, type TestClient } from '../support/rsocket-clients.js';
import { RawRSocket, routeMetadata, setupFrame } from '../support/raw-rsocket.js';
import { quietPeriod, waitFor } from '../support/wait-for.js';

const SETUP = setupFrame('mallory');
const resumeFrame = {
  type: FrameTypes.RESUME,
  streamId: 0,
  flags: Flags.NONE,
  majorVersion: 1,
  minorVersion: 0,
  resumeToken: Buffer.from('token'),
  serverPosition: 0,
  clientPosition: 0,
} as Frame;
/** A frame header of type 0x30 (not in the spec). */
function unknownType(flags = 0): Buffer {
  const bytes = Buffer.alloc(8);
  bytes.writeUInt16BE((0x30 << 10) | flags, 4);
  return bytes;
}

describe('malformed input ends only that connection', () => {
  let service: RunningService;
  let bystander: TestClient;
  let sent = 0;

  before(async () => {
    service = await startService();
    bystander = await connectModern(service.wsUrl, { userId: 'bystander' });
    await bystander.session();
  });

  /** After each case: the process lives and another client still receives. */
  async function bystanderStillReceives(): Promise<void> {
    sent += 1;
    assert.equal((await service.send({ userId: 'bystander', type: 'ping', payload: sent })).status, 202);
    await waitFor(() => bystander.received.length === sent, `bystander notification ${sent}`);
  }

  async function expectRefusal(send: (raw: RawRSocket) => void, code: number, reason: string): Promise<void> {
    const raw = await RawRSocket.open(service.wsUrl);
    send(raw);
    const error = await raw.error(0);
    assert.equal(error.code, code, `code 0x${error.code.toString(16)}: ${error.message}`);
    assert.match(error.message, new RegExp(`^\\[${reason}\\] \\S`));
    await raw.serverClosed();
    await bystanderStillReceives();
  }

  const firstFrameCases: Array<[string, (raw: RawRSocket) => void, number, string]> = [
    ['garbage bytes', (raw) => raw.sendBytes(Buffer.from([0xde, 0xad, 0xbe])), 0x1, 'invalid-setup'],
    ['a text message', (raw) => raw.ws.send('{"hello":"world"}'), 0x1, 'invalid-setup'],
    ['an unknown frame type', (raw) => raw.sendBytes(unknownType()), 0x1, 'invalid-setup'],
    ['a truncated SETUP', (raw) => raw.sendBytes(serializeFrame(SETUP).subarray(0, 20)), 0x1, 'invalid-setup'],
    ['a SETUP cut inside its data', (raw) => raw.sendBytes(serializeFrame(SETUP).subarray(0, serializeFrame(SETUP).length - 3)), 0x1, 'invalid-setup'],
    ['a length-prefixed frame', (raw) => raw.sendBytes(serializeFrameWithLength(SETUP)), 0x1, 'invalid-setup'],
    ['a frame before SETUP', (raw) => raw.requestStream(1, 10), 0x1, 'invalid-setup'],
    ['a RESUME frame', (raw) => raw.send(resumeFrame), 0x4, 'invalid-setup'],
    ['SETUP with the resume flag', (raw) => raw.send(setupFrame('m', { flags: Flags.METADATA | Flags.RESUME_ENABLE, resumeToken: Buffer.from('t') })), 0x3, 'invalid-setup'],
    ['SETUP with the lease flag', (raw) => raw.send(setupFrame('m', { flags: Flags.METADATA | Flags.LEASE })), 0x2, 'invalid-setup'],
    ['SETUP with keepAlive below the bounds', (raw) => raw.setup('m', { keepAlive: 500, lifetime: 5_000 }), 0x2, 'bounds'],
    ['SETUP with keepAlive above the bounds', (raw) => raw.setup('m', { keepAlive: 60_000, lifetime: 200_000 }), 0x2, 'bounds'],
    ['SETUP with lifetime under 2 x keepAlive', (raw) => raw.setup('m', { keepAlive: 20_000, lifetime: 30_000 }), 0x2, 'bounds'],
    ['SETUP with lifetime above the bound', (raw) => raw.setup('m', { keepAlive: 20_000, lifetime: 400_000 }), 0x2, 'bounds'],
    ['SETUP with another data MIME type', (raw) => raw.setup('m', { dataMimeType: 'text/plain' }), 0x2, 'invalid-setup'],
    ['SETUP with another metadata MIME type', (raw) => raw.setup('m', { metadataMimeType: 'application/json' }), 0x2, 'invalid-setup'],
    ['SETUP data that is not JSON', (raw) => raw.setup('m', { data: Buffer.from('{nope') }), 0x1, 'invalid-setup'],
    ['SETUP data with a non-string userId', (raw) => raw.setup('m', { data: Buffer.from('{"userId":5}') }), 0x1, 'invalid-setup'],
    ['SETUP without a user id', (raw) => raw.setup('m', { data: Buffer.alloc(0) }), 0x3, 'auth'],
    ['SETUP with an invalid user id', (raw) => raw.setup('a{b}'), 0x3, 'auth'],
  ];
  for (const [name, send, code, reason] of firstFrameCases) {
    it(`${name} → ERROR 0x${code.toString(16)} [${reason}], server closes`, () => expectRefusal(send, code, reason));
  }

  const afterSetupCases: Array<[string, (raw: RawRSocket) => void]> = [
    ['garbage bytes', (raw) => raw.sendBytes(Buffer.from([1, 2, 3])) ],
    ['a text message', (raw) => raw.ws.send('hello')],
    ['an unknown frame type', (raw) => raw.sendBytes(unknownType())],
    ['a truncated REQUEST_STREAM', (raw) => raw.sendBytes(Buffer.from([0, 0, 0, 3, FrameTypes.REQUEST_STREAM << 2, 0, 0]))],
    ['a request on stream 0', (raw) => raw.requestStream(0, 1)],
  ];
  for (const [name, send] of afterSetupCases) {
    it(`after SETUP, ${name} → CONNECTION_ERROR [invalid-request], server closes`, () =>
      expectRefusal((raw) => {
        raw.setup('mallory');
        send(raw);
      }, 0x101, 'invalid-request'));
  }

  it('frames the spec says to ignore leave the connection usable', async () => {
    const raw = await RawRSocket.open(service.wsUrl);
    raw.setup('ignorer');
    raw.requestStream(1, 100);
    raw.setup('someone-else');
    raw.requestN(99, 5);
    raw.send({ type: FrameTypes.CANCEL, streamId: 77, flags: Flags.NONE } as Frame);
    raw.send({ type: FrameTypes.PAYLOAD, streamId: 55, flags: Flags.NEXT, data: Buffer.from('{}'), metadata: null } as Frame);
    raw.send({ type: FrameTypes.METADATA_PUSH, streamId: 0, flags: Flags.METADATA, metadata: Buffer.from('x') } as Frame);
    raw.sendBytes(unknownType(Flags.IGNORE));
    await waitFor(() => service.server.registry.connectionsOf('ignorer').size === 1, 'the connection to register');
    await service.send({ userId: 'ignorer', type: 'still-here', payload: 1 });
    await waitFor(() => raw.ofType(FrameTypes.PAYLOAD).length === 1, 'the notification');
    await quietPeriod(100);
    assert.equal(raw.ofType(FrameTypes.ERROR).length, 0);
    assert.equal(raw.closed, undefined);
    assert.equal(service.server.registry.connectionsOf('someone-else').size, 0, 'a second SETUP changes nothing');
    await bystanderStillReceives();
  });

  it('unknown routes and interactions get ERROR INVALID on their stream; the connection stays up', async () => {
    const raw = await RawRSocket.open(service.wsUrl);
    raw.setup('router');
    const route = routeMetadata('nope');
    raw.send({ type: FrameTypes.REQUEST_STREAM, streamId: 1, flags: Flags.METADATA, requestN: 1, data: null, metadata: route } as Frame);
    raw.send({ type: FrameTypes.REQUEST_RESPONSE, streamId: 3, flags: Flags.NONE, data: null, metadata: null } as Frame);
    raw.send({ type: FrameTypes.REQUEST_CHANNEL, streamId: 5, flags: Flags.METADATA, requestN: 1, data: null, metadata: routeMetadata('notifications') } as Frame);
    raw.send({ type: FrameTypes.REQUEST_FNF, streamId: 7, flags: Flags.METADATA, data: null, metadata: routeMetadata('session') } as Frame);
    raw.send({ type: FrameTypes.REQUEST_STREAM, streamId: 9, flags: Flags.METADATA, requestN: 1, data: Buffer.from('{oops'), metadata: routeMetadata('notifications') } as Frame);
    raw.send({ type: FrameTypes.REQUEST_STREAM, streamId: 11, flags: Flags.METADATA, requestN: 1, data: null, metadata: Buffer.from([0xff, 0xff]) } as Frame);
    for (const streamId of [1, 3, 5, 7, 9, 11]) {
      const error = await raw.error(streamId);
      assert.equal(error.code, 0x204, `stream ${streamId}`);
      assert.match(error.message, /^\[invalid-request\] \S/);
    }
    raw.requestStream(13, 10);
    await waitFor(() => service.server.registry.connectionsOf('router').size === 1, 'the connection to register');
    await service.send({ userId: 'router', type: 'ok', payload: true });
    await waitFor(() => raw.ofType(FrameTypes.PAYLOAD).length === 1, 'the notification on stream 13');
    assert.equal(raw.ofType(FrameTypes.ERROR).filter((frame) => frame.streamId === 0).length, 0);
    assert.equal(raw.closed, undefined);
  });

  it('a socket that never sends SETUP is refused after SETUP_TIMEOUT_MS', async () => {
    const quick = await startService({ SETUP_TIMEOUT_MS: '300' });
    const raw = await RawRSocket.open(quick.wsUrl);
    const error = await raw.error(0, 5_000);
    assert.equal(error.code, 0x1);
    assert.match(error.message, /^\[invalid-setup\] no SETUP within 300 ms/);
    await raw.serverClosed();
  });
});
