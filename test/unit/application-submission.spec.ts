import { applicationNotice, batchRow, BATCH_COLUMNS, fullApplicationDocument, personalDataOf, toJapanIso } from '../../src/applications/application-document';
import { ApplicationType } from '../../src/applications/application.entity';
import { childIdentityText, childKeyOf, childKeysUnderRing } from '../../src/applications/child-key';
import { defaultProcedure } from '../../src/applications/procedure-lookup';
import { MunicipalityInfo, routeApplication } from '../../src/applications/routing';
import { checkSubmission, FacilityFacts, missingDocumentsOf, SubmissionFacts } from '../../src/applications/submission-rules';
import { parseKeyRing } from '../../src/common/field-crypto';
import { CareReason, DocumentKind } from '../../src/procedures/care-reason';

const KEY_A = Buffer.alloc(32, 1).toString('base64');
const KEY_B = Buffer.alloc(32, 2).toString('base64');
const ring = parseKeyRing(`b:${KEY_B},a:${KEY_A}`, 'TEST');

describe('child key', () => {
  it.each([
    ['イタバシ ハナコ', 'いたばし　はなこ'],
    ['ｲﾀﾊﾞｼ ﾊﾅｺ', 'イタバシハナコ'],
  ])('%s and %s are the same child', (a, b) => {
    expect(childIdentityText({ kana: a, birthDate: '2024-06-15' })).toBe(childIdentityText({ kana: b, birthDate: '2024-06-15' }));
    expect(childKeyOf({ kana: a, birthDate: '2024-06-15' }, ring.current)).toBe(childKeyOf({ kana: b, birthDate: '2024-06-15' }, ring.current));
  });

  it.each([
    [{ kana: 'イタバシ ハナコ', birthDate: '2024-06-16' }],
    [{ kana: 'イタバシ ハルコ', birthDate: '2024-06-15' }],
  ])('another birth date or name is another child: %o', (other) => {
    expect(childKeyOf(other, ring.current)).not.toBe(childKeyOf({ kana: 'イタバシ ハナコ', birthDate: '2024-06-15' }, ring.current));
  });

  it('names the key and never contains the identity', () => {
    const key = childKeyOf({ kana: 'イタバシ ハナコ', birthDate: '2024-06-15' }, ring.current);
    expect(key).toMatch(/^b:[0-9a-f]{64}$/);
    expect(key).not.toContain('2024');
  });

  it('gives one key per ring key, current first, for the duplicate check across a rotation', () => {
    const keys = childKeysUnderRing({ kana: 'ア', birthDate: '2024-01-01' }, ring.all.values());
    expect(keys.map((k) => k.split(':')[0])).toEqual(['b', 'a']);
    expect(new Set(keys).size).toBe(2);
  });
});

const ITABASHI: MunicipalityInfo = { code: '131199', name: '板橋区', participates: true, acceptsDirectMoveInApplications: true };
const ADACHI: MunicipalityInfo = { code: '131211', name: '足立区', participates: true, acceptsDirectMoveInApplications: true };
const SAPPORO: MunicipalityInfo = { code: '011002', name: '札幌市', participates: false, acceptsDirectMoveInApplications: false };
const F1 = '00000000-0000-4000-8000-000000000001';
const F2 = '00000000-0000-4000-8000-000000000002';
const F_INFANT = '00000000-0000-4000-8000-000000000003';
const FACILITIES: FacilityFacts[] = [
  { id: F1, name: 'かないくぼ保育園', municipalityCode: ITABASHI.code, classAgesTaken: [0, 1, 2, 3, 4, 5], minimumAgeDays: null },
  { id: F2, name: '千住大橋保育園', municipalityCode: ADACHI.code, classAgesTaken: [1, 2], minimumAgeDays: null },
  { id: F_INFANT, name: 'ベビールーム', municipalityCode: ITABASHI.code, classAgesTaken: [0], minimumAgeDays: 57 },
];

