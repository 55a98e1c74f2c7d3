import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { STATE_TRANSITIONS, type ConnectionStateName } from '../../../src/connection-state.js';
import { followStatePath } from '../../../src/sharing/follow-state.js';

const STATES: ConnectionStateName[] = ['disconnected', 'connecting', 'connected', 'reconnecting'];

describe('followStatePath', () => {
  it('reaches every state from every state through allowed transitions only, and stays put when already there', () => {
    for (const from of STATES) {
      for (const to of STATES) {
        const path = followStatePath(from, to);
        if (from === to) {
          assert.deepEqual(path, [], `${from} -> ${to}`);
          continue;
        }
        assert.equal(path.at(-1), to, `${from} -> ${to} ends there`);
        let at = from;
        for (const step of path) {
          assert.ok(STATE_TRANSITIONS[at].includes(step), `${from} -> ${to}: ${at} -> ${step} is allowed`);
          at = step;
        }
        assert.ok(path.length <= 2, `${from} -> ${to} is short`);
      }
    }
  });

  it('a follower joining a connected leader connects; one whose leader left and is back connects again', () => {
    assert.deepEqual(followStatePath('disconnected', 'connected'), ['connecting', 'connected']);
    assert.deepEqual(followStatePath('reconnecting', 'connected'), ['connecting', 'connected']);
    assert.deepEqual(followStatePath('connected', 'connecting'), ['reconnecting', 'connecting']);
  });
});
