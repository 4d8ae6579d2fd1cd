import { CareReason, DEFAULT_REQUIRED_DOCUMENTS, DocumentKind } from '../../src/procedures/care-reason';
import { generateCalendar, IntakeRule } from '../../src/procedures/intake-calendar';
import {
  MunicipalityProcedures,
  NEXT_ACTION_KINDS,
  NextActionsPlan,
  PlanInput,
  planNextActions,
  WishedFacility,
} from '../../src/procedures/next-actions';

const ITABASHI = '131199';
const KITA = '131172';

/** 板橋区-like: closes the 10th of the previous month, 管外 a week earlier, result mailed on the 25th, February and March only from January's allocation. */
const itabashiRule: IntakeRule = {
  opens: { monthOffset: -2, day: 11, adjust: 'NONE' },
  closes: { monthOffset: -1, day: 10, adjust: 'PREVIOUS_WORKING_DAY' },
  outOfAreaCloses: { relativeTo: 'closes', days: -7, adjust: 'PREVIOUS_WORKING_DAY' },
  resultNoticeOn: { monthOffset: -1, day: 25, adjust: 'NONE' },
  noIntakeMonths: [
    { month: 2, reason: 'February places are filled from the January allocation.', reasonJa: '2月入所は1月の利用調整で決定します。' },
    { month: 3, reason: 'March places are filled from the January allocation.', reasonJa: '3月入所は1月の利用調整で決定します。' },
  ],
};
const kitaRule: IntakeRule = {
  opens: { monthOffset: -1, day: 1, adjust: 'NEXT_WORKING_DAY' },
  closes: { monthOffset: -1, day: 15, adjust: 'PREVIOUS_WORKING_DAY' },
};

const itabashi: MunicipalityProcedures = {
  cycles: [...generateCalendar(itabashiRule, 2026), ...generateCalendar(itabashiRule, 2027)],
  requiredDocuments: DEFAULT_REQUIRED_DOCUMENTS,
  wishLimit: 3,
  name: { en: 'Itabashi City', ja: '板橋区' },
};
const kita: MunicipalityProcedures = {
  cycles: generateCalendar(kitaRule, 2026),
  requiredDocuments: DEFAULT_REQUIRED_DOCUMENTS,
  wishLimit: 5,
  name: { en: 'Kita City', ja: '北区' },
};

const sakura: WishedFacility = { id: 'f-sakura', name: 'さくら保育園', municipalityCode: ITABASHI, classAgesTaken: [0, 1, 2, 3, 4, 5], minimumAgeDays: 57, takesTourBookings: true };
const himawari: WishedFacility = { id: 'f-himawari', name: 'ひまわり小規模保育園', municipalityCode: ITABASHI, classAgesTaken: [0, 1, 2], minimumAgeDays: null, takesTourBookings: false };
const momiji: WishedFacility = { id: 'f-momiji', name: 'もみじこども園', municipalityCode: ITABASHI, classAgesTaken: [3, 4, 5], minimumAgeDays: null, takesTourBookings: true };
const aoba: WishedFacility = { id: 'f-aoba', name: 'あおば保育園', municipalityCode: KITA, classAgesTaken: [0, 1, 2, 3, 4, 5], minimumAgeDays: 43, takesTourBookings: true };

/** The scenario from the brief: born 2025-05-10, living in 板橋区, today 2026-11-25, earliest month. */
const scenario: PlanInput = {
  today: '2026-11-25',
  birthDate: '2025-05-10',
  residenceMunicipalityCode: ITABASHI,
  desiredIntakeMonth: null,
  wishedFacilities: [sakura, himawari, momiji],
  careReasons: [CareReason.EMPLOYMENT],
  documentsPrepared: [DocumentKind.APPLICATION_FORM],
  proceduresByMunicipality: { [ITABASHI]: itabashi, [KITA]: kita },
};

/** A compact view of a plan's actions for table comparison. */
const summary = (plan: NextActionsPlan) => plan.actions.map((a) => [a.kind, a.dueDate, a.facilityId ?? a.documentKind ?? a.municipalityCode]);
const warningKinds = (plan: NextActionsPlan) => plan.warnings.map((w) => (w.facilityId ? `${w.kind}:${w.facilityId}` : w.kind));

