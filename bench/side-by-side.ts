/**
 * This product next to two ceilings (bench/ceiling/): the plain one (`ws` + ioredis per-user channels + node:http,
 * one PUBLISH per notification) and the durable one (the same, but each POST appends the notification to a per-user
 * Redis Stream and publishes it in one EVALSHA: the floor for any system that keeps a recovery history). On the
 * workload and topology the bar is defined by (README "Benchmarks"): one redis-server and two instances of a system
 * share CPU 0; the load generator (this process, and for the memory phase one client-holder child per instance) has
 * CPU 1. For each system, alternating the order, RUNS times:
 *
 *   memory      users connect, spread evenly over both instances, BATCH at a time; the instances' summed RSS is read
 *               at FEW and at MANY users (after every connection and channel subscription is in place, plus 2 s):
 *               marginal KiB per connected user.
 *   throughput  fresh Redis and instances, THROUGHPUT_USERS users connected here; IN_FLIGHT closed-loop POSTs, each
 *               to a random instance for a random user, for WARMUP + SECONDS: notifications delivered at the clients
 *               per second over the last SECONDS (PAYLOAD frames decoded with rsocket-core, or text messages); per
 *               notification over that window: instance and Redis CPU, Redis commands (INFO commandstats), Redis,
 *               HTTP and WebSocket bytes.
 *   latency     the same processes and clients; RATE POST/s on an open-loop schedule for SECONDS: p50 / p99 of client
 *               receive time minus the time the bench issued the POST (carried in the payload; one clock, this process).
 *   deliveries  Pub/Sub messages the instances' subscriber connections received (product:
 *               transport_broker_deliveries_total, ceilings: GET /stats `messages`, both summed over the instances)
 *               per notification accepted, over the throughput and latency phases.
 *
 * POSTs go over lean keep-alive HTTP/1.1 connections (bench/support/raw-http.ts; node:http's client took most of the
 * generator's CPU). The generator's CPU and GC, CPU 0's load and steal are reported per run, to tell a system's limit
 * from the generator's. Every POST must answer 202 and every notification must reach its user exactly once, or the
 * bench fails.
 * Prints the medians and writes bench/results/side-by-side.md.
 *
 *   npm run bench:compare
 *   RUNS=1 SECONDS=3 FEW=1000 MANY=3000 SYSTEMS=durable npm run bench:compare
 *   PRODUCT_DIR=<path to another checkout> SYSTEMS=product RUNS=3 OUT=/tmp/b.md npm run bench:compare   (an A/B of a change)
 *   RECEIPTS=1 SYSTEMS=product,durable npm run bench:compare   (the cost of a delivery receipt on every notification)
 *   PROFILE=/tmp/profile SYSTEMS=product RUNS=1 PHASES=load npm run bench:compare; node --import tsx bench/publish-path-profile.ts /tmp/profile
 *
 * Env: RUNS=3 SECONDS=10 WARMUP=2 FEW=5000 MANY=20000 THROUGHPUT_USERS=2000 IN_FLIGHT=64 RATE=2700 BATCH=250
 * SYSTEMS=product,plain,durable (any subset, also product+receipts); RECEIPTS=1 adds product+receipts after product
 * (every POST asks for a delivery receipt, every client confirms each notification on route `receipt` like the browser
 * client; no memory phase: its idle connections are the product's); PHASES=memory,load (either); PRODUCT_DIR=path measures the product built
 * in another checkout (its transport-service/dist, built there first; this checkout's bench and ceilings);
 * PRODUCT_ENV='NAME=value …' adds environment to the product's instances (diagnostics, e.g.
 * PRODUCT_ENV='SLOT_LEASE_MS=600000'; a run with it is not the product as configured by default); PROFILE=dir runs every
 * system's instances with `--cpu-prof` (into dir) and `--trace-gc`, logs Redis commands slower than 1 ms (SLOWLOG) and
 * writes dir/side-by-side.json with each run's figures, throughput window and GC pauses (profiled figures are not the
 * systems' own: the profiler costs CPU); OUT=path writes the table elsewhere than bench/results/side-by-side.md.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join, resolve } from 'node:path';
import { monitorEventLoopDelay, performance, PerformanceObserver } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { setFlagsFromString } from 'node:v8';
import type { Redis } from 'ioredis';
import type WebSocket from 'ws';
import { TrackedChild } from '../test/support/tracked-child.js';
import { bytesReceived, isProduct, openClient, SYSTEM_NAMES, type SystemName } from './support/bench-client.js';
import { notificationBody } from './support/bench-notification.js';
import { confirmations } from './support/receipt-confirmer.js';
import { DeliveryTracker, now } from './support/delivery-tracker.js';
import { buildCeilings, deploy, productProvenance, pubsubChannels, type Deployment, type Instance, type ProductOptions } from './support/deployment.js';
import { sleep, until } from './support/poll.js';
import { cpuMicros, cpuShare, cpuTimes, fdLimit, pin, procCounters, rssKiB, type CpuTimes, type ProcCounters } from './support/proc-stats.js';
import type { GcPauses } from './support/product-process.js';
import { RawHttpClient } from './support/raw-http.js';
import { commandsPer, redisCounters, type RedisCounters } from './support/redis-stats.js';
import { report, type LoadResult, type MemoryResult, type RunResult } from './support/side-by-side-report.js';

const KNOBS = ['RUNS', 'SECONDS', 'WARMUP', 'FEW', 'MANY', 'THROUGHPUT_USERS', 'IN_FLIGHT', 'RATE', 'BATCH', 'SYSTEMS', 'PHASES', 'PRODUCT_DIR', 'PRODUCT_ENV', 'RECEIPTS', 'PROFILE', 'OUT'] as const;
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
const RECEIPTS = process.env.RECEIPTS ?? '0';
/** The systems asked for; RECEIPTS=1 adds `product+receipts` right after `product` (or first) unless listed. */
const SYSTEMS = withReceipts((process.env.SYSTEMS ?? 'product,plain,durable').split(',').map((name) => name.trim()));
function withReceipts(systems: string[]): string[] {
  if (RECEIPTS !== '1' || systems.includes('product+receipts')) return systems;
  const at = systems.indexOf('product') + 1;
  return [...systems.slice(0, at), 'product+receipts', ...systems.slice(at)];
}
const PHASES = (process.env.PHASES ?? 'memory,load').split(',').map((name) => name.trim());
const ROOT = fileURLToPath(new URL('..', import.meta.url));
/** Where PROFILE puts the instances' CPU profiles and the runs' figures; undefined when not profiling. */
const PROFILE = process.env.PROFILE === undefined ? undefined : resolve(process.env.PROFILE);
/** Samples every 200 µs: per-notification work is a few tens of µs, the default 1 ms would blur it. */
const PROFILE_FLAGS = PROFILE === undefined ? [] : ['--cpu-prof', `--cpu-prof-dir=${PROFILE}`, '--cpu-prof-interval=200', '--trace-gc'];
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

