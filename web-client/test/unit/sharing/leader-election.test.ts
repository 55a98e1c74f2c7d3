import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { waitFor } from '../../../../test/support/wait-for.js';
import { LeaderElection } from '../../../src/sharing/leader-election.js';
import { MemoryBrowser, type MemoryTab } from '../../support/memory-browser.js';

function candidate(tab: MemoryTab, elected: string[], name: string, errors: unknown[] = []): LeaderElection {
  const election = new LeaderElection(tab.locks, 'group', () => elected.push(name), (error) => errors.push(error));
  election.start();
  return election;
}

describe('LeaderElection on Web Locks', () => {
  it('elects the first tab and hands the lead on in request order when it stops', async () => {
    const browser = new MemoryBrowser();
    const elected: string[] = [];
    const [a, b, c] = [browser.openTab(), browser.openTab(), browser.openTab()];
    const first = candidate(a, elected, 'a');
    const second = candidate(b, elected, 'b');
    candidate(c, elected, 'c');
    await waitFor(() => elected.length === 1, 'a leader');
    assert.deepEqual(elected, ['a']);
    assert.equal(first.isLeader, true);
    assert.equal(second.isLeader, false);
    assert.equal(browser.waiting('group'), 2);
    first.stop();
    assert.equal(first.isLeader, false);
    await waitFor(() => elected.length === 2, 'the next leader');
    assert.deepEqual(elected, ['a', 'b']);
    assert.equal(browser.holder('group'), b);
  });

  it('a crashed leader releases the lock: the next tab in line takes over', async () => {
    const browser = new MemoryBrowser();
    const elected: string[] = [];
    const [a, b] = [browser.openTab(), browser.openTab()];
    candidate(a, elected, 'a');
    candidate(b, elected, 'b');
    await waitFor(() => elected.length === 1, 'a leader');
    a.crash();
    await waitFor(() => elected.length === 2, 'a new leader after the crash');
    assert.deepEqual(elected, ['a', 'b']);
  });

  it('a waiting tab that stops leaves the line without an error and is never elected', async () => {
    const browser = new MemoryBrowser();
    const elected: string[] = [];
    const errors: unknown[] = [];
    const [a, b, c] = [browser.openTab(), browser.openTab(), browser.openTab()];
    const first = candidate(a, elected, 'a', errors);
    const second = candidate(b, elected, 'b', errors);
    candidate(c, elected, 'c', errors);
    await waitFor(() => elected.length === 1, 'a leader');
    second.stop();
    second.stop();
    assert.equal(browser.waiting('group'), 1);
    first.stop();
    await waitFor(() => elected.length === 2, 'the next leader');
    assert.deepEqual(elected, ['a', 'c']);
    assert.deepEqual(errors, []);
  });

  it('an elected callback that throws is reported and the lock is kept (the tab acts as leader)', async () => {
    const browser = new MemoryBrowser();
    const errors: unknown[] = [];
    const tab = browser.openTab();
    const election = new LeaderElection(tab.locks, 'group', () => { throw new Error('boom'); }, (error) => errors.push(error));
    election.start();
    await waitFor(() => errors.length === 1, 'the error');
    assert.equal(election.isLeader, true);
    assert.equal(browser.holder('group'), tab);
  });
});
