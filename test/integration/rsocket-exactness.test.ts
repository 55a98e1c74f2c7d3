import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { ROUTES } from '@notification-transport/contract';
import { Flags, FrameTypes, serializeFrame, type Frame } from 'rsocket-core';
import { RawRSocket, routeMetadata, setupFrame } from '../support/raw-rsocket.js';
import { startService, type RunningService } from '../support/service.js';
import { quietPeriod, waitFor } from '../support/wait-for.js';

/** An EXT frame (type 0x3F) of extended type 7, with `flags`. */
function extFrame(streamId: number, flags: number): Buffer {
  const bytes = Buffer.alloc(14);
  bytes.writeUInt32BE(streamId, 0);
  bytes.writeUInt16BE((FrameTypes.EXT << 10) | flags, 4);
  bytes.writeUInt32BE(7, 6);
  bytes.write('ext!', 10);
  return bytes;
}

function errorFrame(streamId: number, code: number): Buffer {
  return serializeFrame({ type: FrameTypes.ERROR, streamId, flags: Flags.NONE, code, message: 'from the client' });
}

/** REQUEST_STREAM on `notifications` whose 31-bit initial request N has the reserved top bit set. */
function requestStreamWithReservedBit(streamId: number, credits: number): Buffer {
  const bytes = serializeFrame({ type: FrameTypes.REQUEST_STREAM, streamId, flags: Flags.METADATA, requestN: credits, data: null, metadata: routeMetadata(ROUTES.notifications) } as Frame);
  bytes.writeUInt32BE((0x80000000 | credits) >>> 0, 6);
  return bytes;
}

/** A frame whose 24-bit metadata length, at `at`, claims `extra` bytes more than the frame holds. */
function overstated(bytes: Buffer, at: number, extra: number): Buffer {
  bytes.writeUIntBE(bytes.readUIntBE(at, 3) + extra, at, 3);
  return bytes;
}

