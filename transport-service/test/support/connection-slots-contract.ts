import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import type { ConnectionLimitSettings, ConnectionSlots, SlotHolder } from '../../src/connection-limit/connection-slots.js';
import { RSocketEndError } from '../../src/errors/transport-error.js';
import { waitFor } from '../../../test/support/wait-for.js';

/** Makes a new set of slots with `settings`; each test uses its own users, so sets may share one store. */
export type SlotsFactory = (settings: ConnectionLimitSettings) => Promise<ConnectionSlots>;

let serial = 0;

/** A connection as the limit sees it, recording whether it was evicted. */
export class Holder implements SlotHolder {
  readonly connectionId = `c-${process.pid}-${++serial}`;
  evicted = 0;
  constructor(readonly userId: string) {}
  evict(): void {
    this.evicted += 1;
  }
}

/** Whether `acquire` was refused with the contract's `[connection-limit]` (REJECTED_SETUP, "connection limit"). */
function isLimitRefusal(error: unknown): boolean {
  return error instanceof RSocketEndError && error.ending === 'connection-limit' && error.rsocketCode === 0x3 && /connection limit of \d+/.test(error.message);
}

/**
 * The behaviour every ConnectionSlots implementation owes the service, run against each one (the in-memory twin,
 * one Redis, a Redis Cluster): the limit at, below and above, per user; release at once; no overshoot under
 * concurrency; and evict-oldest.
 */
export function describeConnectionSlotsContract(name: string, factory: SlotsFactory): void {
  describe(`${name} (ConnectionSlots contract)`, () => {
    const created: ConnectionSlots[] = [];
    let user = 0;
    const nextUser = (): string => `slots-user-${process.pid}-${++user}`;
    const slotsWith = async (settings: ConnectionLimitSettings): Promise<ConnectionSlots> => {
      const slots = await factory(settings);
      created.push(slots);
      return slots;
    };
    after(() => Promise.all(created.map((slots) => slots.close())));

    it('reject-new: accepts below and at the limit, refuses above it, per user', async () => {
      const slots = await slotsWith({ maxConnectionsPerUser: 3, policy: 'reject-new' });
      const [alice, bob] = [nextUser(), nextUser()];
      for (let i = 0; i < 3; i += 1) await slots.acquire(new Holder(alice));
      await assert.rejects(slots.acquire(new Holder(alice)), isLimitRefusal);
      await slots.acquire(new Holder(bob));
    });

    it('a release frees its slot at once; releasing twice, or a holder never admitted, changes nothing', async () => {
      const slots = await slotsWith({ maxConnectionsPerUser: 1, policy: 'reject-new' });
      const alice = nextUser();
      const first = new Holder(alice);
      await slots.acquire(first);
      const refused = new Holder(alice);
      await assert.rejects(slots.acquire(refused), isLimitRefusal);
      slots.release(refused);
      await assert.rejects(slots.acquire(new Holder(alice)), isLimitRefusal, 'releasing a refused holder freed nothing');
      slots.release(first);
      slots.release(first);
      const second = new Holder(alice);
      await slots.acquire(second);
      await assert.rejects(slots.acquire(new Holder(alice)), isLimitRefusal, 'a double release did not free a second slot');
    });

    it('simultaneous acquires never exceed the limit', async () => {
      const slots = await slotsWith({ maxConnectionsPerUser: 2, policy: 'reject-new' });
      const alice = nextUser();
      const outcomes = await Promise.allSettled(Array.from({ length: 20 }, () => slots.acquire(new Holder(alice))));
      assert.equal(outcomes.filter((outcome) => outcome.status === 'fulfilled').length, 2);
      assert.ok(outcomes.every((outcome) => outcome.status === 'fulfilled' || isLimitRefusal(outcome.reason)));
    });

    it('evict-oldest: a connection over the limit ends the oldest, then the next oldest', async () => {
      const slots = await slotsWith({ maxConnectionsPerUser: 2, policy: 'evict-oldest' });
      const alice = nextUser();
      const holders = [new Holder(alice), new Holder(alice), new Holder(alice), new Holder(alice)];
      for (const holder of holders) await slots.acquire(holder);
      await waitFor(() => holders[0]!.evicted === 1 && holders[1]!.evicted === 1, 'the two oldest to be evicted');
      assert.deepEqual(holders.map((holder) => holder.evicted), [1, 1, 0, 0]);
    });

    it('evict-oldest at limit 1: each new connection replaces the one before', async () => {
      const slots = await slotsWith({ maxConnectionsPerUser: 1, policy: 'evict-oldest' });
      const alice = nextUser();
      const holders = [new Holder(alice), new Holder(alice), new Holder(alice)];
      for (const holder of holders) await slots.acquire(holder);
      await waitFor(() => holders[1]!.evicted === 1, 'the second to be evicted');
      assert.deepEqual(holders.map((holder) => holder.evicted), [1, 1, 0]);
    });
  });
}
