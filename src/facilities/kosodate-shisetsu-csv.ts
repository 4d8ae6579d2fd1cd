/**
 * Import of the national standard open-data facility list 「子育て施設一覧」
 * (自治体標準オープンデータセット). This is how a new municipality's facilities get into the hub.
 *
 * Decisions (documented here because they decide what gets imported):
 * - Only daycare facilities that take part in, or sit next to, municipal allocation are imported.
 *   幼稚園 (without こども園), 児童館, 学童/放課後児童クラブ, 一時預かり-only places, 子育てひろば,
 *   病児保育 and 認可外保育施設 are rejected with reason "not a daycare facility" so that the import
 *   report shows them; they are not errors in the file.
 * - A 種別 text that matches no rule is rejected as an unknown kind (never guessed).
 * - Ownership comes from the 種別 text (公立/市立/区立… → PUBLIC, 私立/民間 → PRIVATE, else UNKNOWN).
 * - 受入年齢: see parseAcceptedAges. minimumAgeDays is only set when the source gives a youngest age
 *   in days/months (産休明け = 57 days, N か月 = round(N × 30.4) days).
 * - Two rows with the same sourceKey (municipality code + normalised name) in one file: the second
 *   is rejected, because the key is what makes re-imports idempotent.
 */
import { parse } from 'csv-parse/sync';
import * as iconv from 'iconv-lite';
import { Errors } from '../common/errors';
import { normalizeFacilityName, normalizeKana } from '../common/normalize';
import { isValidMunicipalityCode, municipalityCheckDigit } from '../municipalities/municipality-code';
import { FacilityKind, Ownership } from './facility-kind';

export type SmallScaleType = 'A' | 'B' | 'C';

export interface ParsedFacilityRow {
  /** 1-based line number in the source file where the row starts */
  line: number;
  municipalityCode: string;
  name: string;
  /** full-width katakana, or null when the source has none */
  nameKana: string | null;
  kind: FacilityKind;
  ownership: Ownership;
  smallScaleType: SmallScaleType | null;
  /** the source's own kind text (種別), unchanged */
  categoryLabel: string;
  address: string | null;
  latitude: number | null;
  longitude: number | null;
  /** 法人番号, 13 digits */
  corporateNumber: string | null;
  /** 団体名 (operator) */
  operatorName: string | null;
  capacityTotal: number | null;
  /** class ages (0–5) the facility takes; null when the source does not say */
  classAgesTaken: number[] | null;
  /** youngest age taken into the 0歳 class, in days; null when not stated */
  minimumAgeDays: number | null;
  /** 'HH:MM' */
  opensAt: string | null;
  closesAt: string | null;
  hoursNote: string | null;
  /** 利用可能曜日 as listed (e.g. ['月','火','水','木','金','土']) */
  openDays: string[] | null;
  url: string | null;
  phone: string | null;
  /** municipalityCode + ':' + normalised name; stable across re-imports */
  sourceKey: string;
}

export interface RejectedRow {
  line: number;
  field?: string;
  reason: string;
  reasonJa: string;
}

export interface FacilityCsvParseResult {
  rows: ParsedFacilityRow[];
  rejected: RejectedRow[];
}

// ---------------------------------------------------------------------------------------------
// Decoding

/**
 * Text of a CSV file: UTF-8 (BOM removed) when the bytes are valid UTF-8, otherwise Shift_JIS
 * (CP932, the Windows variant municipalities' Excel writes). Bytes that are neither → BAD_USER_INPUT.
 */
export function decodeCsvBuffer(buf: Buffer | Uint8Array): string {
  const bytes = Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength);
  try {
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(bytes);
  } catch {
    // not UTF-8: try CP932 below
  }
  const text = iconv.decode(bytes, 'cp932');
  const bad = text.indexOf('\ufffd');
  if (bad >= 0) {
    const line = text.slice(0, bad).split('\n').length;
    throw Errors.badInput(
      'csv',
      `The CSV file is neither valid UTF-8 nor valid Shift_JIS (CP932): undecodable bytes near line ${line}. Save it as UTF-8 and upload it again.`,
      `CSVファイル（csv）の文字コードが UTF-8 でも Shift_JIS（CP932）でもありません（${line}行目付近に変換できないバイトがあります）。UTF-8 で保存し直してからアップロードしてください。`,
      { encoding: 'unknown', line },
    );
  }
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

