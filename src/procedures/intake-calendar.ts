/**
 * Mid-year intake calendar (年度途中入所のスケジュール). A municipality states its rule once
 * ("closes on the 10th of the previous month, the working day before if that is a closed day") and
 * the hub generates the twelve monthly cycles of a fiscal year, April to March. Odd months are
 * stated as exceptions rather than by bending the rule.
 */
import { Errors } from '../common/errors';
import {
  addDays,
  addMonthsToYearMonth,
  assertDate,
  assertYearMonth,
  compare,
  daysInMonth,
  firstOfMonth,
  formatDate,
  formatYearMonth,
  IsoDate,
  parseYearMonth,
  YearMonth,
} from '../common/dates';
import { onOrAfterWorkingDay, onOrBeforeWorkingDay } from './holidays';

export const DAY_ADJUSTMENTS = ['PREVIOUS_WORKING_DAY', 'NEXT_WORKING_DAY', 'NONE'] as const;
/** What to do when the computed day is not a working day of the municipal office. */
export type DayAdjustment = (typeof DAY_ADJUSTMENTS)[number];

/** A day of a month relative to the intake month: { monthOffset: -1, day: 10 } is the 10th of the previous month. */
export interface MonthDayRule {
  monthOffset: number;
  /** 1–31, clamped to the month's last day; 'LAST' is always the last day. */
  day: number | 'LAST';
  adjust: DayAdjustment;
}

/** A day counted in calendar days from the (adjusted) closing day: 管外 deadlines are often { days: -7 }. */
export interface RelativeToClosesRule {
  relativeTo: 'closes';
  days: number;
  adjust: DayAdjustment;
}

export type DayRule = MonthDayRule | RelativeToClosesRule;

export interface NoIntakeMonth {
  /** Calendar month 1–12 */
  month: number;
  reason: string;
  reasonJa: string;
}

export interface IntakeRule {
  opens: DayRule;
  /** Must be a month-day rule: everything else may be counted from it. */
  closes: MonthDayRule;
  /** 管外 deadline, for wishes in another municipality; the same as `closes` when left out. */
  outOfAreaCloses?: DayRule;
  /** 利用調整 (allocation meeting) */
  allocationOn?: DayRule;
  /** 結果通知 */
  resultNoticeOn?: DayRule;
  noIntakeMonths?: NoIntakeMonth[];
}

/** A per-month override of the rule; anything left out comes from the rule. */
export interface IntakeException {
  intakeMonth: YearMonth;
  hasIntake?: boolean;
  noIntakeReason?: string;
  noIntakeReasonJa?: string;
  opensOn?: IsoDate;
  closesOn?: IsoDate;
  outOfAreaClosesOn?: IsoDate;
  allocationOn?: IsoDate | null;
  resultNoticeOn?: IsoDate | null;
}

/** One intake month. Dates are null when there is no intake that month. */
export interface IntakeCycle {
  intakeMonth: YearMonth;
  hasIntake: boolean;
  noIntakeReason?: string;
  noIntakeReasonJa?: string;
  opensOn: IsoDate | null;
  closesOn: IsoDate | null;
  /** Equals closesOn when the municipality has no earlier 管外 deadline. */
  outOfAreaClosesOn: IsoDate | null;
  allocationOn: IsoDate | null;
  resultNoticeOn: IsoDate | null;
  /** Always the 1st of the intake month. */
  entryOn: IsoDate;
}

/** The twelve intake months of a fiscal year: April of `fiscalYear` to March of the next. */
export function intakeMonthsOf(fiscalYear: number): YearMonth[] {
  return Array.from({ length: 12 }, (_, index) => addMonthsToYearMonth(formatYearMonth(fiscalYear, 4), index));
}

/**
 * Throws BAD_USER_INPUT naming the offending field (e.g. 'rule.closes.day') for a rule that cannot
 * describe a real calendar. Checks that need concrete dates (a working-day move past the entry day)
 * are made by generateCalendar.
 */
