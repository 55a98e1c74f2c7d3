/**
 * This product next to the practical ceiling (plain `ws` + ioredis per-user channels + node:http,
 * bench/ceiling/plain-ws-server.ts) on the workload and topology the bar is defined by (README "Benchmarks"): one redis-server
 * and two instances of a system share CPU 0; the load generator (this process, and for the memory phase one
 * client-holder child per instance) has CPU 1. For each system, alternating the order, RUNS times:
 *
 *   memory      users connect, spread evenly over both instances, BATCH at a time; the instances' summed RSS is read
 *               at FEW and at MANY users (after every connection and channel subscription is in place, plus 2 s):
 *               marginal KiB per connected user.
 *   throughput  fresh Redis and instances, THROUGHPUT_USERS users connected here; IN_FLIGHT closed-loop POSTs, each
 *               to a random instance for a random user, for WARMUP + SECONDS: notifications delivered at the clients
 *               per second over the last SECONDS (PAYLOAD frames decoded with rsocket-core, or text messages).
 *   latency     the same processes and clients; RATE POST/s on an open-loop schedule for SECONDS: p50 / p99 of client
 *               receive time minus the time the bench issued the POST (carried in the payload; one clock, this process).
 *   deliveries  Pub/Sub messages the instances' subscriber connections received (product:
 *               transport_broker_deliveries_total, ceiling: GET /stats `messages`, both summed over the instances)
 *               per notification accepted, over the throughput and latency phases.
 *
 * POSTs go over lean keep-alive HTTP/1.1 connections (bench/support/raw-http.ts; node:http's client took most of the
 * generator's CPU). The generator's CPU and GC, CPU 0's load and steal are reported per run, to tell a system's limit
 * from the generator's. Every POST must answer 202 and every notification must reach its user exactly once, or the
 * bench fails.
 * Prints the medians and writes bench/results/side-by-side.md.
 *
 *   npm run bench:compare
 *   RUNS=1 SECONDS=3 FEW=1000 MANY=3000 SYSTEMS=ceiling npm run bench:compare
 *
 * Env: RUNS=3 SECONDS=10 WARMUP=2 FEW=5000 MANY=20000 THROUGHPUT_USERS=2000 IN_FLIGHT=64 RATE=2700 BATCH=250
 * SYSTEMS=product,ceiling; PRODUCT_ENV='NAME=value …' adds environment to the product's instances (diagnostics, e.g.
 * PRODUCT_ENV='SLOT_LEASE_MS=600000'; a run with it is not the product as configured by default); OUT=path writes the
 * table elsewhere than bench/results/side-by-side.md.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { dirname, join } from 'node:path';
import { monitorEventLoopDelay, performance, PerformanceObserver } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { setFlagsFromString } from 'node:v8';
import { Redis } from 'ioredis';
import ts from 'typescript';
import type WebSocket from 'ws';
import { RedisProcess } from '../test/support/redis-process.js';
import { ServiceProcess } from '../test/support/service-process.js';
import { TrackedChild } from '../test/support/tracked-child.js';
import { openClient, type SystemName } from './support/bench-client.js';
import { DeliveryTracker, now } from './support/delivery-tracker.js';
import { cpuMicros, cpuShare, cpuTimes, fdLimit, pin, rssKiB, type CpuTimes } from './support/proc-stats.js';
import { RawHttpClient } from './support/raw-http.js';

const KNOBS = ['RUNS', 'SECONDS', 'WARMUP', 'FEW', 'MANY', 'THROUGHPUT_USERS', 'IN_FLIGHT', 'RATE', 'BATCH', 'SYSTEMS', 'PRODUCT_ENV', 'OUT'] as const;
function knob(name: (typeof KNOBS)[number], fallback: number): number {
  const value = Number(process.env[name] ?? fallback);
  if (!Number.isFinite(value) || value <= 0) throw new Error(`${name} must be a positive number, got ${String(process.env[name])}`);
  return value;
}
const RUNS = knob('RUNS', 3);
const SECONDS = knob('SECONDS', 10);
const WARMUP = knob('WARMUP', 2);
const FEW = knob('FEW', 5_000);
const MANY = knob('MANY', 20_000);
const THROUGHPUT_USERS = knob('THROUGHPUT_USERS', 2_000);
const IN_FLIGHT = knob('IN_FLIGHT', 64);
const RATE = knob('RATE', 2_700);
const BATCH = knob('BATCH', 250);
const SYSTEMS = (process.env.SYSTEMS ?? 'product,ceiling').split(',').map((name) => name.trim());
/** Extra environment for the product's instances, `NAME=value` pairs separated by spaces (diagnostics only). */
const PRODUCT_ENV = Object.fromEntries(
  (process.env.PRODUCT_ENV ?? '')
    .split(/\s+/)
    .filter((pair) => pair.includes('='))
    .map((pair) => [pair.slice(0, pair.indexOf('=')), pair.slice(pair.indexOf('=') + 1)]),
) as Record<string, string>;
const SETTLE_MS = 2_000;
/** Connections per instance the open-loop phase may use before requests wait for one (the wait counts as latency). */
const LATENCY_SOCKETS = 256;
const SERVER_CPU = 0;
const GENERATOR_CPU = 1;

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const CEILING_TS = join(ROOT, 'bench/ceiling/plain-ws-server.ts');
/** The ceiling runs as plain JS like the built product (no loader in its process); next to node_modules to resolve. */
const CEILING_JS = join(ROOT, 'node_modules/.cache/side-by-side/plain-ws-server.mjs');
const HOLDER_TS = join(ROOT, 'bench/support/client-holder.ts');
const RESULTS = process.env.OUT ?? join(ROOT, 'bench/results/side-by-side.md');

