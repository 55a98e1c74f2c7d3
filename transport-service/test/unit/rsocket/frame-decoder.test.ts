import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Flags, FrameTypes, serializeFrame, type Frame } from 'rsocket-core';
import { decodeFrame, IGNORABLE, MalformedFrameError } from '../../../src/rsocket/frame-decoder.js';
import { setupFrame } from '../../../../test/support/raw-rsocket.js';

const setup = (overrides: Record<string, unknown> = {}): Buffer => serializeFrame(setupFrame('a', { metadata: Buffer.from('meta'), ...overrides }));

/** A header of `type` with `flags` on `streamId`, followed by `rest`. */
function raw(type: number, flags: number, streamId: number, rest: Buffer = Buffer.alloc(0)): Buffer {
  const header = Buffer.alloc(6);
  header.writeUInt32BE(streamId >>> 0, 0);
  header.writeUInt16BE((type << 10) | flags, 4);
  return Buffer.concat([header, rest]);
}

const u32 = (value: number): Buffer => {
  const bytes = Buffer.alloc(4);
  bytes.writeUInt32BE(value >>> 0);
  return bytes;
};

function decoded(bytes: Buffer): Frame {
  const frame = decodeFrame(bytes);
  assert.notEqual(frame, IGNORABLE);
  return frame as Frame;
}

