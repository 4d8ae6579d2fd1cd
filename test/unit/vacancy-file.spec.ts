import { readFileSync } from 'fs';
import { join } from 'path';
import { HubError } from '../../src/common/errors';
import { VACANCY_FIGURE_KIND_JA, VacancyFigureKind } from '../../src/vacancies/vacancy-figure-kind';
import { parseVacancyCsv, parseVacancyJson } from '../../src/vacancies/vacancy-file';

const VACANCY = join(__dirname, '../../data/vacancy');
const base = () => ({
  municipalityName: '港区',
  asOf: '2026-08-17',
  subtitle: '2026年10月入所に向けた空き状況',
  notes: ['n'],
  wards: ['芝地区'],
  categories: ['認可保育園'],
  facilities: [{ id: '芝保育園', name: '芝保育園', w: 0, c: 0, vacancy: [0, 2, 6, 2, 5, 12] }] as Record<string, unknown>[],
});

function thrown(fn: () => unknown): HubError {
  try {
    fn();
  } catch (e) {
    if (e instanceof HubError) return e;
    throw e;
  }
  throw new Error('did not throw');
}

describe('VacancyFigureKind', () => {
  it('has a Japanese label for every kind', () => {
    expect(Object.values(VacancyFigureKind).sort()).toEqual(['INTAKE_QUOTA', 'OPEN_SEATS']);
    expect(VACANCY_FIGURE_KIND_JA[VacancyFigureKind.INTAKE_QUOTA]).toMatch(/募集人数/);
    expect(VACANCY_FIGURE_KIND_JA[VacancyFigureKind.OPEN_SEATS]).toMatch(/空き/);
  });
});

describe('parseVacancyJson', () => {
  it('maps a facility', () => {
    const f = base();
    f.facilities.push({ id: 'x', name: '渋谷保育園', w: null, c: 0, vacancy: [null, 0, 7, 8, 8, 8], waiting: [4, 4, 0, 0, 0, 0], lat: 35.6, lng: 139.7 });
    const r = parseVacancyJson(f);
    expect(r.problems).toEqual([]);
    expect(r).toMatchObject({ asOf: '2026-08-17', subtitle: '2026年10月入所に向けた空き状況', notes: ['n'] });
    expect(r.facilities).toEqual([
      { sourceKey: '芝保育園', name: '芝保育園', ward: '芝地区', categoryLabel: '認可保育園', figures: [0, 2, 6, 2, 5, 12] },
      { sourceKey: 'x', name: '渋谷保育園', ward: null, categoryLabel: '認可保育園', figures: [null, 0, 7, 8, 8, 8], waiting: [4, 4, 0, 0, 0, 0], latitude: 35.6, longitude: 139.7 },
    ]);
  });

  it.each([
    ['not an object', [], 'json'],
    ['bad asOf', { ...base(), asOf: '2026-02-30' }, 'asOf'],
    ['categories missing', { ...base(), categories: undefined }, 'categories'],
    ['wards not strings', { ...base(), wards: [1] }, 'wards'],
    ['facilities not an array', { ...base(), facilities: {} }, 'facilities'],
    ['subtitle a number', { ...base(), subtitle: 3 }, 'subtitle'],
  ])('%s → BAD_USER_INPUT on %s', (_, json, field) => {
    const e = thrown(() => parseVacancyJson(json));
    expect([e.code, e.field]).toEqual(['BAD_USER_INPUT', field]);
    expect(e.message).toContain(field);
    expect(e.messageJa).toContain(field);
  });

  it.each([
    ['negative figure', { vacancy: [0, -1, 0, 0, 0, 0] }, 'vacancy', /class age 1 is -1/],
    ['fractional figure', { vacancy: [0, 0, 0.5, 0, 0, 0] }, 'vacancy', /class age 2 is 0.5/],
    ['string figure', { vacancy: [0, 0, 0, '3', 0, 0] }, 'vacancy', /class age 3/],
    ['five figures', { vacancy: [0, 0, 0, 0, 0] }, 'vacancy', /6 figures/],
    ['bad waiting', { waiting: [0, 0, 0, 0, 0, -2] }, 'waiting', /class age 5/],
    ['ward index out of range', { w: 3 }, 'w', /index into wards/],
    ['category index out of range', { c: 1 }, 'c', /index into categories/],
    ['empty name', { name: ' ' }, 'name', /non-empty/],
    ['no id', { id: undefined }, 'id', /non-empty/],
    ['lat without lng', { lat: 35.6 }, 'lng', /together/],
    ['lat out of range', { lat: 135.6, lng: 139.7 }, 'lat', /out of range/],
  ])('%s → reported for facility index 1, others kept', (_, over, field, reason) => {
    const f = base();
    f.facilities.push({ id: 'b', name: 'B園', w: 0, c: 0, vacancy: [0, 0, 0, 0, 0, 0], ...over });
    const r = parseVacancyJson(f);
    expect(r.facilities.map((x) => x.sourceKey)).toEqual(['芝保育園']);
    expect(r.problems).toHaveLength(1);
    expect(r.problems[0]).toMatchObject({ index: 1, field: `facilities[1].${field}` });
    expect(r.problems[0].reason).toMatch(reason);
  });

  it('reports a duplicated id', () => {
    const f = base();
    f.facilities.push({ ...f.facilities[0] });
    expect(parseVacancyJson(f).problems).toEqual([expect.objectContaining({ index: 1, id: '芝保育園', field: 'facilities[1].id' })]);
  });

  it('accepts c: null (目黒区 家庭福祉員) as no category', () => {
    const f = base();
    f.facilities[0].c = null;
    expect(parseVacancyJson(f).facilities[0].categoryLabel).toBeNull();
  });

  it.each(['adachi', 'edogawa', 'hachioji', 'itabashi', 'machida', 'meguro', 'minato', 'shibuya', 'shinagawa', 'suginami'])(
    'reads the real %s file without problems',
    (slug) => {
      const json = JSON.parse(readFileSync(join(VACANCY, `${slug}.json`), 'utf8'));
      const r = parseVacancyJson(json);
      expect(r.problems).toEqual([]);
      expect(r.facilities).toHaveLength(json.facilities.length);
    },
  );
});