describe('planNextActions: born 2025-05-10 in 板橋区, today 2026-11-25, earliest month', () => {
  it('plans the January 2027 intake in the 0歳児 class, deadline 10 December', () => {
    const plan = planNextActions(scenario);
    expect([plan.intakeMonth, plan.classAge, plan.deadline, plan.outOfArea]).toEqual(['2027-01', 0, '2026-12-10', false]);
    expect(summary(plan)).toEqual([
      ['BOOK_TOUR', '2026-12-03', 'f-sakura'],
      ['PREPARE_DOCUMENT', '2026-12-08', DocumentKind.HOUSEHOLD_STATEMENT],
      ['PREPARE_DOCUMENT', '2026-12-08', DocumentKind.CHILD_STATUS_STATEMENT],
      ['PREPARE_DOCUMENT', '2026-12-08', DocumentKind.EMPLOYMENT_CERTIFICATE],
      ['SUBMIT_APPLICATION', '2026-12-10', ITABASHI],
      ['WAIT_FOR_RESULT', '2026-12-25', ITABASHI],
    ]);
    // もみじ takes 3–5 only: pointed out, not silently dropped, and no tour suggested.
    expect(warningKinds(plan)).toEqual(['FACILITY_DOES_NOT_TAKE_CLASS_AGE:f-momiji']);
    expect(plan.warnings[0].textJa).toContain('0歳児クラス');
  });

  it('uses the 管外 deadline a week earlier when a wish is in 北区, and warns about too many wishes', () => {
    const plan = planNextActions({ ...scenario, wishedFacilities: [sakura, himawari, momiji, aoba] });
    expect([plan.intakeMonth, plan.deadline, plan.outOfArea]).toEqual(['2027-01', '2026-12-03', true]);
    expect(summary(plan)).toEqual([
      ['BOOK_TOUR', '2026-11-26', 'f-sakura'],
      ['BOOK_TOUR', '2026-11-26', 'f-aoba'],
      ['PREPARE_DOCUMENT', '2026-12-01', DocumentKind.HOUSEHOLD_STATEMENT],
      ['PREPARE_DOCUMENT', '2026-12-01', DocumentKind.CHILD_STATUS_STATEMENT],
      ['PREPARE_DOCUMENT', '2026-12-01', DocumentKind.EMPLOYMENT_CERTIFICATE],
      ['SUBMIT_APPLICATION', '2026-12-03', ITABASHI],
      ['WAIT_FOR_RESULT', '2026-12-25', ITABASHI],
    ]);
    expect(plan.actions.find((a) => a.kind === 'SUBMIT_APPLICATION')?.textJa).toContain('管外');
    expect(warningKinds(plan)).toEqual(['TOO_MANY_WISHES', 'FACILITY_DOES_NOT_TAKE_CLASS_AGE:f-momiji']);
  });
});

describe('planNextActions: choosing the month', () => {
  it.each<[string, Partial<PlanInput>, string | null, string | null, string[]]>([
    ['the desired month is open', { desiredIntakeMonth: '2027-01' }, '2027-01', '2026-12-10', ['FACILITY_DOES_NOT_TAKE_CLASS_AGE:f-momiji']],
    ['the desired month’s deadline has passed', { desiredIntakeMonth: '2026-12' }, '2027-01', '2026-12-10', ['DESIRED_MONTH_UNAVAILABLE', 'FACILITY_DOES_NOT_TAKE_CLASS_AGE:f-momiji']],
    // No February or March intake: the next open month is April 2027 (FY2027, class age 1).
    ['the desired month has no intake', { desiredIntakeMonth: '2027-02' }, '2027-04', '2027-03-10', ['DESIRED_MONTH_UNAVAILABLE', 'FACILITY_DOES_NOT_TAKE_CLASS_AGE:f-momiji']],
    ['the desired month is not published', { desiredIntakeMonth: '2029-01' }, null, null, ['DESIRED_MONTH_UNAVAILABLE', 'NO_OPEN_INTAKE']],
    ['nothing is open any more', { today: '2027-12-11' }, null, null, ['NO_OPEN_INTAKE']],
    ['the deadline day itself is still open', { today: '2026-12-10' }, '2027-01', '2026-12-10', ['FACILITY_DOES_NOT_TAKE_CLASS_AGE:f-momiji']],
  ])('%s', (_label, change, intakeMonth, deadline, warnings) => {
    const plan = planNextActions({ ...scenario, ...change });
    expect([plan.intakeMonth, plan.deadline]).toEqual([intakeMonth, deadline]);
    expect(warningKinds(plan)).toEqual(warnings);
    const choose = plan.actions.filter((a) => a.kind === 'CHOOSE_ANOTHER_MONTH');
    expect(choose).toHaveLength(warnings.includes('DESIRED_MONTH_UNAVAILABLE') || warnings.includes('NO_OPEN_INTAKE') ? 1 : 0);
    // The month decision comes first: it changes every other date.
    if (choose.length) expect(plan.actions[0]).toMatchObject({ kind: 'CHOOSE_ANOTHER_MONTH', dueDate: plan.actions[0].dueDate });
  });

  it('says why the month moved, in both languages', () => {
    const plan = planNextActions({ ...scenario, desiredIntakeMonth: '2027-02' });
    const warning = plan.warnings.find((w) => w.kind === 'DESIRED_MONTH_UNAVAILABLE');
    expect(warning?.textEn).toContain('February places are filled from the January allocation.');
    expect(warning?.textEn).toContain('2027-04');
    expect(warning?.textJa).toContain('2月入所は1月の利用調整で決定します');
    expect(plan.classAge).toBe(1);
  });

  it('says which deadline passed', () => {
    const plan = planNextActions({ ...scenario, desiredIntakeMonth: '2026-12' });
    expect(plan.actions[0]).toMatchObject({ kind: 'CHOOSE_ANOTHER_MONTH', dueDate: '2026-11-25' });
    expect(plan.actions[0].textEn).toContain('passed on 2026-11-10');
    expect(plan.actions[0].textJa).toContain('2026-11-10');
  });
});

