import { spawn, type ChildProcessWithoutNullStreams, type SpawnOptionsWithoutStdio } from 'node:child_process';
import { onCleanup } from './cleanup.js';

/** How a child process ended: its exit code, or the signal that ended it. */
export interface ExitStatus {
  code: number | null;
  signal: NodeJS.Signals | null;
}

const live = new Set<TrackedChild>();

// onCleanup covers a test file that ends normally; this covers one that crashes (uncaught error, process.exit).
// Only synchronous work runs in an 'exit' listener, and kill() is a synchronous syscall. A test process ended by
// a signal runs no listener at all, so nothing can kill its children then.
process.on('exit', () => {
  for (const tracked of live) tracked.child.kill('SIGKILL');
});

/**
 * A spawned child process with its stdout and stderr collected, killed when the test file ends and when this
 * process exits, so none outlives the test run.
 */
export class TrackedChild {
  /** Everything written to stdout so far. */
  stdout = '';
  /** Everything written to stderr so far. */
  stderr = '';
  /** Set when the executable could not be started at all (e.g. ENOENT). */
  spawnError: NodeJS.ErrnoException | undefined;
  /** How the process ended, once it has. */
  status: ExitStatus | undefined;
  private readonly ended: Promise<ExitStatus>;

  private constructor(readonly child: ChildProcessWithoutNullStreams) {
    live.add(this);
    child.stdout.on('data', (chunk: Buffer) => (this.stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (this.stderr += chunk.toString()));
    this.ended = new Promise((resolve) => {
      // 'close' rather than 'exit': by then stdout and stderr are fully read, so describe() tells the whole story.
      child.once('close', (code, signal) => resolve(this.end({ code, signal })));
      child.once('error', (error) => {
        this.spawnError = error;
        if (child.pid === undefined) resolve(this.end({ code: null, signal: null }));
      });
    });
  }

  /** Spawns `command` with piped stdio and registers its cleanup. */
  static spawn(command: string, args: readonly string[], options: SpawnOptionsWithoutStdio = {}): TrackedChild {
    const tracked = new TrackedChild(spawn(command, args, options));
    onCleanup(() => tracked.kill('SIGKILL'));
    return tracked;
  }

  /** Whether the process has ended (or never started). */
  get exited(): boolean {
    return this.status !== undefined;
  }

  /** Sends `signal` unless the process already ended, and resolves once it has. */
  kill(signal: NodeJS.Signals): Promise<ExitStatus> {
    if (!this.exited) this.child.kill(signal);
    return this.ended;
  }

  /** Resolves once the process has ended. */
  exit(): Promise<ExitStatus> {
    return this.ended;
  }

  /** The collected output, for error messages. */
  describe(): string {
    return `exit: ${JSON.stringify(this.status ?? 'running')}\nstderr:\n${this.stderr}\nstdout:\n${this.stdout}`;
  }

  private end(status: ExitStatus): ExitStatus {
    live.delete(this);
    this.status ??= status;
    return this.status;
  }
}
