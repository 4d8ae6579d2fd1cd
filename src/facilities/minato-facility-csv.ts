/**
 * Parser for 港区「港区内認可保育園等一覧」 (Tokyo open-data catalogue, Ver202104):
 * data/facilities/minato_ninka_hoikuen_ichiran.csv. Its own column layout (not 子育て施設一覧); rows come
 * out in the same ParsedFacilityRow shape so both lists feed coordinate matching.
 *
 * - Blank rows (every cell empty) and the footer row 「港区内認可保育園等一覧,Ver…」 are skipped.
 * - 施設種別 → kind: 認可保育園 → LICENSED_NURSERY, 認定こども園 → CERTIFIED_CHILDCARE_CENTER,
 *   小規模保育事業 → SMALL_SCALE (the file gives no A/B/C), 居宅訪問型保育事業 → HOME_VISIT,
 *   港区保育室 (the ward's own scheme) → MUNICIPAL_OTHER.
 * - 種別 → ownership: 区立 → PUBLIC, 私立 → PRIVATE, 委託 → PUBLIC (公設民営: set up by the ward,
 *   run by a contractor).
 * - 入園可能月齢 is the youngest age taken ('57日', '3か月', '43日'): minimumAgeDays. It says nothing
 *   about the oldest class, so classAgesTaken stays null unless a range is given ('57日～2歳').
 * - 標準時間 start/end → opensAt/closesAt; 短時間, 延長保育 and 休園日 go into hoursNote. A time cell that
 *   is prose ('8:00～18:00のうち最長8時間') is kept in hoursNote and the time stays null.
 */
import { Errors } from '../common/errors';
import { FacilityKind, Ownership } from './facility-kind';
import {
  FacilityCsvParseResult,
  ParsedFacilityRow,
  RejectedRow,
  checkCsvHeader,
  classifyFacilityCategory,
  facilitySourceKey,
  parseAcceptedAges,
  parseClockTime,
  parseCoordinates,
  readCsvRecords,
} from './kosodate-shisetsu-csv';

export const MINATO_MUNICIPALITY_CODE = '131032';

export const MINATO_FACILITY_COLUMNS = [
  '施設種別', '地区', '保育園名', '所在地', '緯度', '経度', '種別', '開設年', '開設月', '電話番号', 'WebサイトURL',
  '入園可能月齢', '短時間保育開始時間', '短時間保育終了時間', '標準時間開始時間', '標準時間終了時間', '延長保育対象月齢',
  '延長保育', '休園日',
] as const;
type MinatoColumn = (typeof MINATO_FACILITY_COLUMNS)[number];
const REQUIRED: MinatoColumn[] = ['施設種別', '保育園名', '種別'];

const OWNERSHIP: Record<string, Ownership> = { 区立: Ownership.PUBLIC, 私立: Ownership.PRIVATE, 委託: Ownership.PUBLIC };
const FOOTER_TITLE = '港区内認可保育園等一覧';