function facts(overrides: Partial<SubmissionFacts> = {}): SubmissionFacts {
  return {
    today: '2026-09-20',
    facilities: new Map(FACILITIES.map((f) => [f.id, f])),
    municipalities: { [ITABASHI.code]: ITABASHI, [ADACHI.code]: ADACHI, [SAPPORO.code]: SAPPORO },
    procedures: new Map([ITABASHI.code, ADACHI.code].map((code) => [code, defaultProcedure(code, [2026, 2027])])),
    acceptsIncomplete: new Set([ITABASHI.code]),
    ...overrides,
  };
}

const ALL_DOCS = [DocumentKind.APPLICATION_FORM, DocumentKind.HOUSEHOLD_STATEMENT, DocumentKind.CHILD_STATUS_STATEMENT, DocumentKind.EMPLOYMENT_CERTIFICATE]
  .map((kind) => ({ kind, reference: `ref-${kind}` }));

function input(overrides: Record<string, unknown> = {}): any {
  return {
    idempotencyKey: 'k',
    child: { name: '花子', kana: 'ハナコ', birthDate: '2024-06-15', sex: 'FEMALE' },
    household: { address: '板橋区', memberCount: 3 },
    guardians: [{ name: '太郎', kana: 'タロウ', relationship: 'FATHER', careReason: CareReason.EMPLOYMENT, employment: { employerName: 'A', daysPerWeek: 5, startTime: '09:00', endTime: '18:00', hoursPerMonth: 160 } }],
    residenceMunicipalityCode: ITABASHI.code,
    intakeMonth: '2026-11',
    wishes: [{ rank: 1, facilityId: F1 }, { rank: 2, facilityId: F2 }],
    applicationType: ApplicationType.NEW,
    siblings: [],
    siblingsAcceptSplit: true,
    documents: ALL_DOCS,
    ...overrides,
  };
}