/**
 * CSV records with the 1-based line each starts on; blank lines are dropped.
 * Only a quoted field can span lines, so a file with no double quote has one record per line and
 * its lines are counted here; csv-parse's per-record info (which more than doubled the parse time of
 * the national vacancy set) is asked for only when a quote could make a record span lines.
 */
export function readCsvRecords(text: string): { line: number; cells: string[] }[] {
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  const quoted = body.includes('"');
  let records: Array<{ record: string[]; info: { lines: number } }>;
  try {
    const parsed: unknown[] = parse(body, { relax_column_count: true, skip_empty_lines: false, info: quoted });
    // Without quotes, record i ends on line i + 1.
    records = quoted ? (parsed as typeof records) : (parsed as string[][]).map((record, i) => ({ record, info: { lines: i + 1 } }));
  } catch (e) {
    const msg = e instanceof Error ? e.message : String(e);
    throw Errors.badInput('csv', `The CSV file cannot be read: ${msg}`, `CSVファイル（csv）を読み取れません: ${msg}`);
  }
  const out: { line: number; cells: string[] }[] = [];
  let prevEnd = 0;
  for (const { record, info } of records) {
    const line = prevEnd + 1;
    prevEnd = info.lines;
    if (record.length === 1 && record[0].trim() === '') continue;
    out.push({ line, cells: record });
  }
  return out;
}

/** Header check shared by the CSV parsers: throws naming missing required and unknown columns. */
export function checkCsvHeader(header: string[], known: readonly string[], required: readonly string[]): Map<string, number> {
  const cells = header.map((h) => h.normalize('NFKC').trim());
  const missing = required.filter((c) => !cells.includes(c.normalize('NFKC')));
  const unknown = cells.filter((c) => !known.some((k) => k.normalize('NFKC') === c));
  const duplicated = cells.filter((c, i) => cells.indexOf(c) !== i);
  const problems: string[] = [];
  const problemsJa: string[] = [];
  if (missing.length) {
    problems.push(`missing required columns: ${missing.join(', ')}`);
    problemsJa.push(`必須の列がありません: ${missing.join('、')}`);
  }
  if (unknown.length) {
    problems.push(`unknown columns: ${unknown.map((u) => (u === '' ? '(empty)' : u)).join(', ')}`);
    problemsJa.push(`不明な列があります: ${unknown.map((u) => (u === '' ? '（空欄）' : u)).join('、')}`);
  }
  if (duplicated.length) {
    problems.push(`duplicated columns: ${duplicated.join(', ')}`);
    problemsJa.push(`列が重複しています: ${duplicated.join('、')}`);
  }
  if (problems.length) {
    throw Errors.badInput(
      'csv',
      `The CSV header (line 1) is wrong: ${problems.join('; ')}.`,
      `CSVの見出し行（csv、1行目）が正しくありません。${problemsJa.join('。')}。`,
      { missing, unknown, duplicated },
    );
  }
  const index = new Map<string, number>();
  cells.forEach((c, i) => index.set(known.find((k) => k.normalize('NFKC') === c)!, i));
  return index;
}

// ---------------------------------------------------------------------------------------------
// Cell parsers (exported for the other facility-list parsers and for tests)

export type CategoryClassification =
  | { status: 'daycare'; kind: FacilityKind; ownership: Ownership; smallScaleType: SmallScaleType | null }
  | { status: 'not-daycare'; reason: string; reasonJa: string }
  | { status: 'unknown' };

export function ownershipFromLabel(label: string): Ownership {
  const t = label.normalize('NFKC');
  if (/公立|市立|区立|町立|村立|都立|公設|公営/.test(t)) return Ownership.PUBLIC;
  if (/私立|民間|私設|民営/.test(t)) return Ownership.PRIVATE;
  return Ownership.UNKNOWN;
}

