import type { Redis } from 'ioredis';

/** What Redis counted so far: calls and µs per command (INFO commandstats), bytes in and out (INFO stats). */
export interface RedisCounters {
  calls: Map<string, { calls: number; usec: number }>;
  netIn: number;
  netOut: number;
}

/** The commands the bench itself sends to read these counters; left out of the per-notification figures. */
const OWN_COMMANDS = new Set(['info', 'slowlog', 'config', 'ping', 'client']);

export async function redisCounters(redis: Redis): Promise<RedisCounters> {
  const [commandstats, stats] = await Promise.all([redis.info('commandstats'), redis.info('stats')]);
  const calls = new Map<string, { calls: number; usec: number }>();
  for (const match of commandstats.matchAll(/^cmdstat_([^:]+):calls=(\d+),usec=(\d+)/gm)) {
    const name = match[1] ?? '?';
    if (!OWN_COMMANDS.has(name.split('|')[0] ?? name)) calls.set(name, { calls: Number(match[2]), usec: Number(match[3]) });
  }
  const read = (name: string): number => Number(new RegExp(`^${name}:(\\d+)`, 'm').exec(stats)?.[1] ?? Number.NaN);
  return { calls, netIn: read('total_net_input_bytes'), netOut: read('total_net_output_bytes') };
}

/** Per-command calls and µs between two readings, divided by `per` (e.g. notifications), most called first. */
export function commandsPer(before: RedisCounters, after: RedisCounters, per: number): Array<{ command: string; calls: number; usec: number }> {
  const rows: Array<{ command: string; calls: number; usec: number }> = [];
  for (const [command, end] of after.calls) {
    const start = before.calls.get(command) ?? { calls: 0, usec: 0 };
    if (end.calls > start.calls) rows.push({ command, calls: (end.calls - start.calls) / per, usec: (end.usec - start.usec) / per });
  }
  return rows.sort((a, b) => b.calls - a.calls);
}
