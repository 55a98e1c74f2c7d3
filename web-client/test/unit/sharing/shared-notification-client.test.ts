import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import { waitFor } from '../../../../test/support/wait-for.js';
import { notification } from '../../support/client-harness.js';
import { FakeClock } from '../../support/fake-clock.js';
import { FakeRSocketServer, type FakeConnection } from '../../support/fake-rsocket-server.js';
import { MemoryBrowser } from '../../support/memory-browser.js';
import { closeTabs, openConnections, openTab, stateNames, type TabHarness } from '../../support/tab-harness.js';

afterEach(closeTabs);

const ids = (...ns: number[]): string[] => ns.map((n) => notification(n).id);
const received = (harness: TabHarness): string[] => harness.notifications.map((n) => n.id);

/** Opens `count` tabs of one user, connects them one after the other, and waits until all are connected on one connection. */
async function group(count: number, browser = new MemoryBrowser(), server = new FakeRSocketServer()): Promise<{ tabs: TabHarness[]; browser: MemoryBrowser; server: FakeRSocketServer; connection: FakeConnection }> {
  const tabs: TabHarness[] = [];
  for (let i = 0; i < count; i += 1) {
    const tab = openTab(browser, server);
    tab.client.connect();
    tabs.push(tab);
    await waitFor(() => tab.client.state.state === 'connected', `tab ${i} connected`);
  }
  await waitFor(() => server.last.stream !== undefined, 'the notifications stream');
  return { tabs, browser, server, connection: server.last };
}

function leaderOf(tabs: TabHarness[]): TabHarness {
  const leaders = tabs.filter((tab) => tab.client.role === 'leader');
  assert.equal(leaders.length, 1, 'exactly one leader');
  return leaders[0]!;
}

