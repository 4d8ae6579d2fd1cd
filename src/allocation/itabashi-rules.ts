/**
 * 板橋区's published 利用基準表 (data/allocation/itabashi_riyou_kijun_r2.json, transcribed from the ward's
 * ほいくガイド) converted by code into AllocationRules. Every number the ward published is read from the
 * file and marked OFFICIAL with its source; what the file lacks is taken from ITABASHI_SAMPLE_SUPPLEMENT
 * and stays marked SAMPLE. Anything in the file this converter does not understand stops it.
 */
import { readFileSync } from 'node:fs';
import { dataPath } from '../common/paths';
import { CareReason } from '../procedures/care-reason';
import { AllocationRules, BaseIndexRow, Bounds, CombinationRule, ProvenanceKind, ReasonDetail, RuleSource, SingleGuardianRule } from './rules';
import { ITABASHI_SAMPLE_SUPPLEMENT } from './sample-rules';

export const ITABASHI_RULES_FILE = ['allocation', 'itabashi_riyou_kijun_r2.json'] as const;

/** The parts of the file the converter reads (the file has more: notes, periods, statuses). */
export interface ItabashiRulesFile {
  municipalityCode: string;
  fiscalYear: string;
  source: string[];
  baseIndex: {
    combine: string;
    singleParent: string;
    maxPerGuardian: number;
    reasons: { reason: string; labelJa: string; points: number; verified: boolean; sourceRef: string; structured: Record<string, number> }[];
  };
}

const REASONS: Record<string, { reason: CareReason; detail: ReasonDetail; label: string }> = {
  EMPLOYMENT: { reason: CareReason.EMPLOYMENT, detail: ReasonDetail.STANDARD, label: 'Employment' },
  EMPLOYMENT_PIECEWORK: { reason: CareReason.EMPLOYMENT, detail: ReasonDetail.HOME_PIECEWORK, label: 'Piecework at home' },
  EMPLOYMENT_OFFER: { reason: CareReason.EMPLOYMENT, detail: ReasonDetail.JOB_OFFER, label: 'Job offer' },
};

/** Source references used by rows of the file, and the text that identifies their source line. */
const SOURCE_REFS: Record<string, string> = { R2: '令和2年度版' };

const MEASURES = { daysPerMonth: 'days a month', hoursPerDay: 'daytime h a day', hoursPerMonth: 'h a month' } as const;
type Measure = keyof typeof MEASURES;

function fail(message: string): never {
  throw new Error(`itabashi_riyou_kijun_r2.json: ${message}`);
}

/** "URL  (title)" lines → sources with stable ids (itabashi-source-1, …). */
function parseSources(lines: string[]): RuleSource[] {
  return lines.map((line, i) => {
    const match = /^(https?:\/\/\S+)\s+\((.+)\)$/.exec(line.trim());
    if (!match) fail(`source[${i}] is not "URL (title)": ${line}`);
    return { id: `itabashi-source-${i + 1}`, url: match[1], title: match[2] };
  });
}

function bounds(structured: Record<string, number>, row: number): Partial<Record<Measure, Bounds>> {
  const out: Partial<Record<Measure, Bounds>> = {};
  for (const [key, value] of Object.entries(structured)) {
    const match = /^(daysPerMonth|hoursPerDay|hoursPerMonth)(Min|MaxExclusive)$/.exec(key);
    if (!match || typeof value !== 'number') fail(`baseIndex.reasons[${row}].structured.${key} is not understood`);
    const measure = match[1] as Measure;
    out[measure] = { ...out[measure], [match[2] === 'Min' ? 'min' : 'maxExclusive']: value };
  }
  return out;
}

function englishLabel(name: string, b: Partial<Record<Measure, Bounds>>): string {
  const parts = (Object.keys(MEASURES) as Measure[]).filter((m) => b[m]).map((m) => {
    const { min, maxExclusive } = b[m] as Bounds;
    const range = maxExclusive === undefined ? `${min}+` : min === undefined ? `under ${maxExclusive}` : `${min}–${maxExclusive - 1}`;
    return `${range} ${MEASURES[m]}`;
  });
  return parts.length ? `${name}, ${parts.join(', ')}` : name;
}

/** 令和N年度 → the fiscal year 2018 + N. */
function parseFiscalYear(text: string): number {
  const match = /令和(\d+)年度/.exec(text);
  if (!match) fail(`fiscalYear does not name a 令和 year: ${text}`);
  return 2018 + Number(match[1]);
}

export function convertItabashiRules(file: ItabashiRulesFile): AllocationRules {
  const sources = parseSources(file.source);
  const sourceFor = (ref: string) => {
    const text = SOURCE_REFS[ref] ?? fail(`unknown sourceRef ${ref}`);
    return (sources.find((s) => s.title.includes(text)) ?? fail(`no source line mentions ${text}`)).id;
  };
  const { baseIndex } = file;
  if (baseIndex.combine !== 'sum') fail(`combine ${baseIndex.combine} is not understood`);
  const singleParent = /基本指数に(\d+)を加え/.exec(baseIndex.singleParent) ?? fail(`the single-parent rule is not understood: ${baseIndex.singleParent}`);
  const officialR2 = { kind: ProvenanceKind.OFFICIAL, sourceId: sourceFor('R2') };
  const counters = new Map<string, number>();
  const official: BaseIndexRow[] = baseIndex.reasons.map((row, i) => {
    const kind = REASONS[row.reason] ?? fail(`baseIndex.reasons[${i}].reason ${row.reason} is not understood`);
    if (!row.verified) fail(`baseIndex.reasons[${i}] is not verified; only verified rows are official`);
    if (row.points > baseIndex.maxPerGuardian) fail(`baseIndex.reasons[${i}] has ${row.points} points, above the table's maximum ${baseIndex.maxPerGuardian}`);
    const b = bounds(row.structured, i);
    const n = (counters.get(row.reason) ?? 0) + 1;
    counters.set(row.reason, n);
    return {
      id: `itabashi-${row.reason.toLowerCase().replace(/_/g, '-')}-${n}`,
      reason: kind.reason, detail: kind.detail, ...b, points: row.points,
      labelJa: row.labelJa, label: englishLabel(kind.label, b),
      provenance: { kind: ProvenanceKind.OFFICIAL, sourceId: sourceFor(row.sourceRef) },
    };
  });
  return {
    municipalityCode: file.municipalityCode,
    fiscalYear: parseFiscalYear(file.fiscalYear),
    sources,
    baseIndex: [...official, ...ITABASHI_SAMPLE_SUPPLEMENT.baseIndex],
    combination: { rule: CombinationRule.SUM, provenance: officialR2 },
    singleGuardian: { rule: SingleGuardianRule.ADD_POINTS, points: Number(singleParent[1]), provenance: officialR2 },
    adjustments: ITABASHI_SAMPLE_SUPPLEMENT.adjustments,
    tieBreak: ITABASHI_SAMPLE_SUPPLEMENT.tieBreak,
    siblingPolicy: ITABASHI_SAMPLE_SUPPLEMENT.siblingPolicy,
  };
}

/** The converted rules from the file shipped in data/allocation. */
export function loadItabashiRules(): AllocationRules {
  return convertItabashiRules(JSON.parse(readFileSync(dataPath(...ITABASHI_RULES_FILE), 'utf8')) as ItabashiRulesFile);
}
