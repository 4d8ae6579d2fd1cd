/**
 * Checks a rules document as a municipality states it (untyped JSON) and names every problem by its
 * path, e.g. `rules.baseIndex[3].hoursPerDay.min`. A document that passes is an AllocationRules.
 */
import { isValidMunicipalityCode } from '../municipalities/municipality-code';
import { CARE_REASONS, CareReason } from '../procedures/care-reason';
import {
  AllocationRules, CombinationRule, HouseholdCondition, ProvenanceKind, REASON_OF_DETAIL, ReasonDetail, SiblingPolicy, SingleGuardianRule,
  TieBreakCriterion,
} from './rules';
import { Issue, IssueList } from './validation-kit';

const MAX_ROWS = 200;
const MAX_ADJUSTMENTS = 100;
const MAX_SOURCES = 20;
const MAX_POINTS = 1000;
const LABEL_LENGTH = 300;
const ID = /^[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}$/;

/** The largest value each measure can have: 31 days, 24 hours a day, 31 × 24 hours a month. */
export const MEASURE_LIMITS = { daysPerMonth: 31, hoursPerDay: 24, hoursPerMonth: 744 } as const;
type Measure = keyof typeof MEASURE_LIMITS;
const MEASURES = Object.keys(MEASURE_LIMITS) as Measure[];

const values = <T extends string>(e: Record<string, T>) => Object.values(e) as T[];

export function validateAllocationRules(input: unknown, root = 'rules'): Issue[] {
  const v = new IssueList();
  const keys = ['municipalityCode', 'fiscalYear', 'sources', 'baseIndex', 'combination', 'singleGuardian', 'adjustments', 'tieBreak', 'siblingPolicy'];
  if (!v.object(root, input, keys)) return v.issues;
  if (typeof input.municipalityCode !== 'string' || !isValidMunicipalityCode(input.municipalityCode)) {
    v.add(`${root}.municipalityCode`, 'must be a six-digit municipality code with a valid check digit.', '検査数字の正しい6桁の地方公共団体コードを指定してください。');
  }
  v.number(`${root}.fiscalYear`, input.fiscalYear, 2000, 2100, { integer: true });
  const sourceIds = checkSources(v, `${root}.sources`, input.sources);
  const provenance = (path: string, value: unknown) => checkProvenance(v, path, value, sourceIds);
  checkBaseIndex(v, `${root}.baseIndex`, input.baseIndex, provenance);
  if (v.object(`${root}.combination`, input.combination, ['rule', 'provenance'])) {
    v.oneOf(`${root}.combination.rule`, input.combination.rule, values(CombinationRule));
    provenance(`${root}.combination.provenance`, input.combination.provenance);
  }
  checkSingleGuardian(v, `${root}.singleGuardian`, input.singleGuardian, provenance);
  checkAdjustments(v, `${root}.adjustments`, input.adjustments, provenance);
  checkTieBreak(v, `${root}.tieBreak`, input.tieBreak, provenance);
  if (v.object(`${root}.siblingPolicy`, input.siblingPolicy, ['policy', 'provenance'])) {
    v.oneOf(`${root}.siblingPolicy.policy`, input.siblingPolicy.policy, values(SiblingPolicy));
    provenance(`${root}.siblingPolicy.provenance`, input.siblingPolicy.provenance);
  }
  return v.issues;
}

/** The document as AllocationRules, or BAD_USER_INPUT naming the first problem (all of them in details.issues). */
export function assertAllocationRules(input: unknown, root = 'rules'): AllocationRules {
  const v = new IssueList();
  v.issues.push(...validateAllocationRules(input, root));
  v.throwIfAny();
  return input as AllocationRules;
}

type CheckProvenance = (path: string, value: unknown) => void;

function checkSources(v: IssueList, path: string, value: unknown): Set<string> {
  const ids = new Set<string>();
  if (!v.array(path, value, 0, MAX_SOURCES)) return ids;
  value.forEach((source, i) => {
    const at = `${path}[${i}]`;
    if (!v.object(at, source, ['id', 'title', 'url'])) return;
    if (checkId(v, `${at}.id`, source.id, ids)) ids.add(source.id as string);
    v.text(`${at}.title`, source.title, LABEL_LENGTH);
    if (v.text(`${at}.url`, source.url, 2000) && !/^https?:\/\/[^\s]+$/.test(source.url as string)) {
      v.add(`${at}.url`, 'must be an http(s) address without spaces.', '空白を含まない http(s) のアドレスを指定してください。');
    }
  });
  return ids;
}

