import type { ConnectionStateName } from '../connection-state.js';

// The shortest legal way between any two states (see STATE_TRANSITIONS), as the steps to take after `from`.
const PATHS: Readonly<Record<ConnectionStateName, Readonly<Record<ConnectionStateName, readonly ConnectionStateName[]>>>> = {
  disconnected: { disconnected: [], connecting: ['connecting'], connected: ['connecting', 'connected'], reconnecting: ['connecting', 'reconnecting'] },
  connecting: { disconnected: ['disconnected'], connecting: [], connected: ['connected'], reconnecting: ['reconnecting'] },
  connected: { disconnected: ['disconnected'], connecting: ['reconnecting', 'connecting'], connected: [], reconnecting: ['reconnecting'] },
  reconnecting: { disconnected: ['disconnected'], connecting: ['connecting'], connected: ['connecting', 'connected'], reconnecting: [] },
};

/**
 * The states a tab passes through to mirror the state `to` of the connection it shares, starting from its own
 * `from`: only allowed transitions, so a follower's `state$` reads like one of its own connection (a follower that
 * joins a connected leader goes `connecting` then `connected`). Empty when it is already there.
 */
export function followStatePath(from: ConnectionStateName, to: ConnectionStateName): readonly ConnectionStateName[] {
  return PATHS[from][to];
}
