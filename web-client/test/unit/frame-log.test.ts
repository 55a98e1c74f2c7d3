import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Flags, FrameTypes, serializeFrame } from 'rsocket-core';
import { describeFrame, formatFrame } from '../../src/frame-log.js';
import { routePayload, setupPayload } from '../../src/session-payloads.js';

const setupBytes = (metadata: Buffer | undefined, data: Buffer): Buffer =>
  serializeFrame({
    type: FrameTypes.SETUP, streamId: 0, flags: metadata ? Flags.METADATA : 0, keepAlive: 15000, lifetime: 45000,
    dataMimeType: 'application/json', metadataMimeType: 'message/x.rsocket.composite-metadata.v0',
    majorVersion: 1, minorVersion: 0, resumeToken: null, metadata, data,
  });

describe('describeFrame', () => {
  it('decodes SETUP with the auth type but never the token, also redacting a token in the data', () => {
    const setup = setupPayload('eyJ.secret.sig', 'alice');
    const record = describeFrame(setupBytes(setup.metadata, Buffer.from('{"userId":"alice","token":"eyJ.secret.sig"}')), 'out', 5);
    assert.equal(record.type, 'SETUP');
    assert.deepEqual(record.flags, ['METADATA']);
    assert.deepEqual(record.fields, { keepAlive: 15000, lifetime: 45000, dataMimeType: 'application/json', metadataMimeType: 'message/x.rsocket.composite-metadata.v0' });
    assert.equal(record.metadata?.auth, 'bearer');
    assert.deepEqual(record.data, { userId: 'alice', token: '***' });
    assert.ok(!JSON.stringify(record).includes('secret'));
    assert.ok(!formatFrame(record).includes('secret'));
  });

  it('decodes a routed REQUEST_STREAM, a PAYLOAD and an ERROR into one readable line each', () => {
    const request = routePayload('notifications', { lastEventId: '5-0' });
    const stream = serializeFrame({ type: FrameTypes.REQUEST_STREAM, streamId: 3, flags: Flags.METADATA, requestN: 64, data: request.data, metadata: request.metadata });
    assert.equal(formatFrame(describeFrame(stream, 'out', 0)), '-> REQUEST_STREAM stream=3 [METADATA] requestN=64 route=notifications data={"lastEventId":"5-0"}');
    const payload = serializeFrame({ type: FrameTypes.PAYLOAD, streamId: 3, flags: Flags.NEXT, data: Buffer.from('{"id":"6-0"}'), metadata: undefined });
    assert.equal(formatFrame(describeFrame(new Uint8Array(payload).buffer, 'in', 0)), '<- PAYLOAD stream=3 [NEXT] id=6-0 data={"id":"6-0"}');
    const error = serializeFrame({ type: FrameTypes.ERROR, streamId: 0, flags: 0, code: 0x3, message: '[connection-limit] connection limit of 5 reached' });
    assert.equal(formatFrame(describeFrame(error, 'in', 0)), '<- ERROR stream=0 code=REJECTED_SETUP message=[connection-limit] connection limit of 5 reached');
    const keepalive = serializeFrame({ type: FrameTypes.KEEPALIVE, streamId: 0, flags: Flags.RESPOND, data: undefined, lastReceivedPosition: 0 });
    assert.equal(formatFrame(describeFrame(keepalive, 'out', 0)), '-> KEEPALIVE stream=0 [RESPOND]');
  });

  it('keeps non-JSON data as text and non-composite metadata as a note', () => {
    const frame = serializeFrame({ type: FrameTypes.PAYLOAD, streamId: 1, flags: Flags.NEXT | Flags.METADATA, data: Buffer.from('plain text'), metadata: Buffer.from([0xff]) });
    const record = describeFrame(frame, 'in', 0);
    assert.equal(record.data, 'plain text');
    assert.equal(record.metadata?.bytes, 1);
    assert.ok(record.metadata?.undecodable !== undefined || record.metadata?.other !== undefined);
  });

  it('never throws on garbage, text messages or unknown inputs', () => {
    for (const input of [Buffer.from([1, 2, 3]), Buffer.alloc(0), new ArrayBuffer(9), 'hello', 42, null, {}]) {
      assert.equal(typeof formatFrame(describeFrame(input, 'in', 0)), 'string');
    }
    const garbage = describeFrame(Buffer.from([1, 2, 3]), 'in', 0);
    assert.equal(garbage.type, 'UNDECODABLE');
    assert.ok(garbage.problem);
    assert.equal(describeFrame('hello', 'in', 0).type, 'TEXT');
    assert.equal(describeFrame(42, 'in', 0).problem, 'not a binary message');
  });

  it('decodes a SETUP without metadata (development identity) with its data', () => {
    const setup = setupPayload(undefined, 'bob');
    const record = describeFrame(setupBytes(setup.metadata, setup.data ?? Buffer.alloc(0)), 'out', 0);
    assert.deepEqual(record.flags, []);
    assert.equal(record.metadata, undefined);
    assert.deepEqual(record.data, { userId: 'bob' });
  });
});
