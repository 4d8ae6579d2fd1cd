import { DEMO_PROCEDURES, demoProcedureInput } from '../../src/procedures/demo-procedures.seeder';
import { DEMO_KEYS, startTestHub, TestHub } from '../support/hub';

/**
 * Intake procedures, class age and "what to do now" through the API, on the demo data
 * (procedures for FY2026/FY2027 of the demo municipalities, seeded at start).
 */
let t: TestHub;
beforeAll(async () => {
  t = await startTestHub();
});
beforeEach(() => t.clock.set(new Date('2026-11-25T09:00:00+09:00')));
afterAll(() => t?.close());

const ITABASHI = '131199';
const ADACHI = '131211';

const FACILITY_IDS = `query($filter: FacilityFilter) { facilities(filter: $filter, first: 100) { edges { node { id name municipalityCode classAgesTaken takesTourBookings } } } }`;
async function facility(municipalityCode: string, text: string) {
  const r = await t.ok(FACILITY_IDS, { filter: { municipalityCodes: [municipalityCode], text } });
  const node = r.facilities.edges.map((e: any) => e.node).find((f: any) => f.name === text);
  expect(node).toBeDefined();
  return node as { id: string; name: string; classAgesTaken: number[]; takesTourBookings: boolean };
}
async function facilityWhere(municipalityCode: string, test: (f: { id: string; classAgesTaken: number[] }) => boolean) {
  const r = await t.ok(FACILITY_IDS, { filter: { municipalityCodes: [municipalityCode] } });
  const node = r.facilities.edges.map((e: any) => e.node).find(test);
  expect(node).toBeDefined();
  return node as { id: string; name: string };
}

const NEXT_ACTIONS = `query($input: NextActionsInput!) { nextActions(input: $input) {
  today intakeMonth classAge deadline outOfArea wishLimit requiredDocuments applicationValidity { kind months }
  cycle { intakeMonth opensOn closesOn outOfAreaClosesOn allocationOn resultNoticeOn entryOn }
  actions { kind dueDate textEn textJa facilityId documentKind municipalityCode }
  warnings { kind facilityId textEn textJa } } }`;

