import { OnModuleDestroy } from '@nestjs/common';
import { ThrottlerStorage } from '@nestjs/throttler';
import { DataSource } from 'typeorm';
import { rootLogger } from './logger';

type ThrottlerStorageRecord = Awaited<ReturnType<ThrottlerStorage['increment']>>;

/** Hits of one client (key) in one window; `windowStart` and `windowEnd` in ms since the epoch. */
export interface WindowHits {
  key: string;
  windowStart: number;
  windowEnd: number;
  hits: number;
}

/** Where the processes of the service add up their hits (PostgreSQL: postgresWindowCounts). */
export interface SharedWindowCounts {
  /** Adds each row's hits to the shared count of its key × window; returns the new totals. */
  add(rows: WindowHits[]): Promise<WindowHits[]>;
  /** Drops windows that ended before `before` (ms since the epoch). */
  sweep(before: number): Promise<void>;
}

/** How often a process sends its new hits and learns the others' (the limit can be overshot by what arrives in between). */
export const RATE_LIMIT_SYNC_MS = 250;
const SWEEP_EVERY_MS = 60_000;

interface Window {
  start: number;
  end: number;
  /** the total of every process as the last sync returned it (this process's synced hits included) */
  shared: number;
  /** hits sent by the sync now running */
  sending: number;
  /** hits not sent yet */
  pending: number;
}

/**
 * The rate limit counted across every process and replica of the service: fixed windows aligned to
 * the clock (a minute from :00), counted in PostgreSQL (`rate_limit_window`), so a client gets its
 * limit once however many processes answer it (FixedWindowThrottlerStorage counts in one process).
 *
 * The request path never waits for the database. Each request is decided at once on what this
 * process knows: the shared total of the last sync plus its own hits since. Every RATE_LIMIT_SYNC_MS
 * the process sends its new hits in one statement and learns the new totals. So a client can get
 * past the limit by what the other processes let through between two syncs (a few requests at most
 * at the default limit), never by a multiple of it. If the database does not answer, nothing is
 * lost: the hits stay pending and are sent by the next sync that succeeds, and until then each
 * process still refuses on its own count.
 *
 * A refused client is refused until its window ends (the Retry-After it is told); the library's
 * blockDuration is not used beyond that, so every process agrees on when it may come back.
 */
export class SharedWindowThrottlerStorage implements ThrottlerStorage, OnModuleDestroy {
  private readonly windows = new Map<string, Window>();
  private readonly timer: NodeJS.Timeout;
  private syncing: Promise<void> | undefined;
  private lastSweep = 0;
  private lastWarning = 0;

  constructor(
    private readonly counts: SharedWindowCounts,
    private readonly now: () => number = Date.now,
    syncEveryMs = RATE_LIMIT_SYNC_MS,
  ) {
    this.timer = setInterval(() => void this.sync(), syncEveryMs);
    this.timer.unref();
  }

  async increment(key: string, ttl: number, limit: number): Promise<ThrottlerStorageRecord> {
    return this.hit(key, ttl, limit);
  }

  /** The synchronous core of increment: counts the hit and decides on it. */
  hit(key: string, ttl: number, limit: number): ThrottlerStorageRecord {
    const now = this.now();
    const start = Math.floor(now / ttl) * ttl;
    let w = this.windows.get(key);
    if (!w || w.start !== start) {
      w = { start, end: start + ttl, shared: 0, sending: 0, pending: 0 };
      this.windows.set(key, w);
    }
    w.pending++;
    const totalHits = w.shared + w.sending + w.pending;
    const isBlocked = totalHits > limit;
    const toEnd = Math.max(0, Math.ceil((w.end - now) / 1000));
    return { totalHits, timeToExpire: toEnd, isBlocked, timeToBlockExpire: isBlocked ? toEnd : 0 };
  }

  /** Sends the hits not sent yet and learns the totals; one sync at a time (a call during one waits for it). */
  sync(): Promise<void> {
    this.syncing ??= this.send().finally(() => (this.syncing = undefined));
    return this.syncing;
  }

  private async send(): Promise<void> {
    const now = this.now();
    const rows: WindowHits[] = [];
    for (const [key, w] of this.windows) {
      if (w.end <= now) {
        // Ended: its count no longer decides anything, here or in another process.
        this.windows.delete(key);
        continue;
      }
      if (!w.pending) continue;
      w.sending = w.pending;
      w.pending = 0;
      rows.push({ key, windowStart: w.start, windowEnd: w.end, hits: w.sending });
    }
    try {
      if (rows.length) {
        for (const total of await this.counts.add(rows)) {
          const w = this.windows.get(total.key);
          if (w?.start === total.windowStart) {
            w.shared = total.hits;
            w.sending = 0;
          }
        }
      }
      if (now - this.lastSweep >= SWEEP_EVERY_MS) {
        this.lastSweep = now;
        await this.counts.sweep(now - SWEEP_EVERY_MS);
      }
    } catch (err) {
      // Not counted anywhere yet: back to pending, for the next sync.
      for (const row of rows) {
        const w = this.windows.get(row.key);
        if (w?.start === row.windowStart && w.sending) {
          w.pending += w.sending;
          w.sending = 0;
        }
      }
      if (now - this.lastWarning >= 60_000) {
        this.lastWarning = now;
        rootLogger.warn({ err }, 'rate limit: the shared counts could not be updated; each process counts on its own until they can');
      }
    }
  }

  /** Clients with a window in this process (for tests). */
  get size(): number {
    return this.windows.size;
  }

  /** On shutdown the hits not sent yet are sent, so the other processes still count them. */
  async onModuleDestroy() {
    clearInterval(this.timer);
    await this.sync();
  }
}

/**
 * The shared counts in PostgreSQL's `rate_limit_window` (UNLOGGED: counts of the current minute, not
 * worth a WAL write each; after a crash every client starts the minute afresh). The rows are added
 * in key order, so two processes adding the same clients lock them in the same order.
 */
export function postgresWindowCounts(db: DataSource): SharedWindowCounts {
  return {
    async add(rows) {
      const sorted = [...rows].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : a.windowStart - b.windowStart));
      const iso = (ms: number) => new Date(ms).toISOString();
      const totals: Array<{ key: string; window_start: Date; window_end: Date; hits: number }> = await db.query(
        `INSERT INTO rate_limit_window AS w (key, window_start, window_end, hits)
         SELECT u.key, u.window_start, u.window_end, u.hits
           FROM unnest($1::text[], $2::timestamptz[], $3::timestamptz[], $4::int[]) WITH ORDINALITY AS u(key, window_start, window_end, hits, n)
          ORDER BY u.n
         ON CONFLICT (key, window_start) DO UPDATE SET hits = w.hits + EXCLUDED.hits
         RETURNING w.key, w.window_start, w.window_end, w.hits`,
        [sorted.map((r) => r.key), sorted.map((r) => iso(r.windowStart)), sorted.map((r) => iso(r.windowEnd)), sorted.map((r) => r.hits)],
      );
      return totals.map((t) => ({ key: t.key, windowStart: t.window_start.getTime(), windowEnd: t.window_end.getTime(), hits: t.hits }));
    },
    async sweep(before) {
      await db.query(`DELETE FROM rate_limit_window WHERE window_end < $1`, [new Date(before).toISOString()]);
    },
  };
}
