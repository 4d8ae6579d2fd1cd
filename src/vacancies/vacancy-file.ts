/**
 * Parsers for municipality vacancy lists. Pure: no clock, no database.
 *
 * (a) JSON: the shape of data/vacancy/*.json (transcriptions of municipalities' PDFs/HTML/CSV):
 *     { municipalityName, asOf: 'YYYY-MM-DD', subtitle?, notes[], wards[], categories[],
 *       facilities: [{ id, name, w: index|null, c: index|null, vacancy: (int≥0|null)[6], waiting?: same,
 *                      vacancyTotal?, lat?, lng? }] }
 *     vacancy[i] is the figure for class age i; null = the facility has no class of that age.
 *     A broken top level throws BAD_USER_INPUT; a broken facility is left out and reported with its
 *     index in `problems` (the rest of the file is still usable).
 *
 * (b) CSV: the documented upload format for operators and municipalities without a JSON feed.
 *     UTF-8 (BOM allowed) or Shift_JIS; one header line, exactly these columns in any order:
 *
 *       municipality_code,facility,intake_month,age0,age1,age2,age3,age4,age5
 *
 *     municipality_code  six digits with check digit (全国地方公共団体コード); must be the uploader's
 *     facility           the hub facility id (uuid) or its exact name as registered in the hub
 *     intake_month       YYYY-MM, the month of entry (入所月)
 *     age0 … age5        figure for class age 0…5: a non-negative integer, or empty / '-' when the
 *                        facility has no class of that age
 *
 *     Example:
 *       municipality_code,facility,intake_month,age0,age1,age2,age3,age4,age5
 *       131032,芝保育園,2026-10,0,2,6,2,5,12
 *       131032,5b0e3c1a-8a8f-4a53-9d43-0f4f2c3d9e11,2026-10,-,-,1,0,0,0
 *
 *     Header problems throw BAD_USER_INPUT naming the columns; bad rows are returned in `rejected`
 *     with their line number; a second row for the same facility and month is rejected.
 */
import { Errors } from '../common/errors';
import { checkCsvHeader, readCsvRecords, RejectedRow } from '../facilities/kosodate-shisetsu-csv';
import { isValidMunicipalityCode, municipalityCheckDigit } from '../municipalities/municipality-code';

export type SixFigures = (number | null)[];

export interface VacancyJsonFacility {
  /** the JSON id, stable within one municipality's list */
  sourceKey: string;
  name: string;
  ward: string | null;
  /** categories[c]; null when the source gives the facility no category (目黒区's 家庭福祉員) */
  categoryLabel: string | null;
  figures: SixFigures;
  waiting?: SixFigures;
  latitude?: number;
  longitude?: number;
}

export interface VacancyJsonProblem {
  index: number;
  id?: string;
  field: string;
  reason: string;
  reasonJa: string;
}

