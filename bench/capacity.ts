/**
 * Capacity on this machine: memory per connected user and notification throughput/latency of one service
 * instance on Redis. Users connect as raw RSocket-over-WebSocket clients (SETUP + REQUEST_STREAM with maximum
 * credit); the service's RSS is read from /proc at FEW and at MANY users (marginal KiB per user), then POSTs to
 * random users with IN_FLIGHT requests in flight for SECONDS measure delivered notifications per second and the
 * delay from acceptance (createdAt) to arrival at the client. Prints a table and writes bench/results/capacity.md.
 *
 *   npm run bench:capacity          (FEW=2000 MANY=10000 IN_FLIGHT=64 SECONDS=10 by default)
 *
 * One instance with its load on the same cores: this product's own figures, to track. The comparison the bar is
 * defined by (pinned cores, two instances, the plain-ws ceiling beside it; README "Benchmarks") is
 * bench/side-by-side.ts (`npm run bench:compare`).
 */
import { writeFileSync } from 'node:fs';
import { deserializeFrame, Flags, FrameTypes, serializeFrame } from 'rsocket-core';
import WebSocket from 'ws';
import { postNotification } from '../test/support/initiator.js';
import { routeMetadata, setupFrame } from '../test/support/raw-rsocket.js';
import { RedisProcess } from '../test/support/redis-process.js';
import { ServiceProcess } from '../test/support/service-process.js';
import { waitFor } from '../test/support/wait-for.js';
import { rssKiB } from './support/proc-stats.js';

const FEW = Number(process.env.FEW ?? 2_000);
const MANY = Number(process.env.MANY ?? 10_000);
const IN_FLIGHT = Number(process.env.IN_FLIGHT ?? 64);
const SECONDS = Number(process.env.SECONDS ?? 10);
const BATCH = 250;

const received = { count: 0, latencies: [] as number[] };

/** One raw client: SETUP, then the notifications stream with maximum credit; counts what arrives. */
function connect(url: string, userId: string): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url);
    ws.on('error', reject);
    ws.on('open', () => {
      ws.send(serializeFrame(setupFrame(userId)));
      ws.send(serializeFrame({ type: FrameTypes.REQUEST_STREAM, streamId: 1, flags: Flags.METADATA, requestN: 0x7fffffff, data: null, metadata: routeMetadata('notifications') }));
      resolve(ws);
    });
    ws.on('message', (data: Buffer) => {
      const frame = deserializeFrame(data);
      if (frame.type !== FrameTypes.PAYLOAD || !frame.data) return;
      received.count += 1;
      const createdAt = /"createdAt":"([^"]+)"/.exec(frame.data.toString())?.[1];
      if (createdAt !== undefined) received.latencies.push(Date.now() - Date.parse(createdAt));
    });
  });
}

async function connectUsers(url: string, from: number, to: number, sockets: WebSocket[]): Promise<void> {
  for (let start = from; start < to; start += BATCH) {
    const batch = [];
    for (let i = start; i < Math.min(start + BATCH, to); i += 1) batch.push(connect(url, `cap-${i}`));
    sockets.push(...(await Promise.all(batch)));
  }
}

async function connections(baseUrl: string): Promise<number> {
  const text = await (await fetch(`${baseUrl}/metrics`)).text();
  return Number(/^transport_connections\{[^}]*\} (\d+)/m.exec(text)?.[1] ?? 0);
}

async function settledRss(service: ServiceProcess, users: number): Promise<number> {
  await waitFor(async () => (await connections(service.baseUrl)) === users, `${users} connections`, 60_000);
  await new Promise((resolve) => setTimeout(resolve, 2_000));
  return rssKiB(service.pid);
}

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
}

async function main(): Promise<void> {
  const redis = await RedisProcess.start();
  const service = await ServiceProcess.start({ REDIS_URL: redis.url, MAX_FRAMES_PER_SECOND: '1000000' });
  const sockets: WebSocket[] = [];
  await connectUsers(service.wsUrl, 0, FEW, sockets);
  const rssFew = await settledRss(service, FEW);
  await connectUsers(service.wsUrl, FEW, MANY, sockets);
  const rssMany = await settledRss(service, MANY);

  let sent = 0;
  const started = Date.now();
  const worker = async (): Promise<void> => {
    while (Date.now() - started < SECONDS * 1000) {
      const outcome = await postNotification(service.baseUrl, { userId: `cap-${Math.floor(Math.random() * MANY)}`, type: 'bench', payload: { n: sent } });
      if (outcome.status !== 202) throw new Error(`POST answered ${outcome.status}`);
      sent += 1;
    }
  };
  await Promise.all(Array.from({ length: IN_FLIGHT }, worker));
  await waitFor(() => received.count >= sent, 'every delivery', 30_000);
  const seconds = (Date.now() - started) / 1000;

  const table = [
    '# Capacity of one instance on Redis',
    '',
    `Command: \`npm run bench:capacity\` (FEW=${FEW} MANY=${MANY} IN_FLIGHT=${IN_FLIGHT} SECONDS=${SECONDS}), ${new Date().toISOString()}.`,
    'One service process and one redis-server; the load (raw RSocket clients and the POSTs) runs in the bench process, on the same 2 cores.',
    '',
    '| figure | value |',
    '| --- | ---: |',
    `| service RSS at ${FEW} users | ${(rssFew / 1024).toFixed(1)} MiB |`,
    `| service RSS at ${MANY} users | ${(rssMany / 1024).toFixed(1)} MiB |`,
    `| marginal memory per connected user (${FEW} → ${MANY}) | ${((rssMany - rssFew) / (MANY - FEW)).toFixed(1)} KiB |`,
    `| notifications accepted and delivered | ${sent} in ${seconds.toFixed(1)} s |`,
    `| delivered notifications per second (${IN_FLIGHT} POSTs in flight) | ${(received.count / seconds).toFixed(0)} |`,
    `| acceptance → client latency p50 / p99 | ${percentile(received.latencies, 50)} / ${percentile(received.latencies, 99)} ms |`,
    '',
  ].join('\n');
  process.stdout.write(`${table}\n`);
  writeFileSync(new URL('./results/capacity.md', import.meta.url), table);
  for (const socket of sockets) socket.terminate();
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`bench failed: ${error instanceof Error ? error.stack : String(error)}\n`);
    process.exit(1);
  },
);
