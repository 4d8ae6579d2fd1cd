import { readFileSync } from 'fs';
import { join } from 'path';
import { HubError } from '../../src/common/errors';
import { convertDemoVacancyFile, DEMO_CATALOGUE, DEMO_SLUGS, matchCoordinates } from '../../src/demo/demo-catalogue';
import { FacilityKind, Ownership } from '../../src/facilities/facility-kind';
import { decodeCsvBuffer, parseKosodateShisetsuCsv, ParsedFacilityRow } from '../../src/facilities/kosodate-shisetsu-csv';
import { parseMinatoFacilityCsv } from '../../src/facilities/minato-facility-csv';
import { isValidMunicipalityCode } from '../../src/municipalities/municipality-code';
import { VacancyFigureKind } from '../../src/vacancies/vacancy-figure-kind';

const DATA = join(__dirname, '../../data');
const load = (slug: string) => JSON.parse(readFileSync(join(DATA, 'vacancy', `${slug}.json`), 'utf8'));

describe('convertDemoVacancyFile', () => {
  it.each([
    ['adachi', '131211', 'INTAKE_QUOTA', '2026-09', 256],
    ['edogawa', '131237', 'INTAKE_QUOTA', '2026-09', 199],
    ['hachioji', '132012', 'INTAKE_QUOTA', '2026-09', 144],
    ['itabashi', '131199', 'OPEN_SEATS', '2026-09', 210],
    ['machida', '132098', 'INTAKE_QUOTA', '2026-09', 122],
    ['meguro', '131105', 'OPEN_SEATS', '2026-10', 118],
    ['minato', '131032', 'OPEN_SEATS', '2026-10', 113],
    ['shibuya', '131130', 'INTAKE_QUOTA', '2026-09', 74],
    ['shinagawa', '131091', 'INTAKE_QUOTA', '2026-10', 174],
    ['suginami', '131156', 'INTAKE_QUOTA', '2026-09', 235],
  ])('%s: %s %s %s, %i facilities, every category mapped', (slug, code, figureKind, intakeMonth, count) => {
    const json = load(slug);
    const c = convertDemoVacancyFile(slug, json);
    expect(c).toMatchObject({ municipalityCode: code, figureKind, intakeMonth, asOf: json.asOf, sourceUrl: json.sourceUrl });
    expect(isValidMunicipalityCode(c.municipalityCode)).toBe(true);
    expect(c.facilities).toHaveLength(count);
    expect(Object.keys(DEMO_CATALOGUE[slug as keyof typeof DEMO_CATALOGUE].categoryKinds).sort()).toEqual([...json.categories].sort());
    for (const f of c.facilities) {
      expect(Object.values(FacilityKind)).toContain(f.kind);
      expect(f.figures.map((x) => x.classAge)).toEqual([0, 1, 2, 3, 4, 5]);
      expect(f.classAgesTaken).toEqual(f.figures.filter((x) => x.seats !== null).map((x) => x.classAge));
    }
    // the subtitle, when it names a year and month, agrees with the catalogue
    const m = /(\d{4})年(\d{1,2})月/.exec(json.subtitle ?? '');
    if (m) expect(intakeMonth).toBe(`${m[1]}-${m[2].padStart(2, '0')}`);
  });

  it('keeps the figure meaning consistent with the subtitle wording', () => {
    for (const slug of DEMO_SLUGS) {
      const { subtitle } = load(slug);
      const kind = DEMO_CATALOGUE[slug].figureKind;
      if (subtitle === undefined) continue;
      expect([slug, kind]).toEqual([slug, /空き状況/.test(subtitle) ? VacancyFigureKind.OPEN_SEATS : VacancyFigureKind.INTAKE_QUOTA]);
    }
  });

  it.each([
    ['suginami', '小規模A', FacilityKind.SMALL_SCALE, Ownership.UNKNOWN, 'A'],
    ['adachi', '区立', FacilityKind.LICENSED_NURSERY, Ownership.PUBLIC, null],
    ['adachi', '家庭的保育（保育ママ）', FacilityKind.FAMILY_DAYCARE, Ownership.UNKNOWN, null],
    ['itabashi', '在宅家庭福祉員', FacilityKind.FAMILY_DAYCARE, Ownership.UNKNOWN, null],
    ['itabashi', 'ベビールーム', FacilityKind.MUNICIPAL_OTHER, Ownership.UNKNOWN, null],
    ['minato', '港区保育室', FacilityKind.MUNICIPAL_OTHER, Ownership.PUBLIC, null],
    ['minato', '医療的ケア児・障害児クラス', FacilityKind.MUNICIPAL_OTHER, Ownership.UNKNOWN, null],
    ['edogawa', '事業所内保育', FacilityKind.WORKPLACE, Ownership.UNKNOWN, null],
    ['shibuya', '私立認定こども園', FacilityKind.CERTIFIED_CHILDCARE_CENTER, Ownership.PRIVATE, null],
    ['meguro', '家庭福祉員', FacilityKind.FAMILY_DAYCARE, Ownership.UNKNOWN, null],
  ])('%s %s → %s %s %s', (slug, label, kind, ownership, type) => {
    const f = convertDemoVacancyFile(slug, load(slug)).facilities.find((x) => x.categoryLabel === label);
    expect(f).toMatchObject({ kind, ownership, smallScaleType: type });
  });

  it('keeps Shibuya applications, Meguro coordinates and one-figure totals', () => {
    expect(convertDemoVacancyFile('shibuya', load('shibuya')).facilities[0].waiting?.[0]).toEqual({ classAge: 0, applications: 4 });
    const meguro = convertDemoVacancyFile('meguro', load('meguro')).facilities;
    expect(meguro.every((f) => f.latitude !== null)).toBe(true);
    expect(meguro.find((f) => f.name === '柏井（家庭福祉員）')).toMatchObject({ seatsTotal: 2, classAgesTaken: [] });
  });

  it.each([
    ['unknown slug', 'nerima', (j: any) => j, 'slug'],
    ['a category the catalogue does not know', 'minato', (j: any) => ({ ...j, categories: [...j.categories.slice(0, 4), '新しい区分'] }), 'categories'],
    ['a different asOf', 'minato', (j: any) => ({ ...j, asOf: '2026-09-17' }), 'asOf'],
    ['a broken facility', 'minato', (j: any) => ({ ...j, facilities: [{ ...j.facilities[0], vacancy: [-1, 0, 0, 0, 0, 0] }] }), 'facilities[0].vacancy'],
  ])('%s → BAD_USER_INPUT', (_, slug, change, field) => {
    let err: unknown;
    try {
      convertDemoVacancyFile(slug, change(load('minato')));
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(HubError);
    expect((err as HubError).field).toBe(field);
  });
});

describe('matchCoordinates', () => {
  const listRow = (name: string, line: number, lat: number | null = 35.6): ParsedFacilityRow =>
    ({ line, name, municipalityCode: '132012', latitude: lat, longitude: lat === null ? null : 139.3 }) as ParsedFacilityRow;

  it.each([
    ['exact after normalisation', 'ピノキオ幼児舎 西八王子保育園', ['ピノキオ幼児舎西八王子保育園'], 'matched'],
    ['仮称 removed', 'にじいろ保育園新橋', ['にじいろ保育園新橋(仮称)'], 'matched'],
    ['市立 vs 八王子市立', '市立子安保育園', ['八王子市立子安保育園'], 'matched'],
    ['no prefix vs 八王子市立', '子安保育園', ['八王子市立子安保育園'], 'matched'],
    ['exact wins over prefix variants', '市立子安保育園', ['市立子安保育園', '子安保育園'], 'matched'],
    ['two rows with one normalised name', '子安保育園', ['子安保育園', '子安保育園(仮称)'], 'ambiguous'],
    ['two rows through prefixes', '市立子安保育園', ['八王子市立子安保育園', '子安保育園'], 'ambiguous'],
    ['no fuzzy guessing', '子安保育園分園', ['八王子市立子安保育園'], 'unmatched'],
  ])('%s', (_, name, listNames, outcome) => {
    const r = matchCoordinates([{ sourceKey: 'k', name }], listNames.map((n, i) => listRow(n, i + 2)));
    expect({ matched: r.matched.size, ambiguous: r.ambiguous.length, unmatched: r.unmatched.length }).toEqual({
      matched: outcome === 'matched' ? 1 : 0, ambiguous: outcome === 'ambiguous' ? 1 : 0, unmatched: outcome === 'unmatched' ? 1 : 0,
    });
  });

  it('reports a list row without coordinates', () => {
    const r = matchCoordinates([{ sourceKey: 'k', name: 'A園' }], [listRow('A園', 2, null)]);
    expect(r.unmatched).toEqual([{ sourceKey: 'k', name: 'A園', reason: 'LIST_ROW_HAS_NO_COORDINATES' }]);
  });

  it('ignores other municipalities, and requires a scope when rows are mixed', () => {
    const other = { ...listRow('A園', 3), municipalityCode: '131032' };
    expect(() => matchCoordinates([{ sourceKey: 'k', name: 'A園' }], [listRow('B園', 2), other])).toThrow(HubError);
    expect(matchCoordinates([{ sourceKey: 'k', name: 'A園' }], [listRow('B園', 2), other], { municipalityCode: '132012' }).matched.size).toBe(0);
  });

  it('Hachioji: 104 of 144 vacancy facilities match the 子育て施設一覧 (FY2017 list)', () => {
    const list = parseKosodateShisetsuCsv(decodeCsvBuffer(readFileSync(join(DATA, 'facilities/hachioji_kosodate_shisetsu_ichiran.csv'))));
    const r = matchCoordinates(convertDemoVacancyFile('hachioji', load('hachioji')).facilities, list.rows, { municipalityCode: '132012', municipalityName: '八王子市' });
    expect([r.matched.size, r.ambiguous.length, r.unmatched.length]).toEqual([104, 0, 40]);
    expect([...r.matched.values()].find((m) => m.listName === '八王子市立子安保育園')).toMatchObject({ latitude: 35.652889 });
  });

  it('Minato: 89 of 113 vacancy facilities match the 認可保育園等一覧 (Ver202104)', () => {
    const list = parseMinatoFacilityCsv(decodeCsvBuffer(readFileSync(join(DATA, 'facilities/minato_ninka_hoikuen_ichiran.csv'))));
    const r = matchCoordinates(convertDemoVacancyFile('minato', load('minato')).facilities, list.rows);
    expect([r.matched.size, r.ambiguous.length, r.unmatched.length]).toEqual([89, 0, 24]);
    expect(r.matched.get('にじいろ保育園新橋')).toEqual({ latitude: 35.6616148, longitude: 139.754608, listName: 'にじいろ保育園新橋(仮称)' });
  });
});
