import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { describe, it } from 'node:test';
import { DATA_MIME_TYPE, METADATA_MIME_TYPE } from '@notification-transport/contract';
import { deserializeFrame, FrameTypes, type Frame, type PayloadFrame, type SetupFrame } from 'rsocket-core';
import { launchChromium, recordWebSocketFrames, type RecordedFrame } from '../../support/chromium.js';
import { startService } from '../../support/service.js';
import { waitFor } from '../../support/wait-for.js';

const ARTIFACTS = new URL('../../../.test-artifacts/', import.meta.url);

/** The RSocket frame in a binary WebSocket frame (no length prefix over WebSocket). */
function rsocketFrames(frames: RecordedFrame[], direction: RecordedFrame['direction']): Array<Frame & { at: number }> {
  return frames.filter((f) => f.direction === direction && f.opcode === 2).map((f) => ({ ...deserializeFrame(f.data), at: f.at }));
}

describe('the browser client in real Chromium', () => {
  it('receives a REST-sent notification on the page\'s bus; DevTools sees SETUP, REQUEST_STREAM, PAYLOAD and KEEPALIVE', async () => {
    const service = await startService();
    const { page } = await launchChromium();
    const recorder = await recordWebSocketFrames(page);
    const pageErrors: string[] = [];
    page.on('pageerror', (error) => pageErrors.push(error.message));

    await page.goto(`${service.baseUrl}/?user=alice&keepAlive=1000&lifetime=10000`);
    await page.waitForSelector('#state[data-state="connected"]');
    assert.equal(await page.evaluate('typeof window.Buffer'), 'undefined', 'nothing written to window.Buffer');

    const sent = await service.send({ userId: 'alice', type: 'order.updated', payload: { orderId: 42 } });
    assert.equal(sent.status, 202);
    await page.waitForSelector('#notifications li:not(.control)');
    const shown = await page.textContent('#notifications li');
    assert.match(shown ?? '', /order\.updated/);
    assert.match(shown ?? '', /"orderId":42/);
    await waitFor(() => rsocketFrames(recorder.frames, 'sent').filter((f) => f.type === FrameTypes.KEEPALIVE).length >= 3, 'three KEEPALIVE frames');

    const out = rsocketFrames(recorder.frames, 'sent');
    const setup = out[0] as SetupFrame;
    assert.equal(setup.type, FrameTypes.SETUP);
    assert.deepEqual([setup.keepAlive, setup.lifetime, setup.dataMimeType, setup.metadataMimeType], [1_000, 10_000, DATA_MIME_TYPE, METADATA_MIME_TYPE]);
    assert.deepEqual(JSON.parse(setup.data?.toString() ?? 'null'), { userId: 'alice' });
    assert.ok(out.some((f) => f.type === FrameTypes.REQUEST_STREAM), 'REQUEST_STREAM');
    const payloads = rsocketFrames(recorder.frames, 'received').filter((f): f is PayloadFrame & { at: number } => f.type === FrameTypes.PAYLOAD);
    const notification = payloads.map((f) => JSON.parse(f.data?.toString() ?? 'null') as { id?: string; payload?: unknown }).find((n) => n.id === sent.body.notifications[0]?.id);
    assert.deepEqual(notification?.payload, { orderId: 42 }, 'a PAYLOAD frame carries the notification JSON');
    // The client keeps alive at the interval its SETUP announced (checked above); the server answers each one.
    const sentKeepAlives = out.filter((f) => f.type === FrameTypes.KEEPALIVE).length;
    await waitFor(
      () => rsocketFrames(recorder.frames, 'received').filter((f) => f.type === FrameTypes.KEEPALIVE).length >= sentKeepAlives,
      `an answer to each of the ${sentKeepAlives} KEEPALIVE frames`,
    );

    await page.waitForSelector('#frames tbody tr:nth-child(5)');
    mkdirSync(ARTIFACTS, { recursive: true });
    const screenshot = await page.screenshot({ path: new URL('demo-page.png', ARTIFACTS).pathname, fullPage: true });
    assert.equal(screenshot.subarray(1, 4).toString(), 'PNG');
    assert.deepEqual(pageErrors, []);
  });
});
