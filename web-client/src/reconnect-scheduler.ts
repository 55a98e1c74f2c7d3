import { backoffDelay, type BackoffSettings } from './backoff.js';
import type { Clock, TimerHandle } from './clock.js';

/** When the next attempt runs: how many failed in a row and the delay chosen. */
export interface ScheduledAttempt {
  attempt: number;
  delayMs: number;
}

/**
 * Holds at most one pending reconnect attempt: counts consecutive failures for the full-jitter backoff, resets on
 * success, and can run the pending attempt at once (the browser's `online` event).
 */
export class ReconnectScheduler {
  private failures = 0;
  private timer: TimerHandle;
  private pending: (() => void) | undefined;

  constructor(
    private readonly settings: BackoffSettings,
    private readonly clock: Clock,
    private readonly random: () => number,
  ) {}

  /** Whether an attempt is waiting. */
  get isPending(): boolean {
    return this.pending !== undefined;
  }

  /** Schedules `run` after the next backoff delay, or after 0 ms when `immediate`; replaces any pending attempt. */
  schedule(run: () => void, immediate = false): ScheduledAttempt {
    this.cancel();
    const delayMs = immediate ? 0 : backoffDelay(this.failures, this.settings, this.random);
    this.failures += 1;
    this.pending = run;
    this.timer = this.clock.setTimeout(() => this.fire(), delayMs);
    return { attempt: this.failures, delayMs };
  }

  /** Runs the pending attempt now instead of at its time; false when none was pending. */
  runNow(): boolean {
    if (this.pending === undefined) return false;
    this.fire();
    return true;
  }

  /** Drops the pending attempt, if any. */
  cancel(): void {
    if (this.timer !== undefined) this.clock.clearTimeout(this.timer);
    this.timer = undefined;
    this.pending = undefined;
  }

  /** A connection succeeded: the next drop starts again from the first backoff window. */
  reset(): void {
    this.failures = 0;
  }

  private fire(): void {
    const run = this.pending;
    this.cancel();
    run?.();
  }
}
