import { existsSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { TrackedChild } from './tracked-child.js';
import { waitFor } from './wait-for.js';

const MAIN = fileURLToPath(new URL('../../transport-service/dist/main.js', import.meta.url));
const LISTENING = 'transport-service listening';
/** Generous: a loaded 2-core CI machine can take seconds to start a Node process. */
const LISTEN_TIMEOUT_MS = 30_000;
let started = 0;

/** One stdout line of the service: its parsed JSON object, or `{ raw: line }` for a line that is not one. */
export type LogEntry = Record<string, unknown>;

function parseLine(line: string): LogEntry {
  try {
    const value: unknown = JSON.parse(line);
    if (typeof value === 'object' && value !== null && !Array.isArray(value)) return value as LogEntry;
  } catch {
    // Not JSON: kept as raw text below.
  }
  return { raw: line };
}

/** The built transport-service (`transport-service/dist/main.js`) as a real child process tests can kill. */
export class ServiceProcess {
  /** Every stdout line so far, in order. */
  readonly logs: LogEntry[] = [];
  private listenPort = 0;

  private constructor(
    private readonly child: TrackedChild,
    readonly instanceId: string,
  ) {
    createInterface({ input: child.child.stdout }).on('line', (line) => this.logs.push(parseLine(line)));
  }

  /** Spawns an instance with `env` over port 0, info logs and a distinct INSTANCE_ID, and resolves once it listens. */
  static async start(env: Record<string, string> = {}): Promise<ServiceProcess> {
    if (!existsSync(MAIN)) throw new Error(`${MAIN} not found: build first with "npx tsc -b"`);
    started += 1;
    const fullEnv = { ...process.env, PORT: '0', LOG_LEVEL: 'info', INSTANCE_ID: `service-${process.pid}-${started}`, ...env };
    const service = new ServiceProcess(TrackedChild.spawn(process.execPath, [MAIN], { env: fullEnv }), fullEnv.INSTANCE_ID);
    await service.listening();
    return service;
  }

  /** The port the instance listens on. */
  get port(): number {
    return this.listenPort;
  }

  /** `http://127.0.0.1:PORT`. */
  get baseUrl(): string {
    return `http://127.0.0.1:${this.listenPort}`;
  }

  /** `ws://127.0.0.1:PORT/rsocket`. */
  get wsUrl(): string {
    return `ws://127.0.0.1:${this.listenPort}/rsocket`;
  }

  /** Everything the process wrote to stderr so far. */
  get stderr(): string {
    return this.child.stderr;
  }

  /** The process id. */
  get pid(): number {
    return this.child.child.pid ?? 0;
  }

  /** Whether the process has exited. */
  get exited(): boolean {
    return this.child.exited;
  }

  /** Sends `signal` (default SIGKILL, i.e. a crash) and resolves with the exit code (null when a signal ended it). */
  async kill(signal: NodeJS.Signals = 'SIGKILL'): Promise<number | null> {
    return (await this.child.kill(signal)).code;
  }

  /** Shuts down gracefully (SIGTERM) and resolves with the exit code. */
  terminate(): Promise<number | null> {
    return this.kill('SIGTERM');
  }

  /** Waits for a log entry matching `predicate` and returns it. */
  async waitForLog(predicate: (entry: LogEntry) => boolean, what: string, timeoutMs = 5_000): Promise<LogEntry> {
    await waitFor(() => this.logs.some(predicate), `${this.instanceId} to log ${what}`, timeoutMs);
    return this.logs.find(predicate) as LogEntry;
  }

  private async listening(): Promise<void> {
    const port = (): unknown => this.logs.find((entry) => entry.msg === LISTENING)?.port;
    await waitFor(() => port() !== undefined || this.exited, `"${LISTENING}"`, LISTEN_TIMEOUT_MS).catch(() => undefined);
    const found = port();
    if (typeof found !== 'number') {
      const reason = this.exited ? 'exited before logging' : `did not log within ${LISTEN_TIMEOUT_MS} ms`;
      await this.child.kill('SIGKILL');
      throw new Error(`transport-service ${reason} "${LISTENING}" with a port\n${this.child.describe()}`);
    }
    this.listenPort = found;
  }
}
