import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ROUTES, type ReceiptConfirmation, type ReceiptView } from '@notification-transport/contract';
import { decodeCompositeMetadata, decodeRoutes } from 'rsocket-composite-metadata';
import { deserializeFrame, FrameTypes, type Frame } from 'rsocket-core';
import type { Page } from 'playwright-core';
import { launchChromium, recordWebSocketFrames, type RecordedFrame } from '../../support/chromium.js';
import { startService, type RunningService } from '../../support/service.js';
import { waitFor } from '../../support/wait-for.js';

const CONNECTED = '#state[data-state="connected"]';
// Generous: two tabs of headless Chromium and the service share two cores with whatever else runs.
const SLOW = 20_000;

/** Data of the REQUEST_FNF frames on the `receipt` route among the frames a page sent, in order. */
function confirmationsIn(frames: RecordedFrame[]): ReceiptConfirmation[] {
  return frames
    .filter((f) => f.direction === 'sent' && f.opcode === 2)
    .map((f) => deserializeFrame(f.data))
    .filter((frame): frame is Frame & { type: FrameTypes.REQUEST_FNF; data: Buffer; metadata: Buffer } => frame.type === FrameTypes.REQUEST_FNF)
    .filter((frame) => [...decodeCompositeMetadata(frame.metadata)].some((entry) => [...decodeRoutes(entry.content)].includes(ROUTES.receipt)))
    .map((frame) => JSON.parse(frame.data.toString('utf8')) as ReceiptConfirmation);
}

/** `GET .../receipt?waitFor=...`: answers once the state is at least `state`, or with the current state after the wait. */
async function receiptOnceAtLeast(service: RunningService, userId: string, id: string, state: 'delivered' | 'read'): Promise<{ status: number; body: ReceiptView }> {
  const url = `${service.baseUrl}/api/v1/notifications/${encodeURIComponent(userId)}/${encodeURIComponent(id)}/receipt?waitFor=${state}&timeoutMs=15000`;
  const response = await fetch(url);
  return { status: response.status, body: (await response.json()) as ReceiptView };
}

async function openDemo(page: Page, service: RunningService, userId: string): Promise<void> {
  await page.goto(`${service.baseUrl}/?user=${userId}`);
  await page.waitForSelector(CONNECTED, { timeout: SLOW });
}

describe('delivery receipts from the browser client (real Chromium, demo page)', () => {
  it('the leader confirms delivered by itself, once for the browser; a follower tab\'s "mark read" reaches the server through the leader', async () => {
    const service = await startService();
    const { context, page: leader } = await launchChromium();
    const recorder = await recordWebSocketFrames(leader);
    await openDemo(leader, service, 'rhea');
    const follower = await context.newPage();
    const followerRecorder = await recordWebSocketFrames(follower);
    await openDemo(follower, service, 'rhea');
    assert.equal(await leader.getAttribute('#role', 'data-role'), 'leader');
    assert.equal(await follower.getAttribute('#role', 'data-role'), 'follower');

    const plain = await service.send({ userId: 'rhea', type: 'plain.test', payload: { k: 0 } });
    const sent = await service.send({ userId: 'rhea', type: 'receipt.test', payload: { k: 1 }, receipt: true });
    assert.equal(sent.status, 202);
    const id = sent.body.notifications[0]!.id;

    const delivered = await receiptOnceAtLeast(service, 'rhea', id, 'delivered');
    assert.equal(delivered.status, 200);
    assert.equal(delivered.body.state, 'delivered', 'confirmed by the client without anyone reading it');
    assert.ok(delivered.body.deliveredAt !== undefined);
    await follower.waitForSelector('#notifications button.mark-read', { timeout: SLOW });
    assert.equal(await leader.locator('#notifications button.mark-read').count(), 1, 'one button: only the notification that asked for a receipt');

    await follower.click('#notifications button.mark-read');
    const read = await receiptOnceAtLeast(service, 'rhea', id, 'read');
    assert.equal(read.body.state, 'read');
    assert.ok(read.body.readAt !== undefined);

    await waitFor(() => confirmationsIn(recorder.frames).length === 2, 'two confirmations on the leader\'s socket', SLOW);
    assert.deepEqual(confirmationsIn(recorder.frames), [{ delivered: [id] }, { read: [id] }], 'each once, from the leader');
    assert.deepEqual(followerRecorder.sockets, [], 'the follower opened no WebSocket of its own');
    const frameLog = (await leader.textContent('#frames tbody')) ?? '';
    assert.match(frameLog, /REQUEST_FNF/, "the leader's frame inspector shows the confirmations like every other frame");
    assert.equal((await receiptOf(service, 'rhea', plain.body.notifications[0]!.id)).status, 404, 'no receipt asked, none kept');
  });
});

async function receiptOf(service: RunningService, userId: string, id: string): Promise<{ status: number }> {
  const response = await fetch(`${service.baseUrl}/api/v1/notifications/${encodeURIComponent(userId)}/${encodeURIComponent(id)}/receipt`);
  await response.body?.cancel();
  return { status: response.status };
}
