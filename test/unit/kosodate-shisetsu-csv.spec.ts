import { readFileSync } from 'fs';
import * as iconv from 'iconv-lite';
import { join } from 'path';
import { HubError } from '../../src/common/errors';
import { FacilityKind, Ownership } from '../../src/facilities/facility-kind';
import {
  KOSODATE_SHISETSU_COLUMNS,
  classifyFacilityCategory,
  decodeCsvBuffer,
  parseAcceptedAges,
  parseClockTime,
  parseKosodateShisetsuCsv,
} from '../../src/facilities/kosodate-shisetsu-csv';
import { parseMinatoFacilityCsv } from '../../src/facilities/minato-facility-csv';

const DATA = join(__dirname, '../../data/facilities');
const HEADER = KOSODATE_SHISETSU_COLUMNS.join(',');
/** A valid row; override cells by column name. */
function row(over: Partial<Record<(typeof KOSODATE_SHISETSU_COLUMNS)[number], string>> = {}): string {
  const base: Record<string, string> = {
    都道府県コード又は市区町村コード: '132012', NO: '1', 都道府県名: '東京都', 市区町村名: '八王子市', 名称: '八王子市立子安保育園',
    名称_カナ: 'ﾊﾁｵｳｼﾞｼﾘﾂｺﾔｽﾎｲｸｴﾝ', 種別: '認定公立保育所', 住所: '東京都八王子市子安町四丁目31ｰ1', 緯度: '35.652889', 経度: '139.335726',
    法人番号: '1000020132012', 団体名: '八王子市', 収容定員: '85', 受入年齢: '1歳クラスから', 利用可能曜日: '月;火;水;木;金;土',
    開始時間: '07:30', 終了時間: '18:30', 電話番号: '042-622-3343', URL: 'http://example.jp/',
  };
  const cells = { ...base, ...over };
  return KOSODATE_SHISETSU_COLUMNS.map((c) => {
    const v = cells[c] ?? '';
    return /[",\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v;
  }).join(',');
}
const csv = (...rows: string[]) => [HEADER, ...rows].join('\n') + '\n';

function thrown(fn: () => unknown): HubError {
  try {
    fn();
  } catch (e) {
    if (e instanceof HubError) return e;
    throw e;
  }
  throw new Error('did not throw');
}

describe('decodeCsvBuffer', () => {
  const text = `${HEADER}\n${row()}\n`;
  it.each([
    ['UTF-8', Buffer.from(text, 'utf8')],
    ['UTF-8 with BOM', Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(text, 'utf8')])],
    ['Shift_JIS (CP932)', iconv.encode(text, 'cp932')],
  ])('decodes %s', (_, buf) => {
    const decoded = decodeCsvBuffer(buf);
    expect(decoded).toBe(text);
    expect(parseKosodateShisetsuCsv(decoded).rows[0].name).toBe('八王子市立子安保育園');
  });

  it('rejects bytes that are neither UTF-8 nor Shift_JIS, naming the encoding', () => {
    const e = thrown(() => decodeCsvBuffer(Buffer.concat([Buffer.from('名称,種別\n', 'utf8'), Buffer.from([0x82, 0xff, 0xfd, 0x0a])])));
    expect([e.code, e.field]).toEqual(['BAD_USER_INPUT', 'csv']);
    expect(e.message).toMatch(/neither valid UTF-8 nor valid Shift_JIS/);
    expect(e.messageJa).toMatch(/文字コード/);
  });
});

describe('parseKosodateShisetsuCsv: header', () => {
  it.each([
    ['missing required column', HEADER.replace('種別,', ''), /missing required columns: 種別/, /必須の列がありません: 種別/],
    ['unknown extra column', `${HEADER},定員0歳`, /unknown columns: 定員0歳/, /不明な列があります: 定員0歳/],
    ['both', HEADER.replace('名称,', '施設名,'), /missing required columns: 名称.*unknown columns: 施設名/, /名称.*施設名/],
    ['duplicated column', `${HEADER},URL`, /duplicated columns: URL/, /列が重複しています: URL/],
  ])('%s → BAD_USER_INPUT', (_, header, en, ja) => {
    const e = thrown(() => parseKosodateShisetsuCsv(`${header}\n`));
    expect([e.code, e.field]).toEqual(['BAD_USER_INPUT', 'csv']);
    expect(e.message).toMatch(en);
    expect(e.messageJa).toMatch(ja);
  });

  it('accepts a header without the optional columns', () => {
    const r = parseKosodateShisetsuCsv('都道府県コード又は市区町村コード,名称,種別\n132012,こばと保育園,小規模保育事業\n');
    expect(r.rows).toHaveLength(1);
    expect(r.rows[0]).toMatchObject({ kind: FacilityKind.SMALL_SCALE, latitude: null, classAgesTaken: null });
  });

  it('throws on an empty file', () => expect(() => parseKosodateShisetsuCsv('')).toThrow(HubError));
});

