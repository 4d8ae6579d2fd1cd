import { CareReason, DocumentKind } from '../../src/procedures/care-reason';
import { validateRule } from '../../src/procedures/intake-calendar';
import { japanDateOf } from '../../src/common/dates';
import { FlatDayRule, fromDayRule, fromIntakeRule, toDayRule, toIntakeRule, toRequiredDocuments, withFieldPrefix } from '../../src/procedures/procedure-input';

describe('toDayRule', () => {
  it.each<[FlatDayRule, unknown]>([
    [{ monthOffset: -1, day: 10, adjust: 'PREVIOUS_WORKING_DAY' }, { monthOffset: -1, day: 10, adjust: 'PREVIOUS_WORKING_DAY' }],
    [{ monthOffset: -1, lastDayOfMonth: true, adjust: 'NONE' }, { monthOffset: -1, day: 'LAST', adjust: 'NONE' }],
    [{ daysFromCloses: -7, adjust: 'PREVIOUS_WORKING_DAY' }, { relativeTo: 'closes', days: -7, adjust: 'PREVIOUS_WORKING_DAY' }],
    [{ monthOffset: -1, day: 16, lastDayOfMonth: null, daysFromCloses: null, adjust: 'NEXT_WORKING_DAY' }, { monthOffset: -1, day: 16, adjust: 'NEXT_WORKING_DAY' }],
  ])('%j → %j, and back', (flat, domain) => {
    expect(toDayRule('r', flat)).toEqual(domain);
    const roundTrip = fromDayRule(toDayRule('r', flat));
    expect(toDayRule('r', roundTrip)).toEqual(domain);
  });

  it.each<[FlatDayRule, string]>([
    [{ daysFromCloses: -7, monthOffset: -1, adjust: 'NONE' }, 'r.daysFromCloses'],
    [{ day: 10, adjust: 'NONE' }, 'r.monthOffset'],
    [{ monthOffset: -1, adjust: 'NONE' }, 'r.day'],
    [{ monthOffset: -1, day: 10, lastDayOfMonth: true, adjust: 'NONE' }, 'r.day'],
  ])('refuses %j naming %s', (flat, field) => {
    expect(() => toDayRule('r', flat)).toThrow(expect.objectContaining({ code: 'BAD_USER_INPUT', field }));
  });
});

describe('toIntakeRule', () => {
  it('round-trips a full rule', () => {
    const flat = {
      opens: { monthOffset: -2, day: 11, adjust: 'NONE' as const },
      closes: { monthOffset: -1, day: 10, adjust: 'PREVIOUS_WORKING_DAY' as const },
      outOfAreaCloses: { daysFromCloses: -7, adjust: 'PREVIOUS_WORKING_DAY' as const },
      allocationOn: { monthOffset: -1, day: 16, adjust: 'NEXT_WORKING_DAY' as const },
      resultNoticeOn: null,
      noIntakeMonths: [{ month: 2, reason: 'r', reasonJa: 'r' }],
    };
    const rule = toIntakeRule('input.rule', flat);
    expect(rule.resultNoticeOn).toBeUndefined();
    expect(toIntakeRule('input.rule', fromIntakeRule(rule))).toEqual(rule);
  });

  it('names the request field of a rule the calendar refuses', () => {
    const rule = toIntakeRule('input.rule', {
      opens: { monthOffset: -2, day: 11, adjust: 'NONE' },
      closes: { monthOffset: -1, day: 10, adjust: 'NONE' },
      outOfAreaCloses: { daysFromCloses: 3, adjust: 'NONE' },
    });
    expect(() => withFieldPrefix('input', () => validateRule(rule))).toThrow(expect.objectContaining({ field: 'input.rule.outOfAreaCloses' }));
  });
});

describe('toRequiredDocuments', () => {
  it('keeps each document once and each reason once', () => {
    const docs = toRequiredDocuments('d', {
      common: [DocumentKind.APPLICATION_FORM, DocumentKind.APPLICATION_FORM],
      byReason: [{ reason: CareReason.ILLNESS_DISABILITY, documents: [DocumentKind.MEDICAL_CERTIFICATE, DocumentKind.DISABILITY_CERTIFICATE] }],
    });
    expect(docs).toEqual({ common: [DocumentKind.APPLICATION_FORM], byReason: { ILLNESS_DISABILITY: [DocumentKind.MEDICAL_CERTIFICATE, DocumentKind.DISABILITY_CERTIFICATE] } });
  });

  it('refuses a reason listed twice, naming the second', () => {
    const twice = { reason: CareReason.EMPLOYMENT, documents: [DocumentKind.EMPLOYMENT_CERTIFICATE] };
    expect(() => toRequiredDocuments('d', { common: [], byReason: [twice, twice] })).toThrow(expect.objectContaining({ field: 'd.byReason[1].reason' }));
  });
});

describe('japanDateOf', () => {
  it.each([
    ['2026-11-24T14:59:59Z', '2026-11-24'],
    ['2026-11-24T15:00:00Z', '2026-11-25'],
    ['2026-12-31T23:00:00+09:00', '2026-12-31'],
  ])('%s is %s in Japan', (instant, date) => {
    expect(japanDateOf(new Date(instant))).toBe(date);
  });
});
