/**
 * SYNTHETIC national-scale data set for the vacancy benchmark. NOTHING HERE IS REAL: facility names
 * start with 「【合成】」, coordinates are random points around a random centre per municipality,
 * and figures are random. Only the municipality codes are real (総務省 list in data/municipalities/).
 *
 * About 40,000 facilities in the 1,741 municipalities (the 1,747 of the list without the six
 * Northern Territories villages, 016951–017001), six class ages × 12 intake months each:
 * about 2.9 million figures. Deterministic for a seed.
 *
 *   node dist/bench/generate-national.js [--out DIR] [--facilities 40000] [--seed 1]
 * writes one import CSV per municipality (the documented import format) and facilities.json.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { readCsvRecords } from '../src/facilities/kosodate-shisetsu-csv';
import { FacilityKind } from '../src/facilities/facility-kind';
import type { FacilityRecord } from '../src/facilities/facility-writer';
import { dataPath } from '../src/common/paths';
import { VACANCY_CSV_COLUMNS } from '../src/vacancies/vacancy-file';

export const SYNTHETIC_MARK = '【合成】';
export const SYNTHETIC_SOURCE = 'bench:synthetic-national';
/** FY2026 intake months. */
export const BENCH_MONTHS = ['2026-04', '2026-05', '2026-06', '2026-07', '2026-08', '2026-09', '2026-10', '2026-11', '2026-12', '2027-01', '2027-02', '2027-03'];

export interface SyntheticMunicipality {
  code: string;
  name: string;
  facilities: (FacilityRecord & { classAges: { classAge: number; capacity: number | null }[] })[];
  /** one import CSV (documented format), facility column = the exact (unique) name */
  csv: string;
  figures: number;
}

export interface SyntheticNationalSet {
  municipalities: SyntheticMunicipality[];
  facilities: number;
  figures: number;
}

/** mulberry32: a small, fast, deterministic PRNG. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const NORTHERN_TERRITORIES = new Set(['016951', '016969', '016977', '016985', '016993', '017001']);

export function realMunicipalities(): { code: string; name: string }[] {
  const records = readCsvRecords(readFileSync(dataPath('municipalities', 'zenkoku_chihou_koukyou_dantai_code_20240101.csv'), 'utf8')).slice(1);
  return records
    .map(({ cells: [code, , , name] }) => ({ code, name }))
    .filter((m) => m.name && !NORTHERN_TERRITORIES.has(m.code));
}

const KINDS: Array<[FacilityKind, number]> = [
  [FacilityKind.LICENSED_NURSERY, 0.55],
  [FacilityKind.CERTIFIED_CHILDCARE_CENTER, 0.2],
  [FacilityKind.SMALL_SCALE, 0.17],
  [FacilityKind.FAMILY_DAYCARE, 0.04],
  [FacilityKind.WORKPLACE, 0.04],
];

export function generateNationalSet(opts: { facilities?: number; seed?: number } = {}): SyntheticNationalSet {
  const total = opts.facilities ?? 40_000;
  const rand = prng(opts.seed ?? 1);
  const list = realMunicipalities();
  // Skewed sizes (a few large cities, many small towns), scaled so the total is exact.
  const weights = list.map(() => 0.2 + Math.pow(rand(), 4) * 20);
  const sum = weights.reduce((a, b) => a + b, 0);
  const counts = weights.map((w) => Math.max(1, Math.floor((w / sum) * total)));
  for (let i = 0, left = total - counts.reduce((a, b) => a + b, 0); left > 0; i = (i + 1) % counts.length, left--) counts[i]++;

  let figures = 0;
  const municipalities = list.map((m, mi): SyntheticMunicipality => {
    const centre = { lat: 31 + rand() * 12, lng: 130 + rand() * 11 };
    const facilities: SyntheticMunicipality['facilities'] = [];
    const lines: string[] = [VACANCY_CSV_COLUMNS.join(',')];
    for (let i = 0; i < counts[mi]; i++) {
      let r = rand();
      const kind = KINDS.find(([, p]) => (r -= p) < 0)?.[0] ?? FacilityKind.LICENSED_NURSERY;
      const ages = kind === FacilityKind.SMALL_SCALE || kind === FacilityKind.FAMILY_DAYCARE ? [0, 1, 2] : rand() < 0.15 ? [1, 2, 3, 4, 5] : [0, 1, 2, 3, 4, 5];
      const name = `${SYNTHETIC_MARK}${m.name}第${i + 1}保育園`;
      facilities.push({
        municipalityCode: m.code,
        sourceKey: `${m.code}:${i + 1}`,
        name,
        kind,
        latitude: Math.round((centre.lat + (rand() - 0.5) * 0.1) * 1e6) / 1e6,
        longitude: Math.round((centre.lng + (rand() - 0.5) * 0.1) * 1e6) / 1e6,
        classAges: ages.map((classAge) => ({ classAge, capacity: null })),
      });
      for (const month of BENCH_MONTHS) {
        const cells = [0, 1, 2, 3, 4, 5].map((age) => (ages.includes(age) ? String(rand() < 0.55 ? 0 : Math.floor(rand() * 6)) : '-'));
        lines.push(`${m.code},${name},${month},${cells.join(',')}`);
        figures += 6;
      }
    }
    return { code: m.code, name: m.name, facilities, csv: lines.join('\n') + '\n', figures: counts[mi] * BENCH_MONTHS.length * 6 };
  });
  return { municipalities, facilities: total, figures };
}

if (require.main === module) {
  const arg = (name: string) => {
    const i = process.argv.indexOf(`--${name}`);
    return i > 0 ? process.argv[i + 1] : undefined;
  };
  const out = arg('out') ?? 'bench/.national';
  const set = generateNationalSet({ facilities: Number(arg('facilities') ?? 40_000), seed: Number(arg('seed') ?? 1) });
  mkdirSync(join(out, 'vacancies'), { recursive: true });
  for (const m of set.municipalities) writeFileSync(join(out, 'vacancies', `${m.code}.csv`), m.csv);
  writeFileSync(join(out, 'facilities.json'), JSON.stringify(set.municipalities.flatMap((m) => m.facilities)));
  writeFileSync(join(out, 'README.txt'), `SYNTHETIC benchmark data (not real): ${set.facilities} facilities, ${set.municipalities.length} municipalities, ${set.figures} figures.\n`);
  console.log(`SYNTHETIC: ${set.facilities} facilities in ${set.municipalities.length} municipalities, ${set.figures} figures → ${out}`);
}