describe('SharedNotificationClient: tabs of one user share one connection', () => {
  it('three tabs: one connection, one leader, every tab connected and given every notification once', async () => {
    const { tabs, server, connection } = await group(3);
    assert.equal(server.connections.length, 1);
    assert.equal(leaderOf(tabs), tabs[0]);
    assert.deepEqual(tabs.map((tab) => tab.client.role), ['leader', 'follower', 'follower']);
    connection.push(notification(1));
    connection.push(notification(2, 'chat.message', { text: 'hi' }));
    await waitFor(() => tabs.every((tab) => tab.notifications.length === 2), 'both notifications in every tab');
    for (const tab of tabs) assert.deepEqual(received(tab), ids(1, 2));
    assert.deepEqual(stateNames(tabs[2]!), ['disconnected', 'connecting', 'connected'], 'a follower reads like a connection of its own');
    assert.equal(tabs[2]!.client.session?.connectionId, 'c0', "the follower sees the leader's session");
    assert.equal(tabs[2]!.client.lastEventId, notification(2).id);
    const chats: string[] = [];
    tabs[1]!.client.on('chat.message').subscribe((n) => chats.push(n.id));
    connection.push(notification(3, 'chat.message'));
    await waitFor(() => chats.length === 1, 'on(type) in a follower');
  });

  it('the leader closes: the next tab takes over after the last id, followers go reconnecting then connected, nothing lost or repeated', async () => {
    const { tabs, server, connection } = await group(3);
    connection.push(notification(1));
    connection.push(notification(2));
    await waitFor(() => tabs.every((tab) => tab.notifications.length === 2), 'the first two');
    tabs[0]!.client.close();
    assert.equal(connection.socket.closedByClient, true, "the old leader's connection is closed before the lock is released");
    await waitFor(() => server.connections.length === 2 && server.last.stream !== undefined, 'a connection of the new leader');
    const second = server.last;
    assert.deepEqual(second.streamData, { lastEventId: notification(2).id }, 'resumes after the last id the tabs were given');
    assert.equal(openConnections(server).length, 1);
    await waitFor(() => tabs.slice(1).every((tab) => tab.client.state.state === 'connected'), 'connected again');
    assert.equal(leaderOf(tabs.slice(1)), tabs[1]);
    second.push(notification(2)); // the server never re-sends an id at or before lastEventId; if one came, it is dropped
    second.push(notification(3));
    await waitFor(() => tabs.slice(1).every((tab) => tab.notifications.length === 3), 'the third');
    for (const tab of tabs.slice(1)) assert.deepEqual(received(tab), ids(1, 2, 3));
    assert.deepEqual(received(tabs[0]!), ids(1, 2), 'the closed tab gets nothing more');
    assert.deepEqual(stateNames(tabs[2]!), ['disconnected', 'connecting', 'connected', 'reconnecting(leader-left)', 'connecting', 'connected']);
    assert.deepEqual(stateNames(tabs[1]!), ['disconnected', 'connecting', 'connected', 'reconnecting(leader-left)', 'connecting', 'connected']);
    assert.deepEqual(tabs[1]!.roles, ['none', 'follower', 'leader']);
    assert.deepEqual(tabs[0]!.states.at(-1), { state: 'disconnected', reason: 'closed', message: 'closed by the page' });
  });

  it('the leader crashes while a notification is on its way: a tab that missed it gets it from the new leader, once', async () => {
    const { tabs, browser, server, connection } = await group(3);
    const [a, b, c] = tabs as [TabHarness, TabHarness, TabHarness];
    connection.push(notification(1));
    await waitFor(() => tabs.every((tab) => tab.notifications.length === 1), 'the first');
    c.tab.pause();
    connection.push(notification(2));
    await waitFor(() => b.notifications.length === 2, 'b has the second');
    a.tab.crash({ loseUndelivered: true }); // the message to c dies with a's renderer
    c.tab.resume();
    await waitFor(() => server.connections.length === 2 && server.last.stream !== undefined, "b's connection");
    assert.equal(b.client.role, 'leader');
    assert.deepEqual(server.last.streamData, { lastEventId: notification(2).id }, "b resumes after its own last id, the newest any tab has");
    await waitFor(() => c.notifications.length === 2, 'c caught up from b');
    server.last.push(notification(3));
    await waitFor(() => b.notifications.length === 3 && c.notifications.length === 3, 'the third in both');
    assert.deepEqual(received(b), ids(1, 2, 3));
    assert.deepEqual(received(c), ids(1, 2, 3));
    assert.deepEqual(c.events.filter((e) => e.kind === 'duplicate' || e.kind === 'recovery-incomplete'), []);
    assert.equal(browser.holder(browser.lockNames()[0]!), b.tab);
  });

  it('a new leader behind a follower resumes from its own last id; the follower drops what it already has', async () => {
    const { tabs, server, connection } = await group(3);
    const [a, b, c] = tabs as [TabHarness, TabHarness, TabHarness];
    b.tab.pause();
    connection.push(notification(1));
    await waitFor(() => c.notifications.length === 1, 'c has the first');
    a.tab.crash({ loseUndelivered: true });
    b.tab.resume();
    await waitFor(() => server.connections.length === 2 && server.last.stream !== undefined, "b's connection");
    assert.equal(server.last.streamData, undefined, 'b was given nothing, so it resumes from nothing');
    server.last.push(notification(1));
    server.last.push(notification(2));
    await waitFor(() => b.notifications.length === 2 && c.notifications.length === 2, 'both in both');
    assert.deepEqual(received(b), ids(1, 2));
    assert.deepEqual(received(c), ids(1, 2));
  });

  it('a new leader whose welcome never came resumes after the newest id it saw go by, so the hand-over loses nothing', async () => {
    const { tabs, server, connection } = await group(1);
    const [a] = tabs as [TabHarness];
    a.tab.pause(); // the leader never reads the new tab's hello, so never welcomes it
    const c = openTab(a.tab.browser, server);
    c.client.connect();
    await waitFor(() => c.client.role === 'follower', 'c in the group, waiting for its welcome');
    connection.push(notification(1));
    await waitFor(() => a.notifications.length === 1 && c.tab.undelivered === 0, 'the first fanned out and read by c');
    a.tab.crash();
    await waitFor(() => server.connections.length === 2 && server.last.stream !== undefined, "c's connection");
    assert.equal(c.client.role, 'leader');
    assert.deepEqual(server.last.streamData, { lastEventId: notification(1).id }, 'after the id c saw on the channel, not from nothing');
    server.last.push(notification(2)); // sent during the hand-over: the server re-sends it after lastEventId
    await waitFor(() => c.notifications.length === 1, 'the hand-over notification');
    assert.deepEqual(received(c), ids(2), 'c joined after the first: it starts after it, as a welcome would have said');
  });

  it('a follower never given any notification is owed all it missed when the first one died with a crashed leader', async () => {
    const { tabs, server } = await group(3);
    const [a, b, c] = tabs as [TabHarness, TabHarness, TabHarness];
    c.tab.pause();
    server.connections[0]!.push(notification(1));
    await waitFor(() => b.notifications.length === 1, 'b has the first');
    a.tab.crash({ loseUndelivered: true });
    c.tab.resume();
    await waitFor(() => server.connections.length === 2 && server.last.stream !== undefined, "b's connection");
    assert.deepEqual(server.last.streamData, { lastEventId: notification(1).id });
    await waitFor(() => c.notifications.length === 1, 'c got the first from b');
    server.last.push(notification(2));
    await waitFor(() => b.notifications.length === 2 && c.notifications.length === 2, 'the second in both');
    assert.deepEqual(received(c), ids(1, 2));
    assert.deepEqual(received(b), ids(1, 2));
  });

  it('notifications sent while the leader hands over reach every tab once, in order', async () => {
    const { tabs, server, connection } = await group(4);
    connection.push(notification(1));
    await waitFor(() => tabs.every((tab) => tab.notifications.length === 1), 'the first everywhere');
    tabs[0]!.client.close();
    connection.push(notification(2)); // too late: the connection is closed and the server keeps it for the resume
    await waitFor(() => server.connections.length === 2 && server.last.stream !== undefined, 'the new connection');
    const resume = server.last.streamData?.lastEventId;
    assert.equal(resume, notification(1).id);
    for (const n of [2, 3, 4]) server.last.push(notification(n));
    await waitFor(() => tabs.slice(1).every((tab) => tab.notifications.length === 4), 'all four');
    for (const tab of tabs.slice(1)) assert.deepEqual(received(tab), ids(1, 2, 3, 4));
  });

  it('a tab joining with a stored lastEventId is brought up to date from the leader, or told that it cannot be', async () => {
    const { tabs, server, connection } = await group(1);
    for (const n of [1, 2, 3]) connection.push(notification(n));
    await waitFor(() => tabs[0]!.notifications.length === 3, 'three in the leader');
    const joiner = openTab(tabs[0]!.tab.browser, server, { lastEventId: notification(1).id });
    joiner.client.connect();
    await waitFor(() => joiner.client.state.state === 'connected' && joiner.notifications.length === 2, 'caught up');
    assert.deepEqual(received(joiner), ids(2, 3));
    assert.equal(server.connections.length, 1);
    const fresh = openTab(tabs[0]!.tab.browser, server);
    fresh.client.connect();
    await waitFor(() => fresh.client.state.state === 'connected', 'fresh connected');
    assert.equal(fresh.client.lastEventId, notification(3).id, 'a fresh tab starts after the leader');
    connection.push(notification(4));
    await waitFor(() => fresh.notifications.length === 1, 'the fourth');
    assert.deepEqual(received(fresh), ids(4));
    const stale = openTab(tabs[0]!.tab.browser, server, { lastEventId: '1600000000000-0' });
    stale.client.connect();
    await waitFor(() => stale.notifications.length === 4, 'what the leader has');
    assert.equal(stale.events[0]?.kind, 'recovery-incomplete');
    assert.deepEqual(stale.events[0], {
      kind: 'recovery-incomplete',
      lastEventId: '1600000000000-0',
      payload: { lastEventId: '1600000000000-0', message: 'the tab holding the shared connection no longer keeps every notification after lastEventId; re-sync from your own API' },
    });
  });

  it('the last tab to close closes the connection; a follower that closes leaves the others connected', async () => {
    const { tabs, server, connection } = await group(2);
    tabs[1]!.client.close();
    assert.equal(tabs[1]!.client.state.state, 'disconnected');
    connection.push(notification(1));
    await waitFor(() => tabs[0]!.notifications.length === 1, 'the leader still delivers');
    assert.equal(tabs[1]!.notifications.length, 0);
    assert.equal(openConnections(server).length, 1);
    tabs[0]!.client.close();
    assert.equal(openConnections(server).length, 0);
    assert.equal(server.connections.length, 1, 'nobody took over');
  });

  it('a refused connection stays down in every tab; connect() in a follower makes the leader try again', async () => {
    const browser = new MemoryBrowser();
    const server = new FakeRSocketServer();
    server.onSetup = (connection) => {
      if (server.connections.length === 1) queueMicrotask(() => connection.connectionError('connection-limit', 'connection limit of 5 reached'));
    };
    const [a, b] = [openTab(browser, server), openTab(browser, server)];
    a.client.connect();
    await waitFor(() => a.client.role === 'leader', 'a leads');
    b.client.connect();
    await waitFor(() => [a, b].every((tab) => tab.client.state.state === 'disconnected' && tab.client.state.reason === 'connection-limit'), 'both down');
    assert.equal(b.client.state.message, '[connection-limit] connection limit of 5 reached');
    b.client.connect();
    assert.equal(b.client.state.state, 'connecting', 'at once, as with a connection of its own');
    await waitFor(() => [a, b].every((tab) => tab.client.state.state === 'connected'), 'both connected');
    assert.equal(server.connections.length, 2);
  });
});

