import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import type { Notification } from '@notification-transport/contract';
import { waitFor } from '../../../../test/support/wait-for.js';
import { RECEIPT_BATCH_MS } from '../../../src/receipts/receipt-sender.js';
import { notification } from '../../support/client-harness.js';
import { FakeClock } from '../../support/fake-clock.js';
import { FakeRSocketServer, type FakeConnection } from '../../support/fake-rsocket-server.js';
import { MemoryBrowser } from '../../support/memory-browser.js';
import { closeTabs, openTab, type TabHarness } from '../../support/tab-harness.js';

afterEach(closeTabs);

const withReceipt = (n: number): Notification => ({ ...notification(n), receipt: true });
const id = (n: number): string => notification(n).id;

interface Tab extends TabHarness {
  clock: FakeClock;
}

/** `count` tabs of one user, each with a clock of its own (a crashed tab's timers must not run), all connected. */
async function group(count: number): Promise<{ tabs: Tab[]; server: FakeRSocketServer; connection: FakeConnection }> {
  const browser = new MemoryBrowser();
  const server = new FakeRSocketServer();
  const tabs: Tab[] = [];
  for (let i = 0; i < count; i += 1) {
    const clock = new FakeClock();
    const tab = { ...openTab(browser, server, {}, clock), clock };
    tab.client.connect();
    tabs.push(tab);
    await waitFor(() => tab.client.state.state === 'connected', `tab ${i} connected`);
  }
  await waitFor(() => server.last.stream !== undefined, 'the notifications stream');
  return { tabs, server, connection: server.last };
}

/** Ends every batch window in `tabs` until `done()`: the tab channel delivers in later tasks, so this polls. */
async function batchesUntil(tabs: Tab[], done: () => boolean, what: string): Promise<void> {
  await waitFor(() => {
    for (const tab of tabs) tab.clock.advance(RECEIPT_BATCH_MS);
    return done();
  }, what);
}

/** Lets the tab channel deliver what is on its way (each message takes a task of its own). */
async function settle(): Promise<void> {
  for (let i = 0; i < 5; i += 1) await new Promise((resolve) => setImmediate(resolve));
}

/** Crashes `tab`, losing what it had not delivered to the others, and drops its connection as the browser would. */
function crash(tab: Tab, connection: FakeConnection): void {
  tab.tab.crash({ loseUndelivered: true });
  connection.socket.drop(1006);
}

async function newLeaderConnection(server: FakeRSocketServer, tabs: Tab[], count: number): Promise<FakeConnection> {
  await waitFor(() => server.connections.length === count && server.last.stream !== undefined, `connection #${count}`);
  await waitFor(() => tabs.every((tab) => tab.client.state.state === 'connected'), 'every remaining tab connected');
  return server.last;
}

describe('SharedNotificationClient: receipts are confirmed once per browser, by the tab holding the connection', () => {
  it('three tabs: one delivered confirmation from the leader for a notification every tab was handed', async () => {
    const { tabs, server, connection } = await group(3);
    connection.push(withReceipt(1));
    connection.push(notification(2));
    await waitFor(() => tabs.every((tab) => tab.notifications.length === 2), 'both in every tab');
    assert.ok(tabs.every((tab) => tab.notifications[0]!.receipt === true), 'every tab sees the receipt flag');
    for (const tab of tabs) tab.clock.advance(RECEIPT_BATCH_MS * 10);
    assert.deepEqual(connection.confirmations, [{ delivered: [id(1)] }]);
    assert.equal(server.connections.length, 1);
  });

  it("a follower's markRead is sent by the leader; once written, no later leader sends it again", async () => {
    const { tabs, server, connection } = await group(3);
    const [a, b, c] = tabs as [Tab, Tab, Tab];
    connection.push(withReceipt(1));
    await batchesUntil(tabs, () => connection.confirmations.length === 1, 'delivered');
    await waitFor(() => c.notifications.length === 1, 'c has it');
    c.client.markRead(id(1));
    b.client.markRead(id(1)); // the user read it in two tabs: still one read on the wire
    await batchesUntil(tabs, () => connection.confirmations.length === 2, 'read through the leader');
    await settle(); // the leader's acknowledgements reach b and c
    assert.deepEqual(connection.confirmations, [{ delivered: [id(1)] }, { read: [id(1)] }]);
    a.client.close();
    const second = await newLeaderConnection(server, [b, c], 2);
    await settle(); // a resend from c would have reached b by now
    for (const tab of [b, c]) tab.clock.advance(RECEIPT_BATCH_MS * 10);
    assert.deepEqual(second.confirmations, [], 'the tabs owe nothing: the old leader wrote it');
  });

  it('a read on its way to a leader that crashes is sent again to the next leader, and written once', async () => {
    const { tabs, server, connection } = await group(3);
    const [a, b, c] = tabs as [Tab, Tab, Tab];
    a.tab.pause();
    c.client.markRead(id(7));
    await settle(); // held back at a
    crash(a, connection);
    const second = await newLeaderConnection(server, [b, c], 2);
    assert.equal(b.client.role, 'leader');
    await batchesUntil([b, c], () => second.confirmations.length === 1, "c's read through b");
    assert.deepEqual(second.confirmations, [{ read: [id(7)] }]);
    assert.deepEqual(connection.confirmations, []);
  });

  it('a follower that takes the lead itself sends the reads it owed', async () => {
    const { tabs, server, connection } = await group(2);
    const [a, b] = tabs as [Tab, Tab];
    a.tab.pause();
    b.client.markRead(id(3));
    b.client.markRead(id(4));
    crash(a, connection);
    const second = await newLeaderConnection(server, [b], 2);
    await batchesUntil([b], () => second.confirmations.length === 1, "b's own reads");
    assert.deepEqual(second.confirmations, [{ read: [id(3), id(4)] }]);
  });

  it('the leader crashes before its delivered batch went out: the next leader confirms what the tabs were handed', async () => {
    const { tabs, server, connection } = await group(3);
    const [a, b, c] = tabs as [Tab, Tab, Tab];
    connection.push(withReceipt(1));
    connection.push(withReceipt(2));
    await waitFor(() => tabs.every((tab) => tab.notifications.length === 2), 'both in every tab');
    crash(a, connection); // its 50 ms batch never ran
    const second = await newLeaderConnection(server, [b, c], 2);
    await batchesUntil([b, c], () => second.confirmations.length === 1, 'delivered by b');
    assert.deepEqual(second.confirmations, [{ delivered: [id(1), id(2)] }]);
    assert.deepEqual(connection.confirmations, []);
    await settle(); // b's acknowledgement reaches c
    b.client.close();
    const third = await newLeaderConnection(server, [c], 3);
    await settle();
    c.clock.advance(RECEIPT_BATCH_MS * 10);
    assert.deepEqual(third.confirmations, [], 'c was told b wrote them');
  });

  it('markRead before the tab joined its group, or before its own connection, is sent once it has one', async () => {
    const { tabs, server, connection } = await group(1);
    const [a] = tabs as [Tab];
    const clock = new FakeClock();
    const late = { ...openTab(new MemoryBrowser(), server, { shareAcrossTabs: false }, clock), clock };
    late.client.markRead(id(5));
    late.client.connect();
    const own = await newLeaderConnection(server, [late], 2);
    await batchesUntil([late], () => own.confirmations.length === 1, 'the own connection sends it');
    assert.deepEqual(own.confirmations, [{ read: [id(5)] }]);
    assert.throws(() => a.client.markRead('5'), TypeError);
    assert.deepEqual(connection.confirmations, []);
  });
});
