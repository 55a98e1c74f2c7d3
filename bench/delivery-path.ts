/**
 * CPU per delivery on the RSocket side alone: one in-process instance (in-process broker) with 500 connections held
 * by a child process; each round hands 20,000 notifications straight to the user registry (no REST, no broker)
 * and measures the instance's CPU until the clients received them all. Rounds repeat; the minimum and median are
 * reported, since contention from other work only ever adds CPU. BASE=<another checkout, built> runs the same
 * rounds against it, alternating, for an A/B of the delivery path.
 *
 *   npm run bench:delivery                       (ROUNDS=7 per side, PAIRS=3)
 *   BASE=/path/to/other/checkout npm run bench:delivery
 */
import { execFileSync, fork } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const USERS = 500;
const PER_ROUND = 20_000;
const ROUNDS = Number(process.env.ROUNDS ?? 7);
const PAIRS = Number(process.env.PAIRS ?? 3);
const BASE = process.env.BASE;

interface Side {
  checkout: string;
  rounds: number[];
}

interface TransportServerLike {
  port: number;
  registry: { connections: number; deliver(userId: string, delivery: { id: string; ms: number; seq: number; data: Buffer }): void };
  start(): Promise<void>;
  close(): Promise<void>;
}

const until = async (predicate: () => boolean): Promise<void> => {
  while (!predicate()) await new Promise((resolve) => setTimeout(resolve, 5));
};

/** Runs ROUNDS rounds against the built service of `checkout` and adds the CPU µs per delivery of each to `side`. */
async function measure(side: Side): Promise<void> {
  const service = (await import(`${side.checkout}/transport-service/dist/index.js`)) as {
    TransportServer: new (config: unknown, logger: unknown) => TransportServerLike;
    loadConfig(env: Record<string, string>): unknown;
    createLogger(level: string, instance: string): unknown;
  };
  const config = service.loadConfig({ PORT: '0', LOG_LEVEL: 'silent', MAX_FRAMES_PER_SECOND: '1000000' });
  const server = new service.TransportServer(config, service.createLogger('silent', 'bench'));
  await server.start();
  const clients = fork(fileURLToPath(new URL('./support/delivery-clients.ts', import.meta.url)), [String(server.port), String(USERS)], {
    execArgv: ['--import', 'tsx'],
  });
  let received = 0;
  clients.on('message', (count) => (received = Number(count)));
  try {
    await until(() => server.registry.connections === USERS);
    const body = Buffer.from(`,"type":"bench","payload":{"text":"${'x'.repeat(100)}"},"createdAt":"${new Date().toISOString()}"}`);
    let ms = 1_000_000;
    for (let round = 0; round < ROUNDS; round += 1) {
      const target = received + PER_ROUND;
      const start = process.cpuUsage();
      for (let i = 0; i < PER_ROUND; i += USERS) {
        for (let user = 0; user < USERS; user += 1) {
          ms += 1;
          const id = `${ms}-0`;
          server.registry.deliver(`u${user}`, { id, ms, seq: 0, data: Buffer.concat([Buffer.from(`{"id":"${id}"`), body]) });
        }
        await new Promise((resolve) => setImmediate(resolve));
      }
      await until(() => received >= target);
      const used = process.cpuUsage(start);
      side.rounds.push((used.user + used.system) / PER_ROUND);
    }
  } finally {
    clients.kill();
    await server.close();
  }
}

function summary(side: Side): string {
  const sorted = [...side.rounds].sort((a, b) => a - b);
  const median = sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
  const commit = execFileSync('git', ['-C', side.checkout, 'rev-parse', '--short', 'HEAD']).toString().trim();
  const dirty = execFileSync('git', ['-C', side.checkout, 'status', '--porcelain', '--untracked-files=no']).length > 0 ? '+changes' : '';
  return `| ${commit}${dirty} | ${(sorted[0] ?? Number.NaN).toFixed(2)} µs | ${median.toFixed(2)} µs | ${sorted.length} |`;
}

async function main(): Promise<void> {
  const sides: Side[] = [{ checkout: ROOT.replace(/\/$/, ''), rounds: [] }];
  if (BASE !== undefined) sides.push({ checkout: BASE.replace(/\/$/, ''), rounds: [] });
  for (let pair = 0; pair < PAIRS; pair += 1) {
    for (const side of pair % 2 === 0 ? sides : [...sides].reverse()) await measure(side);
  }
  const table = [
    `# CPU per delivery on the RSocket side (${USERS} connections, ${PER_ROUND} deliveries a round, ${ROUNDS} rounds × ${PAIRS})`,
    '',
    `Command: \`${['ROUNDS', 'PAIRS', 'BASE'].filter((name) => process.env[name] !== undefined).map((name) => `${name}=${String(process.env[name])} `).join('')}npm run bench:delivery\`, ${new Date().toISOString()}.`,
    '',
    '| commit | min CPU per delivery | median | rounds |',
    '| --- | ---: | ---: | ---: |',
    ...sides.map(summary),
    '',
  ].join('\n');
  process.stdout.write(table);
  writeFileSync(`${ROOT}/bench/results/delivery-path.md`, table);
}

await main();
process.exit(0);
