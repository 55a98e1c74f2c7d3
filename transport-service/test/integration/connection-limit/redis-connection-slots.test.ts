import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { pino } from 'pino';
import { RedisTopology } from '../../../src/broker/redis-topology.js';
import type { ConnectionLimitSettings } from '../../../src/connection-limit/connection-slots.js';
import { RedisConnectionSlots } from '../../../src/connection-limit/redis-connection-slots.js';
import { RSocketEndError } from '../../../src/errors/transport-error.js';
import { RedisCluster } from '../../../../test/support/redis-cluster.js';
import { RedisProcess } from '../../../../test/support/redis-process.js';
import { describeConnectionSlotsContract, Holder } from '../../support/connection-slots-contract.js';
import { waitFor } from '../../../../test/support/wait-for.js';

const logger = pino({ level: 'silent' });
let instance = 0;

async function slotsOn(topology: RedisTopology, settings: ConnectionLimitSettings, leaseMs = 30_000): Promise<RedisConnectionSlots> {
  const slots = new RedisConnectionSlots({ topology, instanceId: `instance-${process.pid}-${++instance}`, settings, leaseMs, logger });
  await slots.connect();
  return slots;
}

/** Starts the Redis (or the Cluster) once for a whole suite; each set of slots is a new instance on it. */
function shared(start: () => Promise<RedisTopology>): (settings: ConnectionLimitSettings) => Promise<RedisConnectionSlots> {
  let topology: Promise<RedisTopology> | undefined;
  return async (settings) => slotsOn(await (topology ??= start()), settings);
}

describeConnectionSlotsContract(
  'RedisConnectionSlots on one Redis',
  shared(async () => new RedisTopology({ mode: 'single', url: (await RedisProcess.start()).url }, 1_000)),
);

describeConnectionSlotsContract(
  'RedisConnectionSlots on a Redis Cluster',
  shared(async () => {
    const cluster = await RedisCluster.start();
    return new RedisTopology({ mode: 'cluster', nodes: cluster.nodes.map((node) => ({ host: '127.0.0.1', port: node.port })) }, 1_000);
  }),
);

describe('RedisConnectionSlots across instances', () => {
  it('one limit for the user whichever instance holds the connections; evict-oldest reaches the other instance', async () => {
    const redis = await RedisProcess.start();
    const topology = new RedisTopology({ mode: 'single', url: redis.url }, 1_000);
    const settings: ConnectionLimitSettings = { maxConnectionsPerUser: 1, policy: 'evict-oldest' };
    const [a, b] = [await slotsOn(topology, settings), await slotsOn(topology, settings)];
    const [onA, onB] = [new Holder('roaming'), new Holder('roaming')];
    await a.acquire(onA);
    await b.acquire(onB);
    await waitFor(() => onA.evicted === 1, 'the oldest, on instance A, to be told to end');
    assert.equal(onB.evicted, 0);
    await Promise.all([a.close(), b.close()]);
  });

  it('a slot whose instance stopped refreshing lapses after the lease; one that refreshes does not', async () => {
    const redis = await RedisProcess.start();
    const topology = new RedisTopology({ mode: 'single', url: redis.url }, 1_000);
    const settings: ConnectionLimitSettings = { maxConnectionsPerUser: 1, policy: 'reject-new' };
    // A lease of 3 s, refreshed every second: room for a loaded machine's pauses before a live slot could lapse.
    const crashed = await slotsOn(topology, settings, 3_000);
    const living = await slotsOn(topology, settings, 3_000);
    await crashed.acquire(new Holder('lapsing'));
    await living.acquire(new Holder('kept'));
    await crashed.close();
    let admitted = false;
    await waitFor(async () => {
      admitted = await living.acquire(new Holder('lapsing')).then(
        () => true,
        (error: unknown) => {
          assert.ok(error instanceof RSocketEndError && error.ending === 'connection-limit');
          return false;
        },
      );
      return admitted;
    }, 'the unrefreshed slot to lapse', 10_000);
    await assert.rejects(living.acquire(new Holder('kept')), (error: unknown) => error instanceof RSocketEndError && error.ending === 'connection-limit');
    await living.close();
  });

  it('refuses with [internal] REJECTED_SETUP when the limit cannot be checked (Redis down)', async () => {
    const redis = await RedisProcess.start();
    const slots = await slotsOn(new RedisTopology({ mode: 'single', url: redis.url }, 300), { maxConnectionsPerUser: 5, policy: 'reject-new' });
    await redis.kill();
    await assert.rejects(slots.acquire(new Holder('unlucky')), (error: unknown) => error instanceof RSocketEndError && error.ending === 'setup-unavailable' && error.reason === 'internal');
    await slots.close();
  });
});
