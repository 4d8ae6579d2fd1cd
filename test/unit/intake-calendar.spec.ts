import { HubError } from '../../src/common/errors';
import { addWorkingDays, isJapaneseHoliday, isWorkingDay, japaneseHolidayName } from '../../src/procedures/holidays';
import {
  earliestOpenCycle,
  generateCalendar,
  IntakeCycle,
  IntakeException,
  IntakeRule,
  validateRule,
} from '../../src/procedures/intake-calendar';

describe('isJapaneseHoliday', () => {
  it.each([
    ['2026-01-12', true], // 成人の日
    ['2026-05-06', true], // 振替休日 (憲法記念日 falls on a Sunday)
    ['2026-09-21', true], // 敬老の日
    ['2026-09-22', true], // 国民の休日 (between two holidays)
    ['2026-09-23', true], // 秋分の日
    ['2028-01-10', true], // 成人の日 on a 10th
    ['2026-01-13', false],
    ['2026-09-24', false],
    ['2026-12-29', false], // office closure, not a public holiday
  ])('%s → %p', (date, expected) => {
    expect(isJapaneseHoliday(date)).toBe(expected);
  });

  it('names the holiday', () => {
    expect(japaneseHolidayName('2026-01-12')).toBe('成人の日');
    expect(japaneseHolidayName('2026-01-13')).toBeNull();
  });

  it.each(['UTC', 'Asia/Tokyo', 'America/Los_Angeles', 'Pacific/Kiritimati'])('gives the same answer in TZ=%s', (timeZone) => {
    const original = process.env.TZ;
    process.env.TZ = timeZone;
    try {
      expect(['2026-01-12', '2026-01-13', '2026-05-06', '2026-05-07'].map(isJapaneseHoliday)).toEqual([true, false, true, false]);
    } finally {
      if (original === undefined) delete process.env.TZ;
      else process.env.TZ = original;
    }
  });
});

describe('isWorkingDay', () => {
  it.each([
    ['2026-09-10', true], // Thursday
    ['2026-10-10', false], // Saturday
    ['2026-05-10', false], // Sunday
    ['2026-01-12', false], // 成人の日
    ['2026-12-28', true], // last office day of the year
    ['2026-12-29', false],
    ['2027-01-01', false],
    ['2027-01-04', true], // the closure ends on 3 January
  ])('%s → %p', (date, expected) => {
    expect(isWorkingDay(date)).toBe(expected);
  });
});

describe('addWorkingDays', () => {
  it.each([
    ['2026-12-10', -5, '2026-12-03'],
    ['2026-12-10', -2, '2026-12-08'],
    ['2027-01-04', -1, '2026-12-28'],
    ['2026-09-24', -1, '2026-09-18'], // over the 19–23 September weekend and holidays
    ['2026-09-18', 1, '2026-09-24'],
    ['2026-10-10', 0, '2026-10-10'],
  ])('%s, %d working days → %s', (date, days, expected) => {
    expect(addWorkingDays(date, days)).toBe(expected);
  });
});

/** "Closes the 10th of the previous month, the working day before if the office is closed." */
const tenthOfPreviousMonth: IntakeRule = {
  opens: { monthOffset: -2, day: 11, adjust: 'NONE' },
  closes: { monthOffset: -1, day: 10, adjust: 'PREVIOUS_WORKING_DAY' },
  outOfAreaCloses: { relativeTo: 'closes', days: -7, adjust: 'PREVIOUS_WORKING_DAY' },
  allocationOn: { monthOffset: -1, day: 16, adjust: 'NEXT_WORKING_DAY' },
  resultNoticeOn: { monthOffset: -1, day: 25, adjust: 'NONE' },
};

const byMonth = (cycles: IntakeCycle[]) => new Map(cycles.map((cycle) => [cycle.intakeMonth, cycle]));

