import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  ConnectionStateMachine,
  IllegalTransitionError,
  STATE_TRANSITIONS,
  type ConnectionState,
  type ConnectionStateName,
} from '../../src/connection-state.js';

const NAMES: ConnectionStateName[] = ['connecting', 'connected', 'reconnecting', 'disconnected'];

function machineIn(state: ConnectionStateName): ConnectionStateMachine {
  const machine = new ConnectionStateMachine(true);
  const path: Record<ConnectionStateName, ConnectionStateName[]> = {
    disconnected: [],
    connecting: ['connecting'],
    connected: ['connecting', 'connected'],
    reconnecting: ['connecting', 'reconnecting'],
  };
  for (const step of path[state]) machine.setState(step);
  return machine;
}

describe('ConnectionStateMachine', () => {
  it('starts disconnected (not-started) and replays the current state to late subscribers', () => {
    const machine = new ConnectionStateMachine(true);
    machine.setState('connecting', undefined, { url: 'ws://x/rsocket' });
    const seen: ConnectionState[] = [];
    machine.changes$.subscribe((state) => seen.push(state));
    assert.deepEqual(seen, [{ state: 'connecting', url: 'ws://x/rsocket' }]);
  });

  it('emits each allowed transition with its reason and details', () => {
    const machine = new ConnectionStateMachine(true);
    const seen: ConnectionState[] = [];
    machine.changes$.subscribe((state) => seen.push(state));
    machine.setState('connecting');
    machine.setState('reconnecting', 'draining', { message: '[draining] bye', attempt: 1, retryInMs: 420 });
    machine.setState('connecting');
    machine.setState('connected');
    machine.setState('disconnected', 'replaced', { message: '[replaced] newer tab' });
    assert.deepEqual(seen, [
      { state: 'disconnected', reason: 'not-started' },
      { state: 'connecting' },
      { state: 'reconnecting', reason: 'draining', message: '[draining] bye', attempt: 1, retryInMs: 420 },
      { state: 'connecting' },
      { state: 'connected' },
      { state: 'disconnected', reason: 'replaced', message: '[replaced] newer tab' },
    ]);
  });

  it('allows exactly the table of transitions and throws on any other in strict mode', () => {
    for (const from of NAMES) {
      for (const to of NAMES) {
        const machine = machineIn(from);
        if (STATE_TRANSITIONS[from].includes(to)) {
          assert.equal(machine.setState(to), true, `${from} -> ${to}`);
          assert.equal(machine.current.state, to);
        } else {
          assert.throws(() => machine.setState(to), (error: unknown) => error instanceof IllegalTransitionError && error.from === from && error.to === to);
          assert.equal(machine.current.state, from, 'an illegal transition changes nothing');
        }
      }
    }
    assert.deepEqual(STATE_TRANSITIONS.disconnected, ['connecting']);
  });

  it('outside strict mode ignores an illegal transition and reports it', () => {
    const reported: IllegalTransitionError[] = [];
    const machine = new ConnectionStateMachine(false, (error) => reported.push(error));
    assert.equal(machine.setState('connected'), false);
    assert.equal(machine.current.state, 'disconnected');
    assert.equal(reported[0]?.message, 'illegal connection state transition disconnected -> connected');
  });
});