const HOLDER_TS = join(ROOT, 'bench/support/client-holder.ts');
const RESULTS = process.env.OUT ?? join(ROOT, 'bench/results/side-by-side.md');
const PRODUCT: ProductOptions = { checkout: resolve(process.env.PRODUCT_DIR ?? ROOT), nodeFlags: PROFILE_FLAGS, env: PRODUCT_ENV };
/** Redis commands slower than this (µs) go to SLOWLOG while profiling. */
const SLOWLOG_MICROS = 1_000;

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

// ---------------------------------------------------------------------------------------------------------------
// Connected users

/** Users per instance when `users` are spread evenly over two. */
function shares(users: number): [number, number] {
  return [Math.ceil(users / 2), Math.floor(users / 2)];
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
  const deployment = await deploy(system, SERVER_CPU, PRODUCT);
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
  /** HTTP bytes sent and received so far, over every instance. */
  bytes(): number;
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
    bytes: () => [...clients.values()].reduce((sum, client) => sum + client.bytes.sent + client.bytes.received, 0),
    destroy: () => {
      for (const client of clients.values()) client.destroy();
    },
  };
}

function randomInt(below: number): number {
  return Math.floor(Math.random() * below);
}

/** One notification for a random user; the payload carries its number, user and issue time. */
function notification(tracker: DeliveryTracker, users: number, system: SystemName): string {
  return notificationBody(tracker.next(), randomInt(users), now(), system === 'product+receipts');
}

interface Snapshot {
  at: number;
  deliveries: number;
  accepted: number;
  generator: NodeJS.CpuUsage;
  gc: number;
  servers: number[];
  cpus: CpuTimes[];
  /** Redis first, then the instances, like `servers`. */
  procs: ProcCounters[];
  redis: RedisCounters;
  httpBytes: number;
  wsBytes: number;
  /** process.hrtime in µs: the clock of the instances' CPU profiles (CLOCK_MONOTONIC). */
  monotonicMicros: number;
}