export interface VacancyJsonFile {
  municipalityName: string | null;
  asOf: string;
  subtitle: string | null;
  notes: string[];
  facilities: VacancyJsonFacility[];
  problems: VacancyJsonProblem[];
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isStringArray = (v: unknown): v is string[] => Array.isArray(v) && v.every((x) => typeof x === 'string');
const isIndex = (v: unknown, length: number): v is number => Number.isInteger(v) && (v as number) >= 0 && (v as number) < length;

export function isIsoDate(s: string): boolean {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(s);
  if (!m) return false;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const dt = new Date(Date.UTC(y, mo - 1, d));
  return dt.getUTCFullYear() === y && dt.getUTCMonth() === mo - 1 && dt.getUTCDate() === d;
}

/** Six figures: an array of 6, each a non-negative integer or null. Returns a reason when not. */
function checkSixFigures(v: unknown): { en: string; ja: string } | null {
  if (!Array.isArray(v) || v.length !== 6) {
    return { en: `must be an array of 6 figures (class ages 0–5); got ${Array.isArray(v) ? `${v.length} items` : typeof v}`, ja: `6個（0〜5歳児クラス）の配列でなければなりません` };
  }
  const bad = v.findIndex((x) => x !== null && !(Number.isInteger(x) && x >= 0));
  if (bad >= 0) {
    return { en: `figure for class age ${bad} is ${JSON.stringify(v[bad])}; it must be a non-negative integer or null`, ja: `${bad}歳児クラスの値 ${JSON.stringify(v[bad])} は0以上の整数か null でなければなりません` };
  }
  return null;
}

export function parseVacancyJson(json: unknown): VacancyJsonFile {
  const top = (field: string, en: string, ja: string) => Errors.badInput(field, `Vacancy file: ${field} ${en}`, `空き情報ファイル: ${field} ${ja}`);
  if (!isRecord(json)) throw top('json', 'must be a JSON object.', 'はJSONオブジェクトでなければなりません。');
  const { asOf, subtitle, notes, wards, categories, facilities } = json;
  if (typeof asOf !== 'string' || !isIsoDate(asOf)) throw top('asOf', `must be a date YYYY-MM-DD; got ${JSON.stringify(asOf)}.`, `は YYYY-MM-DD 形式の日付でなければなりません（入力: ${JSON.stringify(asOf)}）。`);
  if (subtitle !== undefined && subtitle !== null && typeof subtitle !== 'string') throw top('subtitle', 'must be a string when present.', 'は文字列でなければなりません。');
  if (notes !== undefined && !isStringArray(notes)) throw top('notes', 'must be an array of strings.', 'は文字列の配列でなければなりません。');
  if (!isStringArray(wards)) throw top('wards', 'must be an array of strings.', 'は文字列の配列でなければなりません。');
  if (!isStringArray(categories) || categories.length === 0) throw top('categories', 'must be a non-empty array of strings.', 'は空でない文字列の配列でなければなりません。');
  if (!Array.isArray(facilities)) throw top('facilities', 'must be an array.', 'は配列でなければなりません。');

  const out: VacancyJsonFacility[] = [];
  const problems: VacancyJsonProblem[] = [];
  const seenIds = new Map<string, number>();
  facilities.forEach((f, index) => {
    const problem = (field: string, en: string, ja: string, id?: string) =>
      problems.push({ index, id, field: `facilities[${index}].${field}`, reason: en, reasonJa: ja });
    if (!isRecord(f)) return problem('', 'is not an object', 'がオブジェクトではありません');
    const id = typeof f.id === 'string' ? f.id : undefined;
    if (!id || id.trim() === '') return problem('id', 'must be a non-empty string', 'は空でない文字列でなければなりません');
    if (seenIds.has(id)) return problem('id', `duplicates the id of facilities[${seenIds.get(id)}]`, `が facilities[${seenIds.get(id)}] と重複しています`, id);
    seenIds.set(id, index);
    if (typeof f.name !== 'string' || f.name.trim() === '') return problem('name', 'must be a non-empty string', 'は空でない文字列でなければなりません', id);
    if (f.w !== null && f.w !== undefined && !isIndex(f.w, wards.length)) {
      return problem('w', `must be null or an index into wards (0–${wards.length - 1}); got ${JSON.stringify(f.w)}`, `は null か wards の添字でなければなりません（入力: ${JSON.stringify(f.w)}）`, id);
    }
    if (f.c !== null && !isIndex(f.c, categories.length)) {
      return problem('c', `must be null or an index into categories (0–${categories.length - 1}); got ${JSON.stringify(f.c)}`, `は null か categories の添字でなければなりません（入力: ${JSON.stringify(f.c)}）`, id);
    }
    const vBad = checkSixFigures(f.vacancy);
    if (vBad) return problem('vacancy', vBad.en, vBad.ja, id);
    if (f.waiting !== undefined) {
      const wBad = checkSixFigures(f.waiting);
      if (wBad) return problem('waiting', wBad.en, wBad.ja, id);
    }
    const hasLat = f.lat !== undefined && f.lat !== null;
    const hasLng = f.lng !== undefined && f.lng !== null;
    if (hasLat !== hasLng) return problem(hasLat ? 'lng' : 'lat', 'lat and lng must be given together', 'lat と lng は両方そろえてください', id);
    if (hasLat && !(typeof f.lat === 'number' && Math.abs(f.lat) <= 90 && typeof f.lng === 'number' && Math.abs(f.lng) <= 180)) {
      return problem('lat', `lat/lng out of range or not numbers: ${JSON.stringify([f.lat, f.lng])}`, `lat/lng が数値でないか範囲外です: ${JSON.stringify([f.lat, f.lng])}`, id);
    }
    const facility: VacancyJsonFacility = {
      sourceKey: id,
      name: f.name,
      ward: typeof f.w === 'number' ? wards[f.w] : null,
      categoryLabel: f.c === null ? null : categories[f.c as number],
      figures: [...(f.vacancy as SixFigures)],
    };
    if (f.waiting !== undefined) facility.waiting = [...(f.waiting as SixFigures)];
    if (hasLat) {
      facility.latitude = f.lat as number;
      facility.longitude = f.lng as number;
    }
    out.push(facility);
  });
  return {
    municipalityName: typeof json.municipalityName === 'string' ? json.municipalityName : null,
    asOf,
    subtitle: typeof subtitle === 'string' ? subtitle : null,
    notes: notes ?? [],
    facilities: out,
    problems,
  };
}

// ---------------------------------------------------------------------------------------------
// CSV

export const VACANCY_CSV_COLUMNS = ['municipality_code', 'facility', 'intake_month', 'age0', 'age1', 'age2', 'age3', 'age4', 'age5'] as const;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export interface VacancyCsvRow {
  line: number;
  municipalityCode: string;
  /** the hub facility id when the cell is a uuid, else null */
  facilityId: string | null;
  /** the exact facility name when the cell is not a uuid, else null */
  facilityName: string | null;
  /** 'YYYY-MM' */
  intakeMonth: string;
  /** figure per class age 0–5; null = no class of that age */
  figures: SixFigures;
}

export interface VacancyCsvParseResult {
  rows: VacancyCsvRow[];
  rejected: RejectedRow[];
}

class Reject extends Error {
  constructor(readonly field: string | undefined, readonly reason: string, readonly reasonJa: string) {
    super(reason);
  }
}

/**
 * @param expectedMunicipalityCode the municipality the upload is for; rows naming another are rejected.
 */
export function parseVacancyCsv(text: string, expectedMunicipalityCode?: string): VacancyCsvParseResult {
  const records = readCsvRecords(text);
  if (records.length === 0) {
    throw Errors.badInput('csv', `The CSV file is empty: the header ${VACANCY_CSV_COLUMNS.join(',')} is required.`, `CSVファイル（csv）が空です。見出し行 ${VACANCY_CSV_COLUMNS.join(',')} が必要です。`);
  }
  const [header, ...body] = records;
  const index = checkCsvHeader(header.cells, VACANCY_CSV_COLUMNS, VACANCY_CSV_COLUMNS);
  const rows: VacancyCsvRow[] = [];
  const rejected: RejectedRow[] = [];
  const seen = new Map<string, number>();

  for (const { line, cells } of body) {
    try {
      if (cells.length !== header.cells.length) {
        throw new Reject(undefined, `wrong number of cells: ${cells.length}, the header has ${header.cells.length}`, `項目数が ${cells.length} 個です（見出し行は ${header.cells.length} 個）`);
      }
      const get = (c: (typeof VACANCY_CSV_COLUMNS)[number]) => cells[index.get(c)!].normalize('NFKC').trim();
      const code = get('municipality_code');
      if (!/^\d{6}$/.test(code)) throw new Reject('municipality_code', `municipality_code "${code}" must be 6 digits`, `municipality_code「${code}」は6桁の数字でなければなりません`);
      if (!isValidMunicipalityCode(code)) {
        const expected = municipalityCheckDigit(code.slice(0, 5));
        throw new Reject('municipality_code', `municipality_code "${code}" has a wrong check digit (expected ${expected})`, `municipality_code「${code}」の検査数字が誤っています（正しくは ${expected}）`);
      }
      if (expectedMunicipalityCode !== undefined && code !== expectedMunicipalityCode) {
        throw new Reject('municipality_code', `municipality_code ${code} is not this upload's municipality ${expectedMunicipalityCode}`, `municipality_code ${code} はこのアップロードの市区町村 ${expectedMunicipalityCode} と異なります`);
      }
      const facility = cells[index.get('facility')!].trim();
      if (facility === '') throw new Reject('facility', 'facility (id or exact name) is empty', 'facility（施設IDまたは正式名称）が空です');
      const month = get('intake_month');
      const m = /^(\d{4})-(\d{2})$/.exec(month);
      if (!m || Number(m[2]) < 1 || Number(m[2]) > 12) {
        throw new Reject('intake_month', `intake_month "${month}" must be YYYY-MM (e.g. 2026-10)`, `intake_month「${month}」は YYYY-MM 形式（例: 2026-10）で入力してください`);
      }
      const figures: SixFigures = [];
      for (let age = 0; age <= 5; age++) {
        const col = `age${age}` as (typeof VACANCY_CSV_COLUMNS)[number];
        const v = get(col);
        if (v === '' || v === '-' || v === 'ー' || v === '—' || v === '―') figures.push(null);
        else if (/^\d+$/.test(v)) figures.push(Number(v));
        else if (/^-\d+(\.\d+)?$/.test(v)) throw new Reject(col, `${col} "${v}" is negative; use 0 or more, or '-' for no class`, `${col}「${v}」が負の数です。0以上か、クラスがなければ「-」にしてください`);
        else if (/^\d*\.\d+$/.test(v)) throw new Reject(col, `${col} "${v}" is not a whole number`, `${col}「${v}」は整数ではありません`);
        else throw new Reject(col, `${col} "${v}" is not a number; use 0 or more, or '-' for no class`, `${col}「${v}」は数値ではありません。0以上の整数か、クラスがなければ「-」にしてください`);
      }
      const isId = UUID.test(facility);
      const key = `${isId ? 'id' : 'name'}:${isId ? facility.toLowerCase() : facility}|${month}`;
      if (seen.has(key)) {
        throw new Reject('facility', `duplicate row: the same facility and intake_month as line ${seen.get(key)}`, `${seen.get(key)}行目と同じ施設・入所月の行が重複しています`);
      }
      seen.set(key, line);
      rows.push({
        line,
        municipalityCode: code,
        facilityId: isId ? facility.toLowerCase() : null,
        facilityName: isId ? null : facility,
        intakeMonth: month,
        figures,
      });
    } catch (e) {
      if (!(e instanceof Reject)) throw e;
      rejected.push({ line, field: e.field, reason: e.reason, reasonJa: e.reasonJa });
    }
  }
  return { rows, rejected };
}
