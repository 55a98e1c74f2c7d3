import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { startService } from '../support/service.js';
import { connectLegacy, connectModern } from '../support/rsocket-clients.js';
import { RawRSocket } from '../support/raw-rsocket.js';
import { quietPeriod, waitFor } from '../support/wait-for.js';

describe('per-user connection limit (one instance)', () => {
  it('reject-new: the connection over the limit is refused with [connection-limit]; closing one lets one in', async () => {
    const service = await startService({ MAX_CONNECTIONS_PER_USER: '2' });
    const first = await connectModern(service.wsUrl, { userId: 'alice' });
    const second = await connectLegacy(service.wsUrl, { userId: 'alice' });
    await Promise.all([first.session(), second.session()]);
    const other = await connectModern(service.wsUrl, { userId: 'bob' });
    await other.session();

    const third = await RawRSocket.open(service.wsUrl);
    third.setup('alice');
    const refusal = await third.error(0);
    assert.equal(refusal.code, 0x3);
    assert.match(refusal.message, /^\[connection-limit\] .*connection limit/);
    await third.serverClosed();
    assert.equal(await service.metric('transport_refusals_total'), 1);

    first.close();
    await waitFor(() => service.server.registry.connectionsOf('alice').size === 1, 'the slot to free');
    const fourth = await connectModern(service.wsUrl, { userId: 'alice' });
    assert.equal((await fourth.session()).userId, 'alice');
    assert.equal(service.server.registry.connectionsOf('bob').size, 1, 'another user is unaffected');
  });

  it('evict-oldest: the oldest connection ends with [replaced]; notifications reach the two live ones', async () => {
    const service = await startService({ MAX_CONNECTIONS_PER_USER: '2', CONNECTION_LIMIT_POLICY: 'evict-oldest' });
    const oldest = await connectModern(service.wsUrl, { userId: 'alice' });
    await oldest.session();
    const middle = await connectLegacy(service.wsUrl, { userId: 'alice' });
    await middle.session();
    const newest = await connectModern(service.wsUrl, { userId: 'alice' });
    await newest.session();

    await waitFor(() => oldest.error !== undefined, 'the oldest to be replaced');
    assert.match(oldest.error?.message ?? '', /\[replaced\] a newer connection/);
    await service.send({ userId: 'alice', type: 't', payload: 1 });
    await waitFor(() => middle.received.length === 1 && newest.received.length === 1, 'delivery to the live two');
    await quietPeriod();
    assert.equal(oldest.received.length, 0);
    assert.equal(service.server.registry.connectionsOf('alice').size, 2);
  });
});
