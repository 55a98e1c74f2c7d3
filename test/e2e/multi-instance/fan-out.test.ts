import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import WebSocket from 'ws';
import { Cluster } from '../../support/cluster.js';
import { postNotification } from '../../support/initiator.js';
import { RawRSocket } from '../../support/raw-rsocket.js';
import { connectLegacy, connectModern } from '../../support/rsocket-clients.js';
import { redisCommand } from '../../support/redis-cli.js';
import { quietPeriod, waitFor } from '../../support/wait-for.js';

/** The user channels Redis has subscribers for right now. */
async function subscribedChannels(port: number): Promise<string[]> {
  const out = await redisCommand(port, 'PUBSUB', 'CHANNELS', 'nt:{*');
  return out === '' ? [] : out.split('\n');
}

describe('two instances over Redis', () => {
  it('a notification POSTed to instance A reaches the user\'s clients on A and on B, and no one else', async () => {
    const cluster = await Cluster.start(2);
    const [a, b] = cluster.instances as [NonNullable<(typeof cluster.instances)[0]>, NonNullable<(typeof cluster.instances)[0]>];
    const onA = await connectModern(a.wsUrl, { userId: 'alice' });
    const onB = await connectLegacy(b.wsUrl, { userId: 'alice' });
    const bob = await connectModern(b.wsUrl, { userId: 'bob' });
    await Promise.all([onA.session(), onB.session(), bob.session()]);

    const outcome = await postNotification(a.baseUrl, { userId: 'alice', type: 'cross.instance', payload: { hello: 'B' } });
    assert.equal(outcome.status, 202);
    assert.equal(outcome.body.notifications[0]?.online, true);
    await waitFor(() => onA.received.length === 1 && onB.received.length === 1, 'delivery on both instances');
    assert.deepEqual(onB.received[0], onA.received[0]);
    assert.equal(onA.received[0]?.id, outcome.body.notifications[0]?.id);
    await quietPeriod();
    assert.equal(bob.received.length, 0);
    assert.deepEqual((await postNotification(b.baseUrl, { userId: 'nobody', type: 't', payload: 1 })).body.notifications[0]?.online, false);
  });

  it('2,000 connect/close cycles across both instances leave zero Redis subscriptions', async () => {
    const cluster = await Cluster.start(2);
    const urls = cluster.liveWsUrls();
    const CYCLES = 2_000;
    const PARALLEL = 50;
    for (let start = 0; start < CYCLES; start += PARALLEL) {
      const batch = [];
      for (let i = start; i < start + PARALLEL; i += 1) {
        const url = urls[i % urls.length] as string;
        batch.push(
          i % 2 === 0
            ? connectModern(url, { userId: `u-${i % 150}` }).then(async (client) => {
                await client.session();
                client.close();
              })
            : RawRSocket.open(url).then(async (raw) => {
                raw.setup(`u-${i % 150}`);
                raw.requestStream(1, 5);
                await waitFor(() => raw.ws.readyState === WebSocket.OPEN, 'open');
                raw.ws.terminate();
              }),
        );
      }
      await Promise.all(batch);
    }
    const witness = await connectModern(urls[0] as string, { userId: 'witness' });
    await witness.session();
    assert.deepEqual(await subscribedChannels(cluster.redis.port), ['nt:{witness}'], 'a live connection is subscribed');
    witness.close();
    await waitFor(async () => (await subscribedChannels(cluster.redis.port)).length === 0, 'zero subscribed user channels', 10_000);
    assert.deepEqual(await subscribedChannels(cluster.redis.port), []);
    assert.equal(await redisCommand(cluster.redis.port, 'PUBSUB', 'NUMPAT'), '0');
  });
});
