/**
 * Where the product's CPU goes per notification, by layer, from a profiled bench:compare run:
 *
 *   PROFILE=/tmp/profile SYSTEMS=product RUNS=1 PHASES=load npm run bench:compare
 *   node --import tsx bench/publish-path-profile.ts /tmp/profile
 *
 * Reads the instances' `.cpuprofile` files and `side-by-side.json` from that directory. Only samples inside a run's
 * throughput window count (the profiles' clock is CLOCK_MONOTONIC, the one the bench recorded the window on). Each
 * sample goes to the layer of the innermost frame that names one (so JSON.parse called by the body reader counts as
 * body reading, a socket write called by ws as ws); time in V8's garbage collector is its own layer. Prints Markdown.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}

interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

interface GcPauses {
  kind: string;
  count: number;
  millis: number;
}

interface Recorded {
  command: string;
  provenance: string;
  results: Array<{ run: number; system: string; deliveredPerSecond: number; per: { instanceMicros: number; redisMicros: number; redisCommands: number; commands: Array<{ command: string; calls: number; usec: number }> } }>;
  profiles: Array<{ system: string; run: number; window: [number, number]; deliveredInWindow: number; slowlog: unknown[]; gcPauses: GcPauses[][] }>;
}

/** Layers by where a frame's code lives; the first rule that matches the innermost classifiable frame wins. */
const LAYERS: Array<[RegExp, string]> = [
  [/\/node_modules\/(ioredis|redis-parser|redis-errors|denque|cluster-key-slot|standard-as-callback)\//, 'ioredis (command encode, reply parse, Pub/Sub message parse)'],
  [/\/node_modules\/ws\//, 'ws (WebSocket frames out and in)'],
  [/\/node_modules\/(rsocket-[a-z-]+)\//, 'rsocket-core'],
  [/\/node_modules\/(pino|sonic-boom|thread-stream|fast-redact|quick-format-unescaped|safe-stable-stringify|pino-std-serializers)\//, 'logging (pino)'],
  [/\/node_modules\/(prom-client|tdigest|bintrees)\//, 'metrics (prom-client)'],
  [/\/node_modules\/(co-body|raw-body|inflation|iconv-lite|bytes)\//, 'body read / JSON parse'],
  [/\/node_modules\/(koa|koa-compose|@koa\/[a-z-]+|http-errors|statuses|type-is|content-type|accepts|mime-types|mime-db|media-typer|negotiator|cookies|keygrip|delegates|depd|on-finished|ee-first|vary|destroy|only|fresh|encodeurl|escape-html|parseurl|content-disposition|http-assert)\//, 'Koa and middleware'],
  [/transport-service\/dist\/http\/read-json-body\.js/, 'body read / JSON parse'],
  [/transport-service\/dist\/(http\/(parse-send-request|parse-idempotency-key)|notifications\/send-request)\.js/, 'validation (parseSendRequest, Idempotency-Key)'],
  [/transport-service\/dist\/http\//, 'Koa and middleware'],
  [/transport-service\/dist\/notifications\//, 'publisher (NotificationPublisher, ids)'],
  [/transport-service\/dist\/broker\/(encode-notification|redis-keys|redis-scripts)\.js/, 'broker: notification encode, keys, script args'],
  [/transport-service\/dist\/broker\//, 'broker (RedisBroker: commit, Pub/Sub receive)'],
  [/transport-service\/dist\/delivery\//, 'Pub/Sub receive → UserRegistry (delivery/)'],
  [/transport-service\/dist\/rsocket\/(frame-encoder|outbound|notification-stream)\.js/, 'RSocket stream, frame encode, outbound'],
  [/transport-service\/dist\/rsocket\//, 'RSocket connection and session'],
  [/transport-service\/dist\/connection-limit\//, 'connection slots (lease refresh)'],
  [/transport-service\/dist\/metrics\//, 'metrics (prom-client)'],
  [/transport-service\/dist\/log\//, 'logging (pino)'],
  [/transport-service\/dist\//, 'product, other'],
  [/^node:_http_(server|incoming|outgoing|common)$/, 'node:http (request parse, response write)'],
  [/\/side-by-side\/[a-z-]+-server\.js$/, 'ceiling server code (handler, JSON, commit)'],
];
const GC = 'garbage collection';
/** Native leaves that are a socket write syscall; counted apart, by the layer that wrote. */
const SOCKET_WRITES = new Set(['writeUtf8String', 'writeLatin1String', 'writeAsciiString', 'writeBuffer', 'writev']);
const UNCLASSIFIED = 'Node internals with no caller above (event loop, sockets, timers, microtasks)';

function layerOf(frame: ProfileNode['callFrame']): string | undefined {
  if (frame.functionName === '(garbage collector)') return GC;
  if (frame.functionName === '(program)') return 'V8 / native outside JS ((program))';
  if (frame.functionName === '(idle)') return '(idle)';
  for (const [pattern, layer] of LAYERS) if (pattern.test(frame.url)) return layer;
  return undefined;
}

interface Tally {
  layers: Map<string, number>;
  functions: Map<string, number>;
  micros: number;
}

function tallyProfile(profile: CpuProfile, window: [number, number], tally: Tally): void {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const parent = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);
  const layerCache = new Map<number, string>();
  const layerOfNode = (id: number): string => {
    const cached = layerCache.get(id);
    if (cached !== undefined) return cached;
    const leaf = byId.get(id)?.callFrame;
    const syscall = leaf !== undefined && leaf.url === '' && SOCKET_WRITES.has(leaf.functionName);
    let layer: string | undefined;
    for (let at: number | undefined = syscall ? parent.get(id) : id; at !== undefined && layer === undefined; at = parent.get(at)) {
      const node = byId.get(at);
      if (node !== undefined) layer = layerOf(node.callFrame);
    }
    const named = syscall ? `socket write syscall, by ${layer ?? 'an unknown caller'}` : (layer ?? UNCLASSIFIED);
    layerCache.set(id, named);
    return named;
  };
  let time = profile.startTime;
  for (let i = 0; i < profile.samples.length; i += 1) {
    const delta = profile.timeDeltas[i] ?? 0;
    time += delta;
    if (time < window[0] || time > window[1]) continue;
    // A sample's time is the interval that ends at it.
    const id = profile.samples[i] ?? 0;
    const layer = layerOfNode(id);
    if (layer === '(idle)') continue;
    tally.micros += delta;
    tally.layers.set(layer, (tally.layers.get(layer) ?? 0) + delta);
    const frame = byId.get(id)?.callFrame;
    const where = frame === undefined ? '?' : `${frame.functionName || '(anonymous)'} ${frame.url.replace(/^.*\/node_modules\//, '').replace(/^.*transport-service\/dist\//, '')}:${frame.lineNumber + 1}`;
    tally.functions.set(where, (tally.functions.get(where) ?? 0) + delta);
  }
}

interface SystemProfile {
  system: string;
  tally: Tally;
  delivered: number;
  /** Instance CPU per notification measured in /proc over the same windows (µs). */
  measured: number;
  profiles: number;
}

function profileSystem(system: string, recorded: Recorded, profiles: CpuProfile[]): SystemProfile {
  const tally: Tally = { layers: new Map(), functions: new Map(), micros: 0 };
  let delivered = 0;
  let matched = 0;
  for (const run of recorded.profiles.filter((record) => record.system === system)) {
    const mine = profiles.filter((profile) => profile.startTime <= run.window[0] && profile.endTime >= run.window[1]);
    for (const profile of mine) tallyProfile(profile, run.window, tally);
    matched += mine.length;
    delivered += run.deliveredInWindow;
  }
  const results = recorded.results.filter((result) => result.system === system);
  const measured = results.reduce((sum, result) => sum + result.per.instanceMicros, 0) / results.length;
  return { system, tally, delivered, measured, profiles: matched };
}

/** Pauses of one run summed over its instances, by kind. */
function gcLine(pauses: GcPauses[]): string {
  const kinds = new Map<string, GcPauses>();
  for (const pause of pauses) {
    const entry = kinds.get(pause.kind) ?? { kind: pause.kind, count: 0, millis: 0 };
    entry.count += pause.count;
    entry.millis += pause.millis;
    kinds.set(pause.kind, entry);
  }
  return [...kinds.values()].map((k) => `${k.kind} ${k.count}× ${k.millis.toFixed(0)} ms (mean ${(k.millis / k.count).toFixed(2)} ms)`).join(', ');
}

function main(): void {
  const dir = process.argv[2];
  if (dir === undefined) throw new Error('usage: publish-path-profile.ts <PROFILE directory of a bench:compare run>');
  const recorded = JSON.parse(readFileSync(join(dir, 'side-by-side.json'), 'utf8')) as Recorded;
  const profiles = readdirSync(dir)
    .filter((file) => file.endsWith('.cpuprofile'))
    .map((file) => JSON.parse(readFileSync(join(dir, file), 'utf8')) as CpuProfile);
  const systems = [...new Set(recorded.profiles.map((record) => record.system))].map((system) => profileSystem(system, recorded, profiles));
  if (systems.every((system) => system.profiles === 0)) throw new Error(`no .cpuprofile in ${dir} covers a run's throughput window`);
  const out = (line: string): boolean => process.stdout.write(`${line}\n`);
  // Samples are wall-clock: a thread preempted on the shared core (by Redis or the other instance, e.g. woken by its
  // own socket write) keeps its frame. So shares come from the profile, µs from the CPU /proc measured in the window.
  const micros = (system: SystemProfile, sampled: number): number => (sampled / system.tally.micros) * system.measured;
  out(`Command: \`${recorded.command}\`; product: ${recorded.provenance}.`);
  out('');
  for (const system of systems) {
    out(
      `- ${system.system}: ${system.profiles} instance profiles, ${Math.round(system.delivered).toLocaleString('en-US')} notifications delivered in the throughput windows, ` +
        `${(system.tally.micros / system.delivered).toFixed(1)} µs of wall-clock samples and ${system.measured.toFixed(1)} µs of instance CPU (/proc) per notification.`,
    );
  }
  out('');
  const layers = new Map<string, number>();
  for (const system of systems) for (const [layer, sampled] of system.tally.layers) layers.set(layer, Math.max(layers.get(layer) ?? 0, micros(system, sampled)));
  out(`| layer | ${systems.map((system) => `${system.system}: ≈ µs per notification (share)`).join(' | ')} |`);
  out(`| --- | ${systems.map(() => '---:').join(' | ')} |`);
  for (const [layer] of [...layers].sort((a, b) => b[1] - a[1])) {
    const cells = systems.map((system) => {
      const sampled = system.tally.layers.get(layer) ?? 0;
      return sampled === 0 ? '' : `${micros(system, sampled).toFixed(1)} (${((sampled / system.tally.micros) * 100).toFixed(1)} %)`;
    });
    out(`| ${layer} | ${cells.join(' | ')} |`);
  }
  out(`| **all** | ${systems.map((system) => `**${system.measured.toFixed(1)}**`).join(' | ')} |`);
  for (const system of systems) {
    out('');
    out(`| ${system.system}: self time, top functions | ≈ µs per notification |`);
    out('| --- | ---: |');
    for (const [where, sampled] of [...system.tally.functions].sort((a, b) => b[1] - a[1]).slice(0, 25)) out(`| \`${where.replace(/\|/g, '\\|')}\` | ${micros(system, sampled).toFixed(1)} |`);
  }
  out('');
  for (const run of recorded.profiles) {
    out(`- ${run.system} run ${run.run}, GC over the whole run (--trace-gc, both instances): ${gcLine(run.gcPauses.flat())}`);
    out(`- ${run.system} run ${run.run}, SLOWLOG (Redis commands over 1 ms): ${run.slowlog.length} entries${run.slowlog.length > 0 ? `, e.g. ${JSON.stringify(run.slowlog[0])}` : ''}`);
  }
  for (const result of recorded.results) {
    out(
      `- ${result.system} run ${result.run}: ${Math.round(result.deliveredPerSecond)} delivered/s (profiled), instance ${result.per.instanceMicros.toFixed(1)} µs and Redis ${result.per.redisMicros.toFixed(1)} µs per notification (/proc), ` +
        `${result.per.redisCommands.toFixed(2)} Redis commands: ${result.per.commands.filter((row) => row.calls >= 0.005).map((row) => `${row.command} ${row.calls.toFixed(2)}× ${row.usec.toFixed(2)} µs`).join(', ')}`,
    );
  }
}

main();