describe('parseVacancyCsv', () => {
  const HEADER = 'municipality_code,facility,intake_month,age0,age1,age2,age3,age4,age5';
  const UUID = '5b0e3c1a-8a8f-4a53-9d43-0f4f2c3d9e11';

  it('parses names, ids, empty and "-" cells', () => {
    const r = parseVacancyCsv(`${HEADER}\n131032,芝保育園,2026-10,0,2,6,2,5,12\n131032,${UUID.toUpperCase()},2026-10,-,,1,0,0,0\n`, '131032');
    expect(r.rejected).toEqual([]);
    expect(r.rows).toEqual([
      { line: 2, municipalityCode: '131032', facilityId: null, facilityName: '芝保育園', intakeMonth: '2026-10', figures: [0, 2, 6, 2, 5, 12] },
      { line: 3, municipalityCode: '131032', facilityId: UUID, facilityName: null, intakeMonth: '2026-10', figures: [null, null, 1, 0, 0, 0] },
    ]);
  });

  it('accepts the columns in another order', () => {
    const r = parseVacancyCsv('facility,municipality_code,intake_month,age5,age4,age3,age2,age1,age0\n芝保育園,131032,2026-10,5,4,3,2,1,0\n');
    expect(r.rows[0].figures).toEqual([0, 1, 2, 3, 4, 5]);
  });

  it.each([
    ['negative', '131032,芝保育園,2026-10,-1,0,0,0,0,0', 'age0', /negative/],
    ['non-integer', '131032,芝保育園,2026-10,0,1.5,0,0,0,0', 'age1', /not a whole number/],
    ['not a number', '131032,芝保育園,2026-10,0,0,若干,0,0,0', 'age2', /not a number/],
    ['bad month', '131032,芝保育園,2026-13,0,0,0,0,0,0', 'intake_month', /YYYY-MM/],
    ['month without zero', '131032,芝保育園,2026-9,0,0,0,0,0,0', 'intake_month', /YYYY-MM/],
    ['another municipality', '131091,芝保育園,2026-10,0,0,0,0,0,0', 'municipality_code', /not this upload's municipality 131032/],
    ['bad check digit', '131033,芝保育園,2026-10,0,0,0,0,0,0', 'municipality_code', /check digit \(expected 2\)/],
    ['empty facility', '131032,,2026-10,0,0,0,0,0,0', 'facility', /empty/],
    ['too few cells', '131032,芝保育園,2026-10,0,0,0,0,0', undefined, /wrong number of cells: 8, the header has 9/],
  ])('%s → rejected', (_, line, field, reason) => {
    const r = parseVacancyCsv(`${HEADER}\n131032,神明保育園,2026-10,0,0,0,0,0,0\n${line}\n`, '131032');
    expect(r.rows).toHaveLength(1);
    expect(r.rejected).toHaveLength(1);
    expect(r.rejected[0]).toMatchObject({ line: 3, field });
    expect(r.rejected[0].reason).toMatch(reason);
  });

  it('rejects a second row for the same facility and month', () => {
    const r = parseVacancyCsv(`${HEADER}\n131032,芝保育園,2026-10,0,0,0,0,0,0\n131032,芝保育園,2026-10,1,0,0,0,0,0\n131032,芝保育園,2026-11,1,0,0,0,0,0\n`);
    expect(r.rows.map((x) => x.line)).toEqual([2, 4]);
    expect(r.rejected[0]).toMatchObject({ line: 3, reason: expect.stringMatching(/line 2/) });
  });

  it.each([
    ['missing columns', 'municipality_code,facility,age0,age1,age2,age3,age4,age5', /missing required columns: intake_month/],
    ['extra column', `${HEADER},age6`, /unknown columns: age6/],
  ])('%s → BAD_USER_INPUT naming them', (_, header, msg) => {
    const e = thrown(() => parseVacancyCsv(`${header}\n`));
    expect([e.code, e.field]).toEqual(['BAD_USER_INPUT', 'csv']);
    expect(e.message).toMatch(msg);
  });
});
