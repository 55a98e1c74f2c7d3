import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { describe, it } from 'node:test';
import type { ReceiptEvent } from '@notification-transport/contract';
import { InitiatorClient, ReceiptError } from '@notification-transport/initiator-sdk';
import { FrameTypes, type PayloadFrame } from 'rsocket-core';
import { RawRSocket } from '../support/raw-rsocket.js';
import { getReceipt, WebhookReceiver } from '../support/receipt-http.js';
import { startService } from '../support/service.js';
import { quietPeriod, waitFor } from '../support/wait-for.js';

const SECRET = 'receipt-webhook-secret-of-at-least-32-bytes';

describe('delivery receipts on one instance (in-process broker)', () => {
  it('confirmed over REQUEST_FNF, read with the SDK, POSTed to the webhook signed; malformed confirmations are ignored', async () => {
    const receiver = await WebhookReceiver.start();
    const service = await startService({ INITIATOR_API_KEYS: 'key-a', RECEIPT_WEBHOOK_URL: receiver.url, RECEIPT_WEBHOOK_SECRET: SECRET });
    const sdk = new InitiatorClient({ baseUrl: service.baseUrl, apiKey: 'key-a', maxAttempts: 1 });
    const raw = await RawRSocket.open(service.wsUrl);
    raw.setup('erin');
    raw.requestStream(1, 10);
    const { notifications } = await sdk.send({ userId: 'erin', type: 'card.blocked', payload: 1, receipt: true });
    const id = notifications[0]?.id as string;
    await waitFor(() => raw.ofType(FrameTypes.PAYLOAD).length === 1, 'the notification');
    const data = JSON.parse((raw.ofType(FrameTypes.PAYLOAD)[0] as PayloadFrame).data?.toString() ?? '') as Record<string, unknown>;
    assert.equal(data.receipt, true);

    for (const bad of [Buffer.from('not json'), { delivered: 'x' }, { delivered: Array.from({ length: 101 }, () => id) }, { seen: [id] }, { delivered: [id], read: [id] }]) {
      raw.confirm(3, bad as Buffer);
    }
    await quietPeriod();
    assert.equal((await sdk.receipt('erin', id))?.state, 'pending', 'malformed confirmations change nothing');
    assert.equal(raw.closed, undefined, 'and the connection stays');
    assert.equal(raw.ofType(FrameTypes.ERROR).length, 0, 'a fire-and-forget gets no answer');

    const waiting = sdk.receipt('erin', id, { waitFor: 'read', timeoutMs: 30_000 });
    raw.confirm(5, { read: [id] });
    const read = await waiting;
    assert.equal(read?.state, 'read');
    assert.equal(read?.deliveredAt, read?.readAt, 'read straight from pending sets deliveredAt too');
    await waitFor(() => receiver.accepted.length === 1, 'the webhook event');
    const hook = receiver.accepted[0];
    assert.equal(hook?.signature, `sha256=${createHmac('sha256', SECRET).update(hook?.body ?? '').digest('hex')}`);
    assert.deepEqual(JSON.parse(hook?.body ?? ''), { event: (JSON.parse(hook?.body ?? '') as ReceiptEvent).event, userId: 'erin', id, type: 'card.blocked', state: 'read', at: read?.readAt });
    assert.equal(await service.metric('transport_receipts_total'), 2, 'created pending, then read');

    assert.equal(await sdk.receipt('erin', '1-0'), undefined, 'unknown id');
    await assert.rejects(sdk.receipt('erin', id, { waitFor: 'read', timeoutMs: 30_001 }), (error: unknown) => error instanceof ReceiptError && error.serviceError?.code === 'invalid_query');
  });

  it('drops a waiting query whose client went away', async () => {
    const service = await startService();
    const sent = await service.send({ userId: 'gina', type: 't', payload: 1, receipt: true });
    const leaving = new AbortController();
    const url = `${service.baseUrl}/api/v1/notifications/gina/${sent.body.notifications[0]?.id}/receipt?waitFor=read`;
    const request = fetch(url, { signal: leaving.signal }).catch(() => 'aborted');
    await waitFor(async () => (await service.metric('transport_receipt_waiters')) === 1, 'the query to wait');
    leaving.abort();
    assert.equal(await request, 'aborted');
    await waitFor(async () => (await service.metric('transport_receipt_waiters')) === 0, 'the waiter to be dropped');
  });

  it('bounds the waiting queries with 429 too_many_waiters', async () => {
    const service = await startService({ RECEIPT_MAX_WAITERS: '1' });
    const sent = await service.send({ userId: 'frank', type: 't', payload: 1, receipt: true });
    const id = sent.body.notifications[0]?.id as string;
    const first = getReceipt(service.baseUrl, 'none', 'frank', id, '?waitFor=delivered&timeoutMs=30000');
    await waitFor(async () => (await service.metric('transport_receipt_waiters')) === 1, 'the first query to wait');
    const second = await getReceipt(service.baseUrl, 'none', 'frank', id, '?waitFor=delivered&timeoutMs=30000');
    assert.equal(second.status, 429);
    assert.equal(second.body.error?.code, 'too_many_waiters');
    await service.server.close();
    assert.equal((await first).body.state, 'pending', 'shutdown answers a waiting query with the current state');
  });
});
