import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';

/** What the Linux /proc and taskset tell the side-by-side bench about processes and CPUs. */

const CLK_TCK = Number(execFileSync('getconf', ['CLK_TCK']).toString().trim());

/** The soft and hard limits on open files of this process. */
export function fdLimit(): { soft: number; hard: number } {
  const match = /^Max open files\s+(\S+)\s+(\S+)/m.exec(readFileSync('/proc/self/limits', 'utf8'));
  const read = (value: string | undefined): number => (value === undefined || value === 'unlimited' ? Infinity : Number(value));
  return { soft: read(match?.[1]), hard: read(match?.[2]) };
}

/** Pins every thread of `pid` to `cpu` (threads created later inherit it) and checks that it took. */
export function pin(pid: number, cpu: number): void {
  execFileSync('taskset', ['-a', '-cp', String(cpu), String(pid)], { stdio: 'ignore' });
  for (const task of readdirSync(`/proc/${pid}/task`)) {
    const allowed = /Cpus_allowed_list:\s+(\S+)/.exec(readFileSync(`/proc/${pid}/task/${task}/status`, 'utf8'))?.[1];
    if (allowed !== String(cpu)) throw new Error(`pid ${pid} thread ${task} is allowed CPUs ${String(allowed)}, not ${cpu}`);
  }
}

export function rssKiB(pid: number): number {
  return Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? Number.NaN);
}

/** User + system CPU of a process (all threads) in microseconds. */
export function cpuMicros(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1e6) / CLK_TCK;
}

/** A process's CPU split into user and kernel time (µs, all threads), and its read and write syscalls so far. */
export interface ProcCounters {
  userMicros: number;
  systemMicros: number;
  /** read(2)-like calls (read, readv, pread…); /proc/PID/io `syscr`. Socket reads in Node and Redis are read(2). */
  reads: number;
  /** write(2)-like calls (write, writev, pwrite…); /proc/PID/io `syscw`. Socket writes in Node and Redis are write(2)/writev(2). */
  writes: number;
}

export function procCounters(pid: number): ProcCounters {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const io = readFileSync(`/proc/${pid}/io`, 'utf8');
  const read = (name: string): number => Number(new RegExp(`^${name}: (\\d+)`, 'm').exec(io)?.[1] ?? Number.NaN);
  return {
    userMicros: (Number(fields[11]) * 1e6) / CLK_TCK,
    systemMicros: (Number(fields[12]) * 1e6) / CLK_TCK,
    reads: read('syscr'),
    writes: read('syscw'),
  };
}

export interface CpuTimes {
  busy: number;
  steal: number;
  total: number;
}

/** Per-CPU jiffies from /proc/stat (all processes): busy (not idle, iowait or steal), stolen by the host, total. */
export function cpuTimes(): CpuTimes[] {
  const times: CpuTimes[] = [];
  for (const line of readFileSync('/proc/stat', 'utf8').split('\n')) {
    const match = /^cpu(\d+) (.*)$/.exec(line);
    if (match === null) continue;
    const [user = 0, nice = 0, system = 0, idle = 0, iowait = 0, irq = 0, softirq = 0, steal = 0] = (match[2] ?? '').trim().split(/\s+/).map(Number);
    times[Number(match[1])] = { busy: user + nice + system + irq + softirq, steal, total: user + nice + system + idle + iowait + irq + softirq + steal };
  }
  return times;
}

/** % busy and % stolen of `cpu` between two readings. */
export function cpuShare(before: CpuTimes[], after: CpuTimes[], cpu: number): { busy: number; steal: number } {
  const a = before[cpu];
  const b = after[cpu];
  if (a === undefined || b === undefined || b.total === a.total) return { busy: Number.NaN, steal: Number.NaN };
  return { busy: ((b.busy - a.busy) / (b.total - a.total)) * 100, steal: ((b.steal - a.steal) / (b.total - a.total)) * 100 };
}
