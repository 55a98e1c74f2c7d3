/** The results of bench/side-by-side.ts and the Markdown report it prints and writes. */
import type { SystemName } from './bench-client.js';

export interface MemoryResult {
  rssFewKiB: number;
  rssManyKiB: number;
  kibPerUser: number;
  redisBytesPerUser: number;
}

/** Per notification delivered in the throughput window. */
export interface PerNotification {
  instanceMicros: number;
  /** instanceMicros split into user and kernel time. */
  instanceUserMicros: number;
  instanceSystemMicros: number;
  /** read(2) and write(2) calls of both instances, and of Redis. */
  instanceReads: number;
  instanceWrites: number;
  redisReads: number;
  redisWrites: number;
  redisMicros: number;
  /** Every command Redis ran (a script's own calls included), from INFO commandstats. */
  redisCommands: number;
  /** The commands one by one: calls and µs Redis spent in them, most called first. */
  commands: Array<{ command: string; calls: number; usec: number }>;
  redisBytesIn: number;
  redisBytesOut: number;
  /** HTTP requests and responses, as the load generator's sockets counted them. */
  httpBytes: number;
  /** What the clients' sockets received (WebSocket frames). */
  wsBytes: number;
}

export interface LoadResult {
  deliveredPerSecond: number;
  acceptedPerSecond: number;
  /** This process's CPU over the measured window, in % of one core. */
  generatorCpu: number;
  /** This process's GC pauses over the measured window, in % of the window. */
  generatorGc: number;
  /** The generator's CPU busy with anything (this process and whatever else ran there), in %. */
  generatorCpuAll: number;
  /** The larger of the two CPUs' time stolen by the hypervisor over the window, in %. */
  steal: number;
  /** The same two over the latency phase. */
  latencyGeneratorCpuAll: number;
  latencySteal: number;
  /** Everything on the servers' CPU (Redis + instances) over the measured window, in % of the core. */
  serverCpu: number;
  per: PerNotification;
  p50: number;
  p99: number;
  p999: number;
  latencyServerCpu: number;
  achievedRate: number;
  scheduleLagP99: number;
  /** This process's event-loop delay during the latency phase (ms). */
  generatorLoopDelayP99: number;
  generatorLoopDelayMax: number;
  /** This process's GC pauses during the latency phase (ms in total). */
  generatorGcMillis: number;
  deliveriesPerNotification: number;
  notifications: number;
}

export type RunResult = MemoryResult & LoadResult & { system: SystemName; run: number };

/** What the report says about how it was produced. */
export interface ReportContext {
  command: string;
  startedAt: Date;
  minutes: number;
  settings: string;
  productLine: string;
  order: string[];
  runs: number;
  serverCpu: number;
  generatorCpu: number;
  few: number;
  many: number;
  throughputUsers: number;
  inFlight: number;
  rate: number;
  seconds: number;
  warmup: number;
  settleSeconds: number;
  latencySockets: number;
}

const LABEL: Record<SystemName, string> = {
  product: 'this product (Koa REST + RSocket/WebSocket, Redis broker)',
  'product+receipts': 'this product, a delivery receipt asked for on every notification and confirmed by its client',
  plain: 'plain ceiling: `ws` + ioredis per-user channels + node:http, one PUBLISH',
  durable: 'durable ceiling: the same, one EVALSHA (XADD MAXLEN ~ 100, EXPIRE, PUBLISH)',
};

const fmt = {
  int: (value: number): string => (Number.isFinite(value) ? Math.round(value).toLocaleString('en-US') : '—'),
  fixed: (value: number, digits: number): string => (Number.isFinite(value) ? value.toFixed(digits) : '—'),
};

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  if (sorted.length === 0) return Number.NaN;
  return sorted.length % 2 === 1 ? (sorted[middle] ?? Number.NaN) : ((sorted[middle - 1] ?? 0) + (sorted[middle] ?? 0)) / 2;
}

/** Points of the generator's CPU busy with other processes above which a run is not the systems' own. */
const DISTURBED_POINTS = 15;

/** Whether something besides the bench took the generator's CPU (another process, the hypervisor) in a run. */
function disturbed(r: RunResult): boolean {
  return r.generatorCpuAll - r.generatorCpu > DISTURBED_POINTS || Math.max(r.steal, r.latencySteal) > 5;
}

type MedianOf = (system: SystemName, pick: (result: RunResult) => number) => number;

