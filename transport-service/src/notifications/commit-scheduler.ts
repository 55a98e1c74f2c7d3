/** How much the scheduler lets out at once, and how much of one request it serves per turn. */
export interface CommitWindow {
  /** Bytes that may be on their way to the broker at once (one item over it goes alone). */
  maxBytes: number;
  /** Items (commits, content stores) that may be in flight at once. */
  maxInFlight: number;
  /** Items of one request served per turn before the next request's turn. */
  sliceSize: number;
}

/**
 * The default window: 8 MiB in flight is ~40 ms of a loopback Redis connection and far below what made the socket
 * fail (`ENOBUFS` at ~1 GB written at once); 256 commits in flight is four times the benchmark's 64 concurrent
 * POSTs, so the single-user path never waits; 32 users a turn keeps a turn's synchronous work (the in-process
 * broker commits in the turn) to a few milliseconds.
 */
export const COMMIT_WINDOW: CommitWindow = { maxBytes: 8 * 1_048_576, maxInFlight: 256, sliceSize: 32 };

interface Job<I, R> {
  readonly items: readonly I[];
  readonly cost: (item: I) => number;
  readonly work: (item: I) => Promise<R>;
  readonly results: R[];
  next: number;
  pending: number;
  done: boolean;
  resolve(results: R[]): void;
  reject(error: unknown): void;
}

/**
 * Sends requests' work to the broker in a bounded window, fair across requests: each waiting request is served a
 * slice of its items in turn (round-robin), so a small request never waits behind all of a huge one; at most
 * `maxBytes` and `maxInFlight` are outstanding at once; and the event loop gets a turn between slices, so work
 * that completes synchronously (the in-process broker) yields too. A request fails at its first failed item:
 * what was not yet sent is dropped, the rest settle on their own. With nothing waiting and room in the window, a
 * request's first slice goes out at once, in the caller's turn (the single-user hot path costs no extra tick).
 */
export class CommitScheduler {
  private readonly queue: Array<Job<unknown, unknown>> = [];
  private bytes = 0;
  private inFlight = 0;
  private pumpScheduled = false;

  constructor(private readonly window: CommitWindow = COMMIT_WINDOW) {}

  /** Runs `work` on every item, within the window and in turn with other requests; resolves to results in item order. */
  run<I, R>(items: readonly I[], cost: (item: I) => number, work: (item: I) => Promise<R>): Promise<R[]> {
    if (items.length === 0) return Promise.resolve([]);
    return new Promise<R[]>((resolve, reject) => {
      const job: Job<I, R> = { items, cost, work, results: new Array<R>(items.length), next: 0, pending: 0, done: false, resolve, reject };
      this.queue.push(job as Job<unknown, unknown>);
      if (this.queue.length === 1 && !this.pumpScheduled) this.serveSlice();
    });
  }

  /** Items waiting for their turn, across all requests (for tests and metrics). */
  get waiting(): number {
    return this.queue.reduce((sum, job) => sum + job.items.length - job.next, 0);
  }

  /** Serves one slice of the request whose turn it is, then yields before the next slice. */
  private serveSlice(): void {
    this.pumpScheduled = false;
    const job = this.queue[0];
    if (job === undefined) return;
    const start = job.next;
    const end = Math.min(job.items.length, start + this.window.sliceSize);
    while (job.next < end && !job.done && this.hasRoom(job.cost(job.items[job.next]))) this.dispatch(job, job.next++);
    // Served: its turn is over (even when the window cut the slice short). Not served: it keeps the next turn.
    if (job.next === job.items.length) this.queue.shift();
    else if (job.next > start) this.queue.push(this.queue.shift() as Job<unknown, unknown>);
    // The next turn comes after a yield only if its first item fits now. Otherwise it waits for room: every
    // completion calls for the next slice, so passing again before one would only spin the event loop.
    const head = this.queue[0];
    if (head !== undefined && this.hasRoom(head.cost(head.items[head.next]))) this.schedule();
  }

  private hasRoom(cost: number): boolean {
    return this.inFlight === 0 || (this.inFlight < this.window.maxInFlight && this.bytes + cost <= this.window.maxBytes);
  }

  private dispatch<I, R>(job: Job<I, R>, index: number): void {
    const item = job.items[index] as I;
    const cost = job.cost(item);
    this.bytes += cost;
    this.inFlight += 1;
    job.pending += 1;
    let running: Promise<R>;
    try {
      running = job.work(item);
    } catch (error) {
      running = Promise.reject(error instanceof Error ? error : new Error(String(error)));
    }
    running.then(
      (result) => {
        this.release(cost);
        job.results[index] = result;
        job.pending -= 1;
        if (!job.done && job.pending === 0 && job.next === job.items.length) {
          job.done = true;
          job.resolve(job.results);
        }
      },
      (error: unknown) => {
        this.release(cost);
        job.pending -= 1;
        if (job.done) return;
        job.done = true;
        const at = this.queue.indexOf(job as Job<unknown, unknown>);
        if (at >= 0) this.queue.splice(at, 1);
        job.reject(error);
      },
    );
  }

  private release(cost: number): void {
    this.bytes -= cost;
    this.inFlight -= 1;
    if (this.queue.length > 0) this.schedule();
  }

  private schedule(): void {
    if (this.pumpScheduled) return;
    this.pumpScheduled = true;
    setImmediate(() => this.serveSlice());
  }
}
