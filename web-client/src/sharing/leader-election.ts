import type { TabLocks } from './tab-platform.js';

/**
 * One tab's candidacy for the lead of its group: waits for the group's Web Lock and holds it until {@link stop}. The
 * browser grants waiting requests in order and releases a held lock when its tab closes, navigates away or crashes,
 * so exactly one live tab leads and the next in line takes over at once. One instance per membership: `stop()` is final.
 */
export class LeaderElection {
  private readonly abort = new AbortController();
  private release: (() => void) | undefined;
  private stopped = false;

  constructor(
    private readonly locks: TabLocks,
    private readonly name: string,
    private readonly onElected: () => void,
    private readonly onError: (error: unknown) => void,
  ) {}

  /** Whether this tab holds the lock. */
  get isLeader(): boolean {
    return this.release !== undefined;
  }

  /** Queues for the lock; `onElected` runs once it is granted. */
  start(): void {
    const granted = (): Promise<void> =>
      new Promise<void>((resolve) => {
        if (this.stopped) return resolve(); // granted while stopping: let the next tab have it at once
        this.release = resolve;
        try {
          this.onElected();
        } catch (error) {
          this.onError(error); // keep the lock: throwing here would hand it on while this tab acts as leader
        }
      });
    this.locks.request(this.name, { signal: this.abort.signal }, granted).catch((error: unknown) => {
      if (!this.abort.signal.aborted) this.onError(error);
    });
  }

  /** Withdraws a waiting request, or releases the lock held; idempotent. */
  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    this.abort.abort();
    const release = this.release;
    this.release = undefined;
    release?.();
  }
}
