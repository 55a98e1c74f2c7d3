/**
 * Memory under a slow consumer: one client grants maximum credit and stops reading its socket while
 * 16 KiB notifications for it keep arriving for 10 s; a healthy client receives alongside. Samples the service
 * process's RSS (/proc/PID/status VmRSS) before, at peak and after, prints a table and writes it to
 * bench/results/slow-consumer.md. The stock rsocket-websocket-server went from 100 MB to 1.2 GB in 5 s here.
 *
 *   npm run bench:slow-consumer        (SECONDS=10 by default)
 */
import { readFileSync, writeFileSync } from 'node:fs';
import type { Socket } from 'node:net';
import { postNotification } from '../test/support/initiator.js';
import { RawRSocket } from '../test/support/raw-rsocket.js';
import { connectModern } from '../test/support/rsocket-clients.js';
import { ServiceProcess } from '../test/support/service-process.js';
import { waitFor } from '../test/support/wait-for.js';

const SECONDS = Number(process.env.SECONDS ?? 10);
const PAYLOAD = 'x'.repeat(16 * 1024);

function rssMiB(pid: number): number {
  const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return Number(match?.[1] ?? 0) / 1024;
}

async function main(): Promise<void> {
  const service = await ServiceProcess.start({});
  const healthy = await connectModern(service.wsUrl, { userId: 'healthy' });
  await healthy.session();
  const slow = await RawRSocket.open(service.wsUrl);
  slow.setup('slow');
  slow.requestStream(1, 0x7fffffff);
  await new Promise((resolve) => setTimeout(resolve, 500));
  const before = rssMiB(service.pid);
  (slow.ws as unknown as { _socket: Socket })._socket.pause();

  let peak = before;
  let sentSlow = 0;
  let sentHealthy = 0;
  let endedAfterMs: number | undefined;
  const started = Date.now();
  const sampler = setInterval(() => (peak = Math.max(peak, rssMiB(service.pid))), 50);
  while (Date.now() - started < SECONDS * 1000) {
    const batch = Array.from({ length: 16 }, () => postNotification(service.baseUrl, { userId: 'slow', type: 'big', payload: PAYLOAD }));
    await Promise.all(batch);
    sentSlow += batch.length;
    await postNotification(service.baseUrl, { userId: 'healthy', type: 'small', payload: sentHealthy++ });
    if (endedAfterMs === undefined && /reason="slow-consumer"[^\n]* 1/.test(await (await fetch(`${service.baseUrl}/metrics`)).text())) {
      endedAfterMs = Date.now() - started;
    }
  }
  clearInterval(sampler);
  await waitFor(() => healthy.received.length === sentHealthy, 'every healthy notification', 10_000);
  await new Promise((resolve) => setTimeout(resolve, 1_000));
  const after = rssMiB(service.pid);
  const table = [
    '# Slow consumer: service RSS',
    '',
    `Command: \`npm run bench:slow-consumer\` (SECONDS=${SECONDS}), ${new Date().toISOString()}, one service process, in-process broker.`,
    `${sentSlow} notifications of 16 KiB sent to a client that stopped reading; ${sentHealthy} sent to a healthy client, all received.`,
    `The slow client was ended with [slow-consumer] ${endedAfterMs === undefined ? 'never (!)' : `after ${endedAfterMs} ms`}.`,
    '',
    '| RSS before | RSS peak | RSS after | growth at peak |',
    '| ---: | ---: | ---: | ---: |',
    `| ${before.toFixed(1)} MiB | ${peak.toFixed(1)} MiB | ${after.toFixed(1)} MiB | ${(peak - before).toFixed(1)} MiB |`,
    '',
  ].join('\n');
  process.stdout.write(`${table}\n`);
  writeFileSync(new URL('./results/slow-consumer.md', import.meta.url), table);
  healthy.close();
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`bench failed: ${error instanceof Error ? error.stack : String(error)}\n`);
    process.exit(1);
  },
);
