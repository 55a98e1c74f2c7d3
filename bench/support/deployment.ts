/**
 * The deployments bench/side-by-side.ts compares: per system one redis-server and two instances, all pinned to one
 * CPU. Systems: `product` and `product+receipts` (the built transport-service of a checkout, deployed alike), `plain` and `durable` (the ceilings under
 * bench/ceiling/, run as plain JS like the built product: no loader in their processes).
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import ts from 'typescript';
import { RedisProcess } from '../../test/support/redis-process.js';
import { TrackedChild } from '../../test/support/tracked-child.js';
import { isProduct, type SystemName } from './bench-client.js';
import { sleep, until } from './poll.js';
import { pin } from './proc-stats.js';
import { gcPausesOf, ProductProcess, type GcPauses } from './product-process.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const CEILING_SOURCES = join(ROOT, 'bench/ceiling');
/** Next to node_modules, so that the ceilings resolve ioredis and ws from there. */
const CEILING_BUILD = join(ROOT, 'node_modules/.cache/side-by-side');
const CEILING_MAIN: Record<'plain' | 'durable', string> = { plain: 'plain-ws-server.js', durable: 'durable-ws-server.js' };
const STOP_GRACE_MS = 15_000;

export interface Instance {
  pid: number;
  host: string;
  port: number;
  wsBase: string;
}

export interface InstanceCounts {
  /** Live user connections (product: the smaller of connections and open streams). */
  connections: number;
  /** Pub/Sub messages the instance's subscriber received. */
  brokerMessages: number;
}

export interface Deployment {
  system: SystemName;
  redis: RedisProcess;
  redisClient: Redis;
  instances: Instance[];
  /** Pub/Sub channels the instances subscribe to with no user connected. */
  baselineChannels: number;
  /** Pids of everything on the servers' CPU: Redis first, then the instances. */
  pids: number[];
  /** What each of those processes left behind (exit status, stderr), for when one is gone. */
  describe: Array<() => string>;
  counts(instance: Instance): Promise<InstanceCounts>;
  /** With `--trace-gc` among the Node flags: each instance's pauses so far. */
  gcPauses(): GcPauses[][];
  stop(): Promise<void>;
}

/** How the instances run. */
export interface ProductOptions {
  /** The checkout whose built `transport-service/dist/main.js` runs. */
  checkout: string;
  /** Node flags of every instance, product or ceiling (profiling). */
  nodeFlags: readonly string[];
  env: Record<string, string>;
}

/** Which product is measured: the checkout's commit, uncommitted changes to its sources, and when dist was built. */
export function productProvenance(checkout: string): string {
  const git = (...args: string[]): string => {
    try {
      return execFileSync('git', args, { cwd: checkout }).toString().trimEnd();
    } catch {
      return '?';
    }
  };
  const dirty = git('status', '--porcelain', '--', 'transport-service', 'contract')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => line.slice(3));
  const dist = join(checkout, 'transport-service/dist');
  const newest = readdirSync(dist, { recursive: true, encoding: 'utf8' })
    .filter((file) => file.endsWith('.js'))
    .reduce((latest, file) => Math.max(latest, statSync(join(dist, file)).mtimeMs), 0);
  const changes = dirty.length > 0 ? ` plus uncommitted changes to ${dirty.map((file) => `\`${file}\``).join(', ')}` : '';
  // Only the commit: a report names no path outside the repository, and another checkout's path means nothing to a reader.
  const which = resolve(checkout) === resolve(ROOT) ? '' : 'another checkout at ';
  return `${which}commit ${git('rev-parse', '--short', 'HEAD')}${changes}, transport-service/dist last built ${new Date(newest).toISOString()}`;
}

/** Transpiles every file of bench/ceiling/ into an ES module package next to node_modules. */
export function buildCeilings(): void {
  mkdirSync(CEILING_BUILD, { recursive: true });
  writeFileSync(join(CEILING_BUILD, 'package.json'), '{"type":"module"}\n');
  for (const file of readdirSync(CEILING_SOURCES).filter((name) => name.endsWith('.ts'))) {
    const output = ts.transpileModule(readFileSync(join(CEILING_SOURCES, file), 'utf8'), {
      compilerOptions: { module: ts.ModuleKind.ES2022, target: ts.ScriptTarget.ES2022 },
      fileName: file,
    });
    const target = join(CEILING_BUILD, file.replace(/\.ts$/, '.js'));
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, output.outputText);
  }
}

async function startCeiling(system: 'plain' | 'durable', redisUrl: string, nodeFlags: readonly string[]): Promise<{ child: TrackedChild; port: number }> {
  const child = TrackedChild.spawn(process.execPath, [...nodeFlags, join(CEILING_BUILD, CEILING_MAIN[system])], { env: { ...process.env, REDIS_URL: redisUrl, PORT: '0' } });
  const port = (): number | undefined => {
    const found = /\{"port":(\d+)\}/.exec(child.stdout)?.[1];
    return found === undefined ? undefined : Number(found);
  };
  await until(() => port() !== undefined || child.exited, `the ${system} ceiling server to print its port`, 10_000);
  const found = port();
  if (found === undefined) throw new Error(`the ${system} ceiling server did not start\n${child.describe()}`);
  return { child, port: found };
}

async function productCounts(instance: Instance): Promise<InstanceCounts> {
  const text = await (await fetch(`http://${instance.host}:${instance.port}/metrics`)).text();
  const read = (name: string): number => Number(new RegExp(`^${name}(?:\\{[^}]*\\})? ([\\d.e+]+)$`, 'm').exec(text)?.[1] ?? Number.NaN);
  return {
    connections: Math.min(read('transport_connections'), read('transport_streams')),
    brokerMessages: read('transport_broker_deliveries_total'),
  };
}