function checkId(v: IssueList, path: string, value: unknown, seen: Set<string>): boolean {
  if (typeof value !== 'string' || !ID.test(value)) {
    v.add(path, 'must be 1–64 letters, digits or . _ : - (starting with a letter or digit).', '英数字と . _ : - からなる1〜64文字（先頭は英数字）にしてください。');
    return false;
  }
  if (seen.has(value)) {
    v.add(path, `repeats the id ${JSON.stringify(value)}; ids must be unique.`, `ID ${JSON.stringify(value)} が重複しています。`);
    return false;
  }
  return true;
}

function checkProvenance(v: IssueList, path: string, value: unknown, sourceIds: Set<string>): void {
  if (!v.object(path, value, ['kind', 'sourceId', 'note'])) return;
  if (value.note !== undefined) v.text(`${path}.note`, value.note, 1000);
  if (!v.oneOf(`${path}.kind`, value.kind, values(ProvenanceKind))) return;
  if (value.kind === ProvenanceKind.OFFICIAL && (typeof value.sourceId !== 'string' || !sourceIds.has(value.sourceId))) {
    v.add(`${path}.sourceId`, 'an OFFICIAL item must name one of the rules\' sources by its id.', 'OFFICIAL の項目は sources のいずれかの id を指定してください。');
  }
  if (value.kind === ProvenanceKind.SAMPLE && value.sourceId !== undefined) {
    v.add(`${path}.sourceId`, 'a SAMPLE item has no source: it is not the municipality\'s published value.', 'SAMPLE の項目に出典は指定できません（自治体の公表値ではありません）。');
  }
}

function checkBaseIndex(v: IssueList, path: string, value: unknown, provenance: CheckProvenance): void {
  if (!v.array(path, value, 1, MAX_ROWS)) return;
  const ids = new Set<string>();
  const shapes = new Map<string, number>();
  value.forEach((row, i) => {
    const at = `${path}[${i}]`;
    if (!v.object(at, row, ['id', 'reason', 'detail', ...MEASURES, 'points', 'labelJa', 'label', 'provenance'])) return;
    if (checkId(v, `${at}.id`, row.id, ids)) ids.add(row.id as string);
    const reasonOk = v.oneOf(`${at}.reason`, row.reason, CARE_REASONS);
    if (v.oneOf(`${at}.detail`, row.detail, values(ReasonDetail)) && reasonOk && row.detail !== ReasonDetail.STANDARD) {
      const owner = REASON_OF_DETAIL[row.detail as Exclude<ReasonDetail, ReasonDetail.STANDARD>];
      if (owner !== row.reason) v.add(`${at}.detail`, `${row.detail} refines ${owner}, not ${row.reason}.`, `${row.detail} は ${owner} の区分です（${row.reason} ではありません）。`);
    }
    let boundsOk = true;
    for (const measure of MEASURES) {
      if (row[measure] !== undefined) boundsOk = checkBounds(v, `${at}.${measure}`, row[measure], MEASURE_LIMITS[measure]) && boundsOk;
    }
    v.number(`${at}.points`, row.points, -MAX_POINTS, MAX_POINTS);
    v.text(`${at}.labelJa`, row.labelJa, LABEL_LENGTH);
    v.text(`${at}.label`, row.label, LABEL_LENGTH);
    provenance(`${at}.provenance`, row.provenance);
    if (reasonOk && boundsOk) {
      const shape = JSON.stringify([row.reason, row.detail, ...MEASURES.map((m) => row[m] ?? null)]);
      const earlier = shapes.get(shape);
      if (earlier !== undefined) {
        v.add(at, `has the same reason, detail and bounds as ${path}[${earlier}]; merge them into one row.`, `${path}[${earlier}] と事由・区分・範囲が同じです。1行にまとめてください。`);
      } else shapes.set(shape, i);
    }
  });
}

