import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Delivery, Replay } from '../../../src/broker/broker.js';
import { UserRegistry, type UserConnection } from '../../../src/delivery/user-registry.js';

class FakeConnection implements UserConnection {
  readonly got: string[] = [];
  constructor(readonly userId: string) {}
  deliver(delivery: Delivery): void {
    this.got.push(delivery.id);
  }
}

class BrokerSubscriptions {
  readonly calls: string[] = [];
  subscribe(userId: string): Promise<void> {
    this.calls.push(`+${userId}`);
    return Promise.resolve();
  }
  unsubscribe(userId: string): void {
    this.calls.push(`-${userId}`);
  }
  replay(userId: string, afterId: string): Promise<Replay> {
    this.calls.push(`replay ${userId} after ${afterId}`);
    return Promise.resolve({ complete: true, deliveries: [] });
  }
}

const delivery = (id: string): Delivery => ({ id, ms: Number(id.split('-')[0]), seq: 0, data: Buffer.from('{}') });

describe('UserRegistry', () => {
  it('reads a user\'s history for recovery only once the user\'s subscription is active', async () => {
    const broker = new BrokerSubscriptions();
    let subscribed!: () => void;
    broker.subscribe = (userId: string): Promise<void> => {
      broker.calls.push(`+${userId}`);
      return new Promise((resolve) => (subscribed = resolve));
    };
    const registry = new UserRegistry(broker);
    registry.add(new FakeConnection('a'));
    const replay = registry.replay('a', '5-0');
    await Promise.resolve();
    assert.deepEqual(broker.calls, ['+a'], 'no history read before the subscription is confirmed');
    subscribed();
    assert.deepEqual(await replay, { complete: true, deliveries: [] });
    assert.deepEqual(broker.calls, ['+a', 'replay a after 5-0']);
    await assert.rejects(registry.replay('nobody', '1-0'), /no live connection of nobody here/);
  });

  it('subscribes on a user\'s first connection and unsubscribes on its last', () => {
    const broker = new BrokerSubscriptions();
    const registry = new UserRegistry(broker);
    const [a1, a2, b] = [new FakeConnection('a'), new FakeConnection('a'), new FakeConnection('b')];
    registry.add(a1);
    registry.add(a2);
    registry.add(b);
    registry.add(a1);
    assert.equal(registry.connections, 3);
    registry.remove(a1);
    registry.remove(a1);
    registry.remove(a2);
    registry.remove(b);
    assert.deepEqual(broker.calls, ['+a', '+b', '-a', '-b']);
    assert.equal(registry.connections, 0);
    assert.equal(registry.userCount, 0);
  });

  it('tries a failed subscription again for the next caller', async () => {
    let attempts = 0;
    const failures: string[] = [];
    const registry = new UserRegistry(
      {
        subscribe: () => (++attempts === 1 ? Promise.reject(new Error('redis down')) : Promise.resolve()),
        unsubscribe: () => {},
        replay: () => Promise.resolve({ complete: true, deliveries: [] }),
      },
      (userId) => failures.push(userId),
    );
    registry.add(new FakeConnection('a'));
    await assert.rejects(registry.subscribed('a'), /redis down/);
    await registry.subscribed('a');
    assert.equal(attempts, 2);
    assert.deepEqual(failures, ['a']);
    await assert.rejects(registry.subscribed('nobody'), /no live connection/);
  });

  it('delivers to every connection of the user and to no one else', () => {
    const registry = new UserRegistry(new BrokerSubscriptions());
    const [a1, a2, b] = [new FakeConnection('a'), new FakeConnection('a'), new FakeConnection('b')];
    for (const connection of [a1, a2, b]) registry.add(connection);
    registry.deliver('a', delivery('1-0'));
    registry.deliver('nobody', delivery('2-0'));
    assert.deepEqual([a1.got, a2.got, b.got], [['1-0'], ['1-0'], []]);
    assert.deepEqual([...registry.connectionsOf('a')], [a1, a2], 'oldest first');
    registry.remove(a1);
    registry.deliver('a', delivery('3-0'));
    assert.deepEqual([...registry.connectionsOf('a')], [a2]);
    assert.deepEqual([a1.got, a2.got], [['1-0'], ['1-0', '3-0']], 'the remaining tab still receives');
    assert.deepEqual([...registry.all()], [a2, b]);
  });
});
