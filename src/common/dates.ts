/**
 * Calendar dates as ISO strings ('YYYY-MM-DD') and months as 'YYYY-MM'.
 *
 * A daycare date is a calendar day in Japan, not an instant: all arithmetic here goes through
 * Date.UTC and the getUTC* methods so that the process time zone can never shift a day.
 */
import { Errors } from './errors';

/** 'YYYY-MM-DD' */
export type IsoDate = string;
/** 'YYYY-MM' */
export type YearMonth = string;

const DATE_PATTERN = /^(\d{4})-(\d{2})-(\d{2})$/;
const YEAR_MONTH_PATTERN = /^(\d{4})-(\d{2})$/;
const MS_PER_DAY = 24 * 60 * 60 * 1000;

export type DayOfWeek = 0 | 1 | 2 | 3 | 4 | 5 | 6; // 0 = Sunday, as Date.getUTCDay()

export function daysInMonth(year: number, month: number): number {
  // Day 0 of the next month is the last day of this one.
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

/** True for a well-formed date that exists in the calendar ('2025-02-29' is false). */
export function isRealDate(value: unknown): value is IsoDate {
  if (typeof value !== 'string') return false;
  const match = DATE_PATTERN.exec(value);
  if (!match) return false;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  return year >= 1 && month >= 1 && month <= 12 && day >= 1 && day <= daysInMonth(year, month);
}

export function isYearMonth(value: unknown): value is YearMonth {
  if (typeof value !== 'string') return false;
  const match = YEAR_MONTH_PATTERN.exec(value);
  if (!match) return false;
  const month = Number(match[2]);
  return Number(match[1]) >= 1 && month >= 1 && month <= 12;
}

export interface DateParts {
  year: number;
  /** 1–12 */
  month: number;
  day: number;
}

/** Splits an ISO date; throws BAD_USER_INPUT (field 'date') if it is not a real date. */
export function parseDate(value: IsoDate): DateParts {
  assertDate('date', value);
  const [year, month, day] = value.split('-').map(Number);
  return { year, month, day };
}

export function formatDate(year: number, month: number, day: number): IsoDate {
  return `${String(year).padStart(4, '0')}-${pad2(month)}-${pad2(day)}`;
}

export function formatYearMonth(year: number, month: number): YearMonth {
  return `${String(year).padStart(4, '0')}-${pad2(month)}`;
}

export function parseYearMonth(value: YearMonth): { year: number; month: number } {
  assertYearMonth('yearMonth', value);
  const [year, month] = value.split('-').map(Number);
  return { year, month };
}

export function addDays(date: IsoDate, days: number): IsoDate {
  return fromEpochDay(toEpochDay(date) + days);
}

/** Adds calendar months; a day that does not exist in the target month is clamped to its end (31 Jan + 1 → 28/29 Feb). */
export function addMonths(date: IsoDate, months: number): IsoDate {
  const { year, month, day } = parseDate(date);
  const target = shiftMonth(year, month, months);
  return formatDate(target.year, target.month, Math.min(day, daysInMonth(target.year, target.month)));
}

/** Whole days from `from` to `to` (positive when `to` is later). */
export function daysBetween(from: IsoDate, to: IsoDate): number {
  return toEpochDay(to) - toEpochDay(from);
}

export function dayOfWeek(date: IsoDate): DayOfWeek {
  return new Date(toEpochDay(date) * MS_PER_DAY).getUTCDay() as DayOfWeek;
}

export function isWeekend(date: IsoDate): boolean {
  const weekday = dayOfWeek(date);
  return weekday === 0 || weekday === 6;
}

/** First day of the month: '2026-10' → '2026-10-01'. */
export function firstOfMonth(month: YearMonth): IsoDate {
  assertYearMonth('month', month);
  return `${month}-01`;
}

export function lastOfMonth(month: YearMonth): IsoDate {
  const { year, month: m } = parseYearMonth(month);
  return formatDate(year, m, daysInMonth(year, m));
}

/** '2026-10-15' → '2026-10' */
export function monthOf(date: IsoDate): YearMonth {
  assertDate('date', date);
  return date.slice(0, 7);
}

export function addMonthsToYearMonth(month: YearMonth, months: number): YearMonth {
  const { year, month: m } = parseYearMonth(month);
  const target = shiftMonth(year, m, months);
  return formatYearMonth(target.year, target.month);
}

export function previousMonth(month: YearMonth): YearMonth {
  return addMonthsToYearMonth(month, -1);
}

export function nextMonth(month: YearMonth): YearMonth {
  return addMonthsToYearMonth(month, 1);
}

/**
 * -1, 0 or 1, usable as a sort comparator. Valid ISO dates (and months) of the same shape sort
 * lexically, so no parsing is needed.
 */
export function compare(a: IsoDate | YearMonth, b: IsoDate | YearMonth): -1 | 0 | 1 {
  return a < b ? -1 : a > b ? 1 : 0;
}

export function minDate(a: IsoDate, b: IsoDate): IsoDate {
  return compare(a, b) <= 0 ? a : b;
}

export function maxDate(a: IsoDate, b: IsoDate): IsoDate {
  return compare(a, b) >= 0 ? a : b;
}

/** Throws BAD_USER_INPUT naming `field` unless `value` is a real 'YYYY-MM-DD' date. */
export function assertDate(field: string, value: unknown): asserts value is IsoDate {
  if (!isRealDate(value)) {
    throw Errors.badInput(
      field,
      `${field} must be a real calendar date written as YYYY-MM-DD (for example 2026-10-01); got ${JSON.stringify(value)}.`,
      `${field} は実在する日付を YYYY-MM-DD 形式（例: 2026-10-01）で指定してください（受け取った値: ${JSON.stringify(value)}）。`,
      { value },
    );
  }
}

/** Throws BAD_USER_INPUT naming `field` unless `value` is a 'YYYY-MM' month. */
export function assertYearMonth(field: string, value: unknown): asserts value is YearMonth {
  if (!isYearMonth(value)) {
    throw Errors.badInput(
      field,
      `${field} must be a month written as YYYY-MM (for example 2026-10); got ${JSON.stringify(value)}.`,
      `${field} は年月を YYYY-MM 形式（例: 2026-10）で指定してください（受け取った値: ${JSON.stringify(value)}）。`,
      { value },
    );
  }
}

function pad2(n: number): string {
  return String(n).padStart(2, '0');
}

function shiftMonth(year: number, month: number, months: number): { year: number; month: number } {
  const index = year * 12 + (month - 1) + months;
  return { year: Math.floor(index / 12), month: (index % 12 + 12) % 12 + 1 };
}

function toEpochDay(date: IsoDate): number {
  const { year, month, day } = parseDate(date);
  const utc = new Date(0);
  // setUTCFullYear rather than Date.UTC: Date.UTC maps years 0–99 to 1900–1999.
  utc.setUTCFullYear(year, month - 1, day);
  return Math.floor(utc.getTime() / MS_PER_DAY);
}

function fromEpochDay(epochDay: number): IsoDate {
  const utc = new Date(epochDay * MS_PER_DAY);
  return formatDate(utc.getUTCFullYear(), utc.getUTCMonth() + 1, utc.getUTCDate());
}

/**
 * The calendar day in Japan at an instant: deadlines are calendar days in Japan, the clock gives
 * instants (2026-11-24T15:30Z is already '2026-11-25' in Tokyo). Japan has had no daylight saving
 * time since 1951, so a fixed +09:00 offset is exact.
 */
export function japanDateOf(now: Date): IsoDate {
  return new Date(now.getTime() + JST_OFFSET_MS).toISOString().slice(0, 10);
}

const JST_OFFSET_MS = 9 * 60 * 60 * 1000;

/** YYYY-MM with a month 01–12: for class-validator `@Matches` on intake-month inputs (isYearMonth also checks it). */
export const YEAR_MONTH_INPUT_PATTERN = /^\d{4}-(0[1-9]|1[0-2])$/;