export function parseMinatoFacilityCsv(text: string): FacilityCsvParseResult {
  const records = readCsvRecords(text);
  if (records.length === 0) {
    throw Errors.badInput('csv', 'The CSV file is empty: a header line is required.', 'CSVファイル（csv）が空です。見出し行が必要です。');
  }
  const [header, ...body] = records;
  const index = checkCsvHeader(header.cells, MINATO_FACILITY_COLUMNS, REQUIRED);
  const rows: ParsedFacilityRow[] = [];
  const rejected: RejectedRow[] = [];
  const seen = new Map<string, number>();

  for (const { line, cells } of body) {
    if (cells.every((c) => c.trim() === '')) continue;
    if (cells[0].trim() === FOOTER_TITLE) continue;
    const reject = (field: string | undefined, reason: string, reasonJa: string) => rejected.push({ line, field, reason, reasonJa });
    if (cells.length !== header.cells.length) {
      reject(undefined, `wrong number of cells: ${cells.length}, the header has ${header.cells.length}`, `項目数が ${cells.length} 個です（見出し行は ${header.cells.length} 個）`);
      continue;
    }
    const get = (c: MinatoColumn): string => {
      const i = index.get(c);
      return i === undefined ? '' : cells[i].normalize('NFKC').trim();
    };
    const name = get('保育園名');
    if (name === '') {
      reject('保育園名', 'name (保育園名) is empty', '保育園名が空です');
      continue;
    }
    const categoryLabel = cells[index.get('施設種別')!].trim();
    let kind: FacilityKind;
    let smallScaleType: ParsedFacilityRow['smallScaleType'] = null;
    if (categoryLabel === '港区保育室') {
      kind = FacilityKind.MUNICIPAL_OTHER;
    } else {
      const cls = classifyFacilityCategory(categoryLabel);
      if (cls.status !== 'daycare') {
        const why = cls.status === 'not-daycare' ? cls.reason : `unknown facility kind (施設種別) "${categoryLabel}"`;
        const whyJa = cls.status === 'not-daycare' ? cls.reasonJa : `施設種別「${categoryLabel}」は不明な施設種別です`;
        reject('施設種別', why, whyJa);
        continue;
      }
      kind = cls.kind;
      smallScaleType = cls.smallScaleType;
    }
    const ownershipLabel = get('種別');
    const ownership = OWNERSHIP[ownershipLabel];
    if (!ownership) {
      reject('種別', `unknown ownership (種別) "${ownershipLabel}"; expected 区立, 私立 or 委託`, `種別「${ownershipLabel}」が不明です（区立・私立・委託のいずれか）`);
      continue;
    }
    const coords = parseCoordinates(get('緯度'), get('経度'));
    if ('error' in coords) {
      reject(coords.field, coords.error, coords.errorJa);
      continue;
    }
    const ages = parseAcceptedAges(get('入園可能月齢'));
    if (!ages) {
      reject('入園可能月齢', `youngest age (入園可能月齢) "${get('入園可能月齢')}" not understood`, `入園可能月齢「${get('入園可能月齢')}」を解釈できません`);
      continue;
    }
    const opensAt = parseClockTime(get('標準時間開始時間')) ?? null;
    const closesAt = parseClockTime(get('標準時間終了時間')) ?? null;
    const notes: string[] = [];
    const std = `${get('標準時間開始時間')}～${get('標準時間終了時間')}`;
    if ((opensAt === null && get('標準時間開始時間') !== '') || (closesAt === null && get('標準時間終了時間') !== '')) {
      notes.push(`標準時間 ${get('標準時間開始時間') === get('標準時間終了時間') ? get('標準時間開始時間') : std}`);
    }
    const shortStart = get('短時間保育開始時間');
    const shortEnd = get('短時間保育終了時間');
    if (shortStart || shortEnd) notes.push(`短時間 ${shortStart === shortEnd ? shortStart : `${shortStart}～${shortEnd}`}`);
    if (get('延長保育')) notes.push(`延長保育 ${get('延長保育')}${get('延長保育対象月齢') ? `（対象 ${get('延長保育対象月齢')}）` : ''}`);
    if (get('休園日')) notes.push(`休園日 ${get('休園日')}`);

    const sourceKey = facilitySourceKey(MINATO_MUNICIPALITY_CODE, name);
    const first = seen.get(sourceKey);
    if (first !== undefined) {
      reject('保育園名', `duplicate facility: same name as line ${first}`, `${first}行目と同じ名称の施設が重複しています`);
      continue;
    }
    seen.set(sourceKey, line);
    rows.push({
      line,
      municipalityCode: MINATO_MUNICIPALITY_CODE,
      name,
      nameKana: null,
      kind,
      ownership,
      smallScaleType,
      categoryLabel,
      address: get('所在地') || null,
      latitude: coords.latitude,
      longitude: coords.longitude,
      corporateNumber: null,
      operatorName: null,
      capacityTotal: null,
      classAgesTaken: ages.upperBoundStated ? ages.classAgesTaken : null,
      minimumAgeDays: ages.minimumAgeDays,
      opensAt,
      closesAt,
      hoursNote: notes.length ? notes.join('、') : null,
      openDays: null,
      url: get('WebサイトURL') || null,
      phone: get('電話番号') || null,
      sourceKey,
    });
  }
  return { rows, rejected };
}
