import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import type { Notification } from '@notification-transport/contract';
import { waitFor } from '../../../../test/support/wait-for.js';
import { RECEIPT_BATCH_MS } from '../../../src/receipts/receipt-sender.js';
import { closeHarnesses, createHarness, notification, type Harness } from '../../support/client-harness.js';
import type { FakeConnection } from '../../support/fake-rsocket-server.js';

afterEach(closeHarnesses);

const withReceipt = (n: number): Notification => ({ ...notification(n), receipt: true });
const ids = (...ns: number[]): string[] => ns.map((n) => notification(n).id);

async function connected(harness: Harness, connections = 1): Promise<FakeConnection> {
  await waitFor(() => harness.client.state.state === 'connected' && harness.server.connections.length === connections, `connected #${connections}`);
  await waitFor(() => harness.server.last.stream !== undefined, 'the notifications stream request');
  return harness.server.last;
}

describe('NotificationClient: delivery receipts', () => {
  it('confirms delivered for notifications with "receipt": true only, after the page subscribers had them, batched', async () => {
    const harness = createHarness();
    harness.client.connect();
    const connection = await connected(harness);
    const confirmationsSeenBySubscribers: number[] = [];
    harness.client.on('order.updated').subscribe(() => confirmationsSeenBySubscribers.push(connection.confirmations.length));
    connection.push(withReceipt(1));
    connection.push(notification(2));
    connection.push(withReceipt(3));
    assert.equal(harness.notifications[0]!.receipt, true, 'the page sees the receipt flag');
    assert.equal(harness.notifications[1]!.receipt, undefined);
    assert.deepEqual(connection.confirmations, [], 'nothing before the batch window ends');
    harness.clock.advance(RECEIPT_BATCH_MS - 1);
    assert.deepEqual(connection.confirmations, []);
    harness.clock.advance(1);
    assert.deepEqual(connection.confirmations, [{ delivered: ids(1, 3) }], 'one frame for the batch, without the notification that asked for none');
    assert.deepEqual(confirmationsSeenBySubscribers, [0, 0, 0], 'every subscriber was called before anything was confirmed');
    connection.push(withReceipt(4));
    harness.clock.advance(RECEIPT_BATCH_MS);
    assert.deepEqual(connection.confirmations, [{ delivered: ids(1, 3) }, { delivered: ids(4) }]);
  });

  it('sends at most 100 ids a frame', async () => {
    const harness = createHarness({ creditWindow: 1000 });
    harness.client.connect();
    const connection = await connected(harness);
    for (let n = 1; n <= 250; n += 1) connection.push(withReceipt(n));
    harness.clock.advance(RECEIPT_BATCH_MS);
    const sizes = connection.confirmations.map((c) => ('delivered' in c ? c.delivered.length : -1));
    assert.deepEqual(sizes, [100, 100, 50]);
    assert.deepEqual(connection.confirmations.flatMap((c) => ('delivered' in c ? c.delivered : [])), Array.from({ length: 250 }, (_, i) => notification(i + 1).id));
  });

  it('markRead sends {"read":[id]} batched, once per id, and a read replaces a delivered not yet sent', async () => {
    const harness = createHarness();
    harness.client.connect();
    const connection = await connected(harness);
    connection.push(withReceipt(1));
    assert.equal(harness.client.markRead(notification(1).id), true);
    assert.equal(harness.client.markRead(notification(2).id), true, 'any id: the server ignores what it has no receipt for');
    assert.equal(harness.client.markRead(notification(2).id), true, 'still queued');
    harness.clock.advance(RECEIPT_BATCH_MS);
    assert.deepEqual(connection.confirmations, [{ read: ids(1, 2) }], 'read implies delivered: no delivered frame for 1');
    assert.equal(harness.client.markRead(notification(2).id), false, 'already sent');
    harness.clock.advance(RECEIPT_BATCH_MS);
    assert.equal(connection.confirmations.length, 1);
    assert.throws(() => harness.client.markRead('not-an-id'), TypeError);
  });

  it('what is not sent when the connection drops goes out after the reconnect, on the new connection, and nothing twice', async () => {
    const harness = createHarness();
    harness.client.connect();
    const first = await connected(harness);
    first.push(withReceipt(1));
    harness.clock.advance(RECEIPT_BATCH_MS);
    first.push(withReceipt(2));
    harness.client.markRead(notification(1).id);
    first.socket.drop(1006);
    await waitFor(() => harness.client.state.state === 'reconnecting', 'reconnecting');
    harness.client.markRead(notification(3).id); // while reconnecting: queued too
    harness.clock.advance(RECEIPT_BATCH_MS);
    assert.deepEqual(first.confirmations, [{ delivered: ids(1) }], 'nothing is written to a dropped connection');
    harness.server.autoSession = false;
    harness.clock.advance(harness.clock.pendingDelays()[0] ?? 0);
    await waitFor(() => harness.server.connections.length === 2 && harness.server.last.stream !== undefined, 'the second connection');
    const second = harness.server.last;
    assert.deepEqual(second.confirmations, [], 'nothing before the session route proves the SETUP was accepted');
    second.answerSession();
    await connected(harness, 2);
    assert.deepEqual(second.confirmations, [{ delivered: ids(2) }, { read: ids(1, 3) }]);
    assert.deepEqual(first.confirmations, [{ delivered: ids(1) }]);
  });

  it('close() writes what is queued before it closes the connection', async () => {
    const harness = createHarness();
    harness.client.connect();
    const connection = await connected(harness);
    connection.push(withReceipt(1));
    harness.client.close();
    assert.deepEqual(connection.confirmations, [{ delivered: ids(1) }]);
    assert.equal(connection.socket.closedByClient, true);
  });

  it("the debug log shows each REQUEST_FNF like every other frame, with its route and ids", async () => {
    const harness = createHarness({ debug: true });
    harness.client.connect();
    const connection = await connected(harness);
    connection.push(withReceipt(1));
    harness.clock.advance(RECEIPT_BATCH_MS);
    const line = harness.logs.find((entry) => entry.startsWith('-> REQUEST_FNF'));
    assert.equal(line, `-> REQUEST_FNF stream=5 [METADATA] route=receipt data={"delivered":["${notification(1).id}"]}`);
    assert.ok(harness.frames.some((frame) => frame.type === 'REQUEST_FNF' && frame.direction === 'out'));
  });
});