type ThroughputResult = Pick<LoadResult, 'deliveredPerSecond' | 'acceptedPerSecond' | 'generatorCpu' | 'generatorGc' | 'generatorCpuAll' | 'steal' | 'serverCpu' | 'per'> & {
  /** The measured window on the clock of the instances' CPU profiles (µs). */
  window: [number, number];
};

async function throughput(deployment: Deployment, tracker: DeliveryTracker, http: Poster, sockets: WebSocket[]): Promise<ThroughputResult> {
  const outcome = { accepted: 0, failure: '' };
  let running = true;
  const worker = async (): Promise<void> => {
    while (running) {
      const instance = deployment.instances[randomInt(deployment.instances.length)] as Instance;
      const status = await http.post(instance, notification(tracker, THROUGHPUT_USERS, deployment.system)).catch((error: unknown) => String(error));
      if (status === 202) {
        outcome.accepted += 1;
      } else {
        outcome.failure = `a POST answered ${status}`;
        running = false;
      }
    }
  };
  const snapshot = async (): Promise<Snapshot> => {
    const redis = await redisCounters(deployment.redisClient);
    const wsBytes = sockets.reduce((sum, socket) => sum + bytesReceived(socket), 0);
    return {
      at: performance.now(),
      monotonicMicros: Number(process.hrtime.bigint() / 1000n),
      deliveries: tracker.deliveries,
      accepted: outcome.accepted,
      generator: process.cpuUsage(),
      gc: gcMillis,
      servers: cpuOf(deployment),
      procs: deployment.pids.map(procCounters),
      cpus: cpuTimes(),
      redis,
      httpBytes: http.bytes(),
      wsBytes,
    };
  };
  const workers = Array.from({ length: IN_FLIGHT }, worker);
  await sleep(WARMUP * 1000);
  const start = await snapshot();
  await sleep(SECONDS * 1000);
  const end = await snapshot();
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
    per: perNotification(start, end, delivered, instanceMicros.reduce((sum, micros) => sum + micros, 0), redisMicros),
    window: [start.monotonicMicros, end.monotonicMicros],
  };
}