describe('checkSubmission', () => {
  it('accepts a complete out-of-area application and routes it', () => {
    const verdict = checkSubmission(input(), facts());
    expect(verdict).toMatchObject({ classAge: 1, incomplete: false, missingDocuments: [], validUntil: '2027-03-31' });
    expect(verdict.routing.outOfArea).toBe(true);
    expect(verdict.wishes).toEqual([{ rank: 1, facilityId: F1, municipalityCode: ITABASHI.code }, { rank: 2, facilityId: F2, municipalityCode: ADACHI.code }]);
  });

  it.each<[string, Record<string, unknown>, Partial<SubmissionFacts>, string, string]>([
    ['impossible birth date', { child: { name: 'x', kana: 'x', birthDate: '2023-02-29', sex: 'MALE' } }, {}, 'BAD_USER_INPUT', 'input.child.birthDate'],
    ['impossible move-in date', { moveIn: { municipalityCode: ADACHI.code, moveInDate: '2026-04-31' } }, {}, 'BAD_USER_INPUT', 'input.moveIn.moveInDate'],
    ['rank gap', { wishes: [{ rank: 1, facilityId: F1 }, { rank: 3, facilityId: F2 }] }, {}, 'BAD_USER_INPUT', 'input.wishes[1].rank'],
    ['facility twice', { wishes: [{ rank: 1, facilityId: F1 }, { rank: 2, facilityId: F1 }] }, {}, 'DUPLICATE_WISH', 'input.wishes[1].facilityId'],
    ['unknown facility', { wishes: [{ rank: 1, facilityId: '00000000-0000-4000-8000-00000000ffff' }] }, {}, 'NOT_FOUND', 'input.wishes[0].facilityId'],
    ['non-participating residence', { residenceMunicipalityCode: SAPPORO.code }, {}, 'MUNICIPALITY_NOT_PARTICIPATING', 'input.residenceMunicipalityCode'],
    ['too many wishes', {}, { procedures: new Map([[ITABASHI.code, { ...defaultProcedure(ITABASHI.code, [2026]), wishLimit: 1 }]]) }, 'TOO_MANY_WISHES', 'input.wishes'],
    ['class age not taken', { wishes: [{ rank: 1, facilityId: F_INFANT }] }, {}, 'WISH_CLASS_AGE_NOT_TAKEN', 'input.wishes[0].facilityId'],
    ['minimum age not reached', { child: { name: 'x', kana: 'x', birthDate: '2026-10-01', sex: 'MALE' }, wishes: [{ rank: 1, facilityId: F_INFANT }] }, {}, 'WISH_MINIMUM_AGE_NOT_REACHED', 'input.wishes[0].facilityId'],
    ['school age', { child: { name: 'x', kana: 'x', birthDate: '2019-06-01', sex: 'MALE' } }, {}, 'CHILD_AGE_OUT_OF_RANGE', 'input.child.birthDate'],
    ['deadline passed', { intakeMonth: '2026-10' }, {}, 'DEADLINE_PASSED', 'input.intakeMonth'],
    ['window not open', { intakeMonth: '2027-01' }, {}, 'APPLICATION_WINDOW_NOT_OPEN', 'input.intakeMonth'],
    ['documents missing where refused', { residenceMunicipalityCode: ADACHI.code, documents: [] }, {}, 'DOCUMENTS_MISSING', 'input.documents'],
    ['transfer without current facility', { applicationType: ApplicationType.TRANSFER }, {}, 'BAD_USER_INPUT', 'input.currentFacilityId'],
    ['pregnancy without a date', { guardians: [{ name: 'a', kana: 'a', relationship: 'MOTHER', careReason: CareReason.PREGNANCY_CHILDBIRTH }] }, {}, 'BAD_USER_INPUT', 'input.guardians[0].expectedDeliveryDate'],
    ['illness without details', { guardians: [{ name: 'a', kana: 'a', relationship: 'MOTHER', careReason: CareReason.ILLNESS_DISABILITY }] }, {}, 'BAD_USER_INPUT', 'input.guardians[0].reasonDetails'],
    ['document without reference or attachment', { documents: [{ kind: DocumentKind.APPLICATION_FORM }] }, {}, 'BAD_USER_INPUT', 'input.documents[0]'],
  ])('refuses %s', (_, overrides, factOverrides, code, field) => {
    expect(() => checkSubmission(input(overrides), facts(factOverrides))).toThrow(expect.objectContaining({ code, field }));
  });

  it('uses the 管外 deadline when a wish is out of area, and names the earliest open month', () => {
    // Default rule: November closes 9 Oct (10 Oct is a Saturday), 管外 a week earlier (2 Oct).
    const late = facts({ today: '2026-10-05' });
    expect(() => checkSubmission(input(), late)).toThrow(expect.objectContaining({ code: 'DEADLINE_PASSED', details: expect.objectContaining({ earliestOpenMonth: '2026-12', outOfArea: true }) }));
    expect(checkSubmission(input({ wishes: [{ rank: 1, facilityId: F1 }] }), late).routing.outOfArea).toBe(false);
  });

  it('accepts an incomplete application where the municipality allows it, naming the missing documents', () => {
    const verdict = checkSubmission(input({ documents: [{ kind: DocumentKind.APPLICATION_FORM, reference: 'x' }] }), facts());
    expect(verdict.incomplete).toBe(true);
    expect(verdict.missingDocuments).toEqual([DocumentKind.HOUSEHOLD_STATEMENT, DocumentKind.CHILD_STATUS_STATEMENT, DocumentKind.EMPLOYMENT_CERTIFICATE]);
  });

  it.each<[CareReason[], DocumentKind[], DocumentKind[]]>([
    [[CareReason.EMPLOYMENT], ALL_DOCS.map((d) => d.kind), []],
    [[CareReason.EMPLOYMENT, CareReason.JOB_SEEKING], ALL_DOCS.map((d) => d.kind), [DocumentKind.JOB_SEEKING_DECLARATION]],
    [[CareReason.OTHER], [DocumentKind.APPLICATION_FORM], [DocumentKind.HOUSEHOLD_STATEMENT, DocumentKind.CHILD_STATUS_STATEMENT]],
  ])('missing documents for %j with %j: %j', (reasons, provided, missing) => {
    const procedure = defaultProcedure(ITABASHI.code, [2026]);
    expect(missingDocumentsOf({ guardians: reasons.map((careReason) => ({ careReason })) as never, documents: provided.map((kind) => ({ kind })) as never }, procedure)).toEqual(missing);
  });
});