describe('what to do now: born 2025-05-10 in 板橋区, from the earliest possible month', () => {
  it('gives the class age, the deadlines and a complete, ordered action list', async () => {
    // The demo operator's facilities: かないくぼ has a 0歳児 class, みなみ takes 1–5 only.
    const kanaikubo = await facility(ITABASHI, 'かないくぼ');
    const minami = await facility(ITABASHI, 'みなみ');
    const another = await facilityWhere(ITABASHI, (f) => f.id !== kanaikubo.id && f.classAgesTaken.includes(0));
    expect(kanaikubo.classAgesTaken).toContain(0);
    expect(minami.classAgesTaken).not.toContain(0);

    const age = await t.ok(`{ classAge(birthDate: "2025-05-10", intakeMonth: "2027-01") { classAge fiscalYear entryDate inDaycareRange reachedMinimumAge } }`);
    expect(age.classAge).toEqual({ classAge: 0, fiscalYear: 2026, entryDate: '2027-01-01', inDaycareRange: true, reachedMinimumAge: true });

    const { nextActions: plan } = await t.ok(
      NEXT_ACTIONS,
      {
        input: {
          birthDate: '2025-05-10',
          residenceMunicipalityCode: ITABASHI,
          wishedFacilityIds: [kanaikubo.id, minami.id, another.id],
          careReasons: ['EMPLOYMENT'],
          documentsPrepared: ['APPLICATION_FORM'],
        },
      },
      DEMO_KEYS.PARTNER,
    );
    // Today (Japan) is 2026-11-25: December's deadline (11-10) has passed, January's (12-10) has not.
    // The wish limit is whatever 板橋区's procedure in force states (other test files may restate it).
    const stated = await t.ok(`{ intakeProcedure(municipalityCode: "${ITABASHI}", fiscalYear: 2026) { wishLimit } }`);
    expect(plan).toMatchObject({ today: '2026-11-25', intakeMonth: '2027-01', classAge: 0, deadline: '2026-12-10', outOfArea: false, wishLimit: stated.intakeProcedure.wishLimit });
    expect(plan.applicationValidity).toEqual({ kind: 'MONTHS', months: 6 });
    expect(plan.cycle).toEqual({
      intakeMonth: '2027-01',
      opensOn: '2026-11-11',
      closesOn: '2026-12-10',
      outOfAreaClosesOn: '2026-12-03',
      allocationOn: null,
      resultNoticeOn: '2026-12-25',
      entryOn: '2027-01-01',
    });
    expect(plan.requiredDocuments).toEqual(['APPLICATION_FORM', 'HOUSEHOLD_STATEMENT', 'CHILD_STATUS_STATEMENT', 'EMPLOYMENT_CERTIFICATE']);
    expect(plan.actions.map((a: any) => [a.kind, a.dueDate, a.facilityId ?? a.documentKind ?? a.municipalityCode])).toEqual([
      ['BOOK_TOUR', '2026-12-03', kanaikubo.id],
      ['BOOK_TOUR', '2026-12-03', another.id],
      ['PREPARE_DOCUMENT', '2026-12-08', 'HOUSEHOLD_STATEMENT'],
      ['PREPARE_DOCUMENT', '2026-12-08', 'CHILD_STATUS_STATEMENT'],
      ['PREPARE_DOCUMENT', '2026-12-08', 'EMPLOYMENT_CERTIFICATE'],
      ['SUBMIT_APPLICATION', '2026-12-10', ITABASHI],
      ['WAIT_FOR_RESULT', '2026-12-25', ITABASHI],
    ]);
    for (const action of plan.actions) {
      expect(action.textEn).toBeTruthy();
      expect(action.textJa).toBeTruthy();
    }
    expect(plan.actions[5].textJa).toContain('板橋区');
    // The facility without a 0歳児 class is pointed out, not silently dropped.
    expect(plan.warnings.map((w: any) => [w.kind, w.facilityId])).toEqual([['FACILITY_DOES_NOT_TAKE_CLASS_AGE', minami.id]]);
    expect(plan.warnings[0].textJa).toContain('0歳児クラス');
  });

  it('uses the earlier 管外 deadline when a wish is in another municipality', async () => {
    const kanaikubo = await facility(ITABASHI, 'かないくぼ');
    const senju = await facility(ADACHI, 'アイグラン保育園千住大橋');
    const { nextActions: plan } = await t.ok(NEXT_ACTIONS, {
      input: { birthDate: '2025-05-10', residenceMunicipalityCode: ITABASHI, wishedFacilityIds: [kanaikubo.id, senju.id], careReasons: ['EMPLOYMENT'], documentsPrepared: [] },
    });
    expect([plan.intakeMonth, plan.deadline, plan.outOfArea]).toEqual(['2027-01', '2026-12-03', true]);
    const submit = plan.actions.find((a: any) => a.kind === 'SUBMIT_APPLICATION');
    expect(submit).toMatchObject({ dueDate: '2026-12-03', municipalityCode: ITABASHI });
    expect(submit.textJa).toContain('管外');
  });

  it('moves to the earliest month still open when the desired one has passed, and says why', async () => {
    // On 11 December January's deadline has passed; 板橋区 has no February or March intake and the
    // April round closed on 4 December, so the earliest open month is May 2027.
    const { nextActions: plan } = await t.ok(NEXT_ACTIONS, {
      input: { birthDate: '2025-05-10', residenceMunicipalityCode: ITABASHI, desiredIntakeMonth: '2027-01', wishedFacilityIds: [], careReasons: ['EMPLOYMENT'], documentsPrepared: [], today: '2026-12-11' },
    });
    expect([plan.intakeMonth, plan.deadline, plan.classAge]).toEqual(['2027-05', '2027-04-09', 1]);
    expect(plan.actions[0]).toMatchObject({ kind: 'CHOOSE_ANOTHER_MONTH', dueDate: '2026-12-11' });
    expect(plan.warnings.map((w: any) => w.kind)).toEqual(['NO_WISHED_FACILITIES', 'DESIRED_MONTH_UNAVAILABLE']);
  });

  it('follows the clock for "today" when none is given', async () => {
    t.clock.set(new Date('2026-12-10T23:30:00+09:00'));
    const { nextActions: plan } = await t.ok(NEXT_ACTIONS, {
      input: { birthDate: '2025-05-10', residenceMunicipalityCode: ITABASHI, wishedFacilityIds: [], careReasons: [], documentsPrepared: [] },
    });
    expect([plan.today, plan.intakeMonth]).toEqual(['2026-12-10', '2027-01']);
  });

  it.each([
    [{ residenceMunicipalityCode: '131016' }, 'MUNICIPALITY_NOT_PARTICIPATING', 'input.residenceMunicipalityCode'],
    [{ residenceMunicipalityCode: '131010' }, 'BAD_USER_INPUT', 'input.residenceMunicipalityCode'],
    [{ wishedFacilityIds: ['00000000-0000-4000-8000-000000000000'] }, 'NOT_FOUND', 'input.wishedFacilityIds[0]'],
    [{ birthDate: '2025-02-30' }, 'BAD_USER_INPUT', 'input.birthDate'],
    [{ desiredIntakeMonth: '2027-13' }, 'BAD_USER_INPUT', 'input.desiredIntakeMonth'],
  ])('refuses %j with %s naming %s', async (change, code, field) => {
    const input = { birthDate: '2025-05-10', residenceMunicipalityCode: ITABASHI, wishedFacilityIds: [], careReasons: [], documentsPrepared: [], ...change };
    const r = await t.gql(NEXT_ACTIONS, { input });
    expect(r.errors?.[0].extensions).toMatchObject({ code, field });
    expect(r.errors?.[0].extensions.messageJa).toBeTruthy();
  });

  it('says so clearly when a participating municipality has published no procedure', async () => {
    const KITA = '131172';
    await t.ok(`mutation { setMunicipalityParticipation(code: "${KITA}", participates: true) { code } }`, {}, DEMO_KEYS.ADMIN);
    try {
      const r = await t.gql(NEXT_ACTIONS, { input: { birthDate: '2025-05-10', residenceMunicipalityCode: KITA, wishedFacilityIds: [], careReasons: [], documentsPrepared: [] } });
      expect(r.errors?.[0].extensions).toMatchObject({ code: 'NO_INTAKE_PROCEDURE', field: 'input.residenceMunicipalityCode' });
      expect(r.errors?.[0].message).toContain('北区');
    } finally {
      await t.ok(`mutation { setMunicipalityParticipation(code: "${KITA}", participates: false) { code } }`, {}, DEMO_KEYS.ADMIN);
    }
  });
});