function smallScaleTypeOf(label: string): SmallScaleType | null {
  const m = /(?:^|[^A-Za-z])([ABC])(?:型)?(?![A-Za-z])/.exec(label);
  return m ? (m[1] as SmallScaleType) : null;
}

const NOT_DAYCARE: { pattern: RegExp; en: string; ja: string }[] = [
  { pattern: /認可外|ベビーシッター/, en: 'unlicensed daycare (認可外) is outside municipal allocation', ja: '認可外保育施設は利用調整の対象外' },
  { pattern: /幼稚園/, en: 'kindergarten (幼稚園)', ja: '幼稚園' },
  { pattern: /児童館|児童センター/, en: "children's hall (児童館)", ja: '児童館' },
  { pattern: /学童|児童クラブ|放課後/, en: 'after-school club (学童)', ja: '学童クラブ' },
  { pattern: /一時預かり|一時保育|病児|病後児/, en: 'occasional or sick-child care only', ja: '一時預かり・病児保育のみ' },
  { pattern: /ひろば|子育て支援|子育てサロン/, en: 'parenting support centre', ja: '子育て支援施設' },
];

/**
 * 種別 text → FacilityKind. Order matters: 事業所内 and こども園 win over 保育所 and 幼稚園
 * (「幼保連携型認定こども園」 is a こども園; 「事業所内保育所」 is workplace).
 */
export function classifyFacilityCategory(label: string): CategoryClassification {
  const t = label.normalize('NFKC').replace(/\s+/g, '');
  const ownership = ownershipFromLabel(t);
  const daycare = (kind: FacilityKind, smallScaleType: SmallScaleType | null = null): CategoryClassification => ({
    status: 'daycare',
    kind,
    ownership,
    smallScaleType,
  });
  if (t === '') return { status: 'unknown' };
  if (/居宅訪問/.test(t)) return daycare(FacilityKind.HOME_VISIT);
  if (/事業所/.test(t)) return daycare(FacilityKind.WORKPLACE);
  if (/認証/.test(t)) return daycare(FacilityKind.TOKYO_CERTIFIED);
  if (/こども園|子ども園|子供園/.test(t)) return daycare(FacilityKind.CERTIFIED_CHILDCARE_CENTER);
  if (/小規模/.test(t)) return daycare(FacilityKind.SMALL_SCALE, smallScaleTypeOf(t));
  if (/家庭的|保育ママ|家庭福祉員|家庭保育/.test(t)) return daycare(FacilityKind.FAMILY_DAYCARE);
  for (const nd of NOT_DAYCARE) {
    if (nd.pattern.test(t)) {
      return {
        status: 'not-daycare',
        reason: `not a daycare facility: ${nd.en} (種別 "${label}")`,
        reasonJa: `保育施設ではないため取り込みません: ${nd.ja}（種別「${label}」）`,
      };
    }
  }
  // 「保育室」 alone is deliberately not here: it names municipal schemes (港区保育室) and 認可外 rooms alike.
  if (/保育所|保育園|保育施設/.test(t)) return daycare(FacilityKind.LICENSED_NURSERY);
  return { status: 'unknown' };
}

export interface AcceptedAges {
  classAgesTaken: number[] | null;
  minimumAgeDays: number | null;
  /** false for open-ended texts like 「57日」「3か月」 without 「から」 or a range */
  upperBoundStated: boolean;
}

const MATERNITY_LEAVE_END_DAYS = 57; // 産休明け: 産後休業 8 weeks → from day 57
const DAYS_PER_MONTH = 30.4;

