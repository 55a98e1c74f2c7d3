import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Cluster } from '../../support/cluster.js';
import { postWithRetry } from '../../support/initiator.js';
import { ResilientClient } from '../../support/resilient-client.js';
import { waitFor } from '../../support/wait-for.js';

const USERS = 20;
const PER_USER = 60;

describe('graceful shutdown', () => {
  it('SIGTERM during steady traffic: every client gets [draining], every 202 is delivered or recovered, exit 0', async () => {
    const cluster = await Cluster.start(2, { SHUTDOWN_TIMEOUT_MS: '5000' });
    const [draining, staying] = cluster.instances as [NonNullable<(typeof cluster.instances)[0]>, NonNullable<(typeof cluster.instances)[0]>];
    const clients = Array.from({ length: USERS }, (_, i) => new ResilientClient(`user-${i}`, cluster.liveWsUrls, draining.wsUrl));
    await Promise.all(clients.map((client) => client.start()));

    let accepted = 0;
    let exit: Promise<number | null> | undefined;
    const send = async (client: ResilientClient): Promise<void> => {
      for (let k = 0; k < PER_USER; k += 1) {
        const outcome = await postWithRetry(cluster.liveUrls, { userId: client.userId, type: 'steady', payload: { k } }, `${client.userId}-${k}`);
        assert.equal(outcome.status, 202);
        accepted += 1;
        if (accepted === (USERS * PER_USER) / 3) {
          // Past its shutdown deadline the instance exits 1: the exit code below says it finished in time.
          exit = draining.terminate();
        }
      }
    };
    await Promise.all(clients.map(send));
    assert.equal(await exit, 0, 'the drained instance exits 0');
    await waitFor(() => clients.every((c) => c.notifications.length >= PER_USER), 'every 202 delivered', 20_000);

    for (const client of clients) {
      assert.match(client.endings[0] ?? '', /\[draining\]/, `${client.userId} was told [draining]`);
      assert.deepEqual(client.notifications.map((n) => (n.payload as { k: number }).k), Array.from({ length: PER_USER }, (_, k) => k));
      client.stop();
    }
    assert.equal(staying.exited, false);
  });
});
