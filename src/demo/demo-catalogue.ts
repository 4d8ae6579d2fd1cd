/**
 * Conversion metadata for the ten demo vacancy files in data/vacancy/ (real municipal lists, see
 * data/SOURCES.md) and the conversion itself. The meaning of each file's figures is data here,
 * read from the file's own subtitle and notes:
 *
 * - figureKind: INTAKE_QUOTA where the municipality publishes 募集人数/募集数/入園可能数 for one intake
 *   month; OPEN_SEATS where it publishes 空き状況 (板橋区「9月利用の空き状況」, 港区「10月入所に向けた空き状況」,
 *   目黒区「空き状況（例月）」).
 * - intakeMonth: from the subtitle. 渋谷区's subtitle has no year (「9月1日入所」): asOf is 2026-08-17,
 *   so 2026-09. 目黒区 has no subtitle: its list is dated 2026-08-21, after the 10th-of-the-previous-
 *   month deadline for a September entry, so the next round it can inform is October; 港区 and 品川区
 *   lists published the same week are also for October. Decision: 2026-10.
 * - categoryKinds: every category label of the file. Ownership is PUBLIC for 区立/公立 and for
 *   足立区「公民」 (公設民営: set up by the ward, run by a contractor), PRIVATE for 私立, UNKNOWN where a
 *   label mixes both (八王子市「認可保育園」, 町田市「公立・私立認可保育所」, 港区「認可保育園」) or says
 *   nothing. 足立区「区立こ」 is 区立こども園 (the three facilities are named …こども園).
 *   港区「医療的ケア児・障害児クラス」 is a class of 元麻布保育園 published as one total; as no kind fits
 *   it is MUNICIPAL_OTHER, like 港区保育室 and 板橋区「ベビールーム」. 渋谷区「区立保育園・幼保一元化施設」 is
 *   LICENSED_NURSERY PUBLIC (the ward's integrated facilities are run as 保育園 for allocation).
 *   目黒区 lists four 家庭福祉員 without a category (c: null): recorded as 「家庭福祉員」, FAMILY_DAYCARE.
 *   杉並区「事業所B」「事業所（保）」「事業所」 are WORKPLACE; smallScaleType is kept for SMALL_SCALE only.
 */
import { Errors } from '../common/errors';
import { normalizeFacilityName } from '../common/normalize';
import { FacilityKind, Ownership } from '../facilities/facility-kind';
import { ParsedFacilityRow, SmallScaleType } from '../facilities/kosodate-shisetsu-csv';
import { VacancyFigureKind } from '../vacancies/vacancy-figure-kind';
import { parseVacancyJson } from '../vacancies/vacancy-file';

export interface CategoryKind {
  kind: FacilityKind;
  ownership: Ownership;
  smallScaleType?: SmallScaleType;
}

export interface DemoFileMeta {
  municipalityCode: string;
  municipalityName: string;
  figureKind: VacancyFigureKind;
  /** 'YYYY-MM' */
  intakeMonth: string;
  /** 'YYYY-MM-DD', must equal the file's asOf */
  asOf: string;
  categoryKinds: Record<string, CategoryKind>;
  /** for facilities the file lists with `c: null`: the label to record and their kind */
  uncategorised?: { label: string; kind: CategoryKind };
}

const { LICENSED_NURSERY: LIC, CERTIFIED_CHILDCARE_CENTER: CCC, SMALL_SCALE: SMALL, FAMILY_DAYCARE: FAMILY, WORKPLACE: WORK, MUNICIPAL_OTHER: OTHER } = FacilityKind;
const { PUBLIC, PRIVATE, UNKNOWN } = Ownership;
const k = (kind: FacilityKind, ownership: Ownership = UNKNOWN, smallScaleType?: SmallScaleType): CategoryKind =>
  smallScaleType ? { kind, ownership, smallScaleType } : { kind, ownership };
const { INTAKE_QUOTA, OPEN_SEATS } = VacancyFigureKind;

export const DEMO_SLUGS = ['adachi', 'edogawa', 'hachioji', 'itabashi', 'machida', 'meguro', 'minato', 'shibuya', 'shinagawa', 'suginami'] as const;
export type DemoSlug = (typeof DEMO_SLUGS)[number];