// The load generator's own GC must stay out of the figures. V8's allocation-site pretenuring sometimes decides (after
// bursts of long-lived objects, e.g. while users connect) to allocate short-lived buffers and requests straight into
// old space; scavenges then take ~7 ms and GC eats 15-20 % of this process, enough to starve the systems under test
// and to stall latency samples. Measured on this machine: with the flag, the generator's GC stays at a few % every run.
if (!process.execArgv.includes('--no-allocation-site-pretenuring')) setFlagsFromString('--no-allocation-site-pretenuring');

/** Milliseconds this process spent in garbage collection so far (the load generator's own pauses). */
let gcMillis = 0;
new PerformanceObserver((list) => {
  for (const entry of list.getEntries()) gcMillis += entry.duration;
}).observe({ entryTypes: ['gc'] });

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
const log = (line: string): boolean => process.stdout.write(`${line}\n`);

// ---------------------------------------------------------------------------------------------------------------
// Machine: file descriptors and CPUs

/**
 * One process cannot raise its hard limit without privileges, so the bench checks what each process needs: every
 * client-holder and every instance holds MANY/2 sockets; this process THROUGHPUT_USERS plus its HTTP sockets.
 */
function checkFileDescriptors(): void {
  const { soft, hard } = fdLimit();
  const perHalf = Math.ceil(MANY / 2) + 200;
  const here = THROUGHPUT_USERS + 2 * LATENCY_SOCKETS + 200;
  const needed = Math.max(perHalf, here);
  if (soft < needed) {
    throw new Error(
      `ulimit -n is ${soft} (hard ${hard}); this run needs ${needed} file descriptors per process ` +
        `(each client-holder and each instance holds MANY/2=${Math.ceil(MANY / 2)} sockets; this process ${THROUGHPUT_USERS} users ` +
        `+ HTTP sockets). Raise it (ulimit -n ${Math.max(needed, 65_536)}) or lower MANY / THROUGHPUT_USERS.`,
    );
  }
  const [low = 0, high = 0] = readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/).map(Number);
  if (high - low < Math.ceil(MANY / 2) + 1_000) {
    throw new Error(`the ephemeral port range ${low}-${high} is too small for ${Math.ceil(MANY / 2)} client sockets to one instance`);
  }
}

function checkCpus(): void {
  if (availableParallelism() < 2) throw new Error(`two CPUs are needed (servers on CPU ${SERVER_CPU}, load on CPU ${GENERATOR_CPU}); this machine offers ${availableParallelism()}`);
}

function percentile(sorted: Float64Array, p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  if (sorted.length === 0) return Number.NaN;
  return sorted.length % 2 === 1 ? (sorted[middle] ?? Number.NaN) : ((sorted[middle - 1] ?? 0) + (sorted[middle] ?? 0)) / 2;
}

/**
 * Polls `predicate` until it holds. Not the tests' waitFor: this polls every 200 ms, not 10 ms, so waiting adds no
 * load to the generator's core, and `what` may be computed when the wait fails (to report counts at that moment).
 */