/** The ratios to each ceiling and the bar: memory against the plain one, throughput and p99 against the durable one. */
function ratios(medianOf: MedianOf, ran: SystemName[]): string[] {
  const lines: string[] = [];
  const ratio = (ceiling: SystemName, pick: (result: RunResult) => number): number => medianOf('product', pick) / medianOf(ceiling, pick);
  for (const ceiling of ['plain', 'durable'] as const) {
    if (!ran.includes('product') || !ran.includes(ceiling)) continue;
    lines.push(
      `| product / ${ceiling} ceiling | ${fmt.fixed(ratio(ceiling, (r) => r.kibPerUser), 2)}× | ${fmt.fixed(ratio(ceiling, (r) => r.deliveredPerSecond) * 100, 1)} % | ` +
        `p99 ${fmt.fixed(ratio(ceiling, (r) => r.p99), 2)}× | ${fmt.fixed(ratio(ceiling, (r) => r.per.instanceMicros + r.per.redisMicros), 2)}× |`,
    );
  }
  if (!ran.includes('product')) return lines;
  const verdict = (value: number, ok: boolean): string => (Number.isFinite(value) ? (ok ? 'meets' : '**misses**') : 'not measured');
  const memory = ran.includes('plain') ? ratio('plain', (r) => r.kibPerUser) : Number.NaN;
  const rate = ran.includes('durable') ? ratio('durable', (r) => r.deliveredPerSecond) : Number.NaN;
  const p99 = ran.includes('durable') ? ratio('durable', (r) => r.p99) : Number.NaN;
  const deliveries = medianOf('product', (r) => r.deliveriesPerNotification);
  lines.push(
    `| the bar | ≤ 1.3× the plain ceiling's (${verdict(memory, memory <= 1.3)}) | ≥ 90 % of the durable ceiling's (${verdict(rate, rate >= 0.9)}) | ` +
      `≤ 1.5× the durable ceiling's (${verdict(p99, p99 <= 1.5)}) | |`,
    '',
    `Redis deliveries per notification (every system): ${ran.map((system) => `${system} ${fmt.fixed(medianOf(system, (r) => r.deliveriesPerNotification), 2)}`).join(', ')} ` +
      `(the bar: 1, ${verdict(deliveries, Math.abs(deliveries - 1) < 0.005)}).`,
  );
  return lines;
}

/** What a receipt on every notification costs: `product+receipts` against `product` (the ceilings have no receipts). */
function receiptsCost(medianOf: MedianOf, ran: SystemName[]): string[] {
  if (!ran.includes('product+receipts')) return [];
  const lines = [
    '',
    'The ceilings have no delivery receipts. `product+receipts`: every POST carries `"receipt": true` and every client confirms',
    'each notification as the browser client does (REQUEST_FNF on route `receipt`, `{"delivered": [ids]}`, one frame per',
    'event-loop turn of at most 100 ids: in practice one id a frame, as a user gets a notification now and then); its memory',
    "phase is not run (idle connections are the same as the product's).",
  ];
  if (!ran.includes('product')) return lines;
  const plus = (pick: (result: RunResult) => number, digits: number): string => {
    const delta = medianOf('product+receipts', pick) - medianOf('product', pick);
    return `${delta >= 0 ? '+' : ''}${fmt.fixed(delta, digits)}`;
  };
  const ratio = (pick: (result: RunResult) => number): number => medianOf('product+receipts', pick) / medianOf('product', pick);
  lines.push(
    '',
    `Cost of a receipt on every notification (product+receipts against product, medians, per notification): instance CPU ${plus((r) => r.per.instanceMicros, 1)} µs, ` +
      `Redis CPU ${plus((r) => r.per.redisMicros, 1)} µs, Redis commands ${plus((r) => r.per.redisCommands, 2)}, Redis deliveries ${plus((r) => r.deliveriesPerNotification, 2)}; ` +
      `delivered/s ${fmt.fixed(ratio((r) => r.deliveredPerSecond) * 100, 1)} % of the product's, p99 ${fmt.fixed(ratio((r) => r.p99), 2)}×.`,
  );
  return lines;
}

