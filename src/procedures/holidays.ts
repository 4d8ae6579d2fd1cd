/**
 * The municipal office calendar: which days an office works, so that deadlines can move off
 * weekends, public holidays and the year-end closure.
 */
import holidayJp from '@holiday-jp/holiday_jp';
import { addDays, assertDate, IsoDate, isWeekend } from '../common/dates';

/**
 * True on a Japanese public holiday (祝日, 振替休日, 国民の休日).
 *
 * The library's `isHoliday(Date)` formats the Date with local-time getters, so the same instant is
 * a different day in UTC and in Asia/Tokyo. Its holiday table is keyed by 'YYYY-MM-DD', so we look
 * the ISO string up directly and never build a Date. The table is maintained upstream and currently
 * runs to 2050; later years have no holidays.
 */
export function isJapaneseHoliday(date: IsoDate): boolean {
  assertDate('date', date);
  return holidayJp.isHoliday(date);
}

/** The holiday's Japanese name (e.g. '成人の日'), or null on an ordinary day. */
export function japaneseHolidayName(date: IsoDate): string | null {
  assertDate('date', date);
  const holidays: Record<string, { name: string } | undefined> = holidayJp.holidays;
  return holidays[date]?.name ?? null;
}

/** 29 December to 3 January: municipal offices close (年末年始の閉庁日), by 行政機関の休日に関する法律. */
export function isYearEndClosure(date: IsoDate): boolean {
  assertDate('date', date);
  const monthDay = date.slice(5);
  return monthDay >= '12-29' || monthDay <= '01-03';
}

/** A day the municipal office is open: not a weekend, not a public holiday, not the year-end closure. */
export function isWorkingDay(date: IsoDate): boolean {
  return !isWeekend(date) && !isJapaneseHoliday(date) && !isYearEndClosure(date);
}

/** The date itself if it is a working day, otherwise the closest working day before it. */
export function onOrBeforeWorkingDay(date: IsoDate): IsoDate {
  let day = date;
  while (!isWorkingDay(day)) day = addDays(day, -1);
  return day;
}

/** The date itself if it is a working day, otherwise the closest working day after it. */
export function onOrAfterWorkingDay(date: IsoDate): IsoDate {
  let day = date;
  while (!isWorkingDay(day)) day = addDays(day, 1);
  return day;
}

/**
 * Moves by whole working days: -3 is the third working day before `date` (whatever `date` itself
 * is). 0 returns `date` unchanged.
 */
export function addWorkingDays(date: IsoDate, workingDays: number): IsoDate {
  const step = workingDays < 0 ? -1 : 1;
  let day = date;
  for (let remaining = Math.abs(workingDays); remaining > 0; ) {
    day = addDays(day, step);
    if (isWorkingDay(day)) remaining--;
  }
  return day;
}
