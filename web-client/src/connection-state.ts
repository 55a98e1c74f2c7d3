import type { SessionInfo } from '@notification-transport/contract';
import { BehaviorSubject, type Observable } from 'rxjs';
import type { ClientReason } from './client-reason.js';

/** The client's lifecycle: `connected` means the `session` route answered (RSocket has no SETUP acknowledgement). */
export type ConnectionStateName = 'connecting' | 'connected' | 'reconnecting' | 'disconnected';

/** What accompanies a state: why it was entered and, per state, what the app may show. */
export interface StateDetails {
  /** Why the previous state was left (absent for a plain `connect()`). */
  reason?: ClientReason;
  /** The server's or the client's sentence about that reason. */
  message?: string;
  /** `connected`: what the server said about this connection. */
  session?: SessionInfo;
  /** `connecting`, `reconnecting`: the URL being (or about to be) tried. */
  url?: string;
  /** `reconnecting`: how many attempts failed in a row (1 after the first drop). */
  attempt?: number;
  /** `reconnecting`: the jittered delay before the next attempt. */
  retryInMs?: number;
}

/** One value of `state$`. */
export interface ConnectionState extends StateDetails {
  state: ConnectionStateName;
}

/** The allowed transitions; anything else is a bug in the client. */
export const STATE_TRANSITIONS: Readonly<Record<ConnectionStateName, readonly ConnectionStateName[]>> = {
  disconnected: ['connecting'],
  connecting: ['connected', 'reconnecting', 'disconnected'],
  connected: ['reconnecting', 'disconnected'],
  reconnecting: ['connecting', 'disconnected'],
};

/** Thrown (in strict mode) for a transition {@link STATE_TRANSITIONS} does not allow. */
export class IllegalTransitionError extends Error {
  readonly code = 'NT_ERR_ILLEGAL_TRANSITION';

  constructor(
    readonly from: ConnectionStateName,
    readonly to: ConnectionStateName,
  ) {
    super(`illegal connection state transition ${from} -> ${to}`);
    this.name = 'IllegalTransitionError';
  }
}

/**
 * The explicit state machine behind `state$`: one {@link ConnectionStateMachine.setState} that checks and emits every
 * transition. Strict mode (the `strictTransitions` option, for tests) throws on an illegal one; otherwise it is
 * ignored and reported.
 */
export class ConnectionStateMachine {
  private readonly subject = new BehaviorSubject<ConnectionState>({ state: 'disconnected', reason: 'not-started' });
  /** Replays the current state to each new subscriber, then every transition. */
  readonly changes$: Observable<ConnectionState> = this.subject.asObservable();

  constructor(
    private readonly strict: boolean,
    private readonly onIllegal: (error: IllegalTransitionError) => void = () => {},
  ) {}

  /** The current state. */
  get current(): ConnectionState {
    return this.subject.getValue();
  }

  /** Whether moving to `next` is allowed from the current state. */
  canMoveTo(next: ConnectionStateName): boolean {
    return STATE_TRANSITIONS[this.current.state].includes(next);
  }

  /** Moves to `next` with `reason` and emits the new state; returns false when the transition was refused. */
  setState(next: ConnectionStateName, reason?: ClientReason, details: Omit<StateDetails, 'reason'> = {}): boolean {
    if (!this.canMoveTo(next)) {
      const error = new IllegalTransitionError(this.current.state, next);
      if (this.strict) throw error;
      this.onIllegal(error);
      return false;
    }
    this.subject.next({ state: next, ...(reason === undefined ? {} : { reason }), ...details });
    return true;
  }
}