export const DEMO_CATALOGUE: Record<DemoSlug, DemoFileMeta> = {
  adachi: {
    municipalityCode: '131211', municipalityName: '足立区', figureKind: INTAKE_QUOTA, intakeMonth: '2026-09', asOf: '2026-08-01',
    categoryKinds: {
      私立: k(LIC, PRIVATE), 公民: k(LIC, PUBLIC), 区立: k(LIC, PUBLIC), 区立こ: k(CCC, PUBLIC), 小規模: k(SMALL),
      '家庭的保育（保育ママ）': k(FAMILY), 私立認定こども園: k(CCC, PRIVATE),
    },
  },
  edogawa: {
    municipalityCode: '131237', municipalityName: '江戸川区', figureKind: INTAKE_QUOTA, intakeMonth: '2026-09', asOf: '2026-08-01',
    categoryKinds: { 区立保育園: k(LIC, PUBLIC), 私立保育園: k(LIC, PRIVATE), 認定こども園: k(CCC), 小規模保育: k(SMALL), 事業所内保育: k(WORK) },
  },
  hachioji: {
    municipalityCode: '132012', municipalityName: '八王子市', figureKind: INTAKE_QUOTA, intakeMonth: '2026-09', asOf: '2026-08-01',
    categoryKinds: { 認可保育園: k(LIC), 認定こども園: k(CCC), 家庭的保育事業: k(FAMILY), 小規模保育事業: k(SMALL), 事業所内保育事業: k(WORK) },
  },
  itabashi: {
    municipalityCode: '131199', municipalityName: '板橋区', figureKind: OPEN_SEATS, intakeMonth: '2026-09', asOf: '2026-08-03',
    categoryKinds: {
      区立認可保育園: k(LIC, PUBLIC), 私立認可保育園: k(LIC, PRIVATE), 認定こども園: k(CCC), 在宅家庭福祉員: k(FAMILY),
      小規模保育施設: k(SMALL), ベビールーム: k(OTHER), 事業所内保育所: k(WORK),
    },
  },
  machida: {
    municipalityCode: '132098', municipalityName: '町田市', figureKind: INTAKE_QUOTA, intakeMonth: '2026-09', asOf: '2026-09-01',
    categoryKinds: { '公立・私立認可保育所': k(LIC), 認定こども園: k(CCC), 小規模保育園: k(SMALL), '家庭的保育者（保育ママ）': k(FAMILY) },
  },
  meguro: {
    municipalityCode: '131105', municipalityName: '目黒区', figureKind: OPEN_SEATS, intakeMonth: '2026-10', asOf: '2026-08-21',
    categoryKinds: { 公立認可保育園: k(LIC, PUBLIC), 私立認可保育園: k(LIC, PRIVATE), 認定こども園: k(CCC), 小規模保育所: k(SMALL), 事業所型保育所: k(WORK) },
    // Four rows have c: null; all are named 「…（家庭福祉員）」 (目黒区's 家庭的保育) and publish one total.
    uncategorised: { label: '家庭福祉員', kind: k(FAMILY) },
  },
  minato: {
    municipalityCode: '131032', municipalityName: '港区', figureKind: OPEN_SEATS, intakeMonth: '2026-10', asOf: '2026-08-17',
    categoryKinds: { 認可保育園: k(LIC), 認定こども園: k(CCC), 小規模保育施設: k(SMALL), 港区保育室: k(OTHER, PUBLIC), '医療的ケア児・障害児クラス': k(OTHER) },
  },
  shibuya: {
    municipalityCode: '131130', municipalityName: '渋谷区', figureKind: INTAKE_QUOTA, intakeMonth: '2026-09', asOf: '2026-08-17',
    categoryKinds: { '区立保育園・幼保一元化施設': k(LIC, PUBLIC), 私立保育園: k(LIC, PRIVATE), 私立認定こども園: k(CCC, PRIVATE), 小規模: k(SMALL) },
  },
  shinagawa: {
    municipalityCode: '131091', municipalityName: '品川区', figureKind: INTAKE_QUOTA, intakeMonth: '2026-10', asOf: '2026-08-21',
    categoryKinds: { 区立保育園: k(LIC, PUBLIC), 私立保育園: k(LIC, PRIVATE), 家庭的保育事業: k(FAMILY), 小規模保育事業: k(SMALL) },
  },
  suginami: {
    municipalityCode: '131156', municipalityName: '杉並区', figureKind: INTAKE_QUOTA, intakeMonth: '2026-09', asOf: '2026-07-31',
    categoryKinds: {
      私立: k(LIC, PRIVATE), 区立: k(LIC, PUBLIC), 小規模A: k(SMALL, UNKNOWN, 'A'), 事業所B: k(WORK), 家庭的: k(FAMILY),
      小規模B: k(SMALL, UNKNOWN, 'B'), '事業所（保）': k(WORK), 事業所: k(WORK),
    },
  },
};