async function until(predicate: () => boolean | Promise<boolean>, what: string | (() => string), timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await predicate())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${typeof what === 'string' ? what : what()}`);
    await sleep(200);
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Deployments: one Redis and two instances of a system on CPU 0

interface Instance {
  pid: number;
  host: string;
  port: number;
  wsBase: string;
}

interface InstanceCounts {
  /** Live user connections (product: the smaller of connections and open streams). */
  connections: number;
  /** Pub/Sub messages the instance's subscriber received. */
  brokerMessages: number;
}

interface Deployment {
  system: SystemName;
  redis: RedisProcess;
  redisClient: Redis;
  instances: Instance[];
  /** Pub/Sub channels the instances subscribe to with no user connected. */
  baselineChannels: number;
  /** Pids of everything on CPU 0: Redis first, then the instances. */
  pids: number[];
  /** What each of those processes left behind (exit status, stderr), for when one is gone. */
  describe: Array<() => string>;
  counts(instance: Instance): Promise<InstanceCounts>;
  stop(): Promise<void>;
}

/** Which product was measured: the commit, uncommitted changes under the product's sources, and when dist was built. */
function productProvenance(): string {
  const git = (...args: string[]): string => {
    try {
      return execFileSync('git', args, { cwd: ROOT }).toString().trimEnd();
    } catch {
      return '?';
    }
  };
  const dirty = git('status', '--porcelain', '--', 'transport-service', 'contract')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => line.slice(3));
  const dist = join(ROOT, 'transport-service/dist');
  const newest = readdirSync(dist, { recursive: true, encoding: 'utf8' })
    .filter((file) => file.endsWith('.js'))
    .reduce((latest, file) => Math.max(latest, statSync(join(dist, file)).mtimeMs), 0);
  const changes = dirty.length > 0 ? ` plus uncommitted changes to ${dirty.map((file) => `\`${file}\``).join(', ')}` : '';
  return `commit ${git('rev-parse', '--short', 'HEAD')}${changes}, transport-service/dist last built ${new Date(newest).toISOString()}`;
}

function buildCeiling(): void {
  const output = ts.transpileModule(readFileSync(CEILING_TS, 'utf8'), {
    compilerOptions: { module: ts.ModuleKind.ES2022, target: ts.ScriptTarget.ES2022 },
    fileName: 'plain-ws-server.ts',
  });
  mkdirSync(dirname(CEILING_JS), { recursive: true });
  writeFileSync(CEILING_JS, output.outputText);
}

async function startCeiling(redisUrl: string): Promise<{ child: TrackedChild; port: number }> {
  const child = TrackedChild.spawn(process.execPath, [CEILING_JS], { env: { ...process.env, REDIS_URL: redisUrl, PORT: '0' } });
  const port = (): number | undefined => {
    const found = /\{"port":(\d+)\}/.exec(child.stdout)?.[1];
    return found === undefined ? undefined : Number(found);
  };
  await until(() => port() !== undefined || child.exited, 'the ceiling server to print its port', 10_000);
  const found = port();
  if (found === undefined) throw new Error(`the ceiling server did not start\n${child.describe()}`);
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

async function deploy(system: SystemName): Promise<Deployment> {
  const redis = await RedisProcess.start();
  pin(redis.pid, SERVER_CPU);
  const redisClient = new Redis(redis.url);
  const instances: Instance[] = [];
  const stops: Array<() => Promise<unknown>> = [];
  const describe: Array<() => string> = [() => `redis-server on port ${redis.port}`];
  for (let i = 0; i < 2; i += 1) {
    if (system === 'product') {
      // LOG_LEVEL stays at ServiceProcess's `info` (it waits for the info line "listening"); nothing logs per request
      // or per connection at info, so the hot paths are the same as at `warn`.
      const service = await ServiceProcess.start({ REDIS_URL: redis.url, MAX_FRAMES_PER_SECOND: '1000000', ...PRODUCT_ENV });
      instances.push({ pid: service.pid, host: '127.0.0.1', port: service.port, wsBase: `ws://127.0.0.1:${service.port}` });
      // SIGTERM (its graceful shutdown: no connection is left by then), so that e.g. PRODUCT_ENV='NODE_OPTIONS=--cpu-prof'
      // gets its profile written; SIGKILL if it has not exited within 15 s.
      stops.push(() => Promise.race([service.terminate(), sleep(15_000).then(() => service.kill())]));
      describe.push(() => `product instance ${service.instanceId} (exited: ${String(service.exited)})\nstderr:\n${service.stderr}\nlast log lines:\n${service.logs.slice(-10).map((entry) => JSON.stringify(entry)).join('\n')}`);
    } else {
      const { child, port } = await startCeiling(redis.url);
      instances.push({ pid: child.child.pid ?? 0, host: '127.0.0.1', port, wsBase: `ws://127.0.0.1:${port}` });
      stops.push(() => Promise.race([child.kill('SIGTERM'), sleep(15_000).then(() => child.kill('SIGKILL'))]));
      describe.push(() => `ceiling instance on port ${port}\n${child.describe()}`);
    }
  }
  for (const instance of instances) pin(instance.pid, SERVER_CPU);
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
    'the instances\' own Pub/Sub channels to settle',
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
    counts: system === 'product' ? productCounts : ceilingCounts,
    async stop() {
      redisClient.disconnect();
      await Promise.all(stops.map((stop) => stop()));
      await redis.kill();
    },
  };
}

/** Users per instance when `users` are spread evenly over two. */
function shares(users: number): [number, number] {
  return [Math.ceil(users / 2), Math.floor(users / 2)];
}

/** Channels with subscribers, from `INFO stats` (one number: polling must not make this process allocate per user). */
async function pubsubChannels(redisClient: Redis): Promise<number> {
  return Number(/pubsub_channels:(\d+)/.exec(await redisClient.info('stats'))?.[1] ?? Number.NaN);
}

/**
 * Waits until each instance holds its share of `users` and Redis has one more subscribed channel per user than the
 * instances subscribe to without users (the product's own channels).
 */
async function waitConnected(deployment: Deployment, users: number): Promise<void> {
  const expected = shares(users);
  let last = '';
  await until(
    async () => {
      const counts = await Promise.all(deployment.instances.map((instance) => deployment.counts(instance)));
      last = `connections ${counts.map((count) => count.connections).join('+')}`;
      if (!counts.every((count, i) => count.connections === expected[i])) return false;
      const channels = (await pubsubChannels(deployment.redisClient)) - deployment.baselineChannels;
      last += `, user channels ${channels}`;
      return channels === users;
    },
    () => `${users} users connected and subscribed on ${deployment.system} (last: ${last})`,
    180_000,
  );
}

/** CPU used so far by each of the deployment's processes; fails naming the process when one is gone. */
function cpuOf(deployment: Deployment): number[] {
  return deployment.pids.map((pid, i) => {
    try {
      return cpuMicros(pid);
    } catch (error) {
      throw new Error(`pid ${pid} of ${deployment.system} exited during the measurement: ${deployment.describe[i]?.() ?? ''}`, { cause: error });
    }
  });
}