export function validateRule(rule: IntakeRule): void {
  if (!rule || typeof rule !== 'object') {
    throw Errors.badInput('rule', 'An intake rule is required.', '受付ルールを指定してください。');
  }
  if (!rule.closes || 'relativeTo' in rule.closes) {
    throw Errors.badInput(
      'rule.closes',
      'The closing day must be a day of a month ({ monthOffset, day, adjust }); other days may be counted from it, not the other way round.',
      '締切日は月と日（{ monthOffset, day, adjust }）で指定してください。他の日付は締切日から数えられますが、締切日を他の日付から数えることはできません。',
    );
  }
  validateDayRule('rule.closes', rule.closes);
  if (rule.closes.monthOffset >= 0) {
    throw Errors.badInput(
      'rule.closes.monthOffset',
      'Applications must close before the intake month starts: closes.monthOffset must be -1 or less.',
      '申込締切は入所月より前でなければなりません。closes.monthOffset は -1 以下にしてください。',
    );
  }

  validateDayRule('rule.opens', rule.opens);
  if (isRelative(rule.opens) ? rule.opens.days > 0 : isLaterMonthDay(rule.opens, rule.closes)) {
    throw Errors.badInput(
      'rule.opens',
      'Applications cannot open after they close: move opens before closes.',
      '受付開始日が締切日より後になっています。受付開始日を締切日より前にしてください。',
    );
  }

  if (rule.outOfAreaCloses) {
    validateDayRule('rule.outOfAreaCloses', rule.outOfAreaCloses);
    const later = isRelative(rule.outOfAreaCloses) ? rule.outOfAreaCloses.days > 0 : isLaterMonthDay(rule.outOfAreaCloses, rule.closes);
    if (later) {
      throw Errors.badInput(
        'rule.outOfAreaCloses',
        'The deadline for facilities in other municipalities (管外) cannot be later than the ordinary deadline.',
        '管外施設の申込締切を通常の締切より後にすることはできません。',
      );
    }
  }

  for (const field of ['allocationOn', 'resultNoticeOn'] as const) {
    const dayRule = rule[field];
    if (!dayRule) continue;
    validateDayRule(`rule.${field}`, dayRule);
    const notAfterCloses = isRelative(dayRule) ? dayRule.days <= 0 : !isLaterMonthDay(dayRule, rule.closes);
    if (notAfterCloses) {
      throw Errors.badInput(
        `rule.${field}`,
        `${field} must come after the closing day.`,
        `${field === 'allocationOn' ? '利用調整日' : '結果通知日'}は締切日より後にしてください。`,
      );
    }
  }

  const seenMonths = new Set<number>();
  (rule.noIntakeMonths ?? []).forEach((noIntake, index) => {
    const field = `rule.noIntakeMonths[${index}]`;
    if (!Number.isInteger(noIntake.month) || noIntake.month < 1 || noIntake.month > 12) {
      throw Errors.badInput(`${field}.month`, 'month must be a calendar month from 1 to 12.', 'month は 1〜12 の月で指定してください。');
    }
    if (seenMonths.has(noIntake.month)) {
      throw Errors.badInput(`${field}.month`, `Month ${noIntake.month} is listed twice.`, `${noIntake.month}月が重複しています。`);
    }
    seenMonths.add(noIntake.month);
    if (!noIntake.reason?.trim() || !noIntake.reasonJa?.trim()) {
      throw Errors.badInput(
        `${field}.reason`,
        'Say why there is no intake, in English (reason) and Japanese (reasonJa): families read it.',
        '入所がない理由を英語（reason）と日本語（reasonJa）で入力してください。保護者に表示されます。',
      );
    }
  });
}

/**
 * The fiscal year's twelve cycles, April to March. Dates counted from `closes` follow an exception
 * that moves the closing day, unless the exception sets them too. Throws BAD_USER_INPUT if the rule
 * or an exception produces an impossible cycle (e.g. a deadline on or after the entry day).
 */
export function generateCalendar(rule: IntakeRule, fiscalYear: number, exceptions: IntakeException[] = []): IntakeCycle[] {
  validateRule(rule);
  if (!Number.isInteger(fiscalYear) || fiscalYear < 2000 || fiscalYear > 2100) {
    throw Errors.badInput('fiscalYear', 'fiscalYear must be a year such as 2026.', 'fiscalYear は 2026 のような西暦年で指定してください。');
  }
  const intakeMonths = intakeMonthsOf(fiscalYear);
  const exceptionByMonth = indexExceptions(exceptions, intakeMonths);

  return intakeMonths.map((intakeMonth) => {
    const exception = exceptionByMonth.get(intakeMonth);
    const field = exception ? `exceptions[${exceptions.indexOf(exception)}]` : 'rule';
    const cycle = buildCycle(rule, intakeMonth, exception);
    if (cycle.hasIntake) assertCycleIsConsistent(cycle, field);
    return cycle;
  });
}

/** The deadline that applies to a family: the 管外 one when any wish is in another municipality. */
export function deadlineOf(cycle: IntakeCycle, outOfArea: boolean): IsoDate | null {
  return outOfArea ? cycle.outOfAreaClosesOn : cycle.closesOn;
}