describe('parseKosodateShisetsuCsv: rows', () => {
  it('parses a full row', () => {
    const r = parseKosodateShisetsuCsv(csv(row()));
    expect(r.rejected).toEqual([]);
    expect(r.rows[0]).toEqual({
      line: 2, municipalityCode: '132012', name: '八王子市立子安保育園', nameKana: 'ハチオウジシリツコヤスホイクエン',
      kind: FacilityKind.LICENSED_NURSERY, ownership: Ownership.PUBLIC, smallScaleType: null, categoryLabel: '認定公立保育所',
      address: '東京都八王子市子安町四丁目31ｰ1', latitude: 35.652889, longitude: 139.335726, corporateNumber: '1000020132012',
      operatorName: '八王子市', capacityTotal: 85, classAgesTaken: [1, 2, 3, 4, 5], minimumAgeDays: null, opensAt: '07:30',
      closesAt: '18:30', hoursNote: null, openDays: ['月', '火', '水', '木', '金', '土'], url: 'http://example.jp/',
      phone: '042-622-3343', sourceKey: '132012:八王子市立子安保育園',
    });
  });

  it.each([
    ['bad check digit', { 都道府県コード又は市区町村コード: '132013' }, '都道府県コード又は市区町村コード', /check digit \(expected 2\)/],
    ['code not 6 digits', { 都道府県コード又は市区町村コード: '13201' }, '都道府県コード又は市区町村コード', /6 digits/],
    ['prefecture code', { 都道府県コード又は市区町村コード: '130001' }, '都道府県コード又は市区町村コード', /prefecture code/],
    ['empty name', { 名称: '' }, '名称', /name \(名称\) is empty/],
    ['unknown kind', { 種別: '夜間託児所' }, '種別', /unknown facility kind/],
    ['kindergarten', { 種別: '私立幼稚園' }, '種別', /not a daycare facility: kindergarten/],
    ['児童館', { 種別: '児童館' }, '種別', /not a daycare facility/],
    ['latitude not a number', { 緯度: '北緯35度' }, '緯度', /not a number/],
    ['latitude out of range', { 緯度: '135.6' }, '緯度', /out of range/],
    ['longitude out of range', { 経度: '-190' }, '経度', /out of range/],
    ['latitude without longitude', { 経度: '' }, '経度', /together/],
    ['corporate number 12 digits', { 法人番号: '100002013201' }, '法人番号', /13 digits/],
    ['negative capacity', { 収容定員: '-5' }, '収容定員', /negative/],
    ['fractional capacity', { 収容定員: '12.5' }, '収容定員', /not a whole number/],
    ['ages not understood', { 受入年齢: '応相談' }, '受入年齢', /not understood/],
    ['bad time', { 開始時間: '7時半' }, '開始時間', /HH:MM/],
    ['time out of range', { 終了時間: '25:00' }, '終了時間', /HH:MM/],
  ])('%s → rejected with field and reason', (_, over, field, reason) => {
    const r = parseKosodateShisetsuCsv(csv(row(over)));
    expect(r.rows).toEqual([]);
    expect(r.rejected).toHaveLength(1);
    expect(r.rejected[0]).toMatchObject({ line: 2, field });
    expect(r.rejected[0].reason).toMatch(reason);
    expect(r.rejected[0].reasonJa).not.toBe('');
  });

  it('rejects a row with the wrong number of cells, with its line number', () => {
    const r = parseKosodateShisetsuCsv(csv(row(), `${row({ 名称: '二つ目' })},余分`, row({ 名称: '三つ目' })));
    expect(r.rows.map((x) => x.line)).toEqual([2, 4]);
    expect(r.rejected).toEqual([expect.objectContaining({ line: 3, reason: 'wrong number of cells: 29, the header has 28' })]);
  });

  it('counts lines across quoted multi-line cells and skips blank lines', () => {
    const r = parseKosodateShisetsuCsv(`${HEADER}\n${row({ アクセス方法: '駅から\n徒歩7分' })}\n\n${row({ 名称: '次の園', 収容定員: '-1' })}\n`);
    expect(r.rows[0].line).toBe(2);
    expect(r.rejected[0].line).toBe(5);
  });

  it('rejects a second row with the same normalised name', () => {
    const r = parseKosodateShisetsuCsv(csv(row(), row({ 名称: '八王子市立子安保育園　(仮称)' })));
    expect(r.rejected).toEqual([expect.objectContaining({ line: 3, field: '名称', reason: expect.stringMatching(/line 2/) })]);
  });

  it('trims a trailing space in 法人番号 and full-width space in names', () => {
    const r = parseKosodateShisetsuCsv(csv(row({ 法人番号: '4010105000279 ', 名称: '八王子市立津久田保育園　' })));
    expect(r.rows[0]).toMatchObject({ corporateNumber: '4010105000279', name: '八王子市立津久田保育園' });
  });
});