function perNotification(medianOf: MedianOf, ran: SystemName[], results: RunResult[]): string[] {
  const lines = [
    '## Per notification (medians, throughput window)',
    '',
    '| system | instance CPU (user / kernel) | Redis CPU | Redis commands | instance read / write syscalls | Redis read / write syscalls | Redis bytes in / out | HTTP bytes (request + response) | WebSocket bytes to the client |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
  ];
  for (const system of ran) {
    const calls = (pick: (per: PerNotification) => number): string => fmt.fixed(medianOf(system, (r) => pick(r.per)), 2);
    lines.push(
      `| ${system} | ${fmt.fixed(medianOf(system, (r) => r.per.instanceMicros), 1)} µs (${fmt.fixed(medianOf(system, (r) => r.per.instanceUserMicros), 1)} / ${fmt.fixed(medianOf(system, (r) => r.per.instanceSystemMicros), 1)}) | ` +
        `${fmt.fixed(medianOf(system, (r) => r.per.redisMicros), 1)} µs | ` +
        `${fmt.fixed(medianOf(system, (r) => r.per.redisCommands), 2)} | ${calls((p) => p.instanceReads)} / ${calls((p) => p.instanceWrites)} | ${calls((p) => p.redisReads)} / ${calls((p) => p.redisWrites)} | ${fmt.int(medianOf(system, (r) => r.per.redisBytesIn))} / ${fmt.int(medianOf(system, (r) => r.per.redisBytesOut))} | ` +
        `${fmt.int(medianOf(system, (r) => r.per.httpBytes))} | ${fmt.int(medianOf(system, (r) => r.per.wsBytes))} |`,
    );
  }
  lines.push('', 'Redis commands one by one (calls and µs of Redis time per notification; the last run of each system):', '');
  for (const system of ran) {
    const last = results.filter((result) => result.system === system).at(-1);
    const commands = (last?.per.commands ?? []).filter((row) => row.calls >= 0.005);
    lines.push(`- ${system}: ${commands.map((row) => `\`${row.command}\` ${fmt.fixed(row.calls, 2)} × (${fmt.fixed(row.usec, 2)} µs)`).join(', ')}`);
  }
  return lines;
}

function memoryCell(kibPerUser: number): string {
  return Number.isFinite(kibPerUser) ? `${fmt.fixed(kibPerUser, 2)} KiB` : '—';
}

export function report(results: RunResult[], systems: SystemName[], context: ReportContext): string {
  const medianOf: MedianOf = (system, pick) => median(results.filter((result) => result.system === system).map(pick));
  const ran = systems.filter((system) => results.some((result) => result.system === system));
  const c = context;
  const lines = [
    '# This product next to the plain and the durable ceiling',
    '',
    `Command: \`${c.command}\`, started ${c.startedAt.toISOString()}, took ${c.minutes.toFixed(1)} min.`,
    '',
    `Settings: ${c.settings}.`,
    c.productLine,
    `Topology (the one the bar is defined by): per system one redis-server and two instances, all pinned to CPU ${c.serverCpu}`,
    `(\`taskset -a -cp ${c.serverCpu}\`); the load generator (this process, and for the memory phase one client-holder child per`,
    `instance) pinned to CPU ${c.generatorCpu}, run with V8's allocation-site pretenuring off (it sometimes made the generator's`,
    `own GC take 15-20 % of its core). Figures are **medians of ${c.runs} alternated run${c.runs === 1 ? '' : 's'}** (order: ${c.order.join(' → ')}).`,
    '',
    `| system | memory per connected user (marginal, ${c.few} → ${c.many} users) | delivered notifications/s (${c.throughputUsers} users, ${c.inFlight} POSTs in flight) | p50 / p99 latency at a fixed ${c.rate} POST/s | server CPU per notification (instances + Redis) |`,
    '| --- | ---: | ---: | ---: | ---: |',
  ];
  for (const system of ran) {
    lines.push(
      `| ${LABEL[system]} | ${memoryCell(medianOf(system, (r) => r.kibPerUser))} | ${fmt.int(medianOf(system, (r) => r.deliveredPerSecond))} | ` +
        `${fmt.fixed(medianOf(system, (r) => r.p50), 2)} / ${fmt.fixed(medianOf(system, (r) => r.p99), 2)} ms | ${fmt.fixed(medianOf(system, (r) => r.per.instanceMicros + r.per.redisMicros), 1)} µs |`,
    );
  }
  lines.push(...ratios(medianOf, ran), ...receiptsCost(medianOf, ran));
  const noisy = results.filter(disturbed);
  if (noisy.length > 0) {
    lines.push(
      '',
      `**${noisy.length} of ${results.length} runs were disturbed** (${noisy.map((r) => `${r.system}#${r.run}`).join(', ')}): other processes kept the`,
      `generator's CPU busy more than ${DISTURBED_POINTS} points above the generator's own use, or the hypervisor stole over 5 %. Their figures`,
      "are not the systems' own (a disturbed run usually shows lower throughput and a longer p99); compare them with care, and rerun on",
      'a quiet machine for the bar.',
    );
  }
  lines.push(
    '',
    'Method. Memory: summed VmRSS (/proc/PID/status) of both instances once every user is connected (product: SETUP',
    'accepted and the notifications stream open, per `/metrics`) and Redis counts a subscribed channel per user (`INFO stats`),',
    `plus ${c.settleSeconds} s; (RSS at MANY − RSS at FEW) / (MANY − FEW). Throughput: clients in this process decode every`,
    'message (product: rsocket-core `deserializeFrame`, PAYLOAD data; ceilings: text frames) and count deliveries over the',
    `last ${c.seconds} s of ${c.warmup + c.seconds} s of closed-loop POSTs (${c.inFlight} in flight, keep-alive HTTP/1.1, bench/support/raw-http.ts).`,
    `Latency: POSTs issued on a fixed open-loop schedule (${c.rate}/s, on the same connections, warm from the throughput phase, up to`,
    `${c.latencySockets} connections per instance, waiting for one counted); latency = client receive time − the time the`,
    'bench issued the POST, carried in the payload (one clock: `performance.timeOrigin + performance.now()` of this process).',
    "Redis deliveries per notification: Pub/Sub messages received by the instances' subscriber connections (product:",
    '`transport_broker_deliveries_total`, ceilings: `GET /stats` `messages`, summed over both instances) divided by the',
    'notifications accepted in the throughput and latency phases. Every POST answered 202 and every notification reached its',
    'user exactly once (checked per phase, the run fails otherwise).',
    '',
    ...perNotification(medianOf, ran, results),
    '',
    'CPU from /proc/PID/stat (all threads; user and kernel time) over the throughput window, divided by the notifications',
    'delivered in it; syscalls from /proc/PID/io (`syscr`, `syscw`: socket reads and writes, both instances summed). Redis',
    'commands and µs: `INFO commandstats` deltas over the same window (a script counts as its EVALSHA plus each command it',
    "calls; the bench's own INFO calls left out; the product's background work, e.g. connection-slot lease refreshes, included).",
    'Redis bytes: `INFO stats` `total_net_input_bytes` / `total_net_output_bytes` deltas (Pub/Sub messages to the instances',
    "included). HTTP and WebSocket bytes: what the load generator's sockets sent and received, framing included.",
    '',
    '## Diagnostics (medians)',
    '',
    `| system | accepted POST/s (throughput window) | load generator CPU (CPU ${c.generatorCpu}) / of it GC pauses | CPU ${c.serverCpu} busy (Redis + instances) | CPU ${c.serverCpu} busy at RATE | achieved rate / schedule lag p99 | p99.9 at RATE | Redis memory per user |`,
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
  );
  for (const system of ran) {
    lines.push(
      `| ${system} | ${fmt.int(medianOf(system, (r) => r.acceptedPerSecond))} | ${fmt.fixed(medianOf(system, (r) => r.generatorCpu), 0)} % / ${fmt.fixed(medianOf(system, (r) => r.generatorGc), 1)} % | ` +
        `${fmt.fixed(medianOf(system, (r) => r.serverCpu), 0)} % | ${fmt.fixed(medianOf(system, (r) => r.latencyServerCpu), 0)} % | ` +
        `${fmt.int(medianOf(system, (r) => r.achievedRate))}/s / ${fmt.fixed(medianOf(system, (r) => r.scheduleLagP99), 2)} ms | ` +
        `${fmt.fixed(medianOf(system, (r) => r.p999), 2)} ms | ${fmt.int(medianOf(system, (r) => r.redisBytesPerUser))} B |`,
    );
  }
  lines.push(
    '',
    `The throughput figure is the system's limit when CPU ${c.serverCpu} (Redis + both instances) is saturated (≳ 95 %) while the`,
    `load generator is not (well under 100 % of CPU ${c.generatorCpu}); CPU ${c.generatorCpu} busy above the generator's own CPU, or steal, means`,
    'something else (another process, the hypervisor) took time in that run.',
    '',
    '## Every run',
    '',
    `| run | system | RSS at FEW / MANY | KiB per user | delivered/s | generator CPU / GC / CPU ${c.generatorCpu} busy (all) | CPU ${c.serverCpu} busy | p50 / p99 / p99.9 | generator lag p99 / loop delay max (latency phase) | steal (max of both CPUs) | deliveries per notification | disturbed |`,
    '| ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |',
  );
  for (const r of results) {
    lines.push(
      `| ${r.run} | ${r.system} | ${fmt.fixed(r.rssFewKiB / 1024, 1)} / ${fmt.fixed(r.rssManyKiB / 1024, 1)} MiB | ${fmt.fixed(r.kibPerUser, 2)} | ` +
        `${fmt.int(r.deliveredPerSecond)} | ${fmt.fixed(r.generatorCpu, 0)} % / ${fmt.fixed(r.generatorGc, 1)} % / ${fmt.fixed(r.generatorCpuAll, 0)} % | ${fmt.fixed(r.serverCpu, 0)} % | ` +
        `${fmt.fixed(r.p50, 2)} / ${fmt.fixed(r.p99, 2)} / ${fmt.fixed(r.p999, 2)} ms | ${fmt.fixed(r.scheduleLagP99, 2)} / ${fmt.fixed(r.generatorLoopDelayMax, 1)} ms | ` +
        `${fmt.fixed(Math.max(r.steal, r.latencySteal), 1)} % | ${fmt.fixed(r.deliveriesPerNotification, 3)} | ${disturbed(r) ? '**yes**' : 'no'} |`,
    );
  }
  return `${lines.join('\n')}\n`;
}
