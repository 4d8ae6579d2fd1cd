import { ageInDaysOn, classAgeFor, classAgeInfo, fiscalYearOf, legalAgeAtStartOf } from '../../src/procedures/class-age';

describe('fiscalYearOf', () => {
  it.each([
    ['2026-04', 2026],
    ['2026-10', 2026],
    ['2027-01', 2026],
    ['2027-03', 2026],
    ['2026-03', 2025],
  ])('%s → FY%d', (month, fiscalYear) => {
    expect(fiscalYearOf(month)).toBe(fiscalYear);
  });
});

describe('legalAgeAtStartOf', () => {
  it.each([
    // The year is completed at the end of the day before the birthday.
    ['2025-04-01', '2026-03-31', 0],
    ['2025-04-01', '2026-04-01', 1],
    // A leap-day child completes its year at the end of 28 February in a common year.
    ['2024-02-29', '2025-02-28', 0],
    ['2024-02-29', '2025-03-01', 1],
    ['2024-02-29', '2028-02-29', 4],
  ])('born %s, on %s → %d', (birthDate, date, age) => {
    expect(legalAgeAtStartOf(birthDate, date)).toBe(age);
  });
});

describe('classAgeFor (1 April rule)', () => {
  it.each([
    // DOMAIN.md: intake October 2026 (FY2026)
    ['2025-04-02', '2026-10', 0],
    ['2026-04-01', '2026-10', 0],
    ['2024-04-02', '2026-10', 1],
    ['2025-04-01', '2026-10', 1],
    // Born 1 April joins the older class; born 2 April the younger.
    ['2024-04-01', '2026-10', 2],
    ['2024-04-02', '2026-10', 1],
    // Intake in March vs April of the same calendar year: a new fiscal year, one class up.
    ['2025-06-15', '2026-03', 0],
    ['2025-06-15', '2026-04', 0],
    ['2024-06-15', '2026-03', 0],
    ['2024-06-15', '2026-04', 1],
    ['2025-01-15', '2026-03', 0],
    ['2025-01-15', '2026-04', 1],
    // 29 February birthdays are ordinary for the 1 April rule.
    ['2024-02-29', '2026-10', 2],
    ['2024-02-29', '2027-03', 2],
    ['2024-02-29', '2027-04', 3],
    // Born during the fiscal year, before entry: 0歳児 class.
    ['2026-06-01', '2026-10', 0],
    ['2026-10-01', '2026-10', 0],
    ['2026-06-01', '2027-01', 0],
    // Not yet born on the entry date.
    ['2026-10-02', '2026-10', -1],
    ['2027-05-01', '2026-10', -2],
    // School age.
    ['2019-04-01', '2026-04', 7],
    ['2020-04-01', '2026-04', 6],
    ['2020-04-02', '2026-04', 5],
  ])('born %s, intake %s → class age %d', (birthDate, intakeMonth, classAge) => {
    expect(classAgeFor(birthDate, intakeMonth)).toBe(classAge);
  });
});

describe('ageInDaysOn', () => {
  it.each([
    ['2025-05-10', '2025-05-10', 0],
    ['2025-05-10', '2025-07-06', 57],
    ['2026-11-01', '2026-10-01', -31],
  ])('born %s, on %s → %d days', (birthDate, date, days) => {
    expect(ageInDaysOn(birthDate, date)).toBe(days);
  });
});

describe('classAgeInfo', () => {
  it.each([
    // 57 days (産休明け) reached exactly on the entry date, and one day short.
    ['2026-08-05', '2026-10', 57, { classAge: 0, ageInDaysAtEntry: 57, reachedMinimumAge: true, minimumAgeReachedOn: '2026-10-01', inDaycareRange: true }],
    ['2026-08-06', '2026-10', 57, { classAge: 0, ageInDaysAtEntry: 56, reachedMinimumAge: false, minimumAgeReachedOn: '2026-10-02', inDaycareRange: true }],
    // No minimum age.
    ['2025-05-10', '2027-01', null, { classAge: 0, ageInDaysAtEntry: 601, reachedMinimumAge: true, minimumAgeReachedOn: null, inDaycareRange: true }],
    // Unborn: out of range and never old enough.
    ['2026-12-01', '2026-10', null, { classAge: -1, ageInDaysAtEntry: -61, reachedMinimumAge: false, minimumAgeReachedOn: null, inDaycareRange: false }],
    // School age.
    ['2020-04-01', '2026-10', null, { classAge: 6, reachedMinimumAge: true, inDaycareRange: false }],
  ])('born %s, intake %s, minimum %p days', (birthDate, intakeMonth, minimumAgeDays, expected) => {
    const info = classAgeInfo(birthDate, intakeMonth, minimumAgeDays);
    expect(info).toMatchObject(expected);
    expect(info.entryDate).toBe(`${intakeMonth}-01`);
    expect(info.fiscalYear).toBe(fiscalYearOf(intakeMonth));
  });

  it('rejects an impossible birth date, naming the field', () => {
    expect(() => classAgeInfo('2025-02-29', '2026-10', null)).toThrow(expect.objectContaining({ code: 'BAD_USER_INPUT', field: 'birthDate' }));
  });
});