// ---------------------------------------------------------------------------------------------------------------
// Memory phase

interface MemoryResult {
  rssFewKiB: number;
  rssManyKiB: number;
  kibPerUser: number;
  redisBytesPerUser: number;
}

function spawnHolder(system: SystemName, wsBase: string): TrackedChild {
  const holder = TrackedChild.spawn(process.execPath, ['--import', 'tsx', HOLDER_TS, system, wsBase], { cwd: ROOT });
  pin(holder.child.pid ?? 0, GENERATOR_CPU);
  return holder;
}

async function holdUsers(holders: TrackedChild[], from: number, to: number): Promise<void> {
  const [fromShares, toShares] = [shares(from), shares(to)];
  await Promise.all(
    holders.map(async (holder, k) => {
      holder.child.stdin.write(`connect m${k}- ${fromShares[k] ?? 0} ${toShares[k] ?? 0} ${Math.ceil(BATCH / 2)}\n`);
      const done = `connected ${toShares[k] ?? 0}\n`;
      await until(() => holder.stdout.includes(done) || holder.stdout.includes('failed') || holder.exited, `holder ${k} to connect`, 300_000);
      if (!holder.stdout.includes(done)) throw new Error(`client-holder ${k} failed\n${holder.describe()}`);
    }),
  );
}

async function usedMemory(redisClient: Redis): Promise<number> {
  return Number(/used_memory:(\d+)/.exec(await redisClient.info('memory'))?.[1] ?? Number.NaN);
}