function checkBounds(v: IssueList, path: string, value: unknown, limit: number): boolean {
  if (!v.object(path, value, ['min', 'maxExclusive'])) return false;
  const { min, maxExclusive } = value;
  if (min === undefined && maxExclusive === undefined) {
    v.add(path, 'give min (inclusive, 以上), maxExclusive (exclusive, 未満), or both.', 'min（以上）か maxExclusive（未満）、または両方を指定してください。');
    return false;
  }
  const minOk = min === undefined || v.number(`${path}.min`, min, 0, limit);
  const maxOk = maxExclusive === undefined || v.number(`${path}.maxExclusive`, maxExclusive, 0, limit + 1);
  if (minOk && maxOk && typeof min === 'number' && typeof maxExclusive === 'number' && min >= maxExclusive) {
    v.add(`${path}.min`, `must be below maxExclusive (${min} ≥ ${maxExclusive}): no value would match.`, `maxExclusive より小さくしてください（${min} ≥ ${maxExclusive}）。該当する値がありません。`);
    return false;
  }
  return minOk && maxOk;
}

function checkSingleGuardian(v: IssueList, path: string, value: unknown, provenance: CheckProvenance): void {
  if (!v.object(path, value, ['rule', 'points', 'provenance'])) return;
  provenance(`${path}.provenance`, value.provenance);
  if (!v.oneOf(`${path}.rule`, value.rule, values(SingleGuardianRule))) return;
  if (value.rule === SingleGuardianRule.DOUBLE) {
    if (value.points !== undefined) v.add(`${path}.points`, 'DOUBLE takes no points: the one guardian\'s index counts twice.', 'DOUBLE では points は指定できません（基本指数を2倍します）。');
  } else if (value.points === undefined) {
    v.add(`${path}.points`, `${value.rule} needs points.`, `${value.rule} には points が必要です。`);
  } else v.number(`${path}.points`, value.points, -MAX_POINTS, MAX_POINTS);
}

function checkAdjustments(v: IssueList, path: string, value: unknown, provenance: CheckProvenance): void {
  if (!v.array(path, value, 0, MAX_ADJUSTMENTS)) return;
  const ids = new Set<string>();
  const conditions = new Map<string, number>();
  value.forEach((row, i) => {
    const at = `${path}[${i}]`;
    if (!v.object(at, row, ['id', 'condition', 'points', 'labelJa', 'label', 'provenance'])) return;
    if (checkId(v, `${at}.id`, row.id, ids)) ids.add(row.id as string);
    if (v.oneOf(`${at}.condition`, row.condition, values(HouseholdCondition))) {
      const earlier = conditions.get(row.condition);
      if (earlier !== undefined) v.add(`${at}.condition`, `${row.condition} is already scored by ${path}[${earlier}].`, `${row.condition} は ${path}[${earlier}] で指定済みです。`);
      else conditions.set(row.condition, i);
    }
    if (v.number(`${at}.points`, row.points, -MAX_POINTS, MAX_POINTS) && row.points === 0) {
      v.add(`${at}.points`, 'must not be 0 (leave the condition out instead).', '0 は指定できません（その項目を省いてください）。');
    }
    v.text(`${at}.labelJa`, row.labelJa, LABEL_LENGTH);
    v.text(`${at}.label`, row.label, LABEL_LENGTH);
    provenance(`${at}.provenance`, row.provenance);
  });
}

function checkTieBreak(v: IssueList, path: string, value: unknown, provenance: CheckProvenance): void {
  if (!v.object(path, value, ['criteria', 'provenance'])) return;
  provenance(`${path}.provenance`, value.provenance);
  const all = values(TieBreakCriterion);
  if (!v.array(`${path}.criteria`, value.criteria, 1, all.length)) return;
  const seen = new Set<string>();
  value.criteria.forEach((criterion, i) => {
    if (!v.oneOf(`${path}.criteria[${i}]`, criterion, all)) return;
    if (seen.has(criterion)) v.add(`${path}.criteria[${i}]`, `${criterion} is listed twice.`, `${criterion} が重複しています。`);
    seen.add(criterion);
  });
  const last = value.criteria.length - 1;
  if (value.criteria[last] !== TieBreakCriterion.LOTTERY) {
    v.add(`${path}.criteria[${last}]`, 'the last criterion must be LOTTERY, so that every tie is decided (by the run\'s recorded seed).', '最後の基準は LOTTERY にしてください（すべての同点を記録されたシードで決めるため）。');
  }
}

/** Whether a care reason can use a detail (STANDARD always can). */
export function detailFits(reason: CareReason, detail: ReasonDetail): boolean {
  return detail === ReasonDetail.STANDARD || REASON_OF_DETAIL[detail] === reason;
}
