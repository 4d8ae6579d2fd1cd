import {
  addDays,
  addMonths,
  assertDate,
  assertYearMonth,
  compare,
  dayOfWeek,
  daysBetween,
  firstOfMonth,
  formatDate,
  isRealDate,
  isYearMonth,
  lastOfMonth,
  monthOf,
  nextMonth,
  parseDate,
  previousMonth,
} from '../../src/common/dates';
import { HubError } from '../../src/common/errors';

describe('isRealDate', () => {
  it.each([
    ['2025-02-28', true],
    ['2025-02-29', false],
    ['2024-02-29', true],
    ['1900-02-29', false],
    ['2000-02-29', true],
    ['2026-04-31', false],
    ['2026-12-31', true],
    ['2026-13-01', false],
    ['2026-00-10', false],
    ['2026-01-00', false],
    ['2026-1-05', false],
    ['2026-01-05T00:00:00Z', false],
    ['', false],
    [null, false],
    [20260105, false],
  ])('%p → %p', (value, expected) => {
    expect(isRealDate(value)).toBe(expected);
  });
});

describe('isYearMonth', () => {
  it.each([
    ['2026-10', true],
    ['2026-01', true],
    ['2026-13', false],
    ['2026-00', false],
    ['2026-1', false],
    ['2026-10-01', false],
    [undefined, false],
  ])('%p → %p', (value, expected) => {
    expect(isYearMonth(value)).toBe(expected);
  });
});

describe('parseDate / formatDate', () => {
  it('round-trips', () => {
    expect(parseDate('2026-09-10')).toEqual({ year: 2026, month: 9, day: 10 });
    expect(formatDate(2026, 9, 1)).toBe('2026-09-01');
  });
  it('rejects a date that does not exist', () => {
    expect(() => parseDate('2025-02-29')).toThrow(HubError);
  });
});

describe('addDays', () => {
  it.each([
    ['2026-01-31', 1, '2026-02-01'],
    ['2024-02-28', 1, '2024-02-29'],
    ['2025-02-28', 1, '2025-03-01'],
    ['2026-12-31', 1, '2027-01-01'],
    ['2027-01-01', -1, '2026-12-31'],
    ['2026-03-29', 7, '2026-04-05'], // across a European DST change: UTC arithmetic is unaffected
    ['2026-09-10', -7, '2026-09-03'],
    ['2026-05-10', 0, '2026-05-10'],
    ['2025-05-10', 57, '2025-07-06'],
  ])('%s, %d days → %s', (date, days, expected) => {
    expect(addDays(date, days)).toBe(expected);
  });
});

describe('addMonths (clamping to the month end)', () => {
  it.each([
    ['2026-01-31', 1, '2026-02-28'],
    ['2024-01-31', 1, '2024-02-29'],
    ['2026-03-31', -1, '2026-02-28'],
    ['2026-10-10', -1, '2026-09-10'],
    ['2026-01-10', -1, '2025-12-10'],
    ['2026-12-15', 1, '2027-01-15'],
    ['2024-02-29', 12, '2025-02-28'],
    ['2026-05-31', -14, '2025-03-31'],
  ])('%s, %d months → %s', (date, months, expected) => {
    expect(addMonths(date, months)).toBe(expected);
  });
});

describe('daysBetween', () => {
  it.each([
    ['2026-01-01', '2026-01-01', 0],
    ['2026-01-01', '2026-12-31', 364],
    ['2024-01-01', '2025-01-01', 366],
    ['2026-10-01', '2026-09-10', -21],
  ])('%s → %s = %d', (from, to, expected) => {
    expect(daysBetween(from, to)).toBe(expected);
  });
});

describe('dayOfWeek (0 = Sunday)', () => {
  it.each([
    ['2026-09-10', 4],
    ['2026-10-10', 6],
    ['2026-05-10', 0],
    ['2027-01-01', 5],
    ['2000-01-01', 6],
  ])('%s → %d', (date, expected) => {
    expect(dayOfWeek(date)).toBe(expected);
  });
});

describe('months', () => {
  it.each([
    ['2026-10', '2026-09', '2026-11', '2026-10-01', '2026-10-31'],
    ['2027-01', '2026-12', '2027-02', '2027-01-01', '2027-01-31'],
    ['2026-12', '2026-11', '2027-01', '2026-12-01', '2026-12-31'],
    ['2028-02', '2028-01', '2028-03', '2028-02-01', '2028-02-29'],
  ])('%s: previous %s, next %s, first %s, last %s', (month, previous, next, first, last) => {
    expect(previousMonth(month)).toBe(previous);
    expect(nextMonth(month)).toBe(next);
    expect(firstOfMonth(month)).toBe(first);
    expect(lastOfMonth(month)).toBe(last);
  });

  it('monthOf', () => {
    expect(monthOf('2026-11-25')).toBe('2026-11');
  });
});

describe('compare', () => {
  it.each([
    ['2026-09-10', '2026-09-11', -1],
    ['2026-09-10', '2026-09-10', 0],
    ['2027-01-01', '2026-12-31', 1],
    ['2026-10', '2026-09', 1],
  ])('%s vs %s → %d', (a, b, expected) => {
    expect(compare(a, b)).toBe(expected);
  });
});

describe('assertDate / assertYearMonth', () => {
  it.each([
    ['birthDate', '2025-02-29'],
    ['today', '2026/11/25'],
    ['today', undefined],
  ])('%s = %p is rejected with the field named, in English and Japanese', (field, value) => {
    try {
      assertDate(field, value);
      throw new Error('expected a HubError');
    } catch (error) {
      expect(error).toBeInstanceOf(HubError);
      const hubError = error as HubError;
      expect(hubError.code).toBe('BAD_USER_INPUT');
      expect(hubError.field).toBe(field);
      expect(hubError.message).toContain(field);
      expect(hubError.messageJa).toContain('YYYY-MM-DD');
    }
  });

  it('accepts a real date and a month', () => {
    expect(() => assertDate('today', '2026-11-25')).not.toThrow();
    expect(() => assertYearMonth('intakeMonth', '2027-01')).not.toThrow();
  });

  it('rejects a bad month naming the field', () => {
    expect(() => assertYearMonth('intakeMonth', '2027-1')).toThrow(expect.objectContaining({ code: 'BAD_USER_INPUT', field: 'intakeMonth' }));
  });
});
