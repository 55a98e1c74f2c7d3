import { readFile } from 'node:fs/promises';
import { TrackedChild } from './tracked-child.js';
import { waitFor } from './wait-for.js';

/** A notification body for `userIds` whose JSON fills `maxBodyBytes` (within 64 bytes), the payload a string. */
export function bodyFilling(maxBodyBytes: number, userIds: string[], type = 'big'): { userIds: string[]; type: string; payload: string } {
  const empty = JSON.stringify({ userIds, type, payload: '' });
  return { userIds, type, payload: 'x'.repeat(maxBodyBytes - Buffer.byteLength(empty) - 64) };
}

/** The resident set size of a process, from /proc. */
export async function rssBytes(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1] ?? 0) * 1024;
}

/** The highest value `read` returned, sampled every `everyMs` until `stop()`. */
export function samplePeak(read: () => Promise<number>, everyMs = 50): { stop: () => Promise<number> } {
  let peak = 0;
  let running = true;
  const loop = (async () => {
    while (running) {
      peak = Math.max(peak, await read().catch(() => 0));
      await new Promise((resolve) => setTimeout(resolve, everyMs));
    }
  })();
  return {
    stop: async () => {
      running = false;
      await loop;
      return peak;
    },
  };
}

/** The `q` quantile (0–1) of `values`, nearest rank. */
export function quantile(values: number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)] ?? Number.NaN;
}

/** One POST of the other initiator: its status (0: network error), latency, when it was sent and its payload. */
export interface BystanderPost {
  status: number;
  ms: number;
  sentAt: number;
  payload: number;
}

/** The other initiator's loop, run in its own process; `stop` on stdin ends it and it prints every outcome as JSON. */
const BYSTANDER_SCRIPT = `
const [baseUrl, userId, everyMs] = process.argv.slice(1);
const outcomes = [];
const inFlight = new Set();
let n = 0;
const timer = setInterval(() => {
  const payload = (n += 1);
  const sentAt = Date.now();
  const body = JSON.stringify({ userId, type: 'bystander', payload });
  const post = fetch(baseUrl + '/api/v1/notifications', { method: 'POST', headers: { 'content-type': 'application/json' }, body })
    .then(async (response) => { await response.arrayBuffer(); return response.status; }, () => 0)
    .then((status) => { outcomes.push({ status, ms: Date.now() - sentAt, sentAt, payload }); inFlight.delete(post); });
  inFlight.add(post);
}, Number(everyMs));
process.stdin.once('data', async () => {
  clearInterval(timer);
  await Promise.all(inFlight);
  process.stdout.write(JSON.stringify(outcomes));
  process.exit(0);
});
`;

/**
 * Another initiator, in its own process so the test's own work (its clients parsing megabyte frames) cannot delay
 * it: POSTs one small notification to `userId` every `everyMs` until stopped, recording status and latency.
 */
export async function bystander(baseUrl: string, userId: string, everyMs = 50): Promise<{ stop: () => Promise<BystanderPost[]> }> {
  const child = TrackedChild.spawn(process.execPath, ['-e', BYSTANDER_SCRIPT, baseUrl, userId, String(everyMs)]);
  await waitFor(() => child.child.pid !== undefined, 'the bystander process to start');
  return {
    stop: async () => {
      child.child.stdin.write('stop\n');
      const status = await child.exit();
      if (status.code !== 0) throw new Error(`the bystander process failed\n${child.describe()}`);
      return JSON.parse(child.stdout) as BystanderPost[];
    },
  };
}