describe('generateCalendar: closes on the 10th of the previous month (FY2026)', () => {
  const cycles = byMonth(generateCalendar(tenthOfPreviousMonth, 2026));

  it('makes twelve cycles, April to March, entry on the 1st', () => {
    expect([...cycles.keys()]).toEqual([
      '2026-04', '2026-05', '2026-06', '2026-07', '2026-08', '2026-09',
      '2026-10', '2026-11', '2026-12', '2027-01', '2027-02', '2027-03',
    ]);
    expect([...cycles.values()].every((cycle) => cycle.hasIntake && cycle.entryOn === `${cycle.intakeMonth}-01`)).toBe(true);
  });

  it.each([
    ['2026-04', '2026-03-10', 'Tuesday'],
    ['2026-06', '2026-05-08', 'the 10th is a Sunday'],
    ['2026-09', '2026-08-10', 'Monday (山の日 is the 11th)'],
    ['2026-10', '2026-09-10', 'Thursday'],
    ['2026-11', '2026-10-09', 'the 10th is a Saturday: Friday 9th'],
    ['2027-01', '2026-12-10', 'Thursday'],
    ['2027-02', '2027-01-08', 'the 10th is a Sunday and the 11th 成人の日: Friday 8th'],
  ])('%s intake closes %s (%s)', (intakeMonth, closesOn) => {
    expect(cycles.get(intakeMonth)?.closesOn).toBe(closesOn);
  });

  it.each([
    ['2026-10', '2026-09-03'],
    ['2026-11', '2026-10-02'],
    ['2027-01', '2026-12-03'],
    ['2026-06', '2026-05-01'], // 8 May - 7 = 1 May (Friday)
  ])('%s intake: the 管外 deadline is a week earlier, %s', (intakeMonth, outOfAreaClosesOn) => {
    expect(cycles.get(intakeMonth)?.outOfAreaClosesOn).toBe(outOfAreaClosesOn);
  });

  it('computes the other dates of a cycle', () => {
    expect(cycles.get('2026-10')).toEqual({
      intakeMonth: '2026-10',
      hasIntake: true,
      opensOn: '2026-08-11',
      closesOn: '2026-09-10',
      outOfAreaClosesOn: '2026-09-03',
      allocationOn: '2026-09-16',
      resultNoticeOn: '2026-09-25',
      entryOn: '2026-10-01',
    });
    // 16 August 2026 is a Sunday: allocation moves to Monday the 17th.
    expect(cycles.get('2026-09')?.allocationOn).toBe('2026-08-17');
  });
});

describe('generateCalendar: day rules', () => {
  it.each<[string, IntakeRule['closes'], number, string, string]>([
    ['a 10th that is a holiday (成人の日 2028-01-10)', { monthOffset: -1, day: 10, adjust: 'PREVIOUS_WORKING_DAY' }, 2027, '2028-02', '2028-01-07'],
    ['the same holiday, moving forward', { monthOffset: -1, day: 10, adjust: 'NEXT_WORKING_DAY' }, 2027, '2028-02', '2028-01-11'],
    ['no adjustment keeps a Saturday', { monthOffset: -1, day: 10, adjust: 'NONE' }, 2026, '2026-11', '2026-10-10'],
    ['the last day of December falls in the year-end closure', { monthOffset: -1, day: 'LAST', adjust: 'PREVIOUS_WORKING_DAY' }, 2026, '2027-01', '2026-12-28'],
    ['day 31 is clamped to 30 April', { monthOffset: -1, day: 31, adjust: 'NONE' }, 2026, '2026-05', '2026-04-30'],
    ['day 30 is clamped to 28 February', { monthOffset: -1, day: 30, adjust: 'NONE' }, 2026, '2027-03', '2027-02-28'],
    ['two months ahead', { monthOffset: -2, day: 15, adjust: 'PREVIOUS_WORKING_DAY' }, 2026, '2027-01', '2026-11-13'],
  ])('%s', (_label, closes, fiscalYear, intakeMonth, closesOn) => {
    const rule: IntakeRule = { opens: { monthOffset: -3, day: 1, adjust: 'NONE' }, closes };
    const cycle = generateCalendar(rule, fiscalYear).find((c) => c.intakeMonth === intakeMonth);
    expect(cycle?.closesOn).toBe(closesOn);
    // Without a 管外 rule the 管外 deadline is the ordinary one.
    expect(cycle?.outOfAreaClosesOn).toBe(closesOn);
    expect(cycle?.allocationOn).toBeNull();
  });

  it('opens on the next working day after New Year', () => {
    const rule: IntakeRule = { opens: { monthOffset: -1, day: 1, adjust: 'NEXT_WORKING_DAY' }, closes: { monthOffset: -1, day: 10, adjust: 'PREVIOUS_WORKING_DAY' } };
    expect(generateCalendar(rule, 2026).find((c) => c.intakeMonth === '2027-02')?.opensOn).toBe('2027-01-04');
  });

  it('gives the 管外 deadline its own day when stated as a month day', () => {
    const rule: IntakeRule = { ...tenthOfPreviousMonth, outOfAreaCloses: { monthOffset: -1, day: 1, adjust: 'NEXT_WORKING_DAY' } };
    expect(generateCalendar(rule, 2026).find((c) => c.intakeMonth === '2026-11')?.outOfAreaClosesOn).toBe('2026-10-01');
  });
});

