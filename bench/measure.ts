/** What both benchmarks measure the same way: percentiles, and a process's memory from /proc. */
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