describe('decodeFrame: RSocket 1.0 exactly', () => {
  it('reads a SETUP with its metadata and data', () => {
    const frame = decoded(setup());
    assert.equal(frame.type, FrameTypes.SETUP);
    assert.equal(frame.streamId, 0);
    assert.equal((frame as { metadata: Buffer }).metadata.toString(), 'meta');
    assert.equal((frame as { data: Buffer }).data.toString(), '{"userId":"a"}');
  });

  it('reports the stream id a SETUP was really sent on (rsocket-core says 0 whatever the header says)', () => {
    const bytes = setup();
    bytes.writeUInt32BE(1, 0);
    assert.equal(decoded(bytes).streamId, 1);
  });

  it('ignores the reserved top bit of the stream id, REQUEST_N and the initial request N', () => {
    assert.equal(decoded(raw(FrameTypes.REQUEST_N, 0, 0x80000003, u32(0x80000005))).streamId, 3);
    assert.equal((decoded(raw(FrameTypes.REQUEST_N, 0, 3, u32(0x80000005))) as { requestN: number }).requestN, 5);
    const stream = decoded(raw(FrameTypes.REQUEST_STREAM, 0, 1, u32(0x80000007)));
    assert.equal((stream as { requestN: number }).requestN, 7);
    const channel = decoded(raw(FrameTypes.REQUEST_CHANNEL, 0, 1, u32(0xffffffff)));
    assert.equal((channel as { requestN: number }).requestN, 0x7fffffff);
  });

  it('ignores the reserved top bit of SETUP keepAlive and lifetime', () => {
    const bytes = setup();
    bytes.writeUInt32BE(0x80000000 + 20_000, 10);
    bytes.writeUInt32BE(0x80000000 + 90_000, 14);
    const frame = decoded(bytes) as { keepAlive: number; lifetime: number };
    assert.deepEqual([frame.keepAlive, frame.lifetime], [20_000, 90_000]);
  });

  it('reads an ERROR code as unsigned', () => {
    const frame = decoded(raw(FrameTypes.ERROR, 0, 0, Buffer.concat([u32(0xfffffffe), Buffer.from('x')])));
    assert.equal((frame as { code: number }).code, 0xfffffffe);
  });

  it('refuses a metadata length larger than the frame, on every frame type that carries one', () => {
    const metaLength = (length: number): Buffer => Buffer.from([length >> 16, (length >> 8) & 0xff, length & 0xff]);
    const cases: Array<[string, Buffer]> = [
      ['PAYLOAD', raw(FrameTypes.PAYLOAD, Flags.METADATA | Flags.NEXT, 1, Buffer.concat([metaLength(10), Buffer.from('abc')]))],
      ['REQUEST_RESPONSE', raw(FrameTypes.REQUEST_RESPONSE, Flags.METADATA, 1, Buffer.concat([metaLength(4), Buffer.from('abc')]))],
      ['REQUEST_FNF', raw(FrameTypes.REQUEST_FNF, Flags.METADATA, 1, metaLength(1))],
      ['REQUEST_STREAM', raw(FrameTypes.REQUEST_STREAM, Flags.METADATA, 1, Buffer.concat([u32(1), metaLength(200), Buffer.from('abc')]))],
      ['REQUEST_CHANNEL', raw(FrameTypes.REQUEST_CHANNEL, Flags.METADATA, 1, Buffer.concat([u32(1), metaLength(9)]))],
    ];
    const bytes = setup({ data: null, metadata: Buffer.from('meta') });
    bytes.writeUIntBE(5, bytes.length - 7, 3);
    cases.push(['SETUP', bytes]);
    for (const [name, frame] of cases) {
      assert.throws(() => decodeFrame(frame), (error: unknown) => error instanceof MalformedFrameError && /metadata length \d+ exceeds/.test(error.message), name);
    }
  });

  it('accepts a metadata length that fills the frame exactly, and no metadata header without the M flag', () => {
    const withMeta = decoded(raw(FrameTypes.REQUEST_RESPONSE, Flags.METADATA, 1, Buffer.from([0, 0, 3, 0x61, 0x62, 0x63])));
    assert.equal((withMeta as { metadata: Buffer }).metadata.toString(), 'abc');
    const plain = decoded(raw(FrameTypes.REQUEST_RESPONSE, 0, 1, Buffer.from([0, 0, 9])));
    assert.equal((plain as { data: Buffer }).data.length, 3, 'without M, those bytes are data');
  });

  it('drops a frame with a bad metadata length when it has the IGNORE flag', () => {
    const frame = raw(FrameTypes.PAYLOAD, Flags.METADATA | Flags.IGNORE | Flags.NEXT, 1, Buffer.from([0, 0, 50]));
    assert.equal(decodeFrame(frame), IGNORABLE);
  });

  it('drops EXT and unknown types with the IGNORE flag, and refuses them without it', () => {
    const ext = Buffer.concat([u32(7), Buffer.from('extension data')]);
    assert.equal(decodeFrame(raw(FrameTypes.EXT, Flags.IGNORE, 1, ext)), IGNORABLE);
    assert.equal(decodeFrame(raw(0x30, Flags.IGNORE, 0)), IGNORABLE);
    assert.equal(decodeFrame(raw(FrameTypes.RESERVED, Flags.IGNORE, 0)), IGNORABLE);
    assert.throws(() => decodeFrame(raw(FrameTypes.EXT, 0, 1, ext)), /0x3f is not understood/);
    assert.throws(() => decodeFrame(raw(0x30, 0, 0)), /0x30 is not understood/);
  });

  it('turns truncated input into MalformedFrameError, never a RangeError', () => {
    const full = setup();
    for (let length = 0; length < full.length - 14; length += 1) {
      assert.throws(() => decodeFrame(full.subarray(0, length)), MalformedFrameError, `SETUP cut to ${length} bytes`);
    }
    assert.throws(() => decodeFrame(raw(FrameTypes.REQUEST_N, 0, 1, Buffer.from([0, 0]))), MalformedFrameError);
    assert.throws(() => decodeFrame(raw(FrameTypes.ERROR, 0, 0, Buffer.from([0]))), MalformedFrameError);
  });

  it('reads METADATA_PUSH, which rsocket-core cannot', () => {
    const frame = decoded(raw(FrameTypes.METADATA_PUSH, Flags.METADATA, 0, Buffer.from('push')));
    assert.equal((frame as { metadata: Buffer }).metadata.toString(), 'push');
  });
});