async function ceilingCounts(instance: Instance): Promise<InstanceCounts> {
  const stats = (await (await fetch(`http://${instance.host}:${instance.port}/stats`)).json()) as { connections: number; messages: number };
  return { connections: stats.connections, brokerMessages: stats.messages };
}

/** Channels with subscribers, from `INFO stats` (one number: polling must not make the bench allocate per user). */
export async function pubsubChannels(redisClient: Redis): Promise<number> {
  return Number(/pubsub_channels:(\d+)/.exec(await redisClient.info('stats'))?.[1] ?? Number.NaN);
}

/** Starts one Redis and two instances of `system`, everything pinned to `cpu`. */
export async function deploy(system: SystemName, cpu: number, product: ProductOptions): Promise<Deployment> {
  const redis = await RedisProcess.start();
  pin(redis.pid, cpu);
  const redisClient = new Redis(redis.url);
  const instances: Instance[] = [];
  const stops: Array<() => Promise<unknown>> = [];
  const describe: Array<() => string> = [() => `redis-server on port ${redis.port}`];
  const gcLogs: Array<() => string> = [];
  for (let i = 0; i < 2; i += 1) {
    if (system === 'product' || system === 'product+receipts') {
      // LOG_LEVEL info: nothing logs per request or per connection at info, so the hot paths are the same as at `warn`.
      const service = await ProductProcess.start(product.checkout, product.nodeFlags, { REDIS_URL: redis.url, MAX_FRAMES_PER_SECOND: '1000000', ...product.env });
      gcLogs.push(() => service.stdout);
      instances.push({ pid: service.pid, host: '127.0.0.1', port: service.port, wsBase: `ws://127.0.0.1:${service.port}` });
      // SIGTERM: its graceful shutdown (no connection is left by then), so that a --cpu-prof profile gets written.
      stops.push(() => service.stop(STOP_GRACE_MS));
      describe.push(() => service.describe());
    } else {
      const { child, port } = await startCeiling(system, redis.url, product.nodeFlags);
      gcLogs.push(() => child.stdout);
      instances.push({ pid: child.child.pid ?? 0, host: '127.0.0.1', port, wsBase: `ws://127.0.0.1:${port}` });
      stops.push(() => Promise.race([child.kill('SIGTERM'), sleep(STOP_GRACE_MS).then(() => child.kill('SIGKILL'))]));
      describe.push(() => `${system} ceiling instance on port ${port}\n${child.describe()}`);
    }
  }
  for (const instance of instances) pin(instance.pid, cpu);
  // The instances' own channels (the product's eviction channels) may be confirmed just after they listen: settled
  // once two reads 300 ms apart agree.
  let baselineChannels = -1;
  await until(
    async () => {
      const previous = baselineChannels;
      await sleep(300);
      baselineChannels = await pubsubChannels(redisClient);
      return baselineChannels === previous;
    },
    "the instances' own Pub/Sub channels to settle",
    10_000,
  );
  return {
    system,
    redis,
    redisClient,
    instances,
    baselineChannels,
    pids: [redis.pid, ...instances.map((instance) => instance.pid)],
    describe,
    counts: isProduct(system) ? productCounts : ceilingCounts,
    gcPauses: () => gcLogs.map((stdout) => gcPausesOf(stdout())),
    async stop() {
      redisClient.disconnect();
      await Promise.all(stops.map((stop) => stop()));
      await redis.kill();
    },
  };
}