describe('class age', () => {
  it.each([
    ['2025-04-01', '2026-10', 1],
    ['2025-04-02', '2026-10', 0],
    ['2026-04-01', '2026-10', 0],
    ['2026-09-30', '2026-10', 0],
    ['2026-10-02', '2026-10', -1],
    ['2020-04-02', '2026-04', 5],
  ])('born %s, intake %s → class %i', async (birthDate, intakeMonth, classAge) => {
    const r = await t.ok(`query($b: String!, $m: String!) { classAge(birthDate: $b, intakeMonth: $m) { classAge } }`, { b: birthDate, m: intakeMonth });
    expect(r.classAge.classAge).toBe(classAge);
  });

  it('checks a facility’s class ages', async () => {
    const olderOnly = await facilityWhere(ITABASHI, (f) => f.classAgesTaken.length > 0 && !f.classAgesTaken.includes(0));
    const r = await t.ok(`query($f: ID) { classAge(birthDate: "2025-05-10", intakeMonth: "2027-01", facilityId: $f) { classAge facilityId facilityTakesClassAge reachedMinimumAge } }`, { f: olderOnly.id });
    expect(r.classAge).toEqual({ classAge: 0, facilityId: olderOnly.id, facilityTakesClassAge: false, reachedMinimumAge: true });
  });

  it('names the bad argument', async () => {
    const r = await t.gql(`{ classAge(birthDate: "2025-13-01", intakeMonth: "2027-01") { classAge } }`);
    expect(r.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'birthDate' });
  });
});

const CYCLE_FIELDS = `intakeMonth hasIntake noIntakeReason noIntakeReasonJa opensOn closesOn outOfAreaClosesOn allocationOn resultNoticeOn entryOn keptFromVersion changedAfterOpening`;

