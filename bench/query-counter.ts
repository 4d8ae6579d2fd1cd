/**
 * Profiling aid for bench/burst-bench.ts (BENCH_COUNT_QUERIES=1), preloaded into the hub process with
 * `node -r`: counts every query sent through pg's Client and the time until its answer, grouped by
 * the statement's first words, and writes the totals to BENCH_QUERY_COUNT_FILE every second. The
 * hub's code is not changed; the counts only say which statements a submission costs.
 */
import { writeFileSync } from 'node:fs';
// eslint-disable-next-line @typescript-eslint/no-require-imports
const pg = require('pg');

const file = process.env.BENCH_QUERY_COUNT_FILE;
const stats = new Map<string, { count: number; ms: number }>();

function keyOf(text: string): string {
  return text.replace(/\s+/g, ' ').trim().slice(0, 90);
}

function record(key: string, started: number) {
  const entry = stats.get(key) ?? { count: 0, ms: 0 };
  entry.count++;
  entry.ms += performance.now() - started;
  stats.set(key, entry);
}

const original = pg.Client.prototype.query;
pg.Client.prototype.query = function patchedQuery(this: unknown, config: unknown, values?: unknown, callback?: unknown) {
  const text = typeof config === 'string' ? config : (config as { text?: string })?.text ?? '';
  const key = keyOf(text);
  const started = performance.now();
  const cb = typeof values === 'function' ? values : callback;
  if (typeof cb === 'function') {
    const wrapped = (...args: unknown[]) => {
      record(key, started);
      return (cb as (...a: unknown[]) => unknown)(...args);
    };
    return typeof values === 'function' ? original.call(this, config, wrapped) : original.call(this, config, values, wrapped);
  }
  const result = original.call(this, config, values, callback);
  if (result && typeof result.then === 'function') {
    return result.then(
      (r: unknown) => {
        record(key, started);
        return r;
      },
      (e: unknown) => {
        record(key, started);
        throw e;
      },
    );
  }
  // A Query object with a callback in config (not used by TypeORM): count it once sent.
  record(key, started);
  return result;
};

function flush() {
  if (!file) return;
  writeFileSync(file, JSON.stringify(Object.fromEntries(stats)));
}
setInterval(flush, 1000).unref();
process.on('exit', flush);