/** The first intake month (in month order) that has an intake and whose applicable deadline is today or later. */
export function earliestOpenCycle(cycles: IntakeCycle[], today: IsoDate, outOfArea: boolean): IntakeCycle | null {
  assertDate('today', today);
  const inMonthOrder = [...cycles].sort((a, b) => compare(a.intakeMonth, b.intakeMonth));
  return inMonthOrder.find((cycle) => cycle.hasIntake && isStillOpen(cycle, today, outOfArea)) ?? null;
}

/** True while today is on or before the cycle's applicable deadline. */
export function isStillOpen(cycle: IntakeCycle, today: IsoDate, outOfArea: boolean): boolean {
  const deadline = deadlineOf(cycle, outOfArea);
  return deadline !== null && compare(today, deadline) <= 0;
}

function buildCycle(rule: IntakeRule, intakeMonth: YearMonth, exception: IntakeException | undefined): IntakeCycle {
  const entryOn = firstOfMonth(intakeMonth);
  const ruleNoIntake = rule.noIntakeMonths?.find((noIntake) => noIntake.month === parseYearMonth(intakeMonth).month);
  const hasIntake = exception?.hasIntake ?? !ruleNoIntake;

  if (!hasIntake) {
    return {
      intakeMonth,
      hasIntake: false,
      noIntakeReason: exception?.noIntakeReason ?? ruleNoIntake?.reason ?? 'No intake this month.',
      noIntakeReasonJa: exception?.noIntakeReasonJa ?? ruleNoIntake?.reasonJa ?? 'この月の入所はありません。',
      opensOn: null,
      closesOn: null,
      outOfAreaClosesOn: null,
      allocationOn: null,
      resultNoticeOn: null,
      entryOn,
    };
  }

  const closesOn = exception?.closesOn ?? resolveDay(rule.closes, intakeMonth, null);
  const resolve = (dayRule: DayRule | undefined) => (dayRule ? resolveDay(dayRule, intakeMonth, closesOn) : null);
  return {
    intakeMonth,
    hasIntake: true,
    opensOn: exception?.opensOn ?? resolve(rule.opens),
    closesOn,
    outOfAreaClosesOn: exception?.outOfAreaClosesOn ?? resolve(rule.outOfAreaCloses) ?? closesOn,
    allocationOn: exception?.allocationOn !== undefined ? exception.allocationOn : resolve(rule.allocationOn),
    resultNoticeOn: exception?.resultNoticeOn !== undefined ? exception.resultNoticeOn : resolve(rule.resultNoticeOn),
    entryOn,
  };
}

function resolveDay(dayRule: DayRule, intakeMonth: YearMonth, closesOn: IsoDate | null): IsoDate {
  let date: IsoDate;
  if (isRelative(dayRule)) {
    // validateRule guarantees that `closes` itself is never relative, so closesOn is known here.
    date = addDays(closesOn as IsoDate, dayRule.days);
  } else {
    const { year, month } = parseYearMonth(addMonthsToYearMonth(intakeMonth, dayRule.monthOffset));
    const lastDay = daysInMonth(year, month);
    date = formatDate(year, month, dayRule.day === 'LAST' ? lastDay : Math.min(dayRule.day, lastDay));
  }
  switch (dayRule.adjust) {
    case 'PREVIOUS_WORKING_DAY':
      return onOrBeforeWorkingDay(date);
    case 'NEXT_WORKING_DAY':
      return onOrAfterWorkingDay(date);
    case 'NONE':
      return date;
  }
}

function indexExceptions(exceptions: IntakeException[], intakeMonths: YearMonth[]): Map<YearMonth, IntakeException> {
  const byMonth = new Map<YearMonth, IntakeException>();
  exceptions.forEach((exception, index) => {
    const field = `exceptions[${index}]`;
    assertYearMonth(`${field}.intakeMonth`, exception.intakeMonth);
    if (!intakeMonths.includes(exception.intakeMonth)) {
      throw Errors.badInput(
        `${field}.intakeMonth`,
        `${exception.intakeMonth} is not in this fiscal year (${intakeMonths[0]} to ${intakeMonths[11]}).`,
        `${exception.intakeMonth} はこの年度（${intakeMonths[0]}〜${intakeMonths[11]}）に含まれません。`,
      );
    }
    if (byMonth.has(exception.intakeMonth)) {
      throw Errors.badInput(`${field}.intakeMonth`, `${exception.intakeMonth} has two exceptions; merge them.`, `${exception.intakeMonth} の例外が2件あります。1件にまとめてください。`);
    }
    for (const dateField of ['opensOn', 'closesOn', 'outOfAreaClosesOn', 'allocationOn', 'resultNoticeOn'] as const) {
      const value = exception[dateField];
      if (value !== undefined && value !== null) assertDate(`${field}.${dateField}`, value);
    }
    byMonth.set(exception.intakeMonth, exception);
  });
  return byMonth;
}