describe('generateCalendar: no intake months and exceptions', () => {
  const rule: IntakeRule = {
    ...tenthOfPreviousMonth,
    noIntakeMonths: [
      { month: 2, reason: 'Places for February are filled from the January allocation.', reasonJa: '2月入所は1月の利用調整で決定します。' },
      { month: 3, reason: 'No entry in March.', reasonJa: '3月入所はありません。' },
    ],
  };

  it('marks February and March without intake, with the reason and no dates', () => {
    const cycles = byMonth(generateCalendar(rule, 2026));
    expect(cycles.get('2027-02')).toEqual({
      intakeMonth: '2027-02',
      hasIntake: false,
      noIntakeReason: 'Places for February are filled from the January allocation.',
      noIntakeReasonJa: '2月入所は1月の利用調整で決定します。',
      opensOn: null,
      closesOn: null,
      outOfAreaClosesOn: null,
      allocationOn: null,
      resultNoticeOn: null,
      entryOn: '2027-02-01',
    });
    expect(cycles.get('2027-03')?.hasIntake).toBe(false);
    expect(cycles.get('2027-01')?.hasIntake).toBe(true);
  });

  it.each<[string, IntakeException, Partial<IntakeCycle>]>([
    [
      'an earlier deadline for January moves the 管外 deadline with it',
      { intakeMonth: '2027-01', closesOn: '2026-12-04' },
      { closesOn: '2026-12-04', outOfAreaClosesOn: '2026-11-27', opensOn: '2026-11-11', resultNoticeOn: '2026-12-25' },
    ],
    [
      'an explicit 管外 deadline wins',
      { intakeMonth: '2027-01', closesOn: '2026-12-04', outOfAreaClosesOn: '2026-12-01' },
      { closesOn: '2026-12-04', outOfAreaClosesOn: '2026-12-01' },
    ],
    [
      'February reopened this year',
      { intakeMonth: '2027-02', hasIntake: true },
      { hasIntake: true, closesOn: '2027-01-08', opensOn: '2026-12-11' },
    ],
    [
      'August closed for a move of the office',
      { intakeMonth: '2026-08', hasIntake: false, noIntakeReason: 'The office moves in July.', noIntakeReasonJa: '7月は庁舎移転のため受付を行いません。' },
      { hasIntake: false, closesOn: null, noIntakeReasonJa: '7月は庁舎移転のため受付を行いません。' },
    ],
    [
      'no allocation meeting this month',
      { intakeMonth: '2026-10', allocationOn: null },
      { allocationOn: null, resultNoticeOn: '2026-09-25' },
    ],
  ])('%s', (_label, exception, expected) => {
    const cycles = generateCalendar(rule, 2026, [exception]);
    expect(cycles.find((c) => c.intakeMonth === exception.intakeMonth)).toMatchObject(expected);
    // Other months are untouched.
    expect(cycles.find((c) => c.intakeMonth === '2026-11')?.closesOn).toBe('2026-10-09');
  });

  it.each<[string, IntakeException[], string]>([
    ['a month outside the fiscal year', [{ intakeMonth: '2027-04', closesOn: '2027-03-10' }], 'exceptions[0].intakeMonth'],
    ['two exceptions for one month', [{ intakeMonth: '2026-10' }, { intakeMonth: '2026-10' }], 'exceptions[1].intakeMonth'],
    ['an impossible date', [{ intakeMonth: '2026-10', closesOn: '2026-09-31' }], 'exceptions[0].closesOn'],
    ['a deadline on the entry day', [{ intakeMonth: '2026-10', closesOn: '2026-10-01' }], 'exceptions[0].closesOn'],
    ['a deadline before the window opens', [{ intakeMonth: '2026-10', closesOn: '2026-08-05' }], 'exceptions[0].opensOn'],
    ['a result before the deadline', [{ intakeMonth: '2026-10', resultNoticeOn: '2026-09-01' }], 'exceptions[0].resultNoticeOn'],
  ])('rejects %s, naming %s', (_label, exceptions, field) => {
    expect(() => generateCalendar(rule, 2026, exceptions)).toThrow(expect.objectContaining({ code: 'BAD_USER_INPUT', field }));
  });
});

