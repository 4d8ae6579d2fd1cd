import { HubError } from '../../src/common/errors';
import {
  MAX_DELIVERY_ATTEMPTS,
  RETRY_AFTER_CAP_MS,
  RETRY_DELAYS_MS,
  classifyResponse,
  nextAttemptAt,
  parseRetryAfterMs,
} from '../../src/webhooks/retry-schedule';

const S = 1000;
const MIN = 60 * S;
const H = 60 * MIN;
const NOW = new Date('2026-05-08T09:00:00.000Z');
const middle = () => 0.5; // no jitter
const lowest = () => 0; // -20%
const highest = () => 0.999999; // almost +20%

function delayOf(input: Partial<Parameters<typeof nextAttemptAt>[0]>): number | null {
  const at = nextAttemptAt({ attempt: 0, now: NOW, random: middle, ...input });
  return at === null ? null : at.getTime() - NOW.getTime();
}

describe('RETRY_DELAYS_MS', () => {
  it('starts with the Standard Webhooks recommendation', () => {
    expect(RETRY_DELAYS_MS.slice(0, 8)).toEqual([0, 5 * S, 5 * MIN, 30 * MIN, 2 * H, 5 * H, 10 * H, 10 * H]);
  });

  it('lasts about three days in total', () => {
    const totalHours = RETRY_DELAYS_MS.reduce((sum, d) => sum + d, 0) / H;
    expect(totalHours).toBeGreaterThan(66);
    expect(totalHours).toBeLessThanOrEqual(78);
  });

  it('never shortens the wait from one retry to the next', () => {
    RETRY_DELAYS_MS.slice(1).forEach((d, i) => expect(d).toBeGreaterThanOrEqual(RETRY_DELAYS_MS[i]));
  });
});

describe('nextAttemptAt', () => {
  it.each([
    // attempts made, random, expected delay
    [0, middle, 0],
    [0, highest, 0], // the first attempt is immediate, never jittered
    [1, middle, 5 * S],
    [1, lowest, 4 * S],
    [2, middle, 5 * MIN],
    [2, lowest, 4 * MIN],
    [3, middle, 30 * MIN],
    [4, middle, 2 * H],
    [5, middle, 5 * H],
    [6, middle, 10 * H],
    [7, lowest, 8 * H],
    [8, middle, 12 * H],
    [10, middle, 16 * H],
  ])('after %i attempts (random %p) waits %i ms', (attempt, random, expected) => {
    expect(delayOf({ attempt, random })).toBe(expected);
  });

  it.each([0, 0.1, 0.5, 0.9, 0.999999])('keeps the jitter within ±20%% (random %p)', (r) => {
    const delay = delayOf({ attempt: 6, random: () => r })!;
    expect(delay).toBeGreaterThanOrEqual(8 * H);
    expect(delay).toBeLessThanOrEqual(12 * H);
  });

  it.each([
    ['random above 1', () => 7],
    ['random below 0', () => -3],
  ])('clamps a misbehaving random source (%s)', (_label, random) => {
    const delay = delayOf({ attempt: 6, random })!;
    expect(delay).toBeGreaterThanOrEqual(8 * H);
    expect(delay).toBeLessThanOrEqual(12 * H);
  });

  it.each([MAX_DELIVERY_ATTEMPTS, MAX_DELIVERY_ATTEMPTS + 5])('is exhausted after %i attempts (dead letter)', (attempt) => {
    expect(nextAttemptAt({ attempt, now: NOW, random: middle })).toBeNull();
  });

  it('does not let Retry-After revive an exhausted message', () => {
    expect(nextAttemptAt({ attempt: MAX_DELIVERY_ATTEMPTS, now: NOW, random: middle, retryAfter: '60' })).toBeNull();
  });

  it.each([
    // label, attempts made, Retry-After, expected delay
    ['delta-seconds later than the schedule', 1, '120', 120 * S],
    ['delta-seconds earlier than the schedule is ignored', 3, '60', 30 * MIN],
    ['HTTP-date later than the schedule', 1, 'Fri, 08 May 2026 10:00:00 GMT', 1 * H],
    ['HTTP-date in the past is ignored', 1, 'Fri, 08 May 2026 08:00:00 GMT', 5 * S],
    ['a huge delta is capped at 24 h', 1, '99999999', RETRY_AFTER_CAP_MS],
    ['a far HTTP-date is capped at 24 h', 1, 'Wed, 01 Jan 2031 00:00:00 GMT', RETRY_AFTER_CAP_MS],
    ['garbage is ignored', 1, 'soon', 5 * S],
    ['a negative number is ignored', 1, '-30', 5 * S],
    ['an empty header is ignored', 2, '  ', 5 * MIN],
  ])('Retry-After: %s', (_label, attempt, retryAfter, expected) => {
    expect(delayOf({ attempt, retryAfter })).toBe(expected);
  });

  it.each([
    ['attempt', { attempt: -1 }],
    ['attempt', { attempt: 1.5 }],
    ['now', { now: new Date('not a date') }],
  ])('rejects a bad %s', (field, input) => {
    expect(() => nextAttemptAt({ attempt: 0, now: NOW, random: middle, ...input })).toThrow(
      expect.objectContaining({ name: 'HubError', field }),
    );
  });
});

describe('parseRetryAfterMs', () => {
  it.each([
    ['0', 0],
    ['1', 1 * S],
    ['Fri, 08 May 2026 09:00:30 GMT', 30 * S],
    [undefined, null],
    [null, null],
    ['12.5', null],
  ])('%p → %p', (header, expected) => {
    expect(parseRetryAfterMs(header, NOW)).toBe(expected);
  });
});

describe('classifyResponse', () => {
  it.each([
    [200, 'DELIVERED'],
    [201, 'DELIVERED'],
    [204, 'DELIVERED'],
    [299, 'DELIVERED'],
    [410, 'GONE'],
    [408, 'RETRY'],
    [429, 'RETRY'],
    [500, 'RETRY'],
    [502, 'RETRY'],
    [503, 'RETRY'],
    [400, 'RETRY'],
    [401, 'RETRY'],
    [404, 'RETRY'],
    [301, 'RETRY'],
    [100, 'RETRY'],
    ['NETWORK_ERROR', 'RETRY'],
    ['TIMEOUT', 'RETRY'],
    ['TARGET_REFUSED', 'REFUSED'],
  ] as const)('%p → %s', (status, expected) => {
    expect(classifyResponse(status)).toBe(expected);
  });

  it.each([0, 99, 600, 200.5, NaN])('rejects %p as not a status code', (status) => {
    expect(() => classifyResponse(status)).toThrow(HubError);
  });
});
