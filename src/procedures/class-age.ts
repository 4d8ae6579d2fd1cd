/**
 * Class age (クラス年齢): the daycare class a child belongs to for a whole fiscal year.
 *
 * The class is the child's age on 1 April of the fiscal year (April–March) of the intake month.
 * Under 年齢計算ニ関スル法律 and 民法143条 a person grows a year older at the end of the day before
 * the birthday, so a child born on 1 April is already a year older when 1 April starts and joins
 * the older class: children born 2 April of year Y to 1 April of year Y+1 share a class.
 */
import { addDays, assertDate, assertYearMonth, compare, daysBetween, firstOfMonth, IsoDate, parseYearMonth, YearMonth } from '../common/dates';

/** Daycare classes run from 0歳児 to 5歳児; at 6 a child goes to school. */
export const MIN_DAYCARE_CLASS_AGE = 0;
export const MAX_DAYCARE_CLASS_AGE = 5;

/** 産休明け: the first day after 8 weeks of maternity leave, when the youngest facilities take children. */
export const MATERNITY_LEAVE_END_AGE_DAYS = 57;

/** The fiscal year (年度) an intake month belongs to: '2027-01' → 2026, '2026-04' → 2026, '2026-03' → 2025. */
export function fiscalYearOf(intakeMonth: YearMonth): number {
  assertYearMonth('intakeMonth', intakeMonth);
  const { year, month } = parseYearMonth(intakeMonth);
  return month >= 4 ? year : year - 1;
}

/** Whole days lived on `date` (0 on the day of birth, negative before it). */
export function ageInDaysOn(birthDate: IsoDate, date: IsoDate): number {
  assertDate('birthDate', birthDate);
  assertDate('date', date);
  return daysBetween(birthDate, date);
}

/**
 * Completed years at the start of `date`, by the legal rule: the year is completed at the end of
 * the day before the birthday (so a 29 February child completes it at the end of 28 February).
 */
export function legalAgeAtStartOf(birthDate: IsoDate, date: IsoDate): number {
  assertDate('birthDate', birthDate);
  assertDate('date', date);
  const [birthYear, birthMonthDay] = [Number(birthDate.slice(0, 4)), birthDate.slice(5)];
  const [year, monthDay] = [Number(date.slice(0, 4)), date.slice(5)];
  // Completed at the end of the eve = at the start of the birthday; '02-29' sorts after '02-28'
  // and before '03-01', which gives a leap-day child its year on 1 March of a common year, i.e.
  // at the end of 28 February as the law says.
  return year - birthYear - (monthDay < birthMonthDay ? 1 : 0);
}

/**
 * The class age for an intake month. A child born during the fiscal year (after 1 April) and
 * before the entry date is in the 0歳児 class. A child not yet born on the entry date gets a negative
 * value (-1 if born later in the same fiscal year, less if later still); a school-age child gets > 5.
 */
export function classAgeFor(birthDate: IsoDate, intakeMonth: YearMonth): number {
  assertDate('birthDate', birthDate);
  const fiscalYear = fiscalYearOf(intakeMonth);
  const ageOnFirstApril = legalAgeAtStartOf(birthDate, `${fiscalYear}-04-01`);
  const bornByEntry = compare(birthDate, firstOfMonth(intakeMonth)) <= 0;
  return ageOnFirstApril < 0 && bornByEntry ? 0 : ageOnFirstApril;
}

export interface ClassAgeInfo {
  classAge: number;
  fiscalYear: number;
  /** Entry is always on the 1st of the intake month. */
  entryDate: IsoDate;
  ageInDaysAtEntry: number;
  /** classAge is one of 0..5. */
  inDaycareRange: boolean;
  /** True when there is no minimum age, or the child has reached it by the entry date. */
  reachedMinimumAge: boolean;
  /** The first day the child is old enough, or null when the facility sets no minimum age. */
  minimumAgeReachedOn: IsoDate | null;
}

/**
 * Everything a facility check needs about a child for one intake month. `minimumAgeDays` counts
 * whole days after birth: 57 (産休明け) is reached 57 days after the birth date.
 */
export function classAgeInfo(birthDate: IsoDate, intakeMonth: YearMonth, minimumAgeDays: number | null): ClassAgeInfo {
  const classAge = classAgeFor(birthDate, intakeMonth);
  const entryDate = firstOfMonth(intakeMonth);
  const ageInDaysAtEntry = ageInDaysOn(birthDate, entryDate);
  const minimumAgeReachedOn = minimumAgeDays === null ? null : addDays(birthDate, minimumAgeDays);
  return {
    classAge,
    fiscalYear: fiscalYearOf(intakeMonth),
    entryDate,
    ageInDaysAtEntry,
    inDaycareRange: classAge >= MIN_DAYCARE_CLASS_AGE && classAge <= MAX_DAYCARE_CLASS_AGE,
    reachedMinimumAge: ageInDaysAtEntry >= 0 && (minimumAgeDays === null || ageInDaysAtEntry >= minimumAgeDays),
    minimumAgeReachedOn,
  };
}
