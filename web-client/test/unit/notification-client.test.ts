import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import { RSOCKET_ERROR_CODES } from '@notification-transport/contract';
import { decodeAuthMetadata, decodeCompositeMetadata } from 'rsocket-composite-metadata';
import { waitFor } from '../../../test/support/wait-for.js';
import { closeHarnesses, createHarness, notification, type Harness } from '../support/client-harness.js';
import type { NotificationTypeMap } from '../../src/notification-types.js';
import type { FakeConnection } from '../support/fake-rsocket-server.js';

afterEach(closeHarnesses);

async function connected<M extends NotificationTypeMap>(harness: Harness<M>, connections = 1): Promise<FakeConnection> {
  await waitFor(() => harness.client.state.state === 'connected' && harness.server.connections.length === connections, `connected #${connections}`);
  await waitFor(() => harness.server.last.stream !== undefined, 'the notifications stream request');
  return harness.server.last;
}

function bearerOf(connection: FakeConnection): string | undefined {
  const metadata = connection.setup?.metadata;
  if (!metadata) return undefined;
  for (const entry of decodeCompositeMetadata(metadata)) return decodeAuthMetadata(entry.content).payload.toString('utf8');
  return undefined;
}

describe('NotificationClient against a fake server and clock', () => {
  it('is connecting until the session route answers, then connected with the session info', async () => {
    const harness = createHarness();
    harness.server.autoSession = false;
    harness.client.connect();
    await waitFor(() => harness.server.connections[0]?.received.length === 3, 'SETUP, the stream and the session request');
    assert.equal(harness.client.state.state, 'connecting');
    const setup = harness.server.last.setup!;
    assert.equal(setup.keepAlive, 15_000);
    assert.equal(setup.lifetime, 45_000);
    assert.equal(setup.metadataMimeType, 'message/x.rsocket.composite-metadata.v0');
    assert.deepEqual(JSON.parse(setup.data!.toString()), { userId: 'alice' });
    harness.server.last.answerSession({ connectionId: 'conn-1' });
    const connection = await connected(harness);
    assert.equal(harness.client.session?.connectionId, 'conn-1');
    assert.deepEqual(harness.states.map((s) => s.state), ['disconnected', 'connecting', 'connected']);
    assert.equal(connection.streamData, undefined, 'no lastEventId before anything was delivered');
    assert.equal(connection.stream!.requestN, 64);
  });

  it('delivers notifications, typed per type through on(type), and remembers the last id', async () => {
    const harness = createHarness<{ 'order.updated': { n: number }; 'chat.message': { text: string } }>();
    const chats: string[] = [];
    harness.client.on('chat.message').subscribe((n) => chats.push(n.payload.text));
    harness.client.connect();
    const connection = await connected(harness);
    connection.push(notification(1));
    connection.push(notification(2, 'chat.message', { text: 'hi' }));
    assert.deepEqual(harness.notifications.map((n) => n.id), [notification(1).id, notification(2).id]);
    assert.deepEqual(chats, ['hi']);
    assert.equal(harness.client.lastEventId, notification(2).id);
  });

  it('after [draining] reconnects with a jittered delay, resumes with lastEventId and never emits an id twice', async () => {
    const harness = createHarness();
    harness.client.connect();
    const first = await connected(harness);
    first.push(notification(1));
    first.push(notification(2));
    first.streamError('draining', 'instance shutting down');
    first.connectionError('draining', 'instance shutting down', RSOCKET_ERROR_CODES.CONNECTION_CLOSE);
    const reconnecting = harness.client.state;
    assert.equal(reconnecting.state, 'reconnecting');
    assert.equal(reconnecting.reason, 'draining');
    assert.equal(reconnecting.retryInMs, 500, 'random 0.5 of the first 1000 ms window');
    harness.clock.advance(499);
    assert.equal(harness.server.connections.length, 1, 'no attempt before the delay');
    harness.clock.advance(1);
    const second = await connected(harness, 2);
    assert.deepEqual(second.streamData, { lastEventId: notification(2).id });
    second.push(notification(2));
    second.push(notification(3));
    assert.deepEqual(harness.notifications.map((n) => n.id), [1, 2, 3].map((n) => notification(n).id));
    assert.deepEqual(harness.events.filter((e) => e.kind === 'duplicate'), [{ kind: 'duplicate', id: notification(2).id }]);
  });

  it('after [token-expired] retries exactly once with a fresh token, then stays down on a second one', async () => {
    let calls = 0;
    const harness = createHarness({ userId: undefined, token: () => `token-${++calls}` });
    harness.client.connect();
    const first = await connected(harness);
    assert.equal(bearerOf(first), 'token-1');
    harness.server.onSetup = (connection) => queueMicrotask(() => connection.connectionError('token-expired', 'token expired'));
    first.connectionError('token-expired', 'token expired', RSOCKET_ERROR_CODES.CONNECTION_ERROR);
    assert.equal(harness.client.state.state, 'reconnecting');
    assert.equal(harness.client.state.retryInMs, 0);
    harness.clock.advance(0);
    await waitFor(() => harness.client.state.state === 'disconnected', 'staying down');
    assert.equal(harness.server.connections.length, 2);
    assert.equal(bearerOf(harness.server.last), 'token-2', 'the retry carried a fresh token');
    assert.equal(harness.client.state.reason, 'token-expired');
    harness.clock.advance(3_600_000);
    harness.goOnline();
    assert.equal(harness.server.connections.length, 2, 'no further attempt');
    assert.equal(calls, 2);
  });

  it('grants the token refresh again once a refreshed connection succeeded', async () => {
    let calls = 0;
    const harness = createHarness({ token: () => `token-${++calls}` });
    harness.client.connect();
    for (let round = 1; round <= 3; round += 1) {
      const connection = await connected(harness, round);
      connection.connectionError('token-expired', 'token expired', RSOCKET_ERROR_CODES.CONNECTION_ERROR);
      harness.clock.advance(0);
    }
    await connected(harness, 4);
    assert.equal(calls, 4);
  });

  for (const reason of ['auth', 'connection-limit', 'replaced'] as const) {
    it(`after [${reason}] is disconnected with the reason and never tries again`, async () => {
      const harness = createHarness();
      harness.client.connect();
      const connection = await connected(harness);
      connection.connectionError(reason, `refused: ${reason}`);
      assert.equal(harness.client.state.state, 'disconnected');
      assert.equal(harness.client.state.reason, reason);
      assert.equal(harness.client.state.message, `[${reason}] refused: ${reason}`);
      harness.clock.advance(24 * 3_600_000);
      harness.goOnline();
      await new Promise((resolve) => setImmediate(resolve));
      assert.equal(harness.server.connections.length, 1);
      assert.deepEqual(harness.clock.pendingDelays(), []);
      assert.equal(harness.onlineListeners(), 0, 'stopped listening for online');
    });
  }

  it('refused at SETUP ([connection-limit]) never reports connected', async () => {
    const harness = createHarness();
    harness.server.onSetup = (connection) => queueMicrotask(() => connection.connectionError('connection-limit', 'connection limit of 1 reached'));
    harness.client.connect();
    await waitFor(() => harness.client.state.state === 'disconnected', 'refusal');
    assert.deepEqual(harness.states.map((s) => s.state), ['disconnected', 'connecting', 'disconnected']);
    assert.equal(harness.client.state.reason, 'connection-limit');
  });

  it('tries at once on the online event instead of waiting for the backoff', async () => {
    const harness = createHarness();
    harness.client.connect();
    const connection = await connected(harness);
    const clockBefore = harness.clock.now();
    connection.socket.drop();
    await waitFor(() => harness.client.state.state === 'reconnecting', 'reconnecting');
    assert.equal(harness.client.state.reason, 'connection-lost');
    assert.equal(harness.client.state.retryInMs, 500);
    assert.equal(harness.server.connections.length, 1);
    harness.goOnline();
    await connected(harness, 2);
    assert.equal(harness.clock.now(), clockBefore, 'attempted without the clock moving');
    assert.deepEqual(harness.clock.pendingDelays(), [], 'the backoff timer was cancelled');
  });

  it('grows the backoff while attempts fail and resets it after a success', async () => {
    const harness = createHarness({ random: () => 0.999 });
    harness.server.autoOpen = false;
    harness.client.connect();
    const delays: number[] = [];
    for (let attempt = 1; attempt <= 4; attempt += 1) {
      await waitFor(() => harness.server.connections.length === attempt, `attempt #${attempt}`);
      harness.server.last.socket.fail('ECONNREFUSED');
      await waitFor(() => harness.client.state.state === 'reconnecting', `reconnecting #${attempt}`);
      delays.push(harness.client.state.retryInMs!);
      harness.clock.advance(harness.client.state.retryInMs!);
    }
    assert.deepEqual(delays, [999, 1998, 3996, 7992]);
    await waitFor(() => harness.server.connections.length === 5, 'attempt #5');
    harness.server.last.socket.open();
    const connection = await connected(harness, 5);
    connection.socket.drop();
    await waitFor(() => harness.client.state.state === 'reconnecting', 'reconnecting after success');
    assert.equal(harness.client.state.retryInMs, 999, 'back to the first window');
    assert.equal(harness.client.state.attempt, 1);
  });

  it('reconnects when the session route does not answer in time', async () => {
    const harness = createHarness({ connectTimeout: 5_000 });
    harness.server.autoSession = false;
    harness.client.connect();
    await waitFor(() => harness.server.connections[0]?.received.length === 3, 'the stream and the session request');
    harness.clock.advance(5_000);
    assert.equal(harness.client.state.state, 'reconnecting');
    assert.equal(harness.client.state.reason, 'session-timeout');
    assert.equal(harness.server.connections[0]!.socket.closedByClient, true);
  });

  it('turns a malformed session answer into an error event and a reconnect, not an exception', async () => {
    const harness = createHarness();
    harness.server.autoSession = false;
    harness.client.connect();
    await waitFor(() => harness.server.connections[0]?.received.length === 3, 'the stream and the session request');
    harness.server.last.answerSession({ connectionId: 42 as unknown as string });
    await waitFor(() => harness.client.state.state === 'reconnecting', 'reconnecting');
    assert.equal(harness.client.state.reason, 'protocol-error');
    assert.equal(harness.events[0]?.kind, 'error');
    assert.equal(harness.events[0]?.kind === 'error' && harness.events[0].code, 'protocol');
  });

  it('turns bad payloads into events, keeps delivering and keeps replenishing credits', async () => {
    const harness = createHarness({ creditWindow: 2 });
    harness.client.connect();
    const connection = await connected(harness);
    assert.doesNotThrow(() => {
      connection.push('{not json');
      connection.push('[1,2]');
      connection.push({ id: 'x', type: 'order.updated', payload: 1, createdAt: '' });
    });
    connection.push(notification(1));
    assert.deepEqual(harness.events.map((e) => e.kind), ['bad-payload', 'bad-payload', 'bad-payload']);
    assert.equal(harness.notifications.length, 1);
    assert.equal(connection.credits, 2 + 4, 'every PAYLOAD, good or bad, was re-granted');
    assert.equal(harness.client.state.state, 'connected');
  });

  it('surfaces $recovery.incomplete as an event with the lastEventId it answered', async () => {
    const harness = createHarness({ lastEventId: '1700000000000-5' });
    harness.client.connect();
    const connection = await connected(harness);
    assert.deepEqual(connection.streamData, { lastEventId: '1700000000000-5' });
    connection.push({ id: null, type: '$recovery.incomplete', payload: { oldestKept: '1700000000100-0' }, createdAt: new Date().toISOString() });
    assert.deepEqual(harness.events, [{ kind: 'recovery-incomplete', lastEventId: '1700000000000-5', payload: { oldestKept: '1700000000100-0' } }]);
    assert.equal(harness.notifications.length, 0);
  });

  it('never has more than the credit window outstanding and never stalls', async () => {
    const harness = createHarness({ creditWindow: 8 });
    harness.client.connect();
    const connection = await connected(harness);
    for (let n = 1; n <= 100; n += 1) {
      const outstanding = connection.credits - (n - 1);
      assert.ok(outstanding > 0 && outstanding <= 8, `outstanding ${outstanding} before PAYLOAD ${n}`);
      connection.push(notification(n));
    }
    assert.equal(harness.notifications.length, 100);
  });

  it('close() disconnects, closes the socket and stops every timer and listener', async () => {
    const harness = createHarness();
    harness.client.connect();
    const connection = await connected(harness);
    harness.client.close();
    harness.client.close();
    assert.equal(harness.client.state.state, 'disconnected');
    assert.equal(harness.client.state.reason, 'closed');
    assert.equal(connection.socket.closedByClient, true);
    assert.deepEqual(harness.clock.pendingDelays(), []);
    assert.equal(harness.onlineListeners(), 0);
  });

  it('reports a failing token provider and retries with backoff', async () => {
    const harness = createHarness({ token: () => Promise.reject(new Error('auth server down')) });
    harness.client.connect();
    await waitFor(() => harness.client.state.state === 'reconnecting', 'reconnecting');
    assert.equal(harness.client.state.reason, 'token-unavailable');
    assert.deepEqual(harness.events, [{ kind: 'error', code: 'token-provider', message: 'the token provider failed: auth server down' }]);
    assert.equal(harness.server.connections.length, 0);
  });

  it('rotates through the URL list on reconnect', async () => {
    const harness = createHarness({ url: ['ws://a.test/rsocket', 'ws://b.test/rsocket'] });
    harness.client.connect();
    const first = await connected(harness);
    first.socket.drop();
    await waitFor(() => harness.client.state.state === 'reconnecting', 'reconnecting');
    harness.goOnline();
    await connected(harness, 2);
    assert.deepEqual(harness.server.connections.map((c) => c.socket.url), ['ws://a.test/rsocket', 'ws://b.test/rsocket']);
  });

  it('with debug logs every frame decoded, never the token', async () => {
    const harness = createHarness({ debug: true, token: () => 'secret-token-value' });
    harness.client.connect();
    const connection = await connected(harness);
    connection.push(notification(1));
    const types = harness.frames.map((f) => `${f.direction} ${f.type}`);
    assert.deepEqual(types.slice(0, 4), ['out SETUP', 'out REQUEST_STREAM', 'out REQUEST_RESPONSE', 'in PAYLOAD']);
    assert.equal(harness.frames[0]!.metadata?.auth, 'bearer');
    assert.ok(harness.logs.some((line) => line === '-> REQUEST_STREAM stream=1 [METADATA] requestN=64 route=notifications'));
    assert.ok(harness.logs.some((line) => line.includes('<- PAYLOAD stream=1 [NEXT] id=1700000000001-0 data={"id":"1700000000001-0"')));
    assert.ok(!JSON.stringify([harness.frames, harness.logs]).includes('secret-token-value'));
  });
});