/**
 * 受入年齢 / 入園可能月齢 text → class ages and youngest age in days.
 * Accepted (after NFKC, with optional 「満」「おおむね」/「概ね」 prefix):
 *   START[から|以上][～END[まで]]  where START is 産休明け | 生後N日 | N日 | Nか月 | N歳[児][クラス]
 *   and END is N歳[児][クラス]. Without END the range runs to 5歳.
 * Examples: 「1歳クラスから」→[1..5]; 「産休明けから」→[0..5], 57 days; 「6か月～2歳児」→[0,1,2], 182 days;
 * 「3歳～5歳」→[3,4,5]; 「満3歳～5歳」→[3,4,5] (満 is dropped: a 幼稚園 term, such rows are rejected anyway).
 * Empty → all null. Returns null when the text is not understood.
 */
export function parseAcceptedAges(text: string | null | undefined): AcceptedAges | null {
  const t = (text ?? '')
    .normalize('NFKC')
    .replace(/[\s]/g, '')
    .replace(/[~〜～\u301c\uff5e\u2053ー−–-]/g, '~');
  if (t === '') return { classAgesTaken: null, minimumAgeDays: null, upperBoundStated: false };
  const m =
    /^(?:おおむね|概ね)?満?(?:(産休明け)|生後(\d+)日|(\d+)日|(\d+)(?:か|カ|ヶ|ケ|ヵ|箇)?月|(\d)歳(?:児)?(?:クラス)?)(から|以上)?(?:~満?(\d)歳(?:児)?(?:クラス)?(?:まで)?)?$/.exec(
      t,
    );
  if (!m) return null;
  const [, sankyu, seigoDays, days, months, fromAge, kara, toAge] = m;
  let minimumAgeDays: number | null = null;
  let from = 0;
  if (sankyu) minimumAgeDays = MATERNITY_LEAVE_END_DAYS;
  else if (seigoDays ?? days) minimumAgeDays = Number(seigoDays ?? days);
  else if (months) minimumAgeDays = Math.round(Number(months) * DAYS_PER_MONTH);
  else from = Number(fromAge);
  if (minimumAgeDays !== null && minimumAgeDays >= 365) return null; // "18か月" etc.: not a 0歳 rule
  const to = toAge !== undefined ? Number(toAge) : 5;
  if (from > 5 || to > 5 || from > to) return null;
  const classAgesTaken = Array.from({ length: to - from + 1 }, (_, i) => from + i);
  return { classAgesTaken, minimumAgeDays, upperBoundStated: toAge !== undefined || kara !== undefined };
}

/** 'H:MM' / 'HH:MM' / 'HH：MM' → 'HH:MM'; empty → null; anything else → undefined (invalid). */
export function parseClockTime(text: string | null | undefined): string | null | undefined {
  const t = (text ?? '').normalize('NFKC').trim();
  if (t === '') return null;
  const m = /^(\d{1,2}):(\d{2})$/.exec(t);
  if (!m) return undefined;
  const h = Number(m[1]);
  const min = Number(m[2]);
  if (h > 24 || min > 59 || (h === 24 && min > 0)) return undefined;
  return `${String(h).padStart(2, '0')}:${m[2]}`;
}

/** Both-or-neither coordinates in range. Returns an error (en, ja) or the numbers. */
export function parseCoordinates(
  latText: string,
  lngText: string,
): { latitude: number | null; longitude: number | null } | { error: string; errorJa: string; field: string } {
  const lat = latText.normalize('NFKC').trim();
  const lng = lngText.normalize('NFKC').trim();
  if (lat === '' && lng === '') return { latitude: null, longitude: null };
  if (lat === '' || lng === '') {
    const field = lat === '' ? '緯度' : '経度';
    return { field, error: `latitude and longitude must be given together (${field} is empty)`, errorJa: `緯度と経度は両方そろえて入力してください（${field}が空です）` };
  }
  const num = /^[+-]?\d+(\.\d+)?$/;
  for (const [field, v, max] of [['緯度', lat, 90], ['経度', lng, 180]] as const) {
    if (!num.test(v)) return { field, error: `${field} "${v}" is not a number`, errorJa: `${field}「${v}」が数値ではありません` };
    if (Math.abs(Number(v)) > max) {
      return { field, error: `${field} ${v} is out of range (−${max} to ${max})`, errorJa: `${field} ${v} が範囲外です（−${max}〜${max}）` };
    }
  }
  return { latitude: Number(lat), longitude: Number(lng) };
}