describe('validateRule', () => {
  const base = tenthOfPreviousMonth;
  it.each<[string, IntakeRule, string]>([
    ['closes in the intake month itself', { ...base, closes: { monthOffset: 0, day: 1, adjust: 'NONE' } }, 'rule.closes.monthOffset'],
    ['closes after the intake month', { ...base, closes: { monthOffset: 1, day: 10, adjust: 'NONE' } }, 'rule.closes.monthOffset'],
    ['day 0', { ...base, closes: { monthOffset: -1, day: 0, adjust: 'NONE' } }, 'rule.closes.day'],
    ['day 32', { ...base, closes: { monthOffset: -1, day: 32, adjust: 'NONE' } }, 'rule.closes.day'],
    ['a fractional day', { ...base, opens: { monthOffset: -2, day: 1.5, adjust: 'NONE' } }, 'rule.opens.day'],
    ['an unknown adjustment', { ...base, closes: { monthOffset: -1, day: 10, adjust: 'NEAREST' as never } }, 'rule.closes.adjust'],
    ['opens after closes', { ...base, opens: { monthOffset: -1, day: 11, adjust: 'NONE' } }, 'rule.opens'],
    ['opens counted forward from closes', { ...base, opens: { relativeTo: 'closes', days: 3, adjust: 'NONE' } }, 'rule.opens'],
    ['closes counted from itself', { ...base, closes: { relativeTo: 'closes', days: -7, adjust: 'NONE' } as never }, 'rule.closes'],
    ['管外 deadline after the ordinary one', { ...base, outOfAreaCloses: { relativeTo: 'closes', days: 2, adjust: 'NONE' } }, 'rule.outOfAreaCloses'],
    ['allocation before the deadline', { ...base, allocationOn: { monthOffset: -1, day: 5, adjust: 'NONE' } }, 'rule.allocationOn'],
    ['result notice on the closing day', { ...base, resultNoticeOn: { relativeTo: 'closes', days: 0, adjust: 'NONE' } }, 'rule.resultNoticeOn'],
    ['a month 13 without intake', { ...base, noIntakeMonths: [{ month: 13, reason: 'x', reasonJa: 'x' }] }, 'rule.noIntakeMonths[0].month'],
    ['a no-intake month without a Japanese reason', { ...base, noIntakeMonths: [{ month: 2, reason: 'Full.', reasonJa: ' ' }] }, 'rule.noIntakeMonths[0].reason'],
  ])('rejects %s, naming %s', (_label, rule, field) => {
    let thrown: unknown;
    try {
      validateRule(rule);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(HubError);
    expect(thrown).toMatchObject({ code: 'BAD_USER_INPUT', field });
    expect((thrown as HubError).messageJa).toMatch(/[ぁ-んァ-ン一-龯]/);
  });

  it('accepts a sensible rule', () => {
    expect(() => validateRule(base)).not.toThrow();
  });

  it('rejects a working-day move that pushes the deadline onto the entry day', () => {
    // 31 December 2026 is in the year-end closure; moving forward lands on 4 January 2027, after the January entry.
    const rule: IntakeRule = { opens: { monthOffset: -2, day: 1, adjust: 'NONE' }, closes: { monthOffset: -1, day: 'LAST', adjust: 'NEXT_WORKING_DAY' } };
    expect(() => generateCalendar(rule, 2026)).toThrow(expect.objectContaining({ field: 'rule.closesOn' }));
  });
});

describe('earliestOpenCycle', () => {
  const rule: IntakeRule = {
    ...tenthOfPreviousMonth,
    noIntakeMonths: [{ month: 2, reason: 'No February entry.', reasonJa: '2月入所はありません。' }],
  };
  const cycles = [...generateCalendar(rule, 2026), ...generateCalendar(rule, 2027)].reverse(); // order must not matter

  it.each([
    ['2026-09-10', false, '2026-10'], // the deadline day itself is still open
    ['2026-09-11', false, '2026-11'],
    ['2026-09-03', true, '2026-10'],
    ['2026-09-04', true, '2026-11'], // the October 管外 deadline (2026-09-03) has passed; November's is 2026-10-02
    ['2026-11-25', false, '2027-01'],
    ['2026-12-11', false, '2027-03'], // February has no intake
    ['2026-12-11', true, '2027-03'],
  ])('today %s, 管外 %p → %s', (today, outOfArea, intakeMonth) => {
    expect(earliestOpenCycle(cycles, today, outOfArea)?.intakeMonth).toBe(intakeMonth);
  });

  it('returns null when nothing is open', () => {
    expect(earliestOpenCycle(generateCalendar(rule, 2026), '2027-02-11', false)).toBeNull();
  });
});
