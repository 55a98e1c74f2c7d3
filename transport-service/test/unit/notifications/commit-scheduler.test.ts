import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CommitScheduler } from '../../../src/notifications/commit-scheduler.js';

/** Work that completes only when the test says so, recording what was started. */
function manualWork(): { started: string[]; finish: (item: string) => void; fail: (item: string) => void; work: (item: string) => Promise<string> } {
  const started: string[] = [];
  const pending = new Map<string, { resolve(value: string): void; reject(error: Error): void }>();
  return {
    started,
    finish: (item) => pending.get(item)?.resolve(item),
    fail: (item) => pending.get(item)?.reject(new Error(`failed ${item}`)),
    work: (item) =>
      new Promise<string>((resolve, reject) => {
        started.push(item);
        pending.set(item, { resolve, reject });
      }),
  };
}

const turn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe('CommitScheduler', () => {
  it('starts an idle request at once, in the caller\'s turn, and resolves results in item order', async () => {
    const scheduler = new CommitScheduler({ maxBytes: 100, maxInFlight: 10, sliceSize: 4 });
    const work = manualWork();
    const done = scheduler.run(['a', 'b'], () => 1, work.work);
    assert.deepEqual(work.started, ['a', 'b']);
    work.finish('b');
    work.finish('a');
    assert.deepEqual(await done, ['a', 'b']);
  });

  it('never has more bytes or items in flight than the window, except one item alone', async () => {
    const scheduler = new CommitScheduler({ maxBytes: 10, maxInFlight: 3, sliceSize: 100 });
    const work = manualWork();
    const big = scheduler.run(['huge'], () => 50, work.work);
    const small = scheduler.run(['s1', 's2', 's3', 's4', 's5'], () => 2, work.work);
    await turn();
    assert.deepEqual(work.started, ['huge'], 'one item over the window goes alone');
    work.finish('huge');
    await big;
    await turn();
    assert.deepEqual(work.started.slice(1), ['s1', 's2', 's3'], 'at most maxInFlight at once');
    work.finish('s1');
    await turn();
    await turn();
    assert.deepEqual(work.started.slice(1), ['s1', 's2', 's3', 's4']);
    for (const item of ['s2', 's3', 's4']) work.finish(item);
    await turn();
    await turn();
    work.finish('s5');
    assert.deepEqual(await small, ['s1', 's2', 's3', 's4', 's5']);
  });

  it('serves waiting requests a slice each in turn: a small request does not wait behind a huge one', async () => {
    const scheduler = new CommitScheduler({ maxBytes: 1_000_000, maxInFlight: 1_000, sliceSize: 10 });
    const order: string[] = [];
    const instant = (item: string): Promise<string> => {
      order.push(item);
      return Promise.resolve(item);
    };
    const huge = scheduler.run(Array.from({ length: 100 }, (_, i) => `h${i}`), () => 1, instant);
    const small = scheduler.run(['s'], () => 1, instant);
    await small;
    // The huge request's first slice went out at once; its second had the next turn already: then the small one.
    assert.ok(order.indexOf('s') <= 20, `the small request waited at most two slices of the huge one, came at ${order.indexOf('s')}`);
    assert.equal((await huge).length, 100);
  });

  it('ends a request\'s turn when the byte window cut its slice short: the next request goes next', async () => {
    const scheduler = new CommitScheduler({ maxBytes: 4, maxInFlight: 100, sliceSize: 32 });
    const order: string[] = [];
    const instant = (item: string): Promise<string> => {
      order.push(item);
      return Promise.resolve(item);
    };
    const huge = scheduler.run(Array.from({ length: 40 }, (_, i) => `h${i}`), () => 2, instant);
    const small = scheduler.run(['s'], () => 2, instant);
    await small;
    assert.ok(order.indexOf('s') <= 4, `the small request came after two turns of two items, at ${order.indexOf('s')}`);
    assert.equal((await huge).length, 40);
  });

  it('yields the event loop between slices of work that completes synchronously', async () => {
    const scheduler = new CommitScheduler({ maxBytes: 1_000_000, maxInFlight: 1_000, sliceSize: 10 });
    // A callback that re-queues itself counts event-loop turns: synchronous work never lets it run.
    let ticks = 0;
    let ticking = true;
    const tick = (): void => {
      ticks += 1;
      if (ticking) setImmediate(tick);
    };
    setImmediate(tick);
    const started: number[] = [];
    await scheduler.run(Array.from({ length: 50 }, (_, i) => i), () => 1, (i) => {
      started.push(ticks);
      return Promise.resolve(i);
    });
    ticking = false;
    assert.ok(started[49]! > started[0]!, 'timers ran while the request was served');
  });

  it('fails a request at its first failed item and sends none of its later items', async () => {
    const scheduler = new CommitScheduler({ maxBytes: 1_000, maxInFlight: 2, sliceSize: 10 });
    const work = manualWork();
    const run = scheduler.run(['a', 'b', 'c', 'd'], () => 1, work.work);
    work.fail('a');
    await assert.rejects(run, /failed a/);
    work.finish('b');
    await turn();
    await turn();
    assert.deepEqual(work.started, ['a', 'b']);
    assert.equal(scheduler.waiting, 0);
    const next = scheduler.run(['e'], () => 1, work.work);
    await turn();
    work.finish('e');
    assert.deepEqual(await next, ['e'], 'the window was released');
  });

  it('does not spin while the next item waits for room in a nearly full byte window: a completion serves it', async () => {
    const scheduler = new CommitScheduler({ maxBytes: 100, maxInFlight: 10, sliceSize: 10 });
    const work = manualWork();
    let passesOverWaiting = 0;
    const done = scheduler.run(['a', 'b', 'c'], (item) => {
      if (item === 'c') passesOverWaiting += 1;
      return 40;
    }, work.work);
    assert.deepEqual(work.started, ['a', 'b'], '80 of 100 bytes in flight: the third item does not fit');
    for (let i = 0; i < 50; i += 1) await turn();
    const passesWhileWaiting = passesOverWaiting;
    work.finish('a');
    await turn();
    await turn();
    assert.deepEqual(work.started, ['a', 'b', 'c'], 'the completion made room and served it');
    work.finish('b');
    work.finish('c');
    assert.deepEqual(await done, ['a', 'b', 'c']);
    // Checked once all is settled, so a scheduler that spins stops spinning and the failure is reported.
    assert.ok(passesWhileWaiting <= 3, `the waiting item was looked at ${passesWhileWaiting} times in 50 turns`);
  });
});