describe('SharedNotificationClient: identity never crosses', () => {
  it('two users in one browser: two groups, two connections, no cross-delivery', async () => {
    const browser = new MemoryBrowser();
    const server = new FakeRSocketServer();
    const alice = [openTab(browser, server), openTab(browser, server)];
    const bob = [openTab(browser, server, { userId: 'bob' }), openTab(browser, server, { userId: 'bob' })];
    for (const tab of [...alice, ...bob]) tab.client.connect();
    await waitFor(() => [...alice, ...bob].every((tab) => tab.client.state.state === 'connected'), 'all connected');
    assert.equal(server.connections.length, 2);
    assert.equal(browser.lockNames().length, 2);
    const byUser = (user: string): FakeConnection => server.connections.find((c) => (JSON.parse(c.setup!.data!.toString()) as { userId: string }).userId === user)!;
    byUser('alice').push(notification(1, 'for.alice'));
    byUser('bob').push(notification(2, 'for.bob'));
    await waitFor(() => [...alice, ...bob].every((tab) => tab.notifications.length === 1), 'one each');
    for (const tab of alice) assert.deepEqual(tab.notifications.map((n) => n.type), ['for.alice']);
    for (const tab of bob) assert.deepEqual(tab.notifications.map((n) => n.type), ['for.bob']);
  });

  it('JWT mode groups by the token subject; a token for another user is never sent on the group connection', async () => {
    const part = (value: object): string => Buffer.from(JSON.stringify(value)).toString('base64url');
    const jwt = (sub: string, n: number): string => `${part({ alg: 'HS256' })}.${part({ sub, n })}.sig`;
    const browser = new MemoryBrowser();
    const server = new FakeRSocketServer();
    const clock = new FakeClock();
    let leaderUser = 'carol';
    const a = openTab(browser, server, { userId: undefined, token: () => jwt(leaderUser, 1) }, clock);
    const b = openTab(browser, server, { userId: undefined, token: () => jwt('carol', 2) }, clock);
    const c = openTab(browser, server, { userId: undefined, token: () => jwt('dave', 3) }, clock);
    for (const tab of [a, b, c]) tab.client.connect();
    await waitFor(() => [a, b, c].every((tab) => tab.client.state.state === 'connected'), 'all connected');
    assert.equal(server.connections.length, 2, 'carol shares, dave has his own group');
    assert.deepEqual([a, b, c].map((tab) => tab.client.role), ['leader', 'follower', 'leader']);
    const carols = server.connections[Number(a.client.session!.connectionId.slice(1))]!;
    assert.equal(b.client.session?.connectionId, a.client.session?.connectionId);
    leaderUser = 'mallory'; // another tab logged in as someone else and the token store is shared
    carols.connectionError('token-expired', 'token expired', 0x101);
    await waitFor(() => a.client.state.state === 'reconnecting', 'reconnecting');
    clock.advance(0); // token-expired: one immediate retry with a fresh token
    await waitFor(() => a.events.some((e) => e.kind === 'error' && e.code === 'token-provider'), 'the refusal');
    assert.match(JSON.stringify(a.events), /another user than the one this tab shares a connection as/);
    assert.equal(server.connections.length, 2, 'no connection with the other user\'s token');
    await waitFor(() => b.events.some((e) => e.kind === 'error' && e.code === 'token-provider'), 'followers see the event too');
  });

  it('closeNotificationClient-style switch: closing and opening as another user moves the tab to that group', async () => {
    const browser = new MemoryBrowser();
    const server = new FakeRSocketServer();
    const alice = openTab(browser, server);
    alice.client.connect();
    await waitFor(() => alice.client.state.state === 'connected', 'alice');
    const tab = openTab(browser, server);
    tab.client.connect();
    await waitFor(() => tab.client.state.state === 'connected', 'the tab as alice');
    tab.client.close();
    const asBob = openTab(browser, server, { userId: 'bob' });
    asBob.client.connect();
    await waitFor(() => asBob.client.state.state === 'connected', 'the tab as bob');
    assert.equal(asBob.client.role, 'leader', "bob's first tab leads bob's group");
    assert.equal(server.connections.length, 2);
    server.connections[0]!.push(notification(1, 'for.alice'));
    await waitFor(() => alice.notifications.length === 1, 'alice');
    assert.equal(asBob.notifications.length, 0);
  });
});

