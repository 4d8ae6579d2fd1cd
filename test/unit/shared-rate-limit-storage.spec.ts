import { rootLogger } from '../../src/common/logger';
import { SharedWindowCounts, SharedWindowThrottlerStorage, WindowHits } from '../../src/common/shared-rate-limit-storage';

/** The shared table, in memory: what PostgreSQL's rate_limit_window does for the storages. */
class MemoryCounts implements SharedWindowCounts {
  readonly rows = new Map<string, WindowHits>();
  down = false;
  added = 0;
  async add(rows: WindowHits[]) {
    if (this.down) throw new Error('connection refused');
    return rows.map((r) => {
      const id = `${r.key}@${r.windowStart}`;
      const total = { ...r, hits: (this.rows.get(id)?.hits ?? 0) + r.hits };
      this.rows.set(id, total);
      this.added += r.hits;
      return total;
    });
  }
  async sweep(before: number) {
    for (const [id, r] of this.rows) if (r.windowEnd < before) this.rows.delete(id);
  }
}

const TTL = 60_000;
const LIMIT = 4;

describe('SharedWindowThrottlerStorage (one rate limit across processes)', () => {
  let now: number;
  let counts: MemoryCounts;
  let a: SharedWindowThrottlerStorage;
  let b: SharedWindowThrottlerStorage;
  beforeEach(() => {
    now = 10 * TTL + 1_000;
    counts = new MemoryCounts();
    // Two processes of the service on one database; the timer is out of the way, the tests sync by hand.
    a = new SharedWindowThrottlerStorage(counts, () => now, 3_600_000);
    b = new SharedWindowThrottlerStorage(counts, () => now, 3_600_000);
  });
  afterEach(async () => {
    await a.onModuleDestroy();
    await b.onModuleDestroy();
  });
  const hits = (s: SharedWindowThrottlerStorage, n: number, key = 'client:1') => Array.from({ length: n }, () => s.hit(key, TTL, LIMIT));

  it('refuses in every process once the clients hits in all of them pass the limit', async () => {
    expect(hits(a, 2).map((r) => r.isBlocked)).toEqual([false, false]);
    expect(hits(b, 2).map((r) => r.isBlocked)).toEqual([false, false]);
    await a.sync();
    await b.sync();
    // b has learnt the total of 4: its next hit is the fifth.
    const fifth = b.hit('client:1', TTL, LIMIT);
    expect(fifth).toMatchObject({ totalHits: 5, isBlocked: true });
    // a still knows only its own two and lets one more through; after its next sync it refuses too.
    expect(a.hit('client:1', TTL, LIMIT)).toMatchObject({ totalHits: 3, isBlocked: false });
    await a.sync();
    expect(a.hit('client:1', TTL, LIMIT)).toMatchObject({ isBlocked: true });
  });

  it('decides on its own hits without waiting for the database', () => {
    expect(hits(a, 5).map((r) => [r.totalHits, r.isBlocked])).toEqual([[1, false], [2, false], [3, false], [4, false], [5, true]]);
    expect(counts.added).toBe(0);
  });

  it.each([
    // [ms into the window of the refusal, retry after (s)]
    [1_000, 59],
    [30_000, 30],
    [59_001, 1],
  ])('a refused client is told to retry when the window (aligned to the clock) ends: %i ms in → %i s', (into, retry) => {
    now = 10 * TTL + into;
    const refused = hits(a, LIMIT + 1)[LIMIT];
    expect(refused).toMatchObject({ isBlocked: true, timeToBlockExpire: retry, timeToExpire: retry });
  });

  it.each([
    // [ms after the start of the window of the refused hits, blocked?]
    [TTL - 1, true],
    [TTL, false],
  ])('the next window starts from zero in every process (%i ms → blocked %s)', async (later, blocked) => {
    now = 10 * TTL;
    hits(a, 3);
    hits(b, 3);
    await a.sync();
    await b.sync(); // b knows the total of 6
    now += later;
    expect(b.hit('client:1', TTL, LIMIT).isBlocked).toBe(blocked);
  });

  it('counts each client on its own', async () => {
    hits(a, LIMIT + 1, 'client:1');
    await a.sync();
    expect(b.hit('client:2', TTL, LIMIT).isBlocked).toBe(false);
  });

  it('keeps the hits when the database does not answer, and sends each exactly once when it does', async () => {
    const warn = jest.spyOn(rootLogger, 'warn').mockImplementation(() => undefined);
    hits(a, 3);
    counts.down = true;
    await a.sync(); // fails: nothing counted, nothing lost, and said once
    await a.sync();
    expect(warn).toHaveBeenCalledTimes(1);
    warn.mockRestore();
    hits(a, 1);
    expect(a.hit('client:1', TTL, LIMIT).isBlocked).toBe(true); // still refuses on its own count
    counts.down = false;
    await a.sync();
    expect(counts.added).toBe(5);
    await a.sync();
    expect(counts.added).toBe(5);
    expect(b.hit('client:1', TTL, LIMIT).totalHits).toBe(1); // b has no hits of its own yet…
    await b.sync();
    expect(b.hit('client:1', TTL, LIMIT)).toMatchObject({ totalHits: 7, isBlocked: true }); // …and learns the 6 at its sync
  });

  it('counts hits that arrive while a sync is on its way, once', async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const add = counts.add.bind(counts);
    counts.add = async (rows) => {
      await gate;
      return add(rows);
    };
    hits(a, 2);
    const first = a.sync();
    hits(a, 1); // during the sync
    expect(a.hit('client:1', TTL, LIMIT).totalHits).toBe(4);
    release();
    await first;
    expect(counts.added).toBe(2);
    expect(a.hit('client:1', TTL, LIMIT).totalHits).toBe(5);
    await a.sync();
    expect(counts.added).toBe(5);
  });

  it('sends the hits it has not sent yet when it shuts down', async () => {
    hits(a, 3);
    await a.onModuleDestroy();
    expect(counts.added).toBe(3);
  });

  it('forgets ended windows, here and in the shared table', async () => {
    hits(a, 2);
    await a.sync();
    expect(a.size).toBe(1);
    now += 3 * TTL;
    await a.sync();
    expect(a.size).toBe(0);
    expect(counts.rows.size).toBe(0);
  });
});