describe('planNextActions: the child', () => {
  it.each<[string, Partial<PlanInput>, string[]]>([
    ['not yet born, and not by the entry date', { birthDate: '2027-02-15', desiredIntakeMonth: '2027-01' }, ['CHILD_NOT_YET_BORN', 'CHILD_NOT_BORN_BY_ENTRY']],
    ['not yet born, but by the entry date', { birthDate: '2026-12-01', wishedFacilities: [himawari] }, ['CHILD_NOT_YET_BORN']],
    ['of school age', { birthDate: '2020-04-01', wishedFacilities: [himawari] }, ['CHILD_OVER_DAYCARE_AGE']],
    // Born 2026-11-10: 52 days old on 2027-01-01, さくら takes from 57 days.
    ['too young for one facility', { birthDate: '2026-11-10', wishedFacilities: [sakura, himawari] }, ['FACILITY_MINIMUM_AGE_NOT_REACHED:f-sakura']],
    ['no reason for care and no wishes', { careReasons: [], wishedFacilities: [] }, ['NO_WISHED_FACILITIES', 'NO_CARE_REASON']],
  ])('%s', (_label, change, warnings) => {
    expect(warningKinds(planNextActions({ ...scenario, ...change }))).toEqual(warnings);
  });

  it('gives the day the minimum age is reached and suggests no tour', () => {
    const plan = planNextActions({ ...scenario, birthDate: '2026-11-10', wishedFacilities: [sakura, himawari] });
    expect(plan.warnings[0].textEn).toContain('2027-01-06');
    expect(plan.actions.some((a) => a.kind === 'BOOK_TOUR')).toBe(false);
  });
});