describe('SharedNotificationClient: opting out and falling back', () => {
  it('shareAcrossTabs: false gives every tab its own connection, silently', async () => {
    const browser = new MemoryBrowser();
    const server = new FakeRSocketServer();
    const tabs = [1, 2, 3].map(() => openTab(browser, server, { shareAcrossTabs: false, debug: true }));
    for (const tab of tabs) tab.client.connect();
    await waitFor(() => tabs.every((tab) => tab.client.state.state === 'connected'), 'all connected');
    assert.equal(server.connections.length, 3);
    assert.deepEqual(tabs.map((tab) => tab.client.role), ['own', 'own', 'own']);
    assert.deepEqual(browser.lockNames(), []);
    assert.equal(tabs[0]!.logs.filter((line) => line.startsWith('one connection per tab')).length, 0);
  });

  it('without Web Locks or BroadcastChannel each tab connects on its own, said once in the debug log', async () => {
    const server = new FakeRSocketServer();
    const logs: string[] = [];
    const browser = new MemoryBrowser();
    // Node 20 has a global BroadcastChannel but no navigator.locks: without the injected locks, Web Locks are missing.
    const tabs = [1, 2].map(() => openTab(browser, server, { debug: true, logger: (line) => logs.push(line), locks: undefined }));
    for (const tab of tabs) tab.client.connect();
    const global = globalThis as { BroadcastChannel?: unknown };
    const saved = global.BroadcastChannel;
    const third = openTab(browser, server, { debug: true, logger: (line) => logs.push(line), BroadcastChannel: undefined });
    tabs.push(third);
    delete global.BroadcastChannel;
    try {
      third.client.connect();
    } finally {
      global.BroadcastChannel = saved;
    }
    await waitFor(() => tabs.every((tab) => tab.client.state.state === 'connected'), 'all connected');
    assert.equal(server.connections.length, 3);
    assert.deepEqual(tabs.map((tab) => tab.client.role), ['own', 'own', 'own']);
    assert.deepEqual(logs.filter((line) => line.startsWith('one connection per tab')), ['one connection per tab: this browser lacks Web Locks or BroadcastChannel']);
  });

  it('an opaque token gives the tab its own connection: the client cannot tell which user it is', async () => {
    const server = new FakeRSocketServer();
    const browser = new MemoryBrowser();
    const tabs = [1, 2].map(() => openTab(browser, server, { userId: undefined, token: () => 'opaque-session-token', debug: true }));
    for (const tab of tabs) tab.client.connect();
    await waitFor(() => tabs.every((tab) => tab.client.state.state === 'connected'), 'all connected');
    assert.equal(server.connections.length, 2);
    assert.deepEqual(tabs.map((tab) => tab.client.role), ['own', 'own']);
  });

  it('a token provider that fails before the tab knows its group: an error event, reconnecting, then a retry', async () => {
    const server = new FakeRSocketServer();
    const browser = new MemoryBrowser();
    const clock = new FakeClock();
    const part = (value: object): string => Buffer.from(JSON.stringify(value)).toString('base64url');
    let fail = true;
    const tab = openTab(browser, server, {
      userId: undefined,
      token: () => {
        if (fail) throw new Error('not logged in yet');
        return `${part({ alg: 'HS256' })}.${part({ sub: 'erin' })}.sig`;
      },
    }, clock);
    tab.client.connect();
    await waitFor(() => tab.client.state.state === 'reconnecting', 'reconnecting');
    assert.equal(tab.client.state.reason, 'token-unavailable');
    assert.equal(tab.client.state.retryInMs, 500);
    assert.deepEqual(tab.events, [{ kind: 'error', code: 'token-provider', message: 'the token provider failed: not logged in yet' }]);
    fail = false;
    clock.advance(500);
    await waitFor(() => tab.client.state.state === 'connected', 'connected after the retry');
    assert.equal(tab.client.role, 'leader');
  });
});
