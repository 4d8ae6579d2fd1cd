/**
 * How a new version of a municipality's procedure meets the calendar families were already shown.
 *
 * Once a month's application window has opened, families act on its dates: a rule change must not
 * move them silently. So, when a new version is generated:
 * - months whose window had not opened take the newly generated dates;
 * - opened months keep the previous version's dates ("kept"), unless the municipality names the
 *   month in an explicit exception — a deliberate change, which may only extend the window
 *   (deadlines later, never earlier, the opening day unchanged, the intake not withdrawn);
 * - months whose entry day has come are history and never change.
 * The previous version stays stored as it was, so the history shows every date ever published.
 */
import { compare, IsoDate, YearMonth } from '../common/dates';
import { Errors } from '../common/errors';
import { IntakeCycle } from './intake-calendar';

/** A cycle as stored for one version of a procedure. */
export interface VersionedCycle extends IntakeCycle {
  /** The version whose dates this month shows (an earlier one when the month was kept). */
  keptFromVersion: number;
  /** True when an explicit exception changed the month after its window had opened. */
  changedAfterOpening: boolean;
}

export interface MergeInput {
  /** The current version's cycles, or null for the first version. */
  previous: VersionedCycle[] | null;
  /** What the new rule and exceptions generate (generateCalendar). */
  generated: IntakeCycle[];
  /** Months the new version names in an exception, with the exception's index (for error fields). */
  explicitMonths: ReadonlyMap<YearMonth, number>;
  newVersion: number;
  today: IsoDate;
  /** Prefix of error fields, e.g. 'input.exceptions'. */
  exceptionsField?: string;
}

export interface MergeResult {
  cycles: VersionedCycle[];
  /** Opened months whose newly generated dates differed and were NOT applied (the earlier dates stand). */
  keptMonths: YearMonth[];
  /** Opened months changed on purpose through an exception (the window was extended). */
  changedAfterOpeningMonths: YearMonth[];
}

/** A month is published once its window opens, and history once its entry day has come. */
export function hasWindowOpened(cycle: IntakeCycle, today: IsoDate): boolean {
  return (cycle.hasIntake && cycle.opensOn !== null && compare(cycle.opensOn, today) <= 0) || compare(cycle.entryOn, today) <= 0;
}

const DATE_FIELDS = ['opensOn', 'closesOn', 'outOfAreaClosesOn', 'allocationOn', 'resultNoticeOn'] as const;

/** Same published dates and the same intake decision (reasons included). */
export function sameSchedule(a: IntakeCycle, b: IntakeCycle): boolean {
  return (
    a.intakeMonth === b.intakeMonth &&
    a.hasIntake === b.hasIntake &&
    DATE_FIELDS.every((field) => a[field] === b[field]) &&
    (a.hasIntake || ((a.noIntakeReason ?? null) === (b.noIntakeReason ?? null) && (a.noIntakeReasonJa ?? null) === (b.noIntakeReasonJa ?? null)))
  );
}

export function mergeNewVersion(input: MergeInput): MergeResult {
  const { previous, generated, explicitMonths, newVersion, today } = input;
  const exceptionsField = input.exceptionsField ?? 'exceptions';
  const fresh = (cycle: IntakeCycle, changedAfterOpening = false): VersionedCycle => ({ ...cycle, keptFromVersion: newVersion, changedAfterOpening });
  if (!previous) return { cycles: generated.map((cycle) => fresh(cycle)), keptMonths: [], changedAfterOpeningMonths: [] };

  const previousByMonth = new Map(previous.map((cycle) => [cycle.intakeMonth, cycle]));
  const keptMonths: YearMonth[] = [];
  const changedAfterOpeningMonths: YearMonth[] = [];
  const cycles = generated.map((next): VersionedCycle => {
    const before = previousByMonth.get(next.intakeMonth);
    if (!before || !hasWindowOpened(before, today)) return fresh(next);
    if (sameSchedule(before, next)) return before;

    const exceptionIndex = explicitMonths.get(next.intakeMonth);
    if (exceptionIndex === undefined) {
      keptMonths.push(next.intakeMonth);
      return before;
    }
    assertOnlyExtends(before, next, today, `${exceptionsField}[${exceptionIndex}]`);
    changedAfterOpeningMonths.push(next.intakeMonth);
    return fresh(next, true);
  });
  return { cycles, keptMonths, changedAfterOpeningMonths };
}

/** An opened window may be extended, nothing more: families may already have acted on it. */
function assertOnlyExtends(before: IntakeCycle, next: IntakeCycle, today: IsoDate, field: string): void {
  const month = before.intakeMonth;
  if (compare(before.entryOn, today) <= 0) {
    throw Errors.badInput(
      `${field}.intakeMonth`,
      `The ${month} intake has already started (entry ${before.entryOn}); its dates are history and cannot change.`,
      `${month}入所はすでに始まっています（入所日 ${before.entryOn}）。日程は履歴として確定しており、変更できません。`,
      { intakeMonth: month },
    );
  }
  if (before.hasIntake && !next.hasIntake) {
    throw Errors.badInput(
      `${field}.hasIntake`,
      `The ${month} application window opened on ${before.opensOn}; an intake families may already have applied for cannot be withdrawn here. Contact the hub operators.`,
      `${month}入所の受付は ${before.opensOn} に始まっています。申込み済みの家庭がいる可能性があるため、ここで入所なしに変更することはできません。ハブ運営者に連絡してください。`,
      { intakeMonth: month },
    );
  }
  if (before.opensOn !== next.opensOn) {
    throw Errors.badInput(
      `${field}.opensOn`,
      `The ${month} application window already opened on ${before.opensOn}; the opening day cannot change now.`,
      `${month}入所の受付は ${before.opensOn} に始まっているため、受付開始日は変更できません。`,
      { intakeMonth: month, opensOn: before.opensOn },
    );
  }
  for (const deadline of ['closesOn', 'outOfAreaClosesOn'] as const) {
    const [was, now] = [before[deadline] as IsoDate, next[deadline] as IsoDate];
    if (compare(now, was) < 0) {
      throw Errors.badInput(
        `${field}.${deadline}`,
        `The ${month} window is open: its ${deadline === 'closesOn' ? 'deadline' : '管外 deadline'} may be extended but not brought forward (${was} → ${now}).`,
        `${month}入所は受付中のため、${deadline === 'closesOn' ? '締切日' : '管外締切日'}は延長のみ可能で、早めることはできません（${was} → ${now}）。`,
        { intakeMonth: month, [deadline]: was },
      );
    }
  }
}