describe('classifyFacilityCategory', () => {
  it.each([
    ['認定公立保育所', FacilityKind.LICENSED_NURSERY, Ownership.PUBLIC, null],
    ['認定私立保育所', FacilityKind.LICENSED_NURSERY, Ownership.PRIVATE, null],
    ['認可保育所', FacilityKind.LICENSED_NURSERY, Ownership.UNKNOWN, null],
    ['認定こども園（地方裁量型）', FacilityKind.CERTIFIED_CHILDCARE_CENTER, Ownership.UNKNOWN, null],
    ['幼保連携型認定こども園', FacilityKind.CERTIFIED_CHILDCARE_CENTER, Ownership.UNKNOWN, null],
    ['小規模保育事業', FacilityKind.SMALL_SCALE, Ownership.UNKNOWN, null],
    ['小規模保育事業（Ａ型）', FacilityKind.SMALL_SCALE, Ownership.UNKNOWN, 'A'],
    ['小規模B', FacilityKind.SMALL_SCALE, Ownership.UNKNOWN, 'B'],
    ['家庭的保育者', FacilityKind.FAMILY_DAYCARE, Ownership.UNKNOWN, null],
    ['保育ママ', FacilityKind.FAMILY_DAYCARE, Ownership.UNKNOWN, null],
    ['事業所内保育事業', FacilityKind.WORKPLACE, Ownership.UNKNOWN, null],
    ['居宅訪問型保育事業', FacilityKind.HOME_VISIT, Ownership.UNKNOWN, null],
    ['東京都認証保育所', FacilityKind.TOKYO_CERTIFIED, Ownership.UNKNOWN, null],
  ])('%s → %s %s %s', (label, kind, ownership, type) =>
    expect(classifyFacilityCategory(label)).toEqual({ status: 'daycare', kind, ownership, smallScaleType: type }));

  it.each(['私立幼稚園', '児童館', '学童クラブ', '放課後児童クラブ', '認可外保育施設', '一時預かり'])('%s → not a daycare facility', (label) =>
    expect(classifyFacilityCategory(label)).toMatchObject({ status: 'not-daycare', reason: expect.stringMatching(/^not a daycare facility/) }));

  it.each(['', '港区保育室', '夜間託児所'])('%s → unknown', (label) => expect(classifyFacilityCategory(label)).toEqual({ status: 'unknown' }));
});

describe('parseAcceptedAges (every distinct value of the Hachioji and Minato files, and more)', () => {
  const all = [0, 1, 2, 3, 4, 5];
  it.each([
    ['産休明けから', all, 57],
    ['産休明け～2歳児', [0, 1, 2], 57],
    ['３歳～５歳', [3, 4, 5], null],
    ['1歳クラスから', [1, 2, 3, 4, 5], null],
    ['満３歳～５歳', [3, 4, 5], null],
    ['0歳～5歳児', all, null],
    ['3か月から', all, 91],
    ['2歳クラスから', [2, 3, 4, 5], null],
    ['6か月から', all, 182],
    ['1歳～2歳児', [1, 2], null],
    ['0歳～2歳児', [0, 1, 2], null],
    ['3歳クラスから', [3, 4, 5], null],
    ['1歳～2歳', [1, 2], null],
    ['6か月～2歳児', [0, 1, 2], 182],
    ['生後57日から', all, 57],
    ['生後43日から', all, 43],
    ['6ヶ月〜2歳', [0, 1, 2], 182],
    ['57日～2歳', [0, 1, 2], 57],
    ['おおむね1歳～5歳', [1, 2, 3, 4, 5], null],
    ['', null, null],
  ])('%s → %j, %s days', (text, ages, days) => {
    expect(parseAcceptedAges(text)).toMatchObject({ classAgesTaken: ages, minimumAgeDays: days });
  });

  it.each([['57日', 57], ['3か月', 91], ['43日', 43]])('open-ended %s: %i days, no stated upper bound', (text, days) =>
    expect(parseAcceptedAges(text)).toMatchObject({ minimumAgeDays: days, upperBoundStated: false }));

  it.each(['応相談', '5歳～3歳', '7歳から', '18か月から'])('%s → null (not understood)', (text) => expect(parseAcceptedAges(text)).toBeNull());
});

