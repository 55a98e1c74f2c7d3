/**
 * Where a connected user's memory goes: one system of bench/side-by-side.ts (this product or a ceiling) on Redis,
 * FEW then MANY idle users connected to its first instance (as the memory phase connects them), a V8 heap snapshot
 * at each, and the difference per user by what V8 calls each object (constructor, closure, string, array…). Only the
 * heap: writing a snapshot grows the process's RSS, so RSS is measured by bench/side-by-side.ts, without snapshots.
 *
 *   SYSTEM=product FEW=2000 MANY=7000 npm run bench:memory      (SYSTEM: product, plain or durable)
 *
 * Prints a table and writes it to bench/results/connection-memory-<system>.md (OUT=<file> elsewhere).
 * PRODUCT_DIR=<checkout> measures the product built there (a before/after of a change); KEEP=<dir> keeps both
 * snapshots there (to open in DevTools → Memory, or follow an object's retainers).
 */
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type WebSocket from 'ws';
import { openClient, SYSTEM_NAMES, type SystemName } from './support/bench-client.js';
import { deploy, productProvenance, type Deployment } from './support/deployment.js';
import { sleep, until } from './support/poll.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const SYSTEM = (process.env.SYSTEM ?? 'product') as SystemName;
const FEW = Number(process.env.FEW ?? 2000);
const MANY = Number(process.env.MANY ?? 7000);
const TOP = Number(process.env.TOP ?? 25);
const BATCH = 250;
const KEEP = process.env.KEEP;
const CHECKOUT = resolve(process.env.PRODUCT_DIR ?? ROOT);
const OUT = resolve(process.env.OUT ?? join(ROOT, `bench/results/connection-memory-${SYSTEM}.md`));

if (!SYSTEM_NAMES.includes(SYSTEM)) throw new Error(`SYSTEM must be one of ${SYSTEM_NAMES.join(', ')}`);
if (!(Number.isInteger(FEW) && Number.isInteger(MANY) && FEW >= 0 && MANY > FEW)) throw new Error('FEW and MANY must be integers with 0 <= FEW < MANY');

/** Self size and count per object kind (`type name`) of one heap snapshot. */
type Census = Map<string, { bytes: number; count: number }>;

interface HeapSnapshotFile {
  snapshot: { meta: { node_fields: string[]; node_types: [string[], ...unknown[]] } };
  nodes: number[];
  strings: string[];
}

/** Sums a heap snapshot's nodes by type and name (strings and numbers by type alone: their names are their values). */
function census(path: string): Census {
  const file = JSON.parse(readFileSync(path, 'utf8')) as HeapSnapshotFile;
  const fields = file.snapshot.meta.node_fields;
  const types = file.snapshot.meta.node_types[0];
  const [typeAt, nameAt, sizeAt] = ['type', 'name', 'self_size'].map((field) => fields.indexOf(field)) as [number, number, number];
  const result: Census = new Map();
  for (let i = 0; i < file.nodes.length; i += fields.length) {
    const type = types[file.nodes[i + typeAt] ?? 0] ?? '?';
    const named = type === 'object' || type === 'closure' || type === 'native' || type === 'hidden' || type === 'array' || type === 'code';
    const key = named ? `${type} ${file.strings[file.nodes[i + nameAt] ?? 0] ?? '?'}` : type;
    const entry = result.get(key) ?? { bytes: 0, count: 0 };
    entry.bytes += file.nodes[i + sizeAt] ?? 0;
    entry.count += 1;
    result.set(key, entry);
  }
  return result;
}