function perNotification(start: Snapshot, end: Snapshot, delivered: number, instanceMicros: number, redisMicros: number): LoadResult['per'] {
  const commands = commandsPer(start.redis, end.redis, delivered);
  const delta = (pick: (counters: ProcCounters) => number, which: 'redis' | 'instances'): number =>
    end.procs.reduce((sum, counters, i) => ((i === 0) === (which === 'redis') ? sum + pick(counters) - pick(start.procs[i] ?? counters) : sum), 0) / delivered;
  return {
    instanceMicros: instanceMicros / delivered,
    instanceUserMicros: delta((c) => c.userMicros, 'instances'),
    instanceSystemMicros: delta((c) => c.systemMicros, 'instances'),
    instanceReads: delta((c) => c.reads, 'instances'),
    instanceWrites: delta((c) => c.writes, 'instances'),
    redisReads: delta((c) => c.reads, 'redis'),
    redisWrites: delta((c) => c.writes, 'redis'),
    redisMicros: redisMicros / delivered,
    redisCommands: commands.reduce((sum, row) => sum + row.calls, 0),
    commands,
    redisBytesIn: (end.redis.netIn - start.redis.netIn) / delivered,
    redisBytesOut: (end.redis.netOut - start.redis.netOut) / delivered,
    httpBytes: (end.httpBytes - start.httpBytes) / delivered,
    wsBytes: (end.wsBytes - start.wsBytes) / delivered,
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
        http.post(instance, notification(tracker, THROUGHPUT_USERS, deployment.system)).then(
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

/** What PROFILE keeps of one profiled run besides the CPU profiles: when the window was, what Redis and GC did. */
interface ProfileRecord {
  system: SystemName;
  run: number;
  window: [number, number];
  deliveredInWindow: number;
  slowlog: unknown[];
  gcPauses: GcPauses[][];
}

async function loadPhases(system: SystemName, run: number, profiles: ProfileRecord[]): Promise<LoadResult> {
  const deployment = await deploy(system, SERVER_CPU, PRODUCT);
  const tracker = new DeliveryTracker();
  confirmations.frames = 0;
  confirmations.ids = 0;
  // One client for both phases: the latency phase starts on the keep-alive connections the throughput phase opened.
  const http = poster(LATENCY_SOCKETS);
  const sockets: WebSocket[] = [];
  let result: (LoadResult & { window: [number, number] }) | undefined;
  let slowlog: unknown[] = [];
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
    if (PROFILE !== undefined) await deployment.redisClient.call('CONFIG', 'SET', 'slowlog-log-slower-than', String(SLOWLOG_MICROS));
    const brokerBefore = await brokerMessages(deployment);
    const sentBefore = tracker.sent;
    const load = await throughput(deployment, tracker, http, sockets);
    const timing = await latency(deployment, tracker, http);
    const notifications = tracker.sent - sentBefore;
    if (system === 'product+receipts') await confirmedAll(tracker);
    const deliveriesPerNotification = ((await brokerMessages(deployment)) - brokerBefore) / notifications;
    if (PROFILE !== undefined) slowlog = (await deployment.redisClient.call('SLOWLOG', 'GET', '50')) as unknown[];
    result = { ...load, ...timing, deliveriesPerNotification, notifications };
    return result;
  } finally {
    http.destroy();
    for (const socket of sockets) socket.terminate();
    await deployment.stop();
    if (PROFILE !== undefined && result !== undefined) {
      const deliveredInWindow = result.deliveredPerSecond * SECONDS;
      profiles.push({ system, run, window: result.window, deliveredInWindow, slowlog, gcPauses: deployment.gcPauses() });
    }
  }
}
/** Throws unless the clients confirmed every notification received, each once (sent by the next event-loop turn). */
async function confirmedAll(tracker: DeliveryTracker): Promise<void> {
  const counts = (): string => `${tracker.received} notifications received, ${confirmations.ids} confirmed as delivered`;
  await until(() => confirmations.ids >= tracker.received, counts, 10_000);
  if (confirmations.ids !== tracker.received) throw new Error(counts());
  log(`  receipts: ${fmt.int(confirmations.ids)} ids confirmed in ${fmt.int(confirmations.frames)} REQUEST_FNF frames`);
}

async function brokerMessages(deployment: Deployment): Promise<number> {
  const counts = await Promise.all(deployment.instances.map((instance) => deployment.counts(instance)));
  return counts.reduce((sum, count) => sum + count.brokerMessages, 0);
}

// ---------------------------------------------------------------------------------------------------------------

const NO_MEMORY: MemoryResult = { rssFewKiB: Number.NaN, rssManyKiB: Number.NaN, kibPerUser: Number.NaN, redisBytesPerUser: Number.NaN };

const fmt = {
  int: (value: number): string => Math.round(value).toLocaleString('en-US'),
  fixed: (value: number, digits: number): string => value.toFixed(digits),
};

function logLoad(load: LoadResult): void {
  log(
    `  ${fmt.int(load.deliveredPerSecond)} delivered/s (generator ${fmt.fixed(load.generatorCpu, 0)} % of CPU 1 with ${fmt.fixed(load.generatorGc, 1)} % in GC, CPU 1 busy ${fmt.fixed(load.generatorCpuAll, 0)} %, steal ${fmt.fixed(load.steal, 1)} %, CPU 0 ${fmt.fixed(load.serverCpu, 0)} % busy), ` +
      `p50 ${fmt.fixed(load.p50, 2)} / p99 ${fmt.fixed(load.p99, 2)} ms at ${fmt.int(load.achievedRate)}/s ` +
      `(generator: schedule lag p99 ${fmt.fixed(load.scheduleLagP99, 2)} ms, loop delay p99 ${fmt.fixed(load.generatorLoopDelayP99, 2)} / max ${fmt.fixed(load.generatorLoopDelayMax, 2)} ms, GC ${fmt.fixed(load.generatorGcMillis, 0)} ms; CPU 1 busy ${fmt.fixed(load.latencyGeneratorCpuAll, 0)} %, steal ${fmt.fixed(load.latencySteal, 1)} %), ` +
      `${fmt.fixed(load.deliveriesPerNotification, 3)} Redis deliveries per notification; per notification: instance ${fmt.fixed(load.per.instanceMicros, 1)} µs, ` +
      `Redis ${fmt.fixed(load.per.redisMicros, 1)} µs and ${fmt.fixed(load.per.redisCommands, 2)} commands`,
  );
}

function checkKnobs(): SystemName[] {
  const known: readonly string[] = SYSTEM_NAMES;
  const unknown = SYSTEMS.filter((system) => !known.includes(system));
  if (unknown.length > 0 || SYSTEMS.length === 0) throw new Error(`SYSTEMS must list some of ${SYSTEM_NAMES.join(', ')}; got ${SYSTEMS.join(',')}`);
  if (RECEIPTS !== '0' && RECEIPTS !== '1') throw new Error(`RECEIPTS must be 0 or 1, got ${RECEIPTS}`);
  if (PHASES.length === 0 || PHASES.some((phase) => phase !== 'memory' && phase !== 'load')) throw new Error(`PHASES must list memory and/or load, got ${PHASES.join(',')}`);
  if (FEW >= MANY) throw new Error(`FEW (${FEW}) must be below MANY (${MANY})`);
  return SYSTEMS as SystemName[];
}

function command(): string {
  const overrides = KNOBS.filter((name) => process.env[name] !== undefined).map((name) => {
    const value = String(process.env[name]);
    return `${name}=${/\s/.test(value) ? `'${value}'` : value}`;
  });
  return [...overrides, 'npm run bench:compare'].join(' ');
}

async function main(): Promise<void> {
  const systemsToRun = checkKnobs();
  checkFileDescriptors();
  checkCpus();
  pin(process.pid, GENERATOR_CPU);
  buildCeilings();
  if (PROFILE !== undefined) mkdirSync(PROFILE, { recursive: true });
  const startedAt = new Date();
  const provenance = systemsToRun.some(isProduct) ? productProvenance(PRODUCT.checkout) : 'not run';
  const results: RunResult[] = [];
  const profiles: ProfileRecord[] = [];
  const order: string[] = [];
  for (let run = 1; run <= RUNS; run += 1) {
    for (const system of run % 2 === 1 ? systemsToRun : [...systemsToRun].reverse()) {
      order.push(`${system}#${run}`);
      let memory = NO_MEMORY;
      // Idle connections are the same with or without receipts: the memory phase is the product's.
      if (PHASES.includes('memory') && system !== 'product+receipts') {
        log(`run ${run}/${RUNS} ${system}: memory (${FEW} → ${MANY} users)…`);
        memory = await memoryPhase(system);
        log(`  ${fmt.fixed(memory.kibPerUser, 2)} KiB per user (RSS ${fmt.fixed(memory.rssFewKiB / 1024, 1)} → ${fmt.fixed(memory.rssManyKiB / 1024, 1)} MiB)`);
      }
      if (PHASES.includes('load')) {
        log(`run ${run}/${RUNS} ${system}: throughput and latency (${THROUGHPUT_USERS} users)…`);
        const load = await loadPhases(system, run, profiles);
        logLoad(load);
        results.push({ ...memory, ...load, system, run });
      }
    }
  }
  const productEnv = Object.entries(PRODUCT_ENV)
    .map(([name, value]) => `, ${name}=${value}`)
    .join('');
  const table = report(results, systemsToRun, {
    command: command(),
    startedAt,
    minutes: (Date.now() - startedAt.getTime()) / 60_000,
    settings: `RUNS=${RUNS} SECONDS=${SECONDS} WARMUP=${WARMUP} FEW=${FEW} MANY=${MANY} THROUGHPUT_USERS=${THROUGHPUT_USERS} IN_FLIGHT=${IN_FLIGHT} RATE=${RATE} BATCH=${BATCH} PHASES=${PHASES.join(',')}`,
    productLine:
      `Product instances: the built transport-service/dist/main.js with REDIS_URL, MAX_FRAMES_PER_SECOND=1000000${productEnv}, development identity on loopback, ` +
      `otherwise defaults; measured: ${provenance}.${PROFILE === undefined ? '' : ` Every instance **profiled** (${PROFILE_FLAGS.join(' ')}).`}`,
    order,
    runs: RUNS,
    serverCpu: SERVER_CPU,
    generatorCpu: GENERATOR_CPU,
    few: FEW,
    many: MANY,
    throughputUsers: THROUGHPUT_USERS,
    inFlight: IN_FLIGHT,
    rate: RATE,
    seconds: SECONDS,
    warmup: WARMUP,
    settleSeconds: SETTLE_MS / 1000,
    latencySockets: LATENCY_SOCKETS,
  });
  log('');
  process.stdout.write(table);
  writeFileSync(RESULTS, table);
  log(`\nwritten to ${RESULTS}`);
  if (PROFILE !== undefined) {
    writeFileSync(join(PROFILE, 'side-by-side.json'), `${JSON.stringify({ command: command(), provenance, results, profiles }, null, 1)}\n`);
    log(`profiles and figures written to ${PROFILE}`);
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  },
);
