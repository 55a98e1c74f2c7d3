import { join } from 'node:path';
import { TrackedChild } from '../../test/support/tracked-child.js';
import { until } from './poll.js';

const LISTENING = 'transport-service listening';
/** `--trace-gc` lines: `[pid:0x…]   1234 ms: Scavenge 10.2 (12.3) -> 9.8 (12.3) MB, 0.85 / 0.00 ms …`. */
const TRACE_GC = /^\[\d+:0x[0-9a-f]+\]\s+\d+ ms: ([A-Za-z-]+(?: \(reduce\))?)[^,]*, ([\d.]+) \/ ([\d.]+) ms/;

/** Garbage-collection pauses of one kind, summed from `--trace-gc` output. */
export interface GcPauses {
  kind: string;
  count: number;
  millis: number;
}

/** Pauses by kind from the `--trace-gc` lines in a process's stdout (empty without that flag). */
export function gcPausesOf(stdout: string): GcPauses[] {
  const byKind = new Map<string, GcPauses>();
  for (const line of stdout.split('\n')) {
    const match = TRACE_GC.exec(line);
    if (match === null) continue;
    const kind = match[1] ?? '?';
    const entry = byKind.get(kind) ?? { kind, count: 0, millis: 0 };
    entry.count += 1;
    entry.millis += Number(match[2]);
    byKind.set(kind, entry);
  }
  return [...byKind.values()];
}

/**
 * One instance of a built product, `<checkout>/transport-service/dist/main.js`, started with extra Node flags (e.g.
 * `--cpu-prof`, `--trace-gc`): unlike the tests' ServiceProcess, the checkout may be another one (an A/B of a change).
 */
export class ProductProcess {
  private constructor(
    private readonly child: TrackedChild,
    readonly instanceId: string,
    readonly port: number,
  ) {}

  /** Spawns `<checkout>/transport-service/dist/main.js` on port 0 and resolves once it logs that it listens. */
  static async start(checkout: string, nodeFlags: readonly string[], env: Record<string, string>): Promise<ProductProcess> {
    const main = join(checkout, 'transport-service/dist/main.js');
    const instanceId = `bench-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
    const child = TrackedChild.spawn(process.execPath, [...nodeFlags, main], {
      cwd: checkout,
      env: { ...process.env, PORT: '0', LOG_LEVEL: 'info', INSTANCE_ID: instanceId, ...env },
    });
    const port = (): number | undefined => {
      const line = child.stdout.split('\n').find((text) => text.includes(LISTENING));
      const found = line === undefined ? undefined : /"port":(\d+)/.exec(line)?.[1];
      return found === undefined ? undefined : Number(found);
    };
    await until(() => port() !== undefined || child.exited, `${main} to log "${LISTENING}"`, 30_000).catch(() => undefined);
    const found = port();
    if (found === undefined) {
      await child.kill('SIGKILL');
      throw new Error(`${main} did not start\n${child.describe()}`);
    }
    return new ProductProcess(child, instanceId, found);
  }

  get pid(): number {
    return this.child.child.pid ?? 0;
  }

  /** Graceful shutdown (SIGTERM: a `--cpu-prof` profile is written on the way out); SIGKILL after `graceMs`. */
  async stop(graceMs: number): Promise<void> {
    const timer = setTimeout(() => void this.child.kill('SIGKILL'), graceMs);
    await this.child.kill('SIGTERM');
    clearTimeout(timer);
  }

  /** Everything the process wrote to stdout so far (its log, and `--trace-gc` lines when asked for). */
  get stdout(): string {
    return this.child.stdout;
  }

  describe(): string {
    const lines = this.child.stdout.trimEnd().split('\n').slice(-10).join('\n');
    return `product instance ${this.instanceId} (exited: ${String(this.child.exited)})\nstderr:\n${this.child.stderr}\nlast stdout lines:\n${lines}`;
  }
}