export interface ConvertedDemoFacility {
  sourceKey: string;
  name: string;
  ward: string | null;
  categoryLabel: string;
  kind: FacilityKind;
  ownership: Ownership;
  smallScaleType: SmallScaleType | null;
  /** class ages whose figure is not null */
  classAgesTaken: number[];
  latitude: number | null;
  longitude: number | null;
  /** one entry per class age 0–5; seats null = no figure for that age (no class, or not published) */
  figures: { classAge: number; seats: number | null }[];
  /** the source's total when it publishes one figure for all ages (板橋区 在宅家庭福祉員, 目黒区 家庭福祉員, 港区 医療的ケア児クラス) */
  seatsTotal?: number;
  /** 渋谷区 only: applications (申込数, counted per wish) per class age */
  waiting?: { classAge: number; applications: number | null }[];
}

export interface ConvertedDemoFile {
  slug: DemoSlug;
  municipalityCode: string;
  figureKind: VacancyFigureKind;
  intakeMonth: string;
  asOf: string;
  sourceUrl: string;
  facilities: ConvertedDemoFacility[];
}

export function isDemoSlug(s: string): s is DemoSlug {
  return (DEMO_SLUGS as readonly string[]).includes(s);
}

export function convertDemoVacancyFile(slug: string, json: unknown): ConvertedDemoFile {
  if (!isDemoSlug(slug)) {
    throw Errors.badInput('slug', `Unknown demo file "${slug}"; expected one of ${DEMO_SLUGS.join(', ')}.`, `デモファイル「${slug}」（slug）は不明です。${DEMO_SLUGS.join('、')} のいずれかを指定してください。`);
  }
  const meta = DEMO_CATALOGUE[slug];
  const file = parseVacancyJson(json);
  if (file.problems.length > 0) {
    const p = file.problems[0];
    throw Errors.badInput(p.field, `Demo file ${slug}: ${p.field} ${p.reason} (${file.problems.length} problems).`, `デモファイル ${slug}: ${p.field} ${p.reasonJa}（問題 ${file.problems.length} 件）。`, { problems: file.problems });
  }
  if (file.asOf !== meta.asOf) {
    throw Errors.badInput('asOf', `Demo file ${slug} is dated ${file.asOf} but the catalogue expects ${meta.asOf}: review its figure kind and intake month, then update the catalogue.`, `デモファイル ${slug} の日付（asOf）は ${file.asOf} ですが、カタログでは ${meta.asOf} です。数値の意味と入園月を確認してからカタログを更新してください。`);
  }
  const raw = json as { sourceUrl?: unknown; facilities: { vacancyTotal?: unknown }[] };
  if (typeof raw.sourceUrl !== 'string' || !/^https?:\/\//.test(raw.sourceUrl)) {
    throw Errors.badInput('sourceUrl', `Demo file ${slug} must name its source as an http(s) URL in sourceUrl.`, `デモファイル ${slug} の出典URL（sourceUrl）がありません。`);
  }
  const totals = new Map<string, number>();
  (raw.facilities as { id?: unknown; vacancyTotal?: unknown }[]).forEach((f) => {
    if (typeof f.id === 'string' && Number.isInteger(f.vacancyTotal) && (f.vacancyTotal as number) >= 0) totals.set(f.id, f.vacancyTotal as number);
  });
  const facilities = file.facilities.map((f): ConvertedDemoFacility => {
    const categoryLabel = f.categoryLabel ?? meta.uncategorised?.label;
    const ck = f.categoryLabel === null ? meta.uncategorised?.kind : meta.categoryKinds[f.categoryLabel];
    if (!ck || categoryLabel === undefined) {
      const what = f.categoryLabel === null ? `facility "${f.name}" has no category` : `category "${f.categoryLabel}" has no facility kind in the catalogue`;
      const whatJa = f.categoryLabel === null ? `施設「${f.name}」に区分がありません` : `区分「${f.categoryLabel}」の施設種別がカタログにありません`;
      throw Errors.badInput('categories', `Demo file ${slug}: ${what}.`, `デモファイル ${slug}（categories）: ${whatJa}。`);
    }
    const out: ConvertedDemoFacility = {
      sourceKey: f.sourceKey,
      name: f.name,
      ward: f.ward,
      categoryLabel,
      kind: ck.kind,
      ownership: ck.ownership,
      smallScaleType: ck.smallScaleType ?? null,
      classAgesTaken: f.figures.flatMap((v, age) => (v === null ? [] : [age])),
      latitude: f.latitude ?? null,
      longitude: f.longitude ?? null,
      figures: f.figures.map((seats, classAge) => ({ classAge, seats })),
    };
    const total = totals.get(f.sourceKey);
    if (total !== undefined) out.seatsTotal = total;
    if (f.waiting) out.waiting = f.waiting.map((applications, classAge) => ({ classAge, applications }));
    return out;
  });
  return {
    slug,
    municipalityCode: meta.municipalityCode,
    figureKind: meta.figureKind,
    intakeMonth: meta.intakeMonth,
    asOf: file.asOf,
    sourceUrl: raw.sourceUrl,
    facilities,
  };
}

