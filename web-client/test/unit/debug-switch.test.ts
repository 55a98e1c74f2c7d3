import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import { Flags, FrameTypes, serializeFrame } from 'rsocket-core';
import { resolveClientOptions, type WebSocketConstructor } from '../../src/client-options.js';
import { DEBUG_SWITCH_KEY, debugSwitchOn, describeBase64Frame, exposeFrameDecoder, FRAME_DECODER_GLOBAL, type FrameDecoder } from '../../src/debug-switch.js';
import { closeHarnesses, createHarness, notification } from '../support/client-harness.js';
import { waitFor } from '../../../test/support/wait-for.js';

const WebSocketStub = function WebSocketStub() {} as unknown as WebSocketConstructor;
const base = { url: 'ws://localhost:8080/rsocket', WebSocket: WebSocketStub };
const storage = (value: string | null) => ({ localStorage: { getItem: (key: string) => (key === DEBUG_SWITCH_KEY ? value : null) } });

afterEach(() => {
  closeHarnesses();
  delete (globalThis as { localStorage?: unknown }).localStorage;
  delete (globalThis as Record<string, unknown>)[FRAME_DECODER_GLOBAL];
});

describe('the localStorage debug switch', () => {
  it('is on only for exactly "1", and off where storage is missing or throws', () => {
    assert.equal(debugSwitchOn(storage('1')), true);
    for (const value of [null, '0', 'true', ' 1']) assert.equal(debugSwitchOn(storage(value)), false, String(value));
    assert.equal(debugSwitchOn({}), false);
    const throwing = { get localStorage(): never { throw new Error('SecurityError: storage disabled'); } };
    assert.equal(debugSwitchOn(throwing), false);
  });

  it('turns debugging on without making transitions strict; the option alone does not count as the switch', () => {
    const switched = resolveClientOptions(base, storage('1'));
    assert.deepEqual([switched.debug, switched.debugSwitch, switched.strictTransitions], [true, true, false]);
    const quiet = resolveClientOptions(base, storage(null));
    assert.deepEqual([quiet.debug, quiet.debugSwitch], [false, false]);
    const option = resolveClientOptions({ ...base, debug: true }, storage('1'));
    assert.deepEqual([option.debug, option.debugSwitch], [true, false]);
  });

  it('on a page with the switch, the client logs frames and puts the decoder on the page; without it, nothing', async () => {
    const quiet = createHarness();
    quiet.client.connect();
    await waitFor(() => quiet.client.state.state === 'connected', 'connected without the switch');
    quiet.server.last.push(notification(1));
    assert.deepEqual(quiet.logs, []);
    assert.equal(FRAME_DECODER_GLOBAL in globalThis, false);

    (globalThis as { localStorage?: unknown }).localStorage = storage('1').localStorage;
    const switched = createHarness();
    switched.client.connect();
    await waitFor(() => switched.client.state.state === 'connected', 'connected with the switch');
    switched.server.last.push(notification(1));
    assert.match(switched.logs[0] ?? '', /frame log on .*notificationTransportDebug\.decode/);
    assert.ok(switched.logs.some((line) => line.startsWith('-> SETUP stream=0 keepAlive=15000 lifetime=45000')));
    assert.ok(switched.logs.some((line) => line.startsWith(`<- PAYLOAD stream=1 [NEXT] id=${notification(1).id} `)));
    const decoder = (globalThis as Record<string, unknown>)[FRAME_DECODER_GLOBAL] as FrameDecoder;
    assert.equal(typeof decoder.decode, 'function');
  });
});

describe('describeBase64Frame', () => {
  it('decodes a frame as DevTools copies it (base64) and says so when the text is not base64', () => {
    const frame = serializeFrame({ type: FrameTypes.PAYLOAD, streamId: 3, flags: Flags.NEXT, data: Buffer.from('{"id":"6-0"}'), metadata: undefined });
    const record = describeBase64Frame(frame.toString('base64'), 'in', 0);
    assert.equal(record.type, 'PAYLOAD');
    assert.deepEqual(record.data, { id: '6-0' });
    assert.match(describeBase64Frame('not base64!', 'in', 0).problem ?? '', /not base64/);
  });

  it('exposeFrameDecoder defines the global decoder on the given scope and announces it', () => {
    const scope: Record<string, unknown> = {};
    const lines: string[] = [];
    exposeFrameDecoder((line) => lines.push(line), scope);
    const decoder = scope[FRAME_DECODER_GLOBAL] as FrameDecoder;
    const keepalive = serializeFrame({ type: FrameTypes.KEEPALIVE, streamId: 0, flags: Flags.RESPOND, data: undefined, lastReceivedPosition: 0 });
    assert.equal(decoder.format(decoder.decode(keepalive.toString('base64'), 'out')), '-> KEEPALIVE stream=0 [RESPOND]');
    assert.equal(lines.length, 1);
  });
});
