/** What both benchmarks measure the same way: percentiles, and a process's memory and CPU time from /proc. */
import { readdirSync, readFileSync } from 'node:fs';

/** The p-th percentile of values sorted ascending (nearest rank); NaN for none. */
export function percentile(sorted: number[], p: number): number {
  if (!sorted.length) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}

/**
 * Resident memory in MB of a process and every process below it, so that a hub run as several
 * node:cluster processes (HUB_PROCESSES) counts all of them; NaN when it is gone.
 */
export function rssMb(pid: number | undefined): number {
  if (!pid) return NaN;
  const kb = (p: number): number => {
    let own: number;
    try {
      own = Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${p}/status`, 'utf8'))?.[1] ?? NaN);
    } catch {
      return NaN;
    }
    return own + childrenOf(p).reduce((sum, child) => sum + (kb(child) || 0), 0);
  };
  const total = kb(pid);
  return Number.isNaN(total) ? NaN : Math.round(total / 1024);
}

function childrenOf(pid: number): number[] {
  try {
    return readdirSync(`/proc/${pid}/task`).flatMap((tid) =>
      readFileSync(`/proc/${pid}/task/${tid}/children`, 'utf8').split(' ').filter(Boolean).map(Number),
    );
  } catch {
    return [];
  }
}

const CLOCK_TICKS = 100; // USER_HZ: /proc/<pid>/stat counts CPU time in 1/100 s on Linux

/** utime, stime, cutime and cstime of /proc/<pid>/stat, in seconds; undefined when it is gone. */
function cpuTimes(pid: number): { comm: string; ppid: number; own: number; reaped: number } | undefined {
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined;
  }
  const close = stat.lastIndexOf(')');
  const f = stat.slice(close + 2).split(' ');
  return { comm: stat.slice(stat.indexOf('(') + 1, close), ppid: Number(f[1]), own: (Number(f[11]) + Number(f[12])) / CLOCK_TICKS, reaped: (Number(f[13]) + Number(f[14])) / CLOCK_TICKS };
}

/**
 * CPU seconds used so far by a process and every process below it (a clustered hub), counting
 * children that have already exited; NaN when it is gone.
 */
export function cpuSeconds(pid: number | undefined): number {
  const t = pid ? cpuTimes(pid) : undefined;
  if (!t) return NaN;
  return t.own + t.reaped + childrenOf(pid!).reduce((sum, child) => sum + (cpuSeconds(child) || 0), 0);
}

/**
 * CPU seconds used so far by every PostgreSQL process on this machine (backends, and through the
 * postmaster's reaped-children time, backends that have exited); NaN when the server is not local.
 */
export function postgresCpuSeconds(): number {
  let total = 0;
  let seen = false;
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const t = cpuTimes(Number(entry));
    if (!t || t.comm !== 'postgres') continue;
    seen = true;
    total += t.own;
    // The postmaster (whose parent is not a postgres process) has reaped every exited backend.
    if (cpuTimes(t.ppid)?.comm !== 'postgres') total += t.reaped;
  }
  return seen ? total : NaN;
}