describe('procedures per municipality', () => {
  it('publishes the demo calendars: 調布市 allocation on the 16th, 板橋区 results on the 25th and no February or March intake', async () => {
    const chofu = await t.ok(`{ intakeCalendar(municipalityCode: "132080", fiscalYear: 2026) { ${CYCLE_FIELDS} } }`);
    expect(chofu.intakeCalendar).toHaveLength(12);
    expect(chofu.intakeCalendar.find((c: any) => c.intakeMonth === '2027-01')).toMatchObject({ closesOn: '2026-12-10', allocationOn: '2026-12-16' });
    // 10 January 2027 is a Sunday and 11 January 成人の日: the deadline moves to Friday the 8th.
    expect(chofu.intakeCalendar.find((c: any) => c.intakeMonth === '2027-02')).toMatchObject({ closesOn: '2027-01-08', outOfAreaClosesOn: '2026-12-28' });

    const itabashi = await t.ok(`{ intakeProcedure(municipalityCode: "${ITABASHI}", fiscalYear: 2026) {
      municipalityCode fiscalYear version isDemo wishLimit channels validity { kind months } municipality { name }
      requiredDocuments { common byReason { reason documents } }
      rule { closes { monthOffset day adjust } outOfAreaCloses { daysFromCloses adjust } resultNoticeOn { monthOffset day } noIntakeMonths { month reasonJa } }
      cycles { ${CYCLE_FIELDS} } } }`);
    const p = itabashi.intakeProcedure;
    expect(p).toMatchObject({ municipalityCode: ITABASHI, fiscalYear: 2026, isDemo: true, validity: { kind: 'MONTHS', months: 6 }, municipality: { name: '板橋区' } });
    expect(p.rule.closes).toEqual({ monthOffset: -1, day: 10, adjust: 'PREVIOUS_WORKING_DAY' });
    expect(p.rule.outOfAreaCloses).toEqual({ daysFromCloses: -7, adjust: 'PREVIOUS_WORKING_DAY' });
    expect(p.requiredDocuments.byReason).toContainEqual({ reason: 'EMPLOYMENT', documents: ['EMPLOYMENT_CERTIFICATE'] });
    const february = p.cycles.find((c: any) => c.intakeMonth === '2027-02');
    expect(february).toMatchObject({ hasIntake: false, closesOn: null });
    expect(february.noIntakeReasonJa).toContain('1月');
    expect(p.cycles.find((c: any) => c.intakeMonth === '2026-12').resultNoticeOn).toBe('2026-11-25');
  });

  it('returns null for a year without a procedure, and a clear error for its calendar', async () => {
    const r = await t.ok(`{ intakeProcedure(municipalityCode: "${ITABASHI}", fiscalYear: 2030) { id } }`);
    expect(r.intakeProcedure).toBeNull();
    const c = await t.gql(`{ intakeCalendar(municipalityCode: "${ITABASHI}", fiscalYear: 2030) { intakeMonth } }`);
    expect(c.errors?.[0].extensions).toMatchObject({ code: 'NO_INTAKE_PROCEDURE', field: 'municipalityCode' });
  });

  const SET = `mutation($input: SetIntakeProcedureInput!) { setIntakeProcedure(input: $input) {
    created keptMonths changedAfterOpeningMonths procedure { version changeNote createdBy cycles { ${CYCLE_FIELDS} } } } }`;
  const HISTORY = `query($code: String!, $year: Int!) { procedureHistory(municipalityCode: $code, fiscalYear: $year) { version changeNote cycles { intakeMonth closesOn keptFromVersion } } }`;
  const shinagawa = DEMO_PROCEDURES.find((p) => p.code === '131091')!;
  const month = (cycles: any[], m: string) => cycles.find((c) => c.intakeMonth === m);

  it('keeps the dates of a window that has opened when the rule changes, and keeps the old version as history', async () => {
    const base = demoProcedureInput(shinagawa, 2026);
    const closesOnThe5th = { ...base, rule: { ...base.rule, closes: { monthOffset: -1, day: 5, adjust: 'PREVIOUS_WORKING_DAY' } }, changeNote: 'Deadline moves to the 5th.' };
    const changed = (await t.ok(SET, { input: closesOnThe5th }, DEMO_KEYS.ADMIN)).setIntakeProcedure;
    expect(changed.created).toBe(true);
    expect(changed.procedure.version).toBe(2);
    // December (opened 11 October) and January (opened 11 November) keep their published deadlines.
    expect(changed.keptMonths).toEqual(expect.arrayContaining(['2026-12', '2027-01']));
    expect(month(changed.procedure.cycles, '2027-01')).toMatchObject({ closesOn: '2026-12-10', keptFromVersion: 1 });
    expect(month(changed.procedure.cycles, '2027-02')).toMatchObject({ closesOn: '2027-01-05', keptFromVersion: 2 });

    const history = (await t.ok(HISTORY, { code: shinagawa.code, year: 2026 })).procedureHistory;
    expect(history.map((v: any) => v.version)).toEqual([2, 1]);
    expect(month(history[1].cycles, '2027-02').closesOn).toBe('2027-01-08');

    // The same input again changes nothing.
    const again = (await t.ok(SET, { input: closesOnThe5th }, DEMO_KEYS.ADMIN)).setIntakeProcedure;
    expect([again.created, again.procedure.version]).toEqual([false, 2]);

    // Naming the month in an exception extends its open window on purpose.
    const extended = {
      ...closesOnThe5th,
      exceptions: [...(closesOnThe5th.exceptions ?? []), { intakeMonth: '2027-01', closesOn: '2026-12-14', outOfAreaClosesOn: '2026-12-07' }],
      changeNote: 'January window extended after a system outage.',
    };
    const third = (await t.ok(SET, { input: extended }, DEMO_KEYS.ADMIN)).setIntakeProcedure;
    expect(third.changedAfterOpeningMonths).toEqual(['2027-01']);
    expect(month(third.procedure.cycles, '2027-01')).toMatchObject({ closesOn: '2026-12-14', keptFromVersion: 3, changedAfterOpening: true });

    // Bringing an open deadline forward is refused and stores nothing.
    const shortened = { ...extended, exceptions: [...(closesOnThe5th.exceptions ?? []), { intakeMonth: '2027-01', closesOn: '2026-12-01' }] };
    const refused = await t.gql(SET, { input: shortened }, DEMO_KEYS.ADMIN);
    expect(refused.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.exceptions[1].closesOn' });
    const after = (await t.ok(HISTORY, { code: shinagawa.code, year: 2026 })).procedureHistory;
    expect(after.map((v: any) => v.version)).toEqual([3, 2, 1]);
  });

  it('lets a municipality change only its own procedures', async () => {
    const adachi = demoProcedureInput(DEMO_PROCEDURES.find((p) => p.code === ADACHI)!, 2027);
    const refused = await t.gql(SET, { input: adachi }, DEMO_KEYS.MUNICIPALITY_ITABASHI);
    expect(refused.errors?.[0].extensions).toMatchObject({ code: 'FORBIDDEN', field: 'input.municipalityCode' });

    const own = demoProcedureInput(DEMO_PROCEDURES.find((p) => p.code === ITABASHI)!, 2027);
    const same = await t.ok(SET, { input: own }, DEMO_KEYS.MUNICIPALITY_ITABASHI);
    expect(same.setIntakeProcedure).toMatchObject({ created: false, procedure: { version: 1 } });
  });

  it.each<[string, string, (input: any) => any]>([
    ['a deadline in the intake month', 'input.rule.closes.monthOffset', (i) => ({ ...i, rule: { ...i.rule, closes: { monthOffset: 0, day: 10, adjust: 'NONE' } } })],
    ['a day rule in two forms', 'input.rule.opens.daysFromCloses', (i) => ({ ...i, rule: { ...i.rule, opens: { monthOffset: -2, day: 11, daysFromCloses: -20, adjust: 'NONE' } } })],
    ['a 管外 deadline after the ordinary one', 'input.rule.outOfAreaCloses', (i) => ({ ...i, rule: { ...i.rule, outOfAreaCloses: { daysFromCloses: 2, adjust: 'NONE' } } })],
    ['an exception outside the year', 'input.exceptions[0].intakeMonth', (i) => ({ ...i, exceptions: [{ intakeMonth: '2028-04', closesOn: '2028-03-01' }] })],
    ['validity in months without a number', 'input.validity.months', (i) => ({ ...i, validity: { kind: 'MONTHS' } })],
    ['no channel', 'input.channels', (i) => ({ ...i, channels: [] })],
    ['a wish limit of 0', 'input.wishLimit', (i) => ({ ...i, wishLimit: 0 })],
  ])('refuses %s naming %s, storing nothing', async (_, field, change) => {
    const before = await t.db.query(`SELECT count(*)::int AS n FROM intake_procedure`);
    const input = change(demoProcedureInput(DEMO_PROCEDURES.find((p) => p.code === ADACHI)!, 2026));
    const r = await t.gql(SET, { input }, DEMO_KEYS.ADMIN);
    expect(r.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field });
    expect(r.errors?.[0].extensions.messageJa).toBeTruthy();
    expect(await t.db.query(`SELECT count(*)::int AS n FROM intake_procedure`)).toEqual(before);
  });
});