const CYCLE_FIELD_JA: Record<string, string> = {
  opensOn: '受付開始日',
  closesOn: '締切日',
  outOfAreaClosesOn: '管外締切日',
  allocationOn: '利用調整日',
  resultNoticeOn: '結果通知日',
  entryOn: '入所日',
};

/** Every generated or overridden date must fall in a sensible order. */
function assertCycleIsConsistent(cycle: IntakeCycle, field: string): void {
  const mustPrecede = (earlier: keyof IntakeCycle, later: keyof IntakeCycle, strictly: boolean, blamed: keyof IntakeCycle) => {
    const [a, b] = [cycle[earlier] as IsoDate | null, cycle[later] as IsoDate | null];
    if (a === null || b === null) return;
    const order = compare(a, b);
    if (order > 0 || (strictly && order === 0)) {
      throw Errors.badInput(
        `${field}.${blamed}`,
        `For the ${cycle.intakeMonth} intake, ${earlier} (${a}) must be ${strictly ? 'before' : 'on or before'} ${later} (${b}).`,
        `${cycle.intakeMonth} 入所の${CYCLE_FIELD_JA[earlier]}（${a}）は${CYCLE_FIELD_JA[later]}（${b}）${strictly ? 'より前' : '以前'}でなければなりません。`,
        { intakeMonth: cycle.intakeMonth, [earlier]: a, [later]: b },
      );
    }
  };
  mustPrecede('closesOn', 'entryOn', true, 'closesOn');
  mustPrecede('opensOn', 'closesOn', false, 'opensOn');
  mustPrecede('outOfAreaClosesOn', 'closesOn', false, 'outOfAreaClosesOn');
  mustPrecede('opensOn', 'outOfAreaClosesOn', false, 'outOfAreaClosesOn');
  mustPrecede('closesOn', 'allocationOn', true, 'allocationOn');
  mustPrecede('closesOn', 'resultNoticeOn', true, 'resultNoticeOn');
  mustPrecede('allocationOn', 'resultNoticeOn', false, 'resultNoticeOn');
}

function validateDayRule(field: string, dayRule: DayRule | undefined): void {
  if (!dayRule || typeof dayRule !== 'object') {
    throw Errors.badInput(field, `${field} is required.`, `${field} を指定してください。`);
  }
  if (!DAY_ADJUSTMENTS.includes(dayRule.adjust)) {
    throw Errors.badInput(
      `${field}.adjust`,
      `adjust must be one of ${DAY_ADJUSTMENTS.join(', ')}.`,
      `adjust は ${DAY_ADJUSTMENTS.join('、')} のいずれかで指定してください。`,
    );
  }
  if (isRelative(dayRule)) {
    if (dayRule.relativeTo !== 'closes') {
      throw Errors.badInput(`${field}.relativeTo`, "relativeTo must be 'closes'.", "relativeTo には 'closes' を指定してください。");
    }
    if (!Number.isInteger(dayRule.days) || Math.abs(dayRule.days) > 366) {
      throw Errors.badInput(`${field}.days`, 'days must be a whole number of days (for example -7).', 'days は日数を整数で指定してください（例: -7）。');
    }
    return;
  }
  if (!Number.isInteger(dayRule.monthOffset) || dayRule.monthOffset < -12 || dayRule.monthOffset > 12) {
    throw Errors.badInput(
      `${field}.monthOffset`,
      'monthOffset must be a whole number of months from -12 to 12 (-1 is the month before the intake month).',
      'monthOffset は -12〜12 の整数で指定してください（-1 は入所月の前月）。',
    );
  }
  if (dayRule.day !== 'LAST' && (!Number.isInteger(dayRule.day) || dayRule.day < 1 || dayRule.day > 31)) {
    throw Errors.badInput(
      `${field}.day`,
      "day must be a day of the month from 1 to 31 (clamped to the month's end), or 'LAST'.",
      "day は 1〜31 の日（月末を超える場合は月末日）または 'LAST' で指定してください。",
    );
  }
}

function isRelative(dayRule: DayRule): dayRule is RelativeToClosesRule {
  return 'relativeTo' in dayRule;
}

/** Compares two month-day rules before working-day adjustment; 'LAST' counts as the 31st. */
function isLaterMonthDay(a: DayRule, closes: MonthDayRule): boolean {
  if (isRelative(a)) return false;
  const dayNumber = (day: number | 'LAST') => (day === 'LAST' ? 31 : day);
  if (a.monthOffset !== closes.monthOffset) return a.monthOffset > closes.monthOffset;
  return dayNumber(a.day) > dayNumber(closes.day);
}