/** Non-negative integer or empty. */
export function parseCount(text: string): number | null | { error: string; errorJa: string } {
  const t = text.normalize('NFKC').replace(/[,\s]/g, '').replace(/人$/, '');
  if (t === '') return null;
  if (/^-\d+(\.\d+)?$/.test(t)) return { error: `"${text}" is negative; it must be 0 or more`, errorJa: `「${text}」は負の数です。0以上で入力してください` };
  if (!/^\d+$/.test(t)) return { error: `"${text}" is not a whole number`, errorJa: `「${text}」は整数ではありません` };
  return Number(t);
}

export function facilitySourceKey(municipalityCode: string, name: string): string {
  return `${municipalityCode}:${normalizeFacilityName(name)}`;
}

function emptyToNull(s: string | undefined): string | null {
  const t = (s ?? '').trim();
  return t === '' ? null : t;
}

// ---------------------------------------------------------------------------------------------
// 子育て施設一覧

export const KOSODATE_SHISETSU_COLUMNS = [
  '都道府県コード又は市区町村コード', 'NO', '都道府県名', '市区町村名', '名称', '名称_カナ', '種別', '住所',
  '方書', '緯度', '経度', 'アクセス方法', '駐車場情報', '電話番号', '内線番号', 'FAX番号', '法人番号', '団体名',
  '認可等年月日', '収容定員', '受入年齢', '利用可能曜日', '開始時間', '終了時間', '利用可能日時特記事項',
  '一時預かりの有無', 'URL', '備考',
] as const;
export const KOSODATE_SHISETSU_REQUIRED_COLUMNS = ['都道府県コード又は市区町村コード', '名称', '種別'] as const;

type KosodateColumn = (typeof KOSODATE_SHISETSU_COLUMNS)[number];

class RowRejection extends Error {
  constructor(readonly field: string | undefined, readonly reason: string, readonly reasonJa: string) {
    super(reason);
  }
}

export function parseKosodateShisetsuCsv(text: string): FacilityCsvParseResult {
  const records = readCsvRecords(text);
  if (records.length === 0) {
    throw Errors.badInput('csv', 'The CSV file is empty: a header line is required.', 'CSVファイル（csv）が空です。見出し行が必要です。');
  }
  const [header, ...body] = records;
  const index = checkCsvHeader(header.cells, KOSODATE_SHISETSU_COLUMNS, KOSODATE_SHISETSU_REQUIRED_COLUMNS);
  const rows: ParsedFacilityRow[] = [];
  const rejected: RejectedRow[] = [];
  const seen = new Map<string, number>();

  for (const { line, cells } of body) {
    if (cells.length !== header.cells.length) {
      rejected.push({
        line,
        reason: `wrong number of cells: ${cells.length}, the header has ${header.cells.length}`,
        reasonJa: `項目数が ${cells.length} 個です（見出し行は ${header.cells.length} 個）`,
      });
      continue;
    }
    const get = (c: KosodateColumn): string => {
      const i = index.get(c);
      return i === undefined ? '' : cells[i].trim();
    };
    try {
      const row = parseKosodateRow(line, get);
      const firstLine = seen.get(row.sourceKey);
      if (firstLine !== undefined) {
        throw new RowRejection('名称', `duplicate facility: same municipality and name as line ${firstLine}`, `${firstLine}行目と同じ市区町村・名称の施設が重複しています`);
      }
      seen.set(row.sourceKey, line);
      rows.push(row);
    } catch (e) {
      if (!(e instanceof RowRejection)) throw e;
      rejected.push({ line, field: e.field, reason: e.reason, reasonJa: e.reasonJa });
    }
  }
  return { rows, rejected };
}

