/**
 * 選考指数: a household's points under a municipality's rules, with every step written out so that a
 * family (or the simulation in a partner app) can see where each point comes from.
 *
 *   points = household 基本指数 (each guardian's row, combined; or the single-guardian rule)
 *          + 調整指数 (each household condition the table scores)
 *   points at a facility = points + facility-scoped adjustments (a sibling enrolled there)
 */
import { CARE_REASON_LABEL_EN, CARE_REASON_LABEL_JA } from '../procedures/care-reason';
import { ApplicantFacts, GuardianFacts } from './applicant-facts';
import { Bilingual, COMBINATION_LABEL, CONDITION_LABEL } from './rule-labels';
import {
  AdjustmentRow, AllocationRules, BaseIndexRow, Bounds, CombinationRule, FACILITY_SCOPED_CONDITIONS, HouseholdCondition, Provenance, ReasonDetail,
  SingleGuardianRule,
} from './rules';

export interface MatchedRow {
  id: string;
  points: number;
  label: string;
  labelJa: string;
  provenance: Provenance;
}

export interface GuardianPoints {
  guardianIndex: number;
  points: number;
  /** The row that gave the points; null when no row matches (0 points). */
  row: MatchedRow | null;
  /** Set when hours per month were derived as days × hours per day. */
  derivedHoursPerMonth?: number;
  explanation: Bilingual;
}

export interface AdjustmentPoints {
  id: string;
  condition: HouseholdCondition;
  points: number;
  provenance: Provenance;
  /** Facility-scoped adjustments: the facility it counts at. */
  facilityId?: string;
  explanation: Bilingual;
}

export interface PointsResult {
  /** 選考指数 for the household (without facility-scoped adjustments). */
  total: number;
  /** The household's 基本指数 (after the combination or single-guardian rule). */
  baseTotal: number;
  guardians: GuardianPoints[];
  combination: { rule: CombinationRule | SingleGuardianRule; provenance: Provenance; explanation: Bilingual };
  adjustments: AdjustmentPoints[];
  facilityAdjustments: AdjustmentPoints[];
  /** Points where facility-scoped adjustments apply (facility id → points); elsewhere `total`. */
  pointsByFacility: Record<string, number>;
  /** Conditions the household declared that these rules do not score. */
  unscoredConditions: HouseholdCondition[];
  explanation: Bilingual;
}

const sign = (n: number) => (n >= 0 ? `+${n}` : `${n}`);

function within(value: number | undefined, bounds: Bounds | undefined): boolean {
  if (!bounds) return true;
  if (value === undefined) return false;
  return (bounds.min === undefined || value >= bounds.min) && (bounds.maxExclusive === undefined || value < bounds.maxExclusive);
}

/** Hours per month as given, or days × hours per day when both are given and monthly hours are not. */
function monthlyHours(facts: GuardianFacts): { value: number | undefined; derived: boolean } {
  if (facts.hoursPerMonth !== undefined) return { value: facts.hoursPerMonth, derived: false };
  if (facts.daysPerMonth !== undefined && facts.hoursPerDay !== undefined) return { value: facts.daysPerMonth * facts.hoursPerDay, derived: true };
  return { value: undefined, derived: false };
}

export function rowMatches(row: BaseIndexRow, facts: GuardianFacts): boolean {
  return (
    row.reason === facts.reason &&
    row.detail === (facts.detail ?? ReasonDetail.STANDARD) &&
    within(facts.daysPerMonth, row.daysPerMonth) &&
    within(facts.hoursPerDay, row.hoursPerDay) &&
    within(monthlyHours(facts).value, row.hoursPerMonth)
  );
}

/** One guardian's 基本指数: the highest-scoring matching row (the first listed among equals). */
export function guardianPoints(rules: AllocationRules, facts: GuardianFacts, guardianIndex: number): GuardianPoints {
  let best: BaseIndexRow | null = null;
  for (const row of rules.baseIndex) if (rowMatches(row, facts) && (!best || row.points > best.points)) best = row;
  const hours = monthlyHours(facts);
  const who = { en: `Guardian ${guardianIndex + 1}`, ja: `保護者${guardianIndex + 1}` };
  const derived = hours.derived && best?.hoursPerMonth ? { derivedHoursPerMonth: hours.value } : {};
  const derivedNote = 'derivedHoursPerMonth' in derived
    ? { en: ` (${facts.daysPerMonth} days × ${facts.hoursPerDay} h = ${hours.value} h a month)`, ja: `（${facts.daysPerMonth}日 × ${facts.hoursPerDay}時間 = 月${hours.value}時間）` }
    : { en: '', ja: '' };
  if (!best) {
    return {
      guardianIndex, points: 0, row: null,
      explanation: {
        en: `${who.en}: ${CARE_REASON_LABEL_EN[facts.reason]} matches no row of the base index table: 0 points.`,
        ja: `${who.ja}: ${CARE_REASON_LABEL_JA[facts.reason]}は基本指数表のどの区分にも該当しません: 0点。`,
      },
    };
  }
  return {
    guardianIndex, points: best.points,
    row: { id: best.id, points: best.points, label: best.label, labelJa: best.labelJa, provenance: best.provenance },
    ...derived,
    explanation: { en: `${who.en}: ${best.label}${derivedNote.en}: ${best.points} points.`, ja: `${who.ja}: ${best.labelJa}${derivedNote.ja}: ${best.points}点。` },
  };
}