async function memoryPhase(system: SystemName): Promise<MemoryResult> {
  const deployment = await deploy(system);
  const holders = deployment.instances.map((instance) => spawnHolder(system, instance.wsBase));
  try {
    const settled = async (users: number): Promise<{ rss: number; redis: number }> => {
      await waitConnected(deployment, users);
      await sleep(SETTLE_MS);
      const rss = deployment.instances.reduce((sum, instance) => sum + rssKiB(instance.pid), 0);
      return { rss, redis: await usedMemory(deployment.redisClient) };
    };
    await holdUsers(holders, 0, FEW);
    const few = await settled(FEW);
    await holdUsers(holders, FEW, MANY);
    const many = await settled(MANY);
    return {
      rssFewKiB: few.rss,
      rssManyKiB: many.rss,
      kibPerUser: (many.rss - few.rss) / (MANY - FEW),
      redisBytesPerUser: (many.redis - few.redis) / (MANY - FEW),
    };
  } finally {
    await Promise.all(holders.map((holder) => holder.kill('SIGKILL')));
    await deployment.stop();
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Throughput and latency phases

/** What the clients received: each notification must arrive once, at its own user. */
interface Poster {
  post(instance: Instance, body: string): Promise<number>;
  destroy(): void;
}

/** Keep-alive HTTP/1.1 POSTs to `/api/v1/notifications`, at most `maxSockets` connections per instance. */
function poster(maxSockets: number): Poster {
  const clients = new Map<Instance, RawHttpClient>();
  return {
    post(instance, body) {
      let client = clients.get(instance);
      if (client === undefined) {
        client = new RawHttpClient(instance.host, instance.port, maxSockets);
        clients.set(instance, client);
      }
      return client.post('/api/v1/notifications', body);
    },
    destroy: () => {
      for (const client of clients.values()) client.destroy();
    },
  };
}

function randomInt(below: number): number {
  return Math.floor(Math.random() * below);
}

/** One notification for a random user to a random instance; the payload carries its number, user and issue time. */
function notification(tracker: DeliveryTracker, users: number): string {
  const n = tracker.next();
  const user = randomInt(users);
  return `{"userId":"t-${user}","type":"bench","payload":{"n":${n},"u":${user},"t":${now()}}}`;
}

interface LoadResult {
  deliveredPerSecond: number;
  acceptedPerSecond: number;
  /** This process's CPU over the measured window, in % of one core. */
  generatorCpu: number;
  /** This process's GC pauses over the measured window, in % of the window. */
  generatorGc: number;
  /** CPU 1 busy with anything (this process and whatever else ran there), in %: above generatorCpu means interference. */
  generatorCpuAll: number;
  /** The larger of the two CPUs' time stolen by the hypervisor over the window, in %. */
  steal: number;
  /** The same two over the latency phase. */
  latencyGeneratorCpuAll: number;
  latencySteal: number;
  /** Everything on CPU 0 (Redis + instances) over the measured window, in % of the core. */
  serverCpu: number;
  instanceMicrosPerNotification: number;
  redisMicrosPerNotification: number;
  p50: number;
  p99: number;
  p999: number;
  latencyServerCpu: number;
  achievedRate: number;
  scheduleLagP99: number;
  /** This process's event-loop delay during the latency phase (ms). */
  generatorLoopDelayP99: number;
  generatorLoopDelayMax: number;
  /** This process's GC pauses during the latency phase (ms in total). */
  generatorGcMillis: number;
  deliveriesPerNotification: number;
  notifications: number;
}

interface Snapshot {
  at: number;
  deliveries: number;
  accepted: number;
  generator: NodeJS.CpuUsage;
  gc: number;
  servers: number[];
  cpus: CpuTimes[];
}

async function throughput(deployment: Deployment, tracker: DeliveryTracker, http: Poster): Promise<Pick<LoadResult, 'deliveredPerSecond' | 'acceptedPerSecond' | 'generatorCpu' | 'generatorGc' | 'generatorCpuAll' | 'steal' | 'serverCpu' | 'instanceMicrosPerNotification' | 'redisMicrosPerNotification'>> {
  const outcome = { accepted: 0, failure: '' };
  let running = true;
  const worker = async (): Promise<void> => {
    while (running) {
      const instance = deployment.instances[randomInt(deployment.instances.length)] as Instance;
      const status = await http.post(instance, notification(tracker, THROUGHPUT_USERS)).catch((error: unknown) => String(error));
      if (status === 202) {
        outcome.accepted += 1;
      } else {
        outcome.failure = `a POST answered ${status}`;
        running = false;
      }
    }
  };
  const snapshot = (): Snapshot => ({ at: performance.now(), deliveries: tracker.deliveries, accepted: outcome.accepted, generator: process.cpuUsage(), gc: gcMillis, servers: cpuOf(deployment), cpus: cpuTimes() });
  const workers = Array.from({ length: IN_FLIGHT }, worker);
  await sleep(WARMUP * 1000);
  const start = snapshot();
  await sleep(SECONDS * 1000);
  const end = snapshot();
  running = false;
  await Promise.all(workers);
  if (outcome.failure !== '') throw new Error(`throughput phase on ${deployment.system}: ${outcome.failure}`);
  await until(() => tracker.received >= tracker.sent, `every notification of the throughput phase (${tracker.received}/${tracker.sent})`, 60_000).catch(() => undefined);
  tracker.check(`throughput phase on ${deployment.system}`);

  const seconds = (end.at - start.at) / 1000;
  const delivered = end.deliveries - start.deliveries;
  const generator = process.cpuUsage(start.generator);
  const servers = end.servers.map((micros, i) => micros - (start.servers[i] ?? 0));
  const [redisMicros = 0, ...instanceMicros] = servers;
  return {
    deliveredPerSecond: delivered / seconds,
    acceptedPerSecond: (end.accepted - start.accepted) / seconds,
    generatorCpu: ((generator.user + generator.system) / 1e6 / seconds) * 100,
    generatorGc: ((end.gc - start.gc) / 1000 / seconds) * 100,
    generatorCpuAll: cpuShare(start.cpus, end.cpus, GENERATOR_CPU).busy,
    steal: Math.max(cpuShare(start.cpus, end.cpus, SERVER_CPU).steal, cpuShare(start.cpus, end.cpus, GENERATOR_CPU).steal),
    serverCpu: (servers.reduce((sum, micros) => sum + micros, 0) / 1e6 / seconds) * 100,
    instanceMicrosPerNotification: instanceMicros.reduce((sum, micros) => sum + micros, 0) / delivered,
    redisMicrosPerNotification: redisMicros / delivered,
  };
}

async function latency(deployment: Deployment, tracker: DeliveryTracker, http: Poster): Promise<Pick<LoadResult, 'p50' | 'p99' | 'p999' | 'latencyServerCpu' | 'achievedRate' | 'scheduleLagP99' | 'generatorLoopDelayP99' | 'generatorLoopDelayMax' | 'generatorGcMillis' | 'latencyGeneratorCpuAll' | 'latencySteal'>> {
  const latencies: number[] = [];
  tracker.latencies = latencies;
  tracker.latencyFrom = tracker.sent;
  const total = Math.round(RATE * SECONDS);
  const interval = 1000 / RATE;
  const lags = new Float64Array(total);
  const failures: string[] = [];
  let issued = 0;
  let answered = 0;
  let lastIssue = 0;
  const serversBefore = cpuOf(deployment);
  const loopDelay = monitorEventLoopDelay({ resolution: 1 });
  loopDelay.enable();
  const gcBefore = gcMillis;
  const cpusBefore = cpuTimes();
  const start = performance.now();
  await new Promise<void>((resolve) => {
    const tick = (): void => {
      const due = Math.min(total, Math.floor((performance.now() - start) / interval) + 1);
      while (issued < due) {
        lastIssue = performance.now();
        lags[issued] = lastIssue - (start + issued * interval);
        issued += 1;
        const instance = deployment.instances[randomInt(deployment.instances.length)] as Instance;
        http.post(instance, notification(tracker, THROUGHPUT_USERS)).then(
          (status) => {
            answered += 1;
            if (status !== 202) failures.push(`a POST answered ${status}`);
          },
          (error: unknown) => {
            answered += 1;
            failures.push(String(error));
          },
        );
      }
      if (issued < total) setTimeout(tick, 1);
      else resolve();
    };
    tick();
  });
  const elapsed = (lastIssue - start) / 1000;
  loopDelay.disable();
  const gcDuring = gcMillis - gcBefore;
  const cpusAfter = cpuTimes();
  await until(() => answered >= issued, 'every POST of the latency phase to be answered', 60_000);
  const serversAfter = cpuOf(deployment);
  if (failures.length > 0) throw new Error(`latency phase on ${deployment.system}: ${failures.length} POSTs failed, first: ${failures[0] ?? ''}`);
  await until(() => tracker.received >= tracker.sent, `every notification of the latency phase (${tracker.received}/${tracker.sent})`, 60_000).catch(() => undefined);
  tracker.check(`latency phase on ${deployment.system}`);
  tracker.latencies = undefined;
  const sorted = Float64Array.from(latencies).sort();
  const serverMicros = serversAfter.reduce((sum, micros, i) => sum + micros - (serversBefore[i] ?? 0), 0);
  return {
    p50: percentile(sorted, 50),
    p99: percentile(sorted, 99),
    p999: percentile(sorted, 99.9),
    latencyServerCpu: (serverMicros / 1e6 / ((performance.now() - start) / 1000)) * 100,
    achievedRate: (total - 1) / elapsed,
    scheduleLagP99: percentile(lags.sort(), 99),
    generatorLoopDelayP99: loopDelay.percentile(99) / 1e6,
    generatorLoopDelayMax: loopDelay.max / 1e6,
    generatorGcMillis: gcDuring,
    latencyGeneratorCpuAll: cpuShare(cpusBefore, cpusAfter, GENERATOR_CPU).busy,
    latencySteal: Math.max(cpuShare(cpusBefore, cpusAfter, SERVER_CPU).steal, cpuShare(cpusBefore, cpusAfter, GENERATOR_CPU).steal),
  };
}

async function loadPhases(system: SystemName): Promise<LoadResult> {
  const deployment = await deploy(system);
  const tracker = new DeliveryTracker();
  // One client for both phases: the latency phase starts on the keep-alive connections the throughput phase opened.
  const http = poster(LATENCY_SOCKETS);
  const sockets: WebSocket[] = [];
  try {
    for (let start = 0; start < THROUGHPUT_USERS; start += BATCH) {
      const opening: Array<Promise<WebSocket>> = [];
      for (let user = start; user < Math.min(start + BATCH, THROUGHPUT_USERS); user += 1) {
        const instance = deployment.instances[user % 2] as Instance;
        opening.push(openClient(system, instance.wsBase, `t-${user}`, (data) => tracker.receive(user, data), () => (tracker.closed += 1)));
      }
      sockets.push(...(await Promise.all(opening)));
    }
    await waitConnected(deployment, THROUGHPUT_USERS);
    const brokerBefore = await brokerMessages(deployment);
    const sentBefore = tracker.sent;
    const load = await throughput(deployment, tracker, http);
    const timing = await latency(deployment, tracker, http);
    const notifications = tracker.sent - sentBefore;
    const deliveriesPerNotification = ((await brokerMessages(deployment)) - brokerBefore) / notifications;
    return { ...load, ...timing, deliveriesPerNotification, notifications };
  } finally {
    http.destroy();
    for (const socket of sockets) socket.terminate();
    await deployment.stop();
  }
}

async function brokerMessages(deployment: Deployment): Promise<number> {
  const counts = await Promise.all(deployment.instances.map((instance) => deployment.counts(instance)));
  return counts.reduce((sum, count) => sum + count.brokerMessages, 0);
}

// ---------------------------------------------------------------------------------------------------------------
// Report

type RunResult = MemoryResult & LoadResult & { system: SystemName; run: number };

const LABEL: Record<SystemName, string> = {
  product: 'this product (Koa REST + RSocket/WebSocket, Redis broker)',
  ceiling: 'plain `ws` + ioredis per-user channels + node:http (ceiling)',
};

const fmt = {
  int: (value: number): string => Math.round(value).toLocaleString('en-US'),
  fixed: (value: number, digits: number): string => value.toFixed(digits),
};

function report(results: RunResult[], order: string[], startedAt: Date, minutes: number, provenance: string): string {
  const medianOf = (system: SystemName, pick: (result: RunResult) => number): number =>
    median(results.filter((result) => result.system === system).map(pick));
  const ran = SYSTEMS.filter((system): system is SystemName => results.some((result) => result.system === system));
  const overrides = KNOBS.filter((name) => process.env[name] !== undefined).map((name) => {
    const value = String(process.env[name]);
    return `${name}=${/\s/.test(value) ? `'${value}'` : value}`;
  });
  const command = [...overrides, 'npm run bench:compare'].join(' ');
  const lines = [
    '# This product next to the plain-ws ceiling',
    '',
    `Command: \`${command}\`, started ${startedAt.toISOString()}, took ${minutes.toFixed(1)} min.`,
    '',
    `Settings: RUNS=${RUNS} SECONDS=${SECONDS} WARMUP=${WARMUP} FEW=${FEW} MANY=${MANY} THROUGHPUT_USERS=${THROUGHPUT_USERS} IN_FLIGHT=${IN_FLIGHT} RATE=${RATE} BATCH=${BATCH}.`,
    `Product instances: the built transport-service/dist/main.js with REDIS_URL, MAX_FRAMES_PER_SECOND=1000000${Object.entries(PRODUCT_ENV)
      .map(([name, value]) => `, ${name}=${value}`)
      .join('')}, development identity on loopback, otherwise defaults; measured: ${provenance}.`,
    `Topology (the one the bar is defined by): per system one redis-server and two instances, all pinned to CPU ${SERVER_CPU}`,
    `(\`taskset -a -cp ${SERVER_CPU}\`); the load generator (this process, and for the memory phase one client-holder child per`,
    `instance) pinned to CPU ${GENERATOR_CPU}, run with V8's allocation-site pretenuring off (it sometimes made the generator's`,
    `own GC take 15-20 % of its core). Figures are **medians of ${RUNS} alternated run${RUNS === 1 ? '' : 's'}** (order: ${order.join(' → ')}).`,
    '',
    `| system | memory per connected user (marginal, ${FEW} → ${MANY} users) | delivered notifications/s (${THROUGHPUT_USERS} users, ${IN_FLIGHT} POSTs in flight) | p50 / p99 latency at a fixed ${RATE} POST/s | Redis deliveries per notification |`,
    '| --- | ---: | ---: | ---: | ---: |',
  ];
  for (const system of ran) {
    lines.push(
      `| ${LABEL[system]} | ${fmt.fixed(medianOf(system, (r) => r.kibPerUser), 2)} KiB | ${fmt.int(medianOf(system, (r) => r.deliveredPerSecond))} | ` +
        `${fmt.fixed(medianOf(system, (r) => r.p50), 2)} / ${fmt.fixed(medianOf(system, (r) => r.p99), 2)} ms | ${fmt.fixed(medianOf(system, (r) => r.deliveriesPerNotification), 2)} |`,
    );
  }
  if (ran.includes('product') && ran.includes('ceiling')) {
    const ratio = (pick: (result: RunResult) => number): number => medianOf('product', pick) / medianOf('ceiling', pick);
    const memory = ratio((r) => r.kibPerUser);
    const rate = ratio((r) => r.deliveredPerSecond);
    const p99 = ratio((r) => r.p99);
    const deliveries = medianOf('product', (r) => r.deliveriesPerNotification);
    const verdict = (ok: boolean): string => (ok ? 'meets' : '**misses**');
    lines.push(
      `| product / ceiling | ${fmt.fixed(memory, 2)}× | ${fmt.fixed(rate * 100, 1)} % | p99 ${fmt.fixed(p99, 2)}× | ${fmt.fixed(deliveries, 2)} |`,
      `| the bar (performance.md) | ≤ 1.3× (${verdict(memory <= 1.3)}) | ≥ 90 % (${verdict(rate >= 0.9)}) | ≤ 1.5× (${verdict(p99 <= 1.5)}) | 1 (${verdict(Math.abs(deliveries - 1) < 0.005)}) |`,
    );
  }
  lines.push(
    '',
    'Method. Memory: summed VmRSS (/proc/PID/status) of both instances once every user is connected (product: SETUP',
    'accepted and the notifications stream open, per `/metrics`) and Redis counts a subscribed channel per user (`INFO stats`),',
    `plus ${SETTLE_MS / 1000} s; (RSS at MANY − RSS at FEW) / (MANY − FEW). Throughput: clients in this process decode every`,
    'message (product: rsocket-core `deserializeFrame`, PAYLOAD data; ceiling: text frames) and count deliveries over the',
    `last ${SECONDS} s of ${WARMUP + SECONDS} s of closed-loop POSTs (${IN_FLIGHT} in flight, keep-alive HTTP/1.1, bench/support/raw-http.ts).`,
    `Latency: POSTs issued on a fixed open-loop schedule (${RATE}/s, on the same connections, warm from the throughput phase, up to`,
    `${LATENCY_SOCKETS} connections per instance, waiting for one counted); latency = client receive time − the time the`,
    'bench issued the POST, carried in the payload (one clock: `performance.timeOrigin + performance.now()` of this process).',
    'Redis deliveries per notification: Pub/Sub messages received by the',
    "instances' subscriber connections (product: `transport_broker_deliveries_total`, ceiling: `GET /stats` `messages`,",
    'summed over both instances) divided by the notifications accepted in the throughput and latency phases. Every POST',
    'answered 202 and every notification reached its user exactly once (checked per phase, the run fails otherwise).',
    '',
    '## Diagnostics (medians)',
    '',
    '| system | accepted POST/s (throughput window) | load generator CPU (CPU 1) / of it GC pauses | CPU 0 busy (Redis + instances) | instance CPU per notification | Redis CPU per notification | CPU 0 busy at RATE | achieved rate / schedule lag p99 | p99.9 at RATE | Redis memory per user |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
  );
  for (const system of ran) {
    lines.push(
      `| ${system} | ${fmt.int(medianOf(system, (r) => r.acceptedPerSecond))} | ${fmt.fixed(medianOf(system, (r) => r.generatorCpu), 0)} % / ${fmt.fixed(medianOf(system, (r) => r.generatorGc), 1)} % | ` +
        `${fmt.fixed(medianOf(system, (r) => r.serverCpu), 0)} % | ${fmt.fixed(medianOf(system, (r) => r.instanceMicrosPerNotification), 1)} µs | ` +
        `${fmt.fixed(medianOf(system, (r) => r.redisMicrosPerNotification), 1)} µs | ${fmt.fixed(medianOf(system, (r) => r.latencyServerCpu), 0)} % | ` +
        `${fmt.int(medianOf(system, (r) => r.achievedRate))}/s / ${fmt.fixed(medianOf(system, (r) => r.scheduleLagP99), 2)} ms | ` +
        `${fmt.fixed(medianOf(system, (r) => r.p999), 2)} ms | ${fmt.int(medianOf(system, (r) => r.redisBytesPerUser))} B |`,
    );
  }
  lines.push(
    '',
    'CPU figures come from /proc/PID/stat (all threads) and `process.cpuUsage()` over the measured window; "per notification"',
    'divides by notifications delivered in the window. The throughput figure is the system\'s limit when CPU 0 (Redis + both',
    'instances) is saturated (≳ 95 %) while the load generator is not (well under 100 % of CPU 1); CPU 1 busy above the',
    'generator\'s own CPU, or steal, means something else (another process, the hypervisor) took time in that run.',
    '',
    '## Every run',
    '',
    '| run | system | RSS at FEW / MANY | KiB per user | delivered/s | generator CPU / GC / CPU 1 busy (all) | CPU 0 busy | p50 / p99 / p99.9 | generator lag p99 / loop delay max (latency phase) | steal (max of both CPUs) | deliveries per notification |',
    '| ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
  );
  for (const r of results) {
    lines.push(
      `| ${r.run} | ${r.system} | ${fmt.fixed(r.rssFewKiB / 1024, 1)} / ${fmt.fixed(r.rssManyKiB / 1024, 1)} MiB | ${fmt.fixed(r.kibPerUser, 2)} | ` +
        `${fmt.int(r.deliveredPerSecond)} | ${fmt.fixed(r.generatorCpu, 0)} % / ${fmt.fixed(r.generatorGc, 1)} % / ${fmt.fixed(r.generatorCpuAll, 0)} % | ${fmt.fixed(r.serverCpu, 0)} % | ` +
        `${fmt.fixed(r.p50, 2)} / ${fmt.fixed(r.p99, 2)} / ${fmt.fixed(r.p999, 2)} ms | ${fmt.fixed(r.scheduleLagP99, 2)} / ${fmt.fixed(r.generatorLoopDelayMax, 1)} ms | ` +
        `${fmt.fixed(Math.max(r.steal, r.latencySteal), 1)} % | ${fmt.fixed(r.deliveriesPerNotification, 3)} |`,
    );
  }
  return `${lines.join('\n')}\n`;
}

// ---------------------------------------------------------------------------------------------------------------

async function main(): Promise<void> {
  const unknown = SYSTEMS.filter((system) => system !== 'product' && system !== 'ceiling');
  if (unknown.length > 0 || SYSTEMS.length === 0) throw new Error(`SYSTEMS must list product and/or ceiling, got ${SYSTEMS.join(',')}`);
  if (FEW >= MANY) throw new Error(`FEW (${FEW}) must be below MANY (${MANY})`);
  checkFileDescriptors();
  checkCpus();
  pin(process.pid, GENERATOR_CPU);
  buildCeiling();
  const startedAt = new Date();
  const provenance = productProvenance();
  const results: RunResult[] = [];
  const order: string[] = [];
  for (let run = 1; run <= RUNS; run += 1) {
    const systems = (run % 2 === 1 ? SYSTEMS : [...SYSTEMS].reverse()) as SystemName[];
    for (const system of systems) {
      order.push(`${system}#${run}`);
      log(`run ${run}/${RUNS} ${system}: memory (${FEW} → ${MANY} users)…`);
      const memory = await memoryPhase(system);
      log(`  ${fmt.fixed(memory.kibPerUser, 2)} KiB per user (RSS ${fmt.fixed(memory.rssFewKiB / 1024, 1)} → ${fmt.fixed(memory.rssManyKiB / 1024, 1)} MiB)`);
      log(`run ${run}/${RUNS} ${system}: throughput and latency (${THROUGHPUT_USERS} users)…`);
      const load = await loadPhases(system);
      log(
        `  ${fmt.int(load.deliveredPerSecond)} delivered/s (generator ${fmt.fixed(load.generatorCpu, 0)} % of CPU 1 with ${fmt.fixed(load.generatorGc, 1)} % in GC, CPU 1 busy ${fmt.fixed(load.generatorCpuAll, 0)} %, steal ${fmt.fixed(load.steal, 1)} %, CPU 0 ${fmt.fixed(load.serverCpu, 0)} % busy), ` +
          `p50 ${fmt.fixed(load.p50, 2)} / p99 ${fmt.fixed(load.p99, 2)} ms at ${fmt.int(load.achievedRate)}/s ` +
          `(generator: schedule lag p99 ${fmt.fixed(load.scheduleLagP99, 2)} ms, loop delay p99 ${fmt.fixed(load.generatorLoopDelayP99, 2)} / max ${fmt.fixed(load.generatorLoopDelayMax, 2)} ms, GC ${fmt.fixed(load.generatorGcMillis, 0)} ms; CPU 1 busy ${fmt.fixed(load.latencyGeneratorCpuAll, 0)} %, steal ${fmt.fixed(load.latencySteal, 1)} %), ` +
          `${fmt.fixed(load.deliveriesPerNotification, 3)} Redis deliveries per notification`,
      );
      results.push({ ...memory, ...load, system, run });
    }
  }
  const table = report(results, order, startedAt, (Date.now() - startedAt.getTime()) / 60_000, provenance);
  log('');
  process.stdout.write(table);
  writeFileSync(RESULTS, table);
  log(`\nwritten to ${RESULTS}`);
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  },
);