describe('parseClockTime', () => {
  it.each([
    ['07:30', '07:30'], ['7:15', '07:15'], ['１９：００', '19:00'], ['00:00', '00:00'], ['24:00', '24:00'], ['', null],
    ['25:00', undefined], ['7時', undefined], ['8:00～18:00のうち最長8時間', undefined],
  ])('%s → %s', (text, out) => expect(parseClockTime(text)).toBe(out));
});

describe('the real files', () => {
  it('Hachioji 子育て施設一覧: 140 rows parse, 32 幼稚園 rejected as not daycare', () => {
    const r = parseKosodateShisetsuCsv(decodeCsvBuffer(readFileSync(join(DATA, 'hachioji_kosodate_shisetsu_ichiran.csv'))));
    expect(r.rows.length + r.rejected.length).toBe(172);
    expect(r.rows).toHaveLength(140);
    expect(r.rejected).toHaveLength(32);
    expect(r.rejected.every((x) => x.field === '種別' && x.reason.startsWith('not a daycare facility: kindergarten'))).toBe(true);
    const byKind = r.rows.reduce<Record<string, number>>((acc, x) => ({ ...acc, [x.kind]: (acc[x.kind] ?? 0) + 1 }), {});
    expect(byKind).toEqual({ LICENSED_NURSERY: 106, SMALL_SCALE: 3, WORKPLACE: 6, FAMILY_DAYCARE: 18, TOKYO_CERTIFIED: 6, CERTIFIED_CHILDCARE_CENTER: 1 });
    expect(r.rows.every((x) => x.latitude !== null && x.nameKana !== null && /^[\u30a0-\u30ff・]+$/.test(x.nameKana))).toBe(true);
  });

  it('Minato 認可保育園等一覧: 111 rows, blank and footer rows skipped', () => {
    const r = parseMinatoFacilityCsv(decodeCsvBuffer(readFileSync(join(DATA, 'minato_ninka_hoikuen_ichiran.csv'))));
    expect(r.rejected).toEqual([]);
    expect(r.rows).toHaveLength(111);
    expect(r.rows.every((x) => x.municipalityCode === '131032')).toBe(true);
    expect(r.rows[0]).toMatchObject({ name: 'にじいろ保育園新橋(仮称)', sourceKey: '131032:にじいろ保育園新橋', latitude: 35.6616148 });
    expect(r.rows.find((x) => x.name === '芝保育園')).toMatchObject({
      kind: FacilityKind.LICENSED_NURSERY, ownership: Ownership.PUBLIC, minimumAgeDays: 91, classAgesTaken: null, opensAt: '07:15', closesAt: '18:15',
    });
    expect(r.rows.filter((x) => x.kind === FacilityKind.MUNICIPAL_OTHER)).toHaveLength(13);
  });

  it('Minato parser rejects a row with an unknown 種別 and a bad coordinate', () => {
    const header = readFileSync(join(DATA, 'minato_ninka_hoikuen_ichiran.csv'), 'utf8').split(/\r?\n/)[0];
    const r = parseMinatoFacilityCsv(
      [header, '認可保育園,芝,A園,港区,35.6,139.7,公設,,,,,57日,,,,,,,', '認可保育園,芝,B園,港区,95.6,139.7,私立,,,,,57日,,,,,,,'].join('\n'),
    );
    expect(r.rejected.map((x) => [x.line, x.field])).toEqual([[2, '種別'], [3, '緯度']]);
  });
});
