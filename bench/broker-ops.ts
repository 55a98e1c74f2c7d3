/**
 * Broker operations per delivered notification, 3 instances on one Redis (a Spring STOMP relay over RabbitMQ, the
 * design this product replaces, was measured at 4.8 broker operations per delivered notification). Connects USERS
 * users, one connection each on a random instance, POSTs NOTIFICATIONS notifications to random instances, and reads
 * Redis `INFO commandstats` and `INFO stats` before and after. Prints a table and writes it to bench/results/broker-ops.md.
 *
 *   npm run bench:broker            (USERS=300 NOTIFICATIONS=3000 by default; both overridable by env)
 */
import { writeFileSync } from 'node:fs';
import { Cluster } from '../test/support/cluster.js';
import { postNotification } from '../test/support/initiator.js';
import { redisCommand } from '../test/support/redis-cli.js';
import { ResilientClient } from '../test/support/resilient-client.js';
import { waitFor } from '../test/support/wait-for.js';

const USERS = Number(process.env.USERS ?? 300);
const NOTIFICATIONS = Number(process.env.NOTIFICATIONS ?? 3_000);
const IN_FLIGHT = 32;

/** `INFO commandstats` as command → calls. */
async function commandCalls(port: number): Promise<Map<string, number>> {
  const calls = new Map<string, number>();
  for (const line of (await redisCommand(port, 'INFO', 'commandstats')).split('\n')) {
    const match = /^cmdstat_([^:]+):calls=(\d+)/.exec(line.trim());
    if (match) calls.set(match[1] as string, Number(match[2]));
  }
  return calls;
}

/** One metric's value from an instance's /metrics (summed over label sets). */
async function metricValue(baseUrl: string, name: string): Promise<number> {
  const text = await (await fetch(`${baseUrl}/metrics`)).text();
  return text
    .split('\n')
    .filter((line) => line.startsWith(`${name}{`) || line.startsWith(`${name} `))
    .reduce((sum, line) => sum + Number(line.slice(line.lastIndexOf(' ') + 1)), 0);
}

async function main(): Promise<void> {
  const cluster = await Cluster.start(3);
  const clients = Array.from({ length: USERS }, (_, i) => new ResilientClient(`bench-${i}`, cluster.liveWsUrls));
  await Promise.all(clients.map((client) => client.start()));
  const port = cluster.redis.port;
  const before = await commandCalls(port);

  let next = 0;
  const started = Date.now();
  const worker = async (): Promise<void> => {
    while (next < NOTIFICATIONS) {
      const i = next++;
      const urls = cluster.liveUrls();
      const outcome = await postNotification(urls[i % urls.length] as string, { userId: `bench-${i % USERS}`, type: 'bench', payload: { i } });
      if (outcome.status !== 202) throw new Error(`POST answered ${outcome.status}`);
    }
  };
  await Promise.all(Array.from({ length: IN_FLIGHT }, worker));
  await waitFor(() => clients.reduce((sum, c) => sum + c.notifications.length, 0) === NOTIFICATIONS, 'every delivery', 60_000);
  const seconds = (Date.now() - started) / 1000;
  const after = await commandCalls(port);
  const delivered = clients.reduce((sum, c) => sum + c.notifications.length, 0);
  const brokerDeliveries = (await Promise.all(cluster.liveUrls().map((url) => metricValue(url, 'transport_broker_deliveries_total')))).reduce((a, b) => a + b, 0);
  const payloads = (await Promise.all(cluster.liveUrls().map((url) => metricValue(url, 'transport_notifications_delivered_total')))).reduce((a, b) => a + b, 0);

  const rows: Array<[string, number]> = [];
  for (const [command, calls] of after) {
    const delta = calls - (before.get(command) ?? 0);
    if (delta > 0 && command !== 'info') rows.push([command, delta]);
  }
  rows.sort((a, b) => b[1] - a[1]);
  const total = rows.reduce((sum, [, delta]) => sum + delta, 0);
  const lines = [
    `# Broker operations per delivered notification`,
    '',
    `Command: \`npm run bench:broker\` (USERS=${USERS} NOTIFICATIONS=${NOTIFICATIONS}), ${new Date().toISOString()}, 3 instances + 1 Redis on loopback.`,
    `Delivered ${delivered} of ${NOTIFICATIONS} notifications in ${seconds.toFixed(1)} s (${IN_FLIGHT} POSTs in flight; includes client-side bookkeeping, not a throughput bench).`,
    '',
    '| Redis command (INFO commandstats, scripts\' inner calls included) | calls | per delivered notification |',
    '| --- | ---: | ---: |',
    ...rows.map(([command, delta]) => `| ${command} | ${delta} | ${(delta / delivered).toFixed(2)} |`),
    `| **all commands** | ${total} | **${(total / delivered).toFixed(2)}** |`,
    '',
    '| per delivered notification | value |',
    '| --- | ---: |',
    `| round trips from an instance to Redis (EVALSHA/EVAL) | ${(((after.get('evalsha') ?? 0) - (before.get('evalsha') ?? 0) + (after.get('eval') ?? 0) - (before.get('eval') ?? 0)) / delivered).toFixed(2)} |`,
    `| Redis Pub/Sub deliveries to instances (sum of transport_broker_deliveries_total) | ${(brokerDeliveries / delivered).toFixed(2)} |`,
    `| PAYLOAD frames written (sum of transport_notifications_delivered_total) | ${(payloads / delivered).toFixed(2)} |`,
    '',
  ];
  const table = lines.join('\n');
  process.stdout.write(`${table}\n`);
  writeFileSync(new URL('./results/broker-ops.md', import.meta.url), table);
  for (const client of clients) client.stop();
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`bench failed: ${error instanceof Error ? error.stack : String(error)}\n`);
    process.exit(1);
  },
);