function parseKosodateRow(line: number, get: (c: KosodateColumn) => string): ParsedFacilityRow {
  const code = get('都道府県コード又は市区町村コード').normalize('NFKC');
  const codeField = '都道府県コード又は市区町村コード';
  if (!/^\d{6}$/.test(code)) {
    throw new RowRejection(codeField, `municipality code "${code}" must be 6 digits`, `市区町村コード「${code}」は6桁の数字でなければなりません`);
  }
  if (!isValidMunicipalityCode(code)) {
    const expected = municipalityCheckDigit(code.slice(0, 5));
    throw new RowRejection(codeField, `municipality code "${code}" has a wrong check digit (expected ${expected})`, `市区町村コード「${code}」の検査数字が誤っています（正しくは ${expected}）`);
  }
  if (code.slice(2, 5) === '000') {
    throw new RowRejection(codeField, `"${code}" is a prefecture code; a facility needs its municipality code`, `「${code}」は都道府県コードです。施設には市区町村コードが必要です`);
  }
  const name = get('名称').normalize('NFKC').replace(/\s+$/u, '');
  if (name === '') throw new RowRejection('名称', 'name (名称) is empty', '名称が空です');

  const categoryLabel = get('種別');
  const cls = classifyFacilityCategory(categoryLabel);
  if (cls.status === 'not-daycare') throw new RowRejection('種別', cls.reason, cls.reasonJa);
  if (cls.status === 'unknown') {
    throw new RowRejection('種別', `unknown facility kind (種別) "${categoryLabel}"`, `種別「${categoryLabel}」は不明な施設種別です`);
  }

  const coords = parseCoordinates(get('緯度'), get('経度'));
  if ('error' in coords) throw new RowRejection(coords.field, coords.error, coords.errorJa);

  const corp = get('法人番号').normalize('NFKC').trim();
  if (corp !== '' && !/^\d{13}$/.test(corp)) {
    throw new RowRejection('法人番号', `corporate number (法人番号) "${corp}" must be 13 digits`, `法人番号「${corp}」は13桁の数字でなければなりません`);
  }
  const capacity = parseCount(get('収容定員'));
  if (capacity !== null && typeof capacity === 'object') {
    throw new RowRejection('収容定員', `capacity (収容定員): ${capacity.error}`, `収容定員: ${capacity.errorJa}`);
  }
  const ages = parseAcceptedAges(get('受入年齢'));
  if (!ages) {
    throw new RowRejection('受入年齢', `accepted ages (受入年齢) "${get('受入年齢')}" not understood`, `受入年齢「${get('受入年齢')}」を解釈できません`);
  }
  const times: Record<'開始時間' | '終了時間', string | null> = { 開始時間: null, 終了時間: null };
  for (const f of ['開始時間', '終了時間'] as const) {
    const v = parseClockTime(get(f));
    if (v === undefined) throw new RowRejection(f, `${f} "${get(f)}" must be HH:MM`, `${f}「${get(f)}」は HH:MM 形式で入力してください`);
    times[f] = v;
  }
  const address = [get('住所'), get('方書')].filter((s) => s !== '').join(' ');
  const days = get('利用可能曜日');
  const kana = get('名称_カナ');
  return {
    line,
    municipalityCode: code,
    name,
    nameKana: kana === '' ? null : normalizeKana(kana),
    kind: cls.kind,
    ownership: cls.ownership,
    smallScaleType: cls.smallScaleType,
    categoryLabel,
    address: emptyToNull(address),
    latitude: coords.latitude,
    longitude: coords.longitude,
    corporateNumber: corp === '' ? null : corp,
    operatorName: emptyToNull(get('団体名')),
    capacityTotal: capacity,
    classAgesTaken: ages.classAgesTaken,
    minimumAgeDays: ages.minimumAgeDays,
    opensAt: times['開始時間'],
    closesAt: times['終了時間'],
    hoursNote: emptyToNull(get('利用可能日時特記事項')),
    openDays: days === '' ? null : days.split(/[;；,、・]/).map((d) => d.trim()).filter(Boolean),
    url: emptyToNull(get('URL')),
    phone: emptyToNull(get('電話番号')),
    sourceKey: facilitySourceKey(code, name),
  };
}
