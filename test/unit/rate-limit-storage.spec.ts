import { FixedWindowThrottlerStorage } from '../../src/common/rate-limit-storage';

describe('FixedWindowThrottlerStorage (rate limit per client, O(1) per request)', () => {
  let now = 1_000_000;
  let storage: FixedWindowThrottlerStorage;
  beforeEach(() => {
    now = 1_000_000;
    storage = new FixedWindowThrottlerStorage(() => now);
  });
  afterEach(() => storage.onModuleDestroy());

  it('lets `limit` requests through in a window and refuses the next, with the seconds to wait', () => {
    const results = Array.from({ length: 4 }, () => storage.hit('a', 60_000, 3, 60_000));
    expect(results.map((r) => r.isBlocked)).toEqual([false, false, false, true]);
    expect(results.map((r) => r.totalHits)).toEqual([1, 2, 3, 4]);
    expect(results[3].timeToBlockExpire).toBe(60);
    expect(results[0].timeToExpire).toBe(60);
  });

  it.each([
    // [ms after the first request, blocked?]
    [59_999, true],
    [60_000, false],
  ])('a refused client is let through again once the window ends (%i ms later → blocked %s)', (later, blocked) => {
    for (let i = 0; i < 4; i++) storage.hit('a', 60_000, 3, 60_000);
    now += later;
    expect(storage.hit('a', 60_000, 3, 60_000).isBlocked).toBe(blocked);
  });

  it('counts each client (key) on its own', () => {
    for (let i = 0; i < 3; i++) storage.hit('a', 60_000, 3, 60_000);
    expect(storage.hit('b', 60_000, 3, 60_000).isBlocked).toBe(false);
    expect(storage.hit('a', 60_000, 3, 60_000).isBlocked).toBe(true);
  });

  it('keeps a longer block past the end of the window', () => {
    for (let i = 0; i < 4; i++) storage.hit('a', 10_000, 3, 30_000);
    now += 15_000;
    const r = storage.hit('a', 10_000, 3, 30_000);
    expect(r.isBlocked).toBe(true);
    expect(r.timeToBlockExpire).toBe(15);
    now += 15_000;
    expect(storage.hit('a', 10_000, 3, 30_000).isBlocked).toBe(false);
  });

  it('forgets clients whose window has ended (memory follows the active clients)', () => {
    storage.hit('a', 60_000, 3, 60_000);
    storage.hit('b', 60_000, 3, 60_000);
    now += 30_000;
    storage.hit('c', 60_000, 3, 60_000);
    now += 30_000;
    storage.sweep();
    expect(storage.size).toBe(1);
  });

  it('answers through the library interface (a promise)', async () => {
    await expect(storage.increment('a', 60_000, 1, 60_000)).resolves.toMatchObject({ totalHits: 1, isBlocked: false });
  });
});
