import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import type { ClientEvent } from '../../src/client-event.js';
import { closeNotificationClient, getNotificationClient } from '../../src/get-notification-client.js';
import { FakeClock } from '../support/fake-clock.js';
import { FakeRSocketServer } from '../support/fake-rsocket-server.js';

afterEach(closeNotificationClient);

const clock = new FakeClock();

function options(server: FakeRSocketServer, userId = 'alice') {
  return { url: 'ws://fake.test/rsocket', userId, WebSocket: server.WebSocket, clock, online: () => () => {} };
}

describe('getNotificationClient', () => {
  it('returns one instance, connected once, however often it is asked for', async () => {
    const server = new FakeRSocketServer();
    const first = getNotificationClient(options(server));
    const again = getNotificationClient(options(server));
    const bare = getNotificationClient();
    assert.equal(first, again);
    assert.equal(first, bare);
    assert.equal(first.state.state, 'connecting');
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(server.connections.length, 1);
  });

  it('ignores later options and says which ones differed', () => {
    const server = new FakeRSocketServer();
    const client = getNotificationClient(options(server));
    const events: ClientEvent[] = [];
    client.events$.subscribe((event) => events.push(event));
    getNotificationClient({ ...options(server, 'bob'), token: () => 'other', debug: true });
    assert.deepEqual(events, [{ kind: 'options-ignored', keys: ['userId', 'debug'] }]);
  });

  it('starts over after closeNotificationClient()', () => {
    const server = new FakeRSocketServer();
    const first = getNotificationClient(options(server));
    closeNotificationClient();
    assert.equal(first.state.state, 'disconnected');
    assert.equal(first.state.reason, 'closed');
    assert.notEqual(getNotificationClient(options(server, 'bob')), first);
  });

  it('needs options on the first call', () => {
    assert.throws(() => getNotificationClient(), /the first call must pass the options/);
  });
});
