import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import type { Notification } from '@notification-transport/contract';
import { SignJWT } from 'jose';
import WebSocket from 'ws';
import { startService } from '../../../test/support/service.js';
import { waitFor } from '../../../test/support/wait-for.js';
import type { ClientEvent } from '../../src/client-event.js';
import type { ConnectionState } from '../../src/connection-state.js';
import type { WebSocketConstructor } from '../../src/client-options.js';
import { NotificationClient } from '../../src/notification-client.js';

const clients: NotificationClient[] = [];
after(() => clients.forEach((client) => client.close()));

const SECRET = 'web-client-live-secret-0123456789abcdef';

function sign(sub: string, secret = SECRET): Promise<string> {
  return new SignJWT({ sub })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setExpirationTime(Math.floor(Date.now() / 1000) + 600)
    .sign(new TextEncoder().encode(secret));
}

type Identity = { userId: string } | { token: () => Promise<string> };

function client(url: string, identity: Identity): NotificationClient<{ 'order.updated': { orderId: string } }> {
  const created = new NotificationClient<{ 'order.updated': { orderId: string } }>({
    url,
    ...identity,
    WebSocket: WebSocket as unknown as WebSocketConstructor,
    reconnect: { baseMs: 50, maxMs: 200 },
  });
  clients.push(created as unknown as NotificationClient);
  created.connect();
  return created;
}

describe('web client against a real in-process transport-service', () => {
  it('connects, receives a REST-sent notification, is refused over the connection limit and follows a drain', async () => {
    const service = await startService({ MAX_CONNECTIONS_PER_USER: '1' });
    const alice = client(service.wsUrl, { userId: 'alice' });
    const received: Array<Notification<{ orderId: string }>> = [];
    alice.on('order.updated').subscribe((n) => received.push(n));
    await waitFor(() => alice.state.state === 'connected', 'alice connected');
    assert.equal(alice.session?.userId, 'alice');
    assert.equal(alice.session?.keepAlive, 15_000);

    const sent = await service.send({ userId: 'alice', type: 'order.updated', payload: { orderId: 'o-1' } });
    assert.equal(sent.status, 202);
    await waitFor(() => received.length === 1, 'the notification');
    assert.deepEqual(received[0]?.payload, { orderId: 'o-1' });
    assert.equal(alice.lastEventId, sent.body.notifications[0]?.id);

    const second = client(service.wsUrl, { userId: 'alice' });
    await waitFor(() => second.state.state === 'disconnected' && second.state.reason === 'connection-limit', 'the second tab refused');
    assert.match(second.state.message ?? '', /connection limit/);
    assert.equal(alice.state.state, 'connected', 'the first connection is untouched');

    const events: ClientEvent[] = [];
    alice.events$.subscribe((event) => events.push(event));
    // Every state is kept: after the drain the client retries within milliseconds, and each retry against the
    // closed instance fails as `connection-lost`, so only the first move away from `connected` tells why it left.
    const states: ConnectionState[] = [];
    alice.state$.subscribe((state) => states.push(state));
    await service.server.close();
    await waitFor(() => states.some((state) => state.state !== 'connected'), 'alice leaving the drained instance');
    const left = states.find((state) => state.state !== 'connected');
    assert.equal(left?.state, 'reconnecting');
    assert.equal(left?.reason, 'draining');
    assert.deepEqual(events, []);
  });

  it('sends the provider\'s token as bearer SETUP metadata and stays down on [auth]', async () => {
    const service = await startService({ AUTH_JWT_SECRET: SECRET });
    let calls = 0;
    const bob = client(service.wsUrl, {
      token: () => {
        calls += 1;
        return sign('bob');
      },
    });
    await waitFor(() => bob.state.state === 'connected', 'bob connected with a JWT');
    assert.equal(bob.session?.userId, 'bob');
    const forged = client(service.wsUrl, { token: () => sign('bob', 'not-the-secret-0123456789abcdef-xyz') });
    await waitFor(() => forged.state.state === 'disconnected' && forged.state.reason === 'auth', 'the forged token refused');
    assert.equal(calls, 1);
  });
});
