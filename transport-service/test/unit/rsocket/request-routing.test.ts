import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { encodeCompositeMetadata, encodeRoute, WellKnownMimeType } from 'rsocket-composite-metadata';
import { Flags, FrameTypes } from 'rsocket-core';
import { routeRequest, type RequestFrame } from '../../../src/rsocket/request-routing.js';

const route = (name: string): Buffer => encodeCompositeMetadata([[WellKnownMimeType.MESSAGE_RSOCKET_ROUTING, encodeRoute(name)]]);

function request(type: FrameTypes, fields: { metadata?: Buffer | null; data?: string | null; requestN?: number; flags?: number } = {}): RequestFrame {
  return {
    type,
    streamId: 5,
    flags: fields.flags ?? (fields.metadata ? Flags.METADATA : Flags.NONE),
    requestN: fields.requestN ?? 16,
    metadata: fields.metadata ?? null,
    data: fields.data === undefined || fields.data === null ? null : Buffer.from(fields.data),
  } as RequestFrame;
}

describe('routeRequest', () => {
  it('opens the notification stream on route notifications, or on a REQUEST_STREAM with no metadata', () => {
    assert.deepEqual(routeRequest(request(FrameTypes.REQUEST_STREAM, { metadata: route('notifications') })), { action: 'open-stream', streamId: 5, credits: 16 });
    assert.deepEqual(routeRequest(request(FrameTypes.REQUEST_STREAM)), { action: 'open-stream', streamId: 5, credits: 16 });
  });

  it('carries a valid lastEventId, and accepts null or an empty object as none', () => {
    const decision = routeRequest(request(FrameTypes.REQUEST_STREAM, { data: '{"lastEventId":"1732380000000-4"}' }));
    assert.deepEqual(decision, { action: 'open-stream', streamId: 5, credits: 16, lastEventId: '1732380000000-4' });
    for (const data of ['{}', '{"lastEventId":null}', '']) {
      assert.deepEqual(routeRequest(request(FrameTypes.REQUEST_STREAM, { data })), { action: 'open-stream', streamId: 5, credits: 16 }, data);
    }
  });

  it('answers the session route on REQUEST_RESPONSE only', () => {
    assert.deepEqual(routeRequest(request(FrameTypes.REQUEST_RESPONSE, { metadata: route('session') })), { action: 'answer-session', streamId: 5 });
    assert.equal(routeRequest(request(FrameTypes.REQUEST_STREAM, { metadata: route('session') })).action, 'refuse');
  });

  it('confirms receipts on REQUEST_FNF receipt, duplicates collapsed, and ignores a confirmation it cannot read', () => {
    const fnf = (data: string): RequestFrame => request(FrameTypes.REQUEST_FNF, { metadata: route('receipt'), data });
    assert.deepEqual(routeRequest(fnf('{"delivered":["1-0","2-0","1-0"]}')), { action: 'confirm-receipts', state: 'delivered', ids: ['1-0', '2-0'] });
    assert.deepEqual(routeRequest(fnf('{"read":["1-0"]}')), { action: 'confirm-receipts', state: 'read', ids: ['1-0'] });
    const hundredAndOne = JSON.stringify({ read: Array.from({ length: 101 }, (_, i) => `${i}-0`) });
    for (const data of ['', 'x', '[]', '{}', '{"seen":["1-0"]}', '{"delivered":["1-0"],"read":["1-0"]}', '{"read":[]}', '{"read":"1-0"}', '{"read":["one"]}', hundredAndOne]) {
      assert.equal(routeRequest(fnf(data)).action, 'ignore', data.slice(0, 40));
    }
    assert.equal(routeRequest(request(FrameTypes.REQUEST_RESPONSE, { metadata: route('receipt'), data: '{"read":["1-0"]}' })).action, 'refuse');
  });

  it('refuses, on its stream, what it cannot serve, saying why', () => {
    const cases: Array<[string, RequestFrame, RegExp]> = [
      ['an unknown route', request(FrameTypes.REQUEST_STREAM, { metadata: route('orders') }), /no route "orders" for REQUEST_STREAM; routes: notifications/],
      ['notifications as REQUEST_RESPONSE', request(FrameTypes.REQUEST_RESPONSE, { metadata: route('notifications') }), /for REQUEST_RESPONSE/],
      ['a REQUEST_RESPONSE without a route', request(FrameTypes.REQUEST_RESPONSE), /no route \(none given\)/],
      ['fire-and-forget', request(FrameTypes.REQUEST_FNF, { metadata: route('session') }), /for REQUEST_FNF/],
      ['a channel', request(FrameTypes.REQUEST_CHANNEL, { metadata: route('notifications') }), /for REQUEST_CHANNEL/],
      ['a fragmented request', request(FrameTypes.REQUEST_STREAM, { flags: Flags.FOLLOWS }), /fragmented requests are not supported/],
      ['metadata that is not composite', request(FrameTypes.REQUEST_STREAM, { metadata: Buffer.from([0xff, 0xff]) }), /not valid composite metadata/],
      ['data that is not JSON', request(FrameTypes.REQUEST_STREAM, { data: 'last' }), /must be empty or JSON/],
      ['data that is an array', request(FrameTypes.REQUEST_STREAM, { data: '[]' }), /must be a JSON object/],
      ['an unknown field', request(FrameTypes.REQUEST_STREAM, { data: '{"since":"1-0"}' }), /unknown field "since"/],
      ['a malformed lastEventId', request(FrameTypes.REQUEST_STREAM, { data: '{"lastEventId":"yesterday"}' }), /lastEventId must be a notification id/],
      ['an initial request N of 0', request(FrameTypes.REQUEST_STREAM, { requestN: 0 }), /initial request N must be greater than 0/],
    ];
    for (const [name, frame, pattern] of cases) {
      const decision = routeRequest(frame);
      assert.equal(decision.action, 'refuse', name);
      assert.equal(decision.streamId, 5, name);
      assert.match((decision as { detail: string }).detail, pattern, name);
    }
  });
});