describe('batch CSV rows', () => {
  const routing = routeApplication({
    residence: ITABASHI,
    wishes: [{ rank: 1, facilityId: F1, municipalityCode: ITABASHI.code }, { rank: 2, facilityId: F2, municipalityCode: ADACHI.code }],
    municipalities: { [ADACHI.code]: ADACHI },
  });
  const app = {
    id: 'app-1', status: 'SUBMITTED', intakeMonth: '2026-11', classAge: 1, applicationType: 'NEW', currentFacilityId: null,
    residenceMunicipalityCode: ITABASHI.code, moveInMunicipalityCode: null, moveInDate: null, primaryMunicipalityCode: ITABASHI.code,
    outOfArea: true, routing, incomplete: true, missingDocuments: ['EMPLOYMENT_CERTIFICATE'], validUntil: '2027-04-30',
    submittedAt: new Date('2026-09-20T01:00:00Z'),
    wishes: [{ rank: 2, facilityId: F2, municipalityCode: ADACHI.code }, { rank: 1, facilityId: F1, municipalityCode: ITABASHI.code }],
    possibleDuplicates: [],
  };
  const personal = personalDataOf(input({ siblings: [{ name: '兄', kana: 'アニ', birthDate: '2022-05-05' }] }));

  it('has one cell per documented column, in order', () => {
    const row = batchRow(fullApplicationDocument(app, ITABASHI.code, personal));
    expect(row).toHaveLength(BATCH_COLUMNS.length);
    const cell = (name: string) => row[BATCH_COLUMNS.indexOf(name as never)];
    expect(cell('role')).toBe('APPLICATION');
    expect(cell('forwarded_by')).toBe('');
    expect(cell('submitted_at')).toBe('2026-09-20T10:00:00+09:00');
    expect(cell('wish_facility_ids')).toBe(`${F1};${F2}`);
    expect(cell('guardian1_working_hours')).toBe('09:00-18:00');
    expect(cell('guardian2_name')).toBe('');
    expect(cell('siblings')).toBe('兄|アニ|2022-05-05|');
    expect(cell('missing_documents')).toBe('EMPLOYMENT_CERTIFICATE');
  });

  it('marks the forwarded copy for the facility municipality', () => {
    const row = batchRow(fullApplicationDocument(app, ADACHI.code, personal), new Map([[F2, '千住大橋保育園']]));
    expect(row[BATCH_COLUMNS.indexOf('role')]).toBe('FORWARDED_NOTICE');
    expect(row[BATCH_COLUMNS.indexOf('forwarded_by')]).toBe(ITABASHI.code);
    expect(row[BATCH_COLUMNS.indexOf('wish_facility_names')]).toBe(';千住大橋保育園');
  });

  it('names a possible duplicate only to a recipient that receives it too, in the document and the last column', () => {
    const flagged = { ...app, possibleDuplicates: [
      { applicationId: 'app-0', municipalityCodes: [ITABASHI.code, ADACHI.code] },
      { applicationId: 'app-x', municipalityCodes: ['131130'] },
    ] };
    expect(fullApplicationDocument(app, ITABASHI.code, personal).possibleDuplicateOfApplicationIds).toEqual([]);
    expect(applicationNotice(flagged, ITABASHI.code).possibleDuplicateOfApplicationIds).toEqual(['app-0']);
    expect(applicationNotice({ ...flagged, possibleDuplicates: flagged.possibleDuplicates.slice(1) }, ADACHI.code).possibleDuplicateOfApplicationIds).toEqual([]);
    const row = batchRow(fullApplicationDocument(flagged, ADACHI.code, personal));
    expect(BATCH_COLUMNS.at(-1)).toBe('possible_duplicate_of_application_ids');
    expect(row.at(-1)).toBe('app-0');
  });

  it.each([
    ['2026-09-20T15:30:00.000Z', '2026-09-21T00:30:00+09:00'],
    ['2026-12-31T14:59:59.000Z', '2026-12-31T23:59:59+09:00'],
  ])('writes %s in Japan time as %s', (instant, expected) => {
    expect(toJapanIso(instant)).toBe(expected);
  });
});
