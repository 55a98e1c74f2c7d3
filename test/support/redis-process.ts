import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { onCleanup } from './cleanup.js';
import { freePort } from './free-port.js';
import { redisCommand } from './redis-cli.js';
import { TrackedChild } from './tracked-child.js';
import { waitFor } from './wait-for.js';

const NOT_INSTALLED = 'redis-server not found: install it with "apt-get install -y redis-server" (.ci/run does this on a fresh machine)';
const READY_TIMEOUT_MS = 5_000;

/** A throwaway `redis-server` child on its own port that tests can kill, restart, pause and resume. */
export class RedisProcess {
  /** `redis://127.0.0.1:PORT`, for a client's constructor. */
  readonly url: string;
  private child: TrackedChild | undefined;
  private dir = '';

  private constructor(
    readonly port: number,
    private readonly extraArgs: readonly string[],
  ) {
    this.url = `redis://127.0.0.1:${port}`;
  }

  /** Spawns a server on `options.port` (default: a free port), with extra `args`, and resolves once it answers PING. */
  static async start(options: { port?: number; args?: readonly string[] } = {}): Promise<RedisProcess> {
    const redis = new RedisProcess(options.port ?? (await freePort()), options.args ?? []);
    onCleanup(async () => {
      await redis.kill();
      await rm(redis.dir, { recursive: true, force: true });
    });
    await redis.spawn();
    return redis;
  }

  /** The server's process id. */
  get pid(): number {
    return this.running().child.pid ?? 0;
  }

  /** Sends `signal` (default SIGKILL, i.e. a crash) and resolves once the server has exited. */
  async kill(signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    await this.child?.kill(signal);
  }

  /** Stops the server gracefully (SIGTERM, resumed first if paused) and waits for it to exit. */
  async stop(): Promise<void> {
    const exited = this.child?.kill('SIGTERM');
    this.child?.child.kill('SIGCONT');
    await exited;
  }

  /** Kills the server if it still runs and starts an empty one on the same port. */
  async restart(): Promise<void> {
    await this.kill();
    await this.spawn();
  }

  /** Freezes the server (SIGSTOP): connections stay open but nothing is answered, like a hung Redis. */
  pause(): void {
    this.running().child.kill('SIGSTOP');
  }

  /** Unfreezes a paused server (SIGCONT). */
  resume(): void {
    this.running().child.kill('SIGCONT');
  }

  private running(): TrackedChild {
    if (this.child === undefined || this.child.exited) throw new Error(`redis-server on port ${this.port} is not running`);
    return this.child;
  }

  private async spawn(): Promise<void> {
    if (this.dir !== '') await rm(this.dir, { recursive: true, force: true });
    this.dir = await mkdtemp(join(tmpdir(), 'redis-test-'));
    const args = ['--port', String(this.port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--daemonize', 'no', '--dir', this.dir, ...this.extraArgs];
    const child = TrackedChild.spawn('redis-server', args);
    this.child = child;
    let ready = false;
    let lastAnswer = '';
    const answers = async (): Promise<boolean> => {
      lastAnswer = await redisCommand(this.port, 'ping').catch((error: unknown) => String(error));
      ready = lastAnswer === 'PONG';
      return ready || child.exited;
    };
    await waitFor(answers, `redis-server on port ${this.port} to answer PING`, READY_TIMEOUT_MS).catch(() => undefined);
    if (child.spawnError?.code === 'ENOENT') throw new Error(NOT_INSTALLED);
    if (child.exited) throw new Error(`redis-server on port ${this.port} exited before answering PING\n${child.describe()}`);
    if (!ready) {
      await child.kill('SIGKILL');
      throw new Error(`redis-server on port ${this.port} did not answer PING within ${READY_TIMEOUT_MS} ms (last: ${lastAnswer})\n${child.describe()}`);
    }
    await this.checkAnswererIs(child);
  }

  /** A PONG may come from another server already on the port (ours then exits with "Address already in use"). */
  private async checkAnswererIs(child: TrackedChild): Promise<void> {
    const answerer = /process_id:(\d+)/.exec(await redisCommand(this.port, 'info', 'server'))?.[1];
    if (answerer === String(child.child.pid)) return;
    await child.kill('SIGKILL');
    throw new Error(`port ${this.port} is held by another redis-server (pid ${answerer ?? '?'})\n${child.describe()}`);
  }
}
