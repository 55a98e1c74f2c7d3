/**
 * Instance CPU per notification on the whole publish path of one instance: REST POST → commit in Redis → Pub/Sub →
 * PAYLOAD to the user's connection. One redis-server and one instance (the built transport-service/dist/main.js)
 * pinned to CPU 0; this process holds USERS raw RSocket clients and keeps IN_FLIGHT keep-alive POSTs in flight (each
 * for a random user) on CPU 1. Over the last SECONDS of WARMUP + SECONDS it reads the instance's and Redis's CPU
 * (/proc) and the PAYLOADs received: µs of CPU per delivered notification, and delivered/s.
 * BASE=<another checkout, built> runs the same against it, alternating (A B B A A B …), for an A/B; medians are printed.
 * TOGETHER=1 (with BASE) runs both at once in every run, each with its own Redis and IN_FLIGHT POSTs, all on CPU 0:
 * both then see the same machine, and the per-run ratio of their CPU per notification is printed (on a shared machine
 * whose speed drifts between runs, the steadier A/B).
 * NODE_FLAGS='--cpu-prof --cpu-prof-dir=DIR' (or '--trace-gc') is passed to the instance's node; STDOUT_TO=path
 * writes the instance's stdout there after each run (the --trace-gc lines, the log).
 *
 *   npm run build && node --import tsx bench/publish-path.ts
 *   RUNS=4 BASE=/path/to/other/checkout node --import tsx bench/publish-path.ts
 */
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type WebSocket from 'ws';
import { RedisProcess } from '../test/support/redis-process.js';
import { TrackedChild } from '../test/support/tracked-child.js';
import { openClient } from './support/bench-client.js';
import { cpuMicros, cpuShare, cpuTimes, pin } from './support/proc-stats.js';
import { RawHttpClient } from './support/raw-http.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url)).replace(/\/$/, '');
const RUNS = Number(process.env.RUNS ?? 3);
const SECONDS = Number(process.env.SECONDS ?? 8);
const WARMUP = Number(process.env.WARMUP ?? 2);
const USERS = Number(process.env.USERS ?? 2000);
const IN_FLIGHT = Number(process.env.IN_FLIGHT ?? 64);
const NODE_FLAGS = (process.env.NODE_FLAGS ?? '').split(' ').filter((flag) => flag !== '');
const BASE = process.env.BASE?.replace(/\/$/, '');
const TOGETHER = process.env.TOGETHER === '1';
const SERVER_CPU = 0;
const LOAD_CPU = 1;
const PATH = '/api/v1/notifications';

interface Result {
  checkout: string;
  deliveredPerSecond: number;
  instanceMicros: number;
  redisMicros: number;
  /** % busy of the server CPU and of the load CPU over the window (all processes: other work shows here). */
  serverBusy: number;
  loadBusy: number;
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

async function until(predicate: () => boolean, what: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(10);
  }
}

async function startInstance(checkout: string, redisUrl: string): Promise<{ child: TrackedChild; port: number }> {
  const env = { ...process.env, PORT: '0', LOG_LEVEL: 'info', REDIS_URL: redisUrl, MAX_FRAMES_PER_SECOND: '1000000', DEMO_PAGE: '0' };
  const child = TrackedChild.spawn(process.execPath, [...NODE_FLAGS, `${checkout}/transport-service/dist/main.js`], { env, cwd: checkout });
  const port = (): number | undefined => {
    const line = child.stdout.split('\n').find((text) => text.includes('"transport-service listening"'));
    return line === undefined ? undefined : (JSON.parse(line) as { port: number }).port;
  };
  await until(() => port() !== undefined || child.exited, 'the instance to listen', 15_000);
  const found = port();
  if (found === undefined) throw new Error(`the instance did not start\n${child.describe()}`);
  return { child, port: found };
}

interface Running {
  checkout: string;
  redis: RedisProcess;
  child: TrackedChild;
  pid: number;
  sockets: WebSocket[];
  http: RawHttpClient;
  delivered: number;
  sent: number;
}

/** One system under test: a fresh Redis and one instance of `checkout`, pinned to the server CPU, with USERS clients. */
async function startSystem(checkout: string): Promise<Running> {
  const redis = await RedisProcess.start();
  const { child, port } = await startInstance(checkout, redis.url);
  const pid = child.child.pid ?? 0;
  pin(redis.pid, SERVER_CPU);
  pin(pid, SERVER_CPU);
  const system: Running = { checkout, redis, child, pid, sockets: [], http: new RawHttpClient('127.0.0.1', port, IN_FLIGHT), delivered: 0, sent: 0 };
  for (let user = 0; user < USERS; user += 1) {
    system.sockets.push(await openClient('product', `ws://127.0.0.1:${port}`, `u${user}`, () => (system.delivered += 1)));
  }
  const metrics = async (): Promise<number> => {
    const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
    return Number(/^transport_streams(?:\{[^}]*\})? (\d+)/m.exec(text)?.[1] ?? 0);
  };
  const deadline = Date.now() + 30_000;
  while ((await metrics()) < USERS) {
    if (Date.now() > deadline) throw new Error('clients did not open their streams');
    await sleep(100);
  }
  return system;
}

async function stopSystem(system: Running): Promise<void> {
  system.http.destroy();
  for (const socket of system.sockets) socket.terminate();
  await system.child.kill('SIGTERM');
  if (process.env.STDOUT_TO !== undefined) writeFileSync(process.env.STDOUT_TO, system.child.stdout);
  await system.redis.kill();
}

