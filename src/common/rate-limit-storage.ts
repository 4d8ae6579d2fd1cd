import { OnModuleDestroy } from '@nestjs/common';
import { ThrottlerStorage } from '@nestjs/throttler';

type ThrottlerStorageRecord = Awaited<ReturnType<ThrottlerStorage['increment']>>;

interface Window {
  /** when the current window ends (ms since epoch) */
  endsAt: number;
  hits: number;
  /** set once the limit is passed: refused until then (ms since epoch) */
  blockedUntil: number;
}

/** How often windows that have ended are dropped, so memory follows the clients active in the last minute. */
const SWEEP_MS = 60_000;

/**
 * Fixed-window counters for the rate limit, O(1) per request. The library's default storage keeps
 * every hit's expiry in an array and filters it on every request, which costs a scan of up to
 * `limit` entries per request: measurable at a few hundred requests per second from one client.
 *
 * A window starts with a client's first request and lasts `ttl`; the request that passes `limit`
 * is refused, and so is every request until the window (or the block, if longer) ends. In this
 * process only: the hub uses it on the embedded database, which serves a single process; on
 * PostgreSQL the processes share their counts (SharedWindowThrottlerStorage).
 */
export class FixedWindowThrottlerStorage implements ThrottlerStorage, OnModuleDestroy {
  private readonly windows = new Map<string, Window>();
  private readonly sweeper: NodeJS.Timeout;

  constructor(private readonly now: () => number = Date.now) {
    this.sweeper = setInterval(() => this.sweep(), SWEEP_MS);
    this.sweeper.unref();
  }

  async increment(key: string, ttl: number, limit: number, blockDuration: number): Promise<ThrottlerStorageRecord> {
    return this.hit(key, ttl, limit, blockDuration);
  }

  /** The synchronous core of increment (what the unit tests call). */
  hit(key: string, ttl: number, limit: number, blockDuration: number): ThrottlerStorageRecord {
    const now = this.now();
    let w = this.windows.get(key);
    if (!w || (w.endsAt <= now && w.blockedUntil <= now)) {
      w = { endsAt: now + ttl, hits: 0, blockedUntil: 0 };
      this.windows.set(key, w);
    } else if (w.endsAt <= now) {
      // Still blocked after its window ended: a new window starts when the block ends.
      w.endsAt = w.blockedUntil;
      w.hits = limit;
    }
    w.hits++;
    if (w.hits > limit && w.blockedUntil <= now) w.blockedUntil = now + Math.max(blockDuration, w.endsAt - now);
    const seconds = (ms: number) => Math.max(0, Math.ceil(ms / 1000));
    const isBlocked = w.blockedUntil > now;
    return { totalHits: w.hits, timeToExpire: seconds(w.endsAt - now), isBlocked, timeToBlockExpire: isBlocked ? seconds(w.blockedUntil - now) : 0 };
  }

  /** Number of clients with a live window (for tests). */
  get size(): number {
    return this.windows.size;
  }

  sweep(): void {
    const now = this.now();
    for (const [key, w] of this.windows) if (w.endsAt <= now && w.blockedUntil <= now) this.windows.delete(key);
  }

  onModuleDestroy() {
    clearInterval(this.sweeper);
  }
}
