import { generateCalendar, IntakeCycle, IntakeException, IntakeRule } from '../../src/procedures/intake-calendar';
import { hasWindowOpened, mergeNewVersion, sameSchedule, VersionedCycle } from '../../src/procedures/procedure-versioning';

/** Closes the 10th of the previous month; opens the 11th two months before. */
const rule: IntakeRule = {
  opens: { monthOffset: -2, day: 11, adjust: 'NONE' },
  closes: { monthOffset: -1, day: 10, adjust: 'PREVIOUS_WORKING_DAY' },
};
/** The same, but closing on the 5th. */
const earlierRule: IntakeRule = { ...rule, closes: { monthOffset: -1, day: 5, adjust: 'PREVIOUS_WORKING_DAY' } };

const v1: VersionedCycle[] = generateCalendar(rule, 2026).map((c) => ({ ...c, keptFromVersion: 1, changedAfterOpening: false }));
const byMonth = (cycles: IntakeCycle[], month: string) => cycles.find((c) => c.intakeMonth === month)!;

describe('hasWindowOpened', () => {
  const january = byMonth(v1, '2027-01'); // opens 2026-11-11, closes 2026-12-10
  it.each([
    ['2026-11-10', false],
    ['2026-11-11', true],
    ['2026-12-25', true],
    ['2027-01-01', true],
  ])('January 2027 window on %s: %s', (today, expected) => {
    expect(hasWindowOpened(january, today)).toBe(expected);
  });

  it('a month without intake counts as published once its entry day has come', () => {
    const noIntake: IntakeCycle = { ...january, hasIntake: false, opensOn: null, closesOn: null, outOfAreaClosesOn: null, noIntakeReason: 'x', noIntakeReasonJa: 'x' };
    expect(hasWindowOpened(noIntake, '2026-12-31')).toBe(false);
    expect(hasWindowOpened(noIntake, '2027-01-01')).toBe(true);
  });
});

describe('mergeNewVersion', () => {
  const today = '2026-11-25'; // December 2026 (opened 10-11) and January 2027 (opened 11-11) are published
  const generated = generateCalendar(earlierRule, 2026);

  it('takes every generated date for a first version', () => {
    const result = mergeNewVersion({ previous: null, generated, explicitMonths: new Map(), newVersion: 1, today });
    expect(result.cycles.every((c) => c.keptFromVersion === 1 && !c.changedAfterOpening)).toBe(true);
    expect(result.keptMonths).toEqual([]);
  });

  it('keeps the dates of months whose window has opened and applies the change to the others', () => {
    const result = mergeNewVersion({ previous: v1, generated, explicitMonths: new Map(), newVersion: 2, today });
    expect(result.keptMonths).toEqual(['2026-04', '2026-05', '2026-06', '2026-07', '2026-08', '2026-09', '2026-10', '2026-11', '2026-12', '2027-01']);
    const january = byMonth(result.cycles, '2027-01') as VersionedCycle;
    expect([january.closesOn, january.keptFromVersion]).toEqual(['2026-12-10', 1]);
    const february = byMonth(result.cycles, '2027-02') as VersionedCycle;
    expect([february.closesOn, february.keptFromVersion]).toEqual(['2027-01-05', 2]);
  });

  it('does not report a month as kept when the new rule gives it the same dates', () => {
    const result = mergeNewVersion({ previous: v1, generated: generateCalendar(rule, 2026), explicitMonths: new Map(), newVersion: 2, today });
    expect(result.keptMonths).toEqual([]);
    expect(byMonth(result.cycles, '2027-01')).toMatchObject({ keptFromVersion: 1 });
    expect(byMonth(result.cycles, '2027-02')).toMatchObject({ keptFromVersion: 2 });
  });

  const withException = (exception: IntakeException) => {
    const exceptions = [exception];
    return mergeNewVersion({
      previous: v1,
      generated: generateCalendar(rule, 2026, exceptions),
      explicitMonths: new Map([[exception.intakeMonth, 0]]),
      newVersion: 2,
      today,
      exceptionsField: 'input.exceptions',
    });
  };

  it('lets an explicit exception extend an open window, and marks it', () => {
    const result = withException({ intakeMonth: '2027-01', closesOn: '2026-12-15', outOfAreaClosesOn: '2026-12-15' });
    expect(result.changedAfterOpeningMonths).toEqual(['2027-01']);
    expect(byMonth(result.cycles, '2027-01')).toMatchObject({ closesOn: '2026-12-15', keptFromVersion: 2, changedAfterOpening: true });
  });

  it.each<[string, IntakeException, string]>([
    ['bring a deadline forward', { intakeMonth: '2027-01', closesOn: '2026-12-08' }, 'input.exceptions[0].closesOn'],
    ['move the opening day', { intakeMonth: '2027-01', opensOn: '2026-11-01' }, 'input.exceptions[0].opensOn'],
    ['withdraw the intake', { intakeMonth: '2027-01', hasIntake: false, noIntakeReason: 'x', noIntakeReasonJa: 'x' }, 'input.exceptions[0].hasIntake'],
    ['change a month that has started', { intakeMonth: '2026-11', closesOn: '2026-10-20' }, 'input.exceptions[0].intakeMonth'],
  ])('refuses an exception that would %s (%#)', (_, exception, field) => {
    expect(() => withException(exception)).toThrow(expect.objectContaining({ code: 'BAD_USER_INPUT', field }));
  });

  it('lets an exception change a month that has not opened, without marking it', () => {
    const result = withException({ intakeMonth: '2027-03', closesOn: '2027-02-01' });
    expect(result.changedAfterOpeningMonths).toEqual([]);
    expect(byMonth(result.cycles, '2027-03')).toMatchObject({ closesOn: '2027-02-01', changedAfterOpening: false, keptFromVersion: 2 });
  });
});

describe('sameSchedule', () => {
  const january = byMonth(v1, '2027-01');
  it.each<[string, Partial<IntakeCycle>, boolean]>([
    ['identical', {}, true],
    ['another deadline', { closesOn: '2026-12-09' }, false],
    ['another result date', { resultNoticeOn: '2026-12-25' }, false],
    ['no intake', { hasIntake: false }, false],
  ])('%s → %s', (_, change, expected) => {
    expect(sameSchedule(january, { ...january, ...change })).toBe(expected);
  });
});
