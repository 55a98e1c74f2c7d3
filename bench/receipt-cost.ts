/**
 * What a delivery receipt costs Redis at commit: COMMITS commits through the RedisBroker to USERS users on one Redis,
 * without and with `receipt`, alternated (ROUNDS each). Reads `INFO commandstats` (the commit script's time per call)
 * and `used_memory` around each run. Prints a table and writes it to bench/results/receipt-cost.md.
 *
 *   node --import tsx bench/receipt-cost.ts    (COMMITS=20000 USERS=2000 ROUNDS=3 by default; overridable by env)
 */
import { writeFileSync } from 'node:fs';
import { pino } from 'pino';
import { RedisBroker } from '../transport-service/src/broker/redis-broker.js';
import { RedisTopology } from '../transport-service/src/broker/redis-topology.js';
import { redisCommand } from '../test/support/redis-cli.js';
import { RedisProcess } from '../test/support/redis-process.js';

const COMMITS = Number(process.env.COMMITS ?? 20_000);
const USERS = Number(process.env.USERS ?? 2_000);
const ROUNDS = Number(process.env.ROUNDS ?? 3);
const IN_FLIGHT = 200;

async function info(port: number, section: string, pattern: RegExp): Promise<number> {
  const match = pattern.exec(await redisCommand(port, 'INFO', section));
  return Number(match?.[1] ?? NaN);
}

async function run(broker: RedisBroker, port: number, receipt: boolean): Promise<{ usecPerCommit: number; bytesPerCommit: number }> {
  await redisCommand(port, 'CONFIG', 'RESETSTAT');
  const memoryBefore = await info(port, 'memory', /used_memory:(\d+)/);
  for (let i = 0; i < COMMITS; i += IN_FLIGHT) {
    const batch = Array.from({ length: Math.min(IN_FLIGHT, COMMITS - i) }, (_, j) =>
      broker.commit(`bench-${(i + j) % USERS}`, {
        type: 'bench',
        payloadJson: '{"n":1}',
        createdAt: new Date().toISOString(),
        ttlSeconds: 300,
        ...(receipt ? { receipt: { scope: 'bench' } } : {}),
      }),
    );
    await Promise.all(batch);
  }
  const usec = await info(port, 'commandstats', /cmdstat_evalsha:calls=\d+,usec=(\d+)/);
  const memoryAfter = await info(port, 'memory', /used_memory:(\d+)/);
  return { usecPerCommit: usec / COMMITS, bytesPerCommit: (memoryAfter - memoryBefore) / COMMITS };
}

async function main(): Promise<void> {
  const redis = await RedisProcess.start();
  const topology = new RedisTopology({ mode: 'single', url: redis.url }, 5_000);
  const history = { maxLen: 100, idempotencyTtlSeconds: 86_400 };
  const broker = new RedisBroker(() => {}, { topology, history, logger: pino({ level: 'silent' }), receiptTtlSeconds: 86_400 });
  await broker.connect();
  const results: Record<'without' | 'with', Array<{ usecPerCommit: number; bytesPerCommit: number }>> = { without: [], with: [] };
  await run(broker, redis.port, false); // warm-up: scripts loaded, connections and allocator warm
  for (let round = 0; round < ROUNDS; round += 1) {
    results.without.push(await run(broker, redis.port, false));
    results.with.push(await run(broker, redis.port, true));
  }
  await broker.close();
  const median = (values: number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] as number;
  const row = (name: 'without' | 'with'): string =>
    `| ${name} receipt | ${median(results[name].map((r) => r.usecPerCommit)).toFixed(1)} µs | ${Math.round(median(results[name].map((r) => r.bytesPerCommit)))} B |`;
  const table = [
    `Commits through RedisBroker on one Redis: ${COMMITS} per run to ${USERS} users, ${IN_FLIGHT} in flight, medians of ${ROUNDS} alternated runs.`,
    '',
    '| commit | Redis time per commit (commit script) | Redis memory added per commit |',
    '| --- | ---: | ---: |',
    row('without'),
    row('with'),
    '',
  ].join('\n');
  process.stdout.write(`${table}\n`);
  writeFileSync(new URL('results/receipt-cost.md', import.meta.url), table);
  process.exit(0);
}

void main();