/**
 * Loads every system given at once, IN_FLIGHT POSTs each, and reads each one's CPU per notification over the same
 * window: with several (TOGETHER=1), they share the server CPU and whatever else the machine does at that moment.
 */
async function run(checkouts: string[]): Promise<Result[]> {
  const systems: Running[] = [];
  for (const checkout of checkouts) systems.push(await startSystem(checkout));
  const body = `,"type":"bench","payload":{"text":"${'x'.repeat(100)}"}}`;
  let stop = false;
  let failed: Error | undefined;
  const loop = async (system: Running): Promise<void> => {
    while (!stop) {
      const status = await system.http.post(PATH, `{"userId":"u${Math.floor(Math.random() * USERS)}"${body}`);
      if (status !== 202) throw new Error(`POST answered ${status}`);
      system.sent += 1;
    }
  };
  const loops = systems.flatMap((system) => Array.from({ length: IN_FLIGHT }, () => loop(system).catch((error: unknown) => (failed = error as Error))));
  await sleep(WARMUP * 1000);
  const read = (): Array<{ delivered: number; instance: number; redis: number }> =>
    systems.map((system) => ({ delivered: system.delivered, instance: cpuMicros(system.pid), redis: cpuMicros(system.redis.pid) }));
  const start = { each: read(), at: performance.now(), cpus: cpuTimes() };
  await sleep(SECONDS * 1000);
  const end = { each: read(), at: performance.now(), cpus: cpuTimes() };
  stop = true;
  await Promise.all(loops);
  await until(() => systems.every((system) => system.delivered >= system.sent), 'every notification to arrive', 10_000);
  if (failed) throw failed;
  for (const system of systems) await stopSystem(system);
  const seconds = (end.at - start.at) / 1000;
  return systems.map((system, i) => {
    const before = start.each[i] as { delivered: number; instance: number; redis: number };
    const after = end.each[i] as { delivered: number; instance: number; redis: number };
    const delivered = after.delivered - before.delivered;
    return {
      checkout: system.checkout,
      deliveredPerSecond: delivered / seconds,
      instanceMicros: (after.instance - before.instance) / delivered,
      redisMicros: (after.redis - before.redis) / delivered,
      serverBusy: cpuShare(start.cpus, end.cpus, SERVER_CPU).busy,
      loadBusy: cpuShare(start.cpus, end.cpus, LOAD_CPU).busy,
    };
  });
}

function label(checkout: string): string {
  const commit = execFileSync('git', ['-C', checkout, 'rev-parse', '--short', 'HEAD']).toString().trim();
  const dirty = execFileSync('git', ['-C', checkout, 'status', '--porcelain', '--untracked-files=no']).length > 0 ? '+changes' : '';
  return `${commit}${dirty}`;
}

const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted.length % 2 === 1 ? (sorted[(sorted.length - 1) / 2] as number) : ((sorted[sorted.length / 2 - 1] as number) + (sorted[sorted.length / 2] as number)) / 2;
};

async function main(): Promise<void> {
  pin(process.pid, LOAD_CPU);
  const checkouts = BASE === undefined ? [ROOT] : [ROOT, BASE];
  const results: Result[] = [];
  for (let i = 0; i < RUNS; i += 1) {
    const order = i % 2 === 0 ? checkouts : [...checkouts].reverse();
    const batches = TOGETHER ? [order] : order.map((checkout) => [checkout]);
    for (const batch of batches) for (const result of await run(batch)) {
      results.push(result);
      const checkout = result.checkout;
      process.stdout.write(
        `run ${i + 1} ${label(checkout)}: ${result.deliveredPerSecond.toFixed(0)} delivered/s, instance ${result.instanceMicros.toFixed(1)} µs, redis ${result.redisMicros.toFixed(1)} µs per notification; CPU ${SERVER_CPU} ${result.serverBusy.toFixed(0)} % busy, CPU ${LOAD_CPU} ${result.loadBusy.toFixed(0)} %\n`,
      );
    }
  }
  process.stdout.write(`\n| checkout | delivered/s | instance CPU per notification | Redis CPU per notification | runs |\n| --- | ---: | ---: | ---: | ---: |\n`);
  for (const checkout of checkouts) {
    const mine = results.filter((result) => result.checkout === checkout);
    const row = [
      label(checkout),
      median(mine.map((result) => result.deliveredPerSecond)).toFixed(0),
      `${median(mine.map((result) => result.instanceMicros)).toFixed(1)} µs`,
      `${median(mine.map((result) => result.redisMicros)).toFixed(1)} µs`,
      String(mine.length),
    ];
    process.stdout.write(`| ${row.join(' | ')} |\n`);
  }
  if (TOGETHER && BASE !== undefined) {
    // Each run loaded both at once: the ratio within a run is free of the machine's drift between runs.
    const cost = (result: Result): number => result.instanceMicros + result.redisMicros;
    const ratios = Array.from({ length: RUNS }, (_, i) => {
      const mine = results.slice(i * 2, i * 2 + 2);
      return cost(mine.find((result) => result.checkout === ROOT) as Result) / cost(mine.find((result) => result.checkout === BASE) as Result);
    });
    process.stdout.write(
      `\n${label(ROOT)} / ${label(BASE)}, instance + Redis CPU per notification, per run: ${ratios.map((ratio) => ratio.toFixed(3)).join(', ')}; median ${median(ratios).toFixed(3)}\n`,
    );
  }
}

await main();
process.exit(0);