describe('RSocket 1.0, exactly, on raw frames', () => {
  let service: RunningService;
  before(async () => {
    service = await startService();
  });

  /** A connection of `userId` with its notifications stream (credit `credits`) open and registered. */
  async function accepted(userId: string, credits = 100): Promise<RawRSocket> {
    const raw = await RawRSocket.open(service.wsUrl);
    raw.setup(userId);
    raw.requestStream(1, credits);
    await waitFor(() => service.server.registry.connectionsOf(userId).size === 1, `${userId} to register`);
    return raw;
  }

  /** The connection is still served: a notification arrives, and no ERROR was sent on stream 0. */
  async function stillUsable(raw: RawRSocket, userId: string): Promise<void> {
    const before = raw.ofType(FrameTypes.PAYLOAD).length;
    assert.equal((await service.send({ userId, type: 'still-here', payload: before })).status, 202);
    await waitFor(() => raw.ofType(FrameTypes.PAYLOAD).length === before + 1, `a notification for ${userId}`);
    assert.deepEqual(raw.frames.filter((frame) => frame.type === FrameTypes.ERROR), []);
    assert.equal(raw.closed, undefined);
  }

  /** The server refused with `code` and `reason` on stream 0 and closed the socket with `wsClose`. */
  async function refused(raw: RawRSocket, code: number, reason: string, wsClose: number): Promise<void> {
    const error = await raw.error(0);
    assert.equal(error.code, code, `code 0x${error.code.toString(16)}: ${error.message}`);
    assert.match(error.message, new RegExp(`^\\[${reason}\\] \\S`));
    assert.equal((await raw.serverClosed()).code, wsClose);
  }

  it('an EXT frame with the IGNORE flag is ignored, before and after SETUP; the connection stays usable', async () => {
    const raw = await RawRSocket.open(service.wsUrl);
    raw.sendBytes(extFrame(0, Flags.IGNORE));
    raw.setup('ext-ignored');
    raw.sendBytes(extFrame(1, Flags.IGNORE | Flags.METADATA));
    raw.requestStream(1, 10);
    await waitFor(() => service.server.registry.connectionsOf('ext-ignored').size === 1, 'the connection to register');
    raw.sendBytes(extFrame(0, Flags.IGNORE));
    await stillUsable(raw, 'ext-ignored');
  });

  it('an EXT frame without the IGNORE flag ends the connection with CONNECTION_ERROR', async () => {
    const raw = await accepted('ext-refused');
    raw.sendBytes(extFrame(1, Flags.NONE));
    await refused(raw, 0x101, 'invalid-request', 1002);
  });

  it('the client\'s ERROR[INVALID_SETUP | UNSUPPORTED_SETUP | REJECTED_SETUP | REJECTED_RESUME] on stream 0 is ignored', async () => {
    const raw = await accepted('setup-errors');
    for (const code of [0x1, 0x2, 0x3, 0x4]) raw.sendBytes(errorFrame(0, code));
    await stillUsable(raw, 'setup-errors');
  });

  it('the client\'s ERROR CONNECTION_CLOSE on stream 0 ends the connection, and frees its place at once', async () => {
    const raw = await accepted('closer');
    raw.sendBytes(errorFrame(0, 0x102));
    assert.equal((await raw.serverClosed()).code, 1000);
    assert.equal(service.server.registry.connectionsOf('closer').size, 0);
    assert.equal(raw.ofType(FrameTypes.ERROR).length, 0, 'the server answers a client\'s ending with no ERROR of its own');
  });

  it('a SETUP on stream 1 is refused with INVALID_SETUP', async () => {
    const raw = await RawRSocket.open(service.wsUrl);
    raw.send(setupFrame('stream-one', { streamId: 1 }));
    await refused(raw, 0x1, 'invalid-setup', 1002);
    assert.equal(service.server.registry.connectionsOf('stream-one').size, 0);
  });

  it('a metadata length larger than the frame ends the connection: CONNECTION_ERROR after SETUP, INVALID_SETUP as SETUP', async () => {
    const raw = await accepted('long-metadata');
    const request = serializeFrame({ type: FrameTypes.REQUEST_STREAM, streamId: 3, flags: Flags.METADATA, requestN: 1, data: null, metadata: routeMetadata(ROUTES.notifications) } as Frame);
    raw.sendBytes(overstated(request, 10, 1));
    await refused(raw, 0x101, 'invalid-request', 1002);

    const setup = await RawRSocket.open(service.wsUrl);
    const bytes = serializeFrame(setupFrame('long-setup-metadata', { data: null, metadata: Buffer.from('meta') }));
    setup.sendBytes(overstated(bytes, bytes.length - 7, 100));
    await refused(setup, 0x1, 'invalid-setup', 1002);
  });

  it('a frame with a metadata length larger than the frame and the IGNORE flag is dropped; the connection stays usable', async () => {
    const raw = await accepted('ignored-metadata');
    const request = serializeFrame({ type: FrameTypes.REQUEST_RESPONSE, streamId: 3, flags: Flags.METADATA | Flags.IGNORE, data: null, metadata: routeMetadata(ROUTES.session) } as Frame);
    raw.sendBytes(overstated(request, 6, 5));
    await quietPeriod(100);
    assert.equal(raw.ofType(FrameTypes.PAYLOAD).length, 0, 'the dropped request got no answer');
    await stillUsable(raw, 'ignored-metadata');
  });

  it('the reserved top bit of an initial REQUEST_N and of REQUEST_N is ignored: credit is the 31-bit value', async () => {
    const raw = await RawRSocket.open(service.wsUrl);
    raw.setup('reserved-bit');
    raw.sendBytes(requestStreamWithReservedBit(1, 2));
    await waitFor(() => service.server.registry.connectionsOf('reserved-bit').size === 1, 'the connection to register');
    for (let i = 0; i < 3; i += 1) await service.send({ userId: 'reserved-bit', type: 'n', payload: i });
    await waitFor(() => raw.ofType(FrameTypes.PAYLOAD).length === 2, 'two notifications against a credit of 2');
    await quietPeriod(100);
    assert.equal(raw.ofType(FrameTypes.PAYLOAD).length, 2, 'no more than the credit');
    const requestN = serializeFrame({ type: FrameTypes.REQUEST_N, streamId: 1, flags: Flags.NONE, requestN: 1 } as Frame);
    requestN.writeUInt32BE(0x80000001, 6);
    raw.sendBytes(requestN);
    await waitFor(() => raw.ofType(FrameTypes.PAYLOAD).length === 3, 'the third after REQUEST_N');
  });

  it('a REQUEST_STREAM with an initial request N of 0 is refused on its stream; the connection stays', async () => {
    const raw = await RawRSocket.open(service.wsUrl);
    raw.setup('zero-n');
    raw.sendBytes(requestStreamWithReservedBit(1, 0));
    const error = await raw.error(1);
    assert.equal(error.code, 0x204);
    assert.match(error.message, /^\[invalid-request\] the initial request N must be greater than 0/);
    raw.requestStream(3, 5);
    await waitFor(() => service.server.registry.connectionsOf('zero-n').size === 1, 'the connection to register');
    await service.send({ userId: 'zero-n', type: 'n', payload: 1 });
    await waitFor(() => raw.ofType(FrameTypes.PAYLOAD).length === 1, 'the notification on stream 3');
  });
});