describe('planNextActions: actions', () => {
  it.each<[string, Partial<PlanInput>, Array<[string, string, string | undefined]>]>([
    [
      'everything prepared: submit and wait',
      {
        wishedFacilities: [himawari],
        documentsPrepared: [DocumentKind.APPLICATION_FORM, DocumentKind.HOUSEHOLD_STATEMENT, DocumentKind.CHILD_STATUS_STATEMENT, DocumentKind.EMPLOYMENT_CERTIFICATE],
      },
      [['SUBMIT_APPLICATION', '2026-12-10', ITABASHI], ['WAIT_FOR_RESULT', '2026-12-25', ITABASHI]],
    ],
    [
      'two reasons: each adds its document once',
      { wishedFacilities: [himawari], careReasons: [CareReason.EMPLOYMENT, CareReason.PREGNANCY_CHILDBIRTH, CareReason.EMPLOYMENT], documentsPrepared: [DocumentKind.APPLICATION_FORM, DocumentKind.HOUSEHOLD_STATEMENT, DocumentKind.CHILD_STATUS_STATEMENT] },
      [
        ['PREPARE_DOCUMENT', '2026-12-08', DocumentKind.EMPLOYMENT_CERTIFICATE],
        ['PREPARE_DOCUMENT', '2026-12-08', DocumentKind.MATERNITY_HANDBOOK_COPY],
        ['SUBMIT_APPLICATION', '2026-12-10', ITABASHI],
        ['WAIT_FOR_RESULT', '2026-12-25', ITABASHI],
      ],
    ],
    [
      'close to the deadline: tours and documents are due today, never in the past',
      { today: '2026-12-09', wishedFacilities: [sakura], documentsPrepared: [DocumentKind.APPLICATION_FORM, DocumentKind.HOUSEHOLD_STATEMENT, DocumentKind.CHILD_STATUS_STATEMENT] },
      [
        ['BOOK_TOUR', '2026-12-09', 'f-sakura'],
        ['PREPARE_DOCUMENT', '2026-12-09', DocumentKind.EMPLOYMENT_CERTIFICATE],
        ['SUBMIT_APPLICATION', '2026-12-10', ITABASHI],
        ['WAIT_FOR_RESULT', '2026-12-25', ITABASHI],
      ],
    ],
    [
      'a municipality that asks for more than the national default',
      {
        wishedFacilities: [himawari],
        documentsPrepared: [DocumentKind.APPLICATION_FORM, DocumentKind.HOUSEHOLD_STATEMENT, DocumentKind.CHILD_STATUS_STATEMENT, DocumentKind.EMPLOYMENT_CERTIFICATE],
        proceduresByMunicipality: { [ITABASHI]: { ...itabashi, requiredDocuments: { common: [DocumentKind.APPLICATION_FORM, DocumentKind.OTHER], byReason: {} } } },
      },
      [['PREPARE_DOCUMENT', '2026-12-08', DocumentKind.OTHER], ['SUBMIT_APPLICATION', '2026-12-10', ITABASHI], ['WAIT_FOR_RESULT', '2026-12-25', ITABASHI]],
    ],
  ])('%s', (_label, change, expected) => {
    expect(summary(planNextActions({ ...scenario, ...change }))).toEqual(expected);
  });

  it('waits until the day before entry when no result date is published', () => {
    const noResultDate: MunicipalityProcedures = { ...itabashi, cycles: itabashi.cycles.map((c) => ({ ...c, resultNoticeOn: null })) };
    const plan = planNextActions({ ...scenario, proceduresByMunicipality: { [ITABASHI]: noResultDate } });
    expect(plan.actions.at(-1)).toMatchObject({ kind: 'WAIT_FOR_RESULT', dueDate: '2026-12-31' });
  });

  it('warns when the facility’s municipality has no intake that month', () => {
    const kitaWithoutJanuary: MunicipalityProcedures = {
      ...kita,
      cycles: generateCalendar(kitaRule, 2026, [{ intakeMonth: '2027-01', hasIntake: false, noIntakeReason: 'Renovation.', noIntakeReasonJa: '改修工事のため。' }]),
    };
    const plan = planNextActions({ ...scenario, wishedFacilities: [himawari, aoba], proceduresByMunicipality: { [ITABASHI]: itabashi, [KITA]: kitaWithoutJanuary } });
    expect(warningKinds(plan)).toEqual(['FACILITY_MUNICIPALITY_NO_INTAKE:f-aoba']);
    expect(plan.warnings[0].textJa).toContain('改修工事のため');
    expect(plan.actions.some((a) => a.facilityId === 'f-aoba')).toBe(false);
    // Still out of area: the 管外 deadline applies.
    expect(plan.deadline).toBe('2026-12-03');
  });

  it('orders by due date, then by kind, and writes every text in English and Japanese', () => {
    const plans = [
      planNextActions({ ...scenario, wishedFacilities: [sakura, himawari, momiji, aoba], desiredIntakeMonth: '2026-12' }),
      planNextActions({ ...scenario, birthDate: '2027-02-15', today: '2027-12-11' }),
    ];
    for (const plan of plans) {
      const keys = plan.actions.map((a) => `${a.dueDate}#${NEXT_ACTION_KINDS.indexOf(a.kind)}`);
      expect(keys).toEqual([...keys].sort());
      for (const item of [...plan.actions, ...plan.warnings]) {
        // Facility and municipality names stay as written, so English texts may contain Japanese names.
        expect(item.textEn).toMatch(/\b[A-Za-z]{3,} [A-Za-z]{2,}\b/);
        expect(item.textJa).toMatch(/[ぁ-んァ-ン一-龯]/);
      }
    }
  });
});

describe('planNextActions: bad input', () => {
  it.each<[string, Partial<PlanInput>, string, string]>([
    ['an impossible today', { today: '2026-02-30' }, 'BAD_USER_INPUT', 'today'],
    ['an impossible birth date', { birthDate: '2025-13-01' }, 'BAD_USER_INPUT', 'birthDate'],
    ['a malformed desired month', { desiredIntakeMonth: '2027-1' }, 'BAD_USER_INPUT', 'desiredIntakeMonth'],
    ['no procedures for the residence', { residenceMunicipalityCode: '132012' }, 'NOT_FOUND', 'residenceMunicipalityCode'],
  ])('%s', (_label, change, code, field) => {
    expect(() => planNextActions({ ...scenario, ...change })).toThrow(expect.objectContaining({ code, field }));
  });
});