/** Asks the instance for a heap snapshot (SIGUSR2) and resolves with its census once it is written. */
async function snapshot(pid: number, dir: string): Promise<{ census: Census; heapBytes: number }> {
  const before = new Set(readdirSync(dir));
  process.kill(pid, 'SIGUSR2');
  let path = '';
  let size = -1;
  await until(
    async () => {
      const added = readdirSync(dir).find((name) => !before.has(name) && name.endsWith('.heapsnapshot'));
      if (added === undefined) return false;
      path = join(dir, added);
      const previous = size;
      await sleep(500);
      size = statSync(path).size;
      return size > 0 && size === previous;
    },
    'the heap snapshot to be written',
    120_000,
  );
  const counted = census(path);
  if (KEEP === undefined) rmSync(path);
  else renameSync(path, join(KEEP, `${SYSTEM}-${Date.now()}.heapsnapshot`));
  let heapBytes = 0;
  for (const { bytes } of counted.values()) heapBytes += bytes;
  return { census: counted, heapBytes };
}

async function connectUsers(deployment: Deployment, sockets: WebSocket[], from: number, to: number): Promise<void> {
  const instance = deployment.instances[0];
  if (instance === undefined) throw new Error('no instance');
  for (let start = from; start < to; start += BATCH) {
    const opening: Array<Promise<WebSocket>> = [];
    for (let i = start; i < Math.min(start + BATCH, to); i += 1) opening.push(openClient(SYSTEM, instance.wsBase, `mem-${i}`));
    sockets.push(...(await Promise.all(opening)));
  }
  await until(async () => (await deployment.counts(instance)).connections >= to, `${to} users connected`, 60_000);
  await sleep(2_000);
}

const dir = mkdtempSync(join(tmpdir(), 'connection-memory-'));
const deployment = await deploy(SYSTEM, 0, { checkout: CHECKOUT, nodeFlags: ['--heapsnapshot-signal=SIGUSR2', `--diagnostic-dir=${dir}`], env: {} });
const sockets: WebSocket[] = [];
try {
  const pid = deployment.instances[0]?.pid ?? 0;
  await connectUsers(deployment, sockets, 0, FEW);
  const few = await snapshot(pid, dir);
  await connectUsers(deployment, sockets, FEW, MANY);
  const many = await snapshot(pid, dir);
  const users = MANY - FEW;
  const rows = [...new Set([...few.census.keys(), ...many.census.keys()])]
    .map((key) => {
      const a = few.census.get(key) ?? { bytes: 0, count: 0 };
      const b = many.census.get(key) ?? { bytes: 0, count: 0 };
      return { key, bytes: (b.bytes - a.bytes) / users, count: (b.count - a.count) / users };
    })
    .sort((x, y) => y.bytes - x.bytes);
  const heapPerUser = (many.heapBytes - few.heapBytes) / users;
  const lines = [
    `# Memory per connected user: ${SYSTEM}`,
    '',
    `Command: \`SYSTEM=${SYSTEM} FEW=${FEW} MANY=${MANY}${CHECKOUT === ROOT ? '' : ` PRODUCT_DIR=${CHECKOUT}`} npm run bench:memory\`, ${new Date().toISOString()}.`,
    SYSTEM.startsWith('product') ? `Measured: ${productProvenance(CHECKOUT)}.` : 'Measured: the ceiling in bench/ceiling/.',
    '',
    `One instance on Redis, ${FEW} → ${MANY} idle users connected to it (SETUP and the notifications stream for the product).`,
    `Per user: ${(heapPerUser / 1024).toFixed(2)} KiB of V8 heap (live objects after the snapshot's full GC; RSS also holds what lives outside`,
    'the heap, such as socket buffers and libuv handles, and garbage not yet collected).',
    '',
    '| object (V8 type and name) | bytes per user | objects per user |',
    '| --- | ---: | ---: |',
    ...rows.slice(0, TOP).map((row) => `| ${row.key.replace(/\|/g, '\\|')} | ${row.bytes.toFixed(0)} | ${row.count.toFixed(2)} |`),
  ];
  const text = lines.join('\n') + '\n';
  process.stdout.write(text);
  mkdirSync(dirname(OUT), { recursive: true });
  writeFileSync(OUT, text);
} finally {
  for (const socket of sockets) socket.terminate();
  await deployment.stop();
  rmSync(dir, { recursive: true, force: true });
}