// ---------------------------------------------------------------------------------------------
// Coordinate matching

export interface CoordinateMatchResult {
  matched: Map<string, { latitude: number; longitude: number; listName: string }>;
  unmatched: { sourceKey: string; name: string; reason: 'NO_SAME_NAME' | 'LIST_ROW_HAS_NO_COORDINATES' }[];
  ambiguous: { sourceKey: string; name: string; candidates: { name: string; line: number }[] }[];
}

/** Prefixes that one list writes and the other leaves out: 「八王子市立」「八王子市」「市立」, 「港区立」「港区」「区立」. */
function prefixesFor(municipalityName: string | undefined): string[] {
  const own = municipalityName ? [`${municipalityName}立`, municipalityName] : [];
  return [...own, '市立', '区立', '町立', '村立'].map(normalizeFacilityName);
}

function nameVariants(name: string, prefixes: string[]): string[] {
  const n = normalizeFacilityName(name);
  const out = new Set([n]);
  for (const p of prefixes) if (n.startsWith(p) && n.length > p.length) out.add(n.slice(p.length));
  return [...out];
}

/**
 * Coordinates for vacancy-list facilities from a facility list of the same municipality, by equality
 * of normalised names (normalizeFacilityName). Exact normalised equality is tried first; only when
 * that finds nothing are names compared with a municipality prefix removed on either side. Two or
 * more candidate rows → ambiguous (reported, not matched). No fuzzy matching.
 *
 * @param scope the municipality; rows of other municipalities are ignored. Without it the rows
 *   must all be of one municipality.
 */
export function matchCoordinates(
  facilities: { sourceKey: string; name: string }[],
  facilityListRows: ParsedFacilityRow[],
  scope?: { municipalityCode: string; municipalityName?: string },
): CoordinateMatchResult {
  const codes = new Set(facilityListRows.map((r) => r.municipalityCode));
  if (!scope && codes.size > 1) {
    throw Errors.badInput('facilityListRows', `Facility list rows span several municipalities (${[...codes].join(', ')}); name the municipality to match within.`, `施設一覧（facilityListRows）に複数の市区町村（${[...codes].join('、')}）が含まれています。照合する市区町村を指定してください。`);
  }
  const code = scope?.municipalityCode ?? [...codes][0];
  const name = scope?.municipalityName ?? Object.values(DEMO_CATALOGUE).find((m) => m.municipalityCode === code)?.municipalityName;
  const prefixes = prefixesFor(name);
  const rows = facilityListRows.filter((r) => r.municipalityCode === code);

  const exact = new Map<string, ParsedFacilityRow[]>();
  const loose = new Map<string, ParsedFacilityRow[]>();
  const add = (m: Map<string, ParsedFacilityRow[]>, key: string, r: ParsedFacilityRow) => {
    const list = m.get(key) ?? [];
    if (!list.includes(r)) list.push(r);
    m.set(key, list);
  };
  for (const r of rows) {
    add(exact, normalizeFacilityName(r.name), r);
    for (const v of nameVariants(r.name, prefixes)) add(loose, v, r);
  }

  const result: CoordinateMatchResult = { matched: new Map(), unmatched: [], ambiguous: [] };
  for (const f of facilities) {
    let candidates = exact.get(normalizeFacilityName(f.name)) ?? [];
    if (candidates.length === 0) {
      const set = new Set<ParsedFacilityRow>();
      for (const v of nameVariants(f.name, prefixes)) for (const r of loose.get(v) ?? []) set.add(r);
      candidates = [...set];
    }
    if (candidates.length === 0) {
      result.unmatched.push({ sourceKey: f.sourceKey, name: f.name, reason: 'NO_SAME_NAME' });
    } else if (candidates.length > 1) {
      result.ambiguous.push({ sourceKey: f.sourceKey, name: f.name, candidates: candidates.map((c) => ({ name: c.name, line: c.line })) });
    } else {
      const [row] = candidates;
      if (row.latitude === null || row.longitude === null) {
        result.unmatched.push({ sourceKey: f.sourceKey, name: f.name, reason: 'LIST_ROW_HAS_NO_COORDINATES' });
      } else {
        result.matched.set(f.sourceKey, { latitude: row.latitude, longitude: row.longitude, listName: row.name });
      }
    }
  }
  return result;
}