function combine(rule: CombinationRule, a: number, b: number): number {
  return rule === CombinationRule.SUM ? a + b : Math.min(a, b);
}

function householdBase(rules: AllocationRules, guardians: GuardianPoints[]): Pick<PointsResult, 'baseTotal' | 'combination'> {
  const { combination, singleGuardian } = rules;
  if (guardians.length === 2) {
    const [a, b] = guardians.map((g) => g.points);
    const baseTotal = combine(combination.rule, a, b);
    const label = COMBINATION_LABEL[combination.rule];
    const op = combination.rule === CombinationRule.SUM ? `${a} + ${b}` : `min(${a}, ${b})`;
    return { baseTotal, combination: { rule: combination.rule, provenance: combination.provenance, explanation: { en: `Household base index, ${label.en}: ${op} = ${baseTotal}.`, ja: `世帯の基本指数（${label.ja}）: ${op} = ${baseTotal}。` } } };
  }
  const own = guardians[0].points;
  const extra = singleGuardian.points ?? 0;
  let baseTotal: number;
  let explanation: Bilingual;
  switch (singleGuardian.rule) {
    case SingleGuardianRule.ADD_POINTS:
      baseTotal = own + extra;
      explanation = { en: `One guardian: their base index plus ${extra}: ${own} ${sign(extra)} = ${baseTotal}.`, ja: `保護者が一人: その基本指数に${extra}を加算: ${own} ${sign(extra)} = ${baseTotal}。` };
      break;
    case SingleGuardianRule.DOUBLE:
      baseTotal = own * 2;
      explanation = { en: `One guardian: their base index counts twice: ${own} × 2 = ${baseTotal}.`, ja: `保護者が一人: 基本指数を2倍: ${own} × 2 = ${baseTotal}。` };
      break;
    case SingleGuardianRule.ABSENT_GUARDIAN_POINTS: {
      baseTotal = combine(combination.rule, own, extra);
      const op = combination.rule === CombinationRule.SUM ? `${own} + ${extra}` : `min(${own}, ${extra})`;
      explanation = { en: `One guardian: the absent guardian counts as ${extra}, ${COMBINATION_LABEL[combination.rule].en}: ${op} = ${baseTotal}.`, ja: `保護者が一人: 不在の保護者を${extra}点とし${COMBINATION_LABEL[combination.rule].ja}: ${op} = ${baseTotal}。` };
      break;
    }
  }
  return { baseTotal, combination: { rule: singleGuardian.rule, provenance: singleGuardian.provenance, explanation } };
}

function adjustment(row: AdjustmentRow, facilityId?: string): AdjustmentPoints {
  const where = facilityId ? { en: ` (at facility ${facilityId})`, ja: `（施設 ${facilityId}）` } : { en: '', ja: '' };
  return {
    id: row.id, condition: row.condition, points: row.points, provenance: row.provenance, ...(facilityId ? { facilityId } : {}),
    explanation: { en: `Adjustment, ${row.label}${where.en}: ${sign(row.points)}.`, ja: `調整指数 ${row.labelJa}${where.ja}: ${sign(row.points)}。` },
  };
}

/** The household's points under `rules`, itemised. Facts must have passed validateApplicantFacts. */
export function computePoints(rules: AllocationRules, facts: ApplicantFacts): PointsResult {
  const guardians = facts.guardians.map((g, i) => guardianPoints(rules, g, i));
  const { baseTotal, combination } = householdBase(rules, guardians);
  const declared = new Set(facts.conditions);
  const adjustments = rules.adjustments.filter((row) => !FACILITY_SCOPED_CONDITIONS.includes(row.condition) && declared.has(row.condition)).map((row) => adjustment(row));
  const total = baseTotal + adjustments.reduce((sum, a) => sum + a.points, 0);
  const facilityIds = [...new Set(facts.siblingEnrolledFacilityIds ?? [])];
  const facilityRow = rules.adjustments.find((row) => row.condition === HouseholdCondition.SIBLING_ENROLLED_AT_FACILITY);
  const facilityAdjustments = facilityRow ? facilityIds.map((id) => adjustment(facilityRow, id)) : [];
  const pointsByFacility: Record<string, number> = {};
  for (const a of facilityAdjustments) pointsByFacility[a.facilityId as string] = total + a.points;
  const scored = new Set(rules.adjustments.map((row) => row.condition));
  const unscoredConditions = facts.conditions.filter((c) => !scored.has(c));
  const lines = [...guardians.map((g) => g.explanation), combination.explanation, ...adjustments.map((a) => a.explanation)];
  const unscored = unscoredConditions.map((c) => ({ en: `Not scored by these rules: ${CONDITION_LABEL[c].en}.`, ja: `この基準では加減点なし: ${CONDITION_LABEL[c].ja}。` }));
  const facilityLines = facilityAdjustments.map((a) => ({ en: `${a.explanation.en.replace(/\.$/, '')} → ${total + a.points} there.`, ja: `${a.explanation.ja.replace(/。$/, '')} → その施設では${total + a.points}点。` }));
  const summary = { en: `Total: ${total} points.`, ja: `選考指数: ${total}点。` };
  const all = [...lines, ...unscored, summary, ...facilityLines];
  return {
    total, baseTotal, guardians, combination, adjustments, facilityAdjustments, pointsByFacility, unscoredConditions,
    explanation: { en: all.map((l) => l.en).join(' '), ja: all.map((l) => l.ja).join('') },
  };
}
