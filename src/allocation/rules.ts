/**
 * A municipality's allocation rules (利用調整基準) for one fiscal year, as plain data.
 *
 * The shape is flat on purpose (no unions): the same object is stored as jsonb, stated by a
 * municipality through the API and validated by `validateAllocationRules`. Every item carries where it
 * comes from (`provenance`): OFFICIAL with one of `sources`, or SAMPLE (a demonstration value that is
 * never the municipality's).
 */
import { CareReason } from '../procedures/care-reason';

/**
 * A finer kind of reason that some tables score separately (内職 besides 就労, 入院 besides 自宅療養).
 * STANDARD is the reason as such.
 */
export enum ReasonDetail {
  STANDARD = 'STANDARD',
  /** 就労: 内職 (piecework at home) */
  HOME_PIECEWORK = 'HOME_PIECEWORK',
  /** 就労: 就労内定 (a job offer, not yet working) */
  JOB_OFFER = 'JOB_OFFER',
  /** 疾病: 入院 (in hospital) */
  HOSPITALISED = 'HOSPITALISED',
  /** 疾病: 自宅療養・通院 (ill at home) */
  ILL_AT_HOME = 'ILL_AT_HOME',
  /** 障害: 身体障害者手帳1・2級, 愛の手帳1・2度, 精神障害者保健福祉手帳1級 */
  DISABILITY_SEVERE = 'DISABILITY_SEVERE',
  /** 障害: the other grades */
  DISABILITY_OTHER = 'DISABILITY_OTHER',
  /** 介護・看護: caring for a relative in hospital or a facility (付き添い) */
  NURSING_CARE_INPATIENT = 'NURSING_CARE_INPATIENT',
}

/** Which reasons a detail refines (STANDARD goes with every reason). */
export const REASON_OF_DETAIL: Record<Exclude<ReasonDetail, ReasonDetail.STANDARD>, CareReason> = {
  [ReasonDetail.HOME_PIECEWORK]: CareReason.EMPLOYMENT,
  [ReasonDetail.JOB_OFFER]: CareReason.EMPLOYMENT,
  [ReasonDetail.HOSPITALISED]: CareReason.ILLNESS_DISABILITY,
  [ReasonDetail.ILL_AT_HOME]: CareReason.ILLNESS_DISABILITY,
  [ReasonDetail.DISABILITY_SEVERE]: CareReason.ILLNESS_DISABILITY,
  [ReasonDetail.DISABILITY_OTHER]: CareReason.ILLNESS_DISABILITY,
  [ReasonDetail.NURSING_CARE_INPATIENT]: CareReason.NURSING_CARE,
};

/** A household's condition that the adjustment table (調整指数) scores. */
export enum HouseholdCondition {
  /** ひとり親世帯 */
  SINGLE_PARENT = 'SINGLE_PARENT',
  /** 生活保護世帯 */
  PUBLIC_ASSISTANCE = 'PUBLIC_ASSISTANCE',
  /** きょうだいが在園している施設を希望 (scored at that facility only) */
  SIBLING_ENROLLED_AT_FACILITY = 'SIBLING_ENROLLED_AT_FACILITY',
  /** 育児休業からの復帰 */
  RETURNING_FROM_PARENTAL_LEAVE = 'RETURNING_FROM_PARENTAL_LEAVE',
  /** 認可外保育施設等を有償で利用中 */
  USING_UNLICENSED_CARE = 'USING_UNLICENSED_CARE',
  /** きょうだい同時申込み */
  SIBLINGS_APPLYING_TOGETHER = 'SIBLINGS_APPLYING_TOGETHER',
  /** 同居・近居の祖父母等が保育できる */
  GRANDPARENT_CAN_CARE = 'GRANDPARENT_CAN_CARE',
  /** 内定を辞退したことがある */
  DECLINED_OFFER = 'DECLINED_OFFER',
  /** 保育料の滞納 */
  FEES_IN_ARREARS = 'FEES_IN_ARREARS',
  /** 区外（管外）在住 */
  LIVES_OUTSIDE_MUNICIPALITY = 'LIVES_OUTSIDE_MUNICIPALITY',
}

/** Conditions whose points count only at particular facilities, not for the household as a whole. */
export const FACILITY_SCOPED_CONDITIONS: readonly HouseholdCondition[] = [HouseholdCondition.SIBLING_ENROLLED_AT_FACILITY];

/** How the two guardians' 基本指数 make the household's. */
export enum CombinationRule {
  /** 父 + 母 (板橋区, 荒川区) */
  SUM = 'SUM',
  /** the lower of the two */
  MIN = 'MIN',
}

/** How a household with one guardian is scored. */
export enum SingleGuardianRule {
  /** the one guardian's 基本指数 + `points` (板橋区: + 30) */
  ADD_POINTS = 'ADD_POINTS',
  /** the one guardian's 基本指数 counted twice */
  DOUBLE = 'DOUBLE',
  /** the missing guardian counts as `points`, combined by the combination rule */
  ABSENT_GUARDIAN_POINTS = 'ABSENT_GUARDIAN_POINTS',
}

/** 同一指数の場合の優先順位: what decides between children with equal points, in the municipality's order. */
export enum TieBreakCriterion {
  /** a sibling attends the facility (facility-specific) */
  SIBLING_ENROLLED = 'SIBLING_ENROLLED',
  /** ひとり親 first */
  SINGLE_PARENT = 'SINGLE_PARENT',
  /** lower income tier (住民税の階層) first */
  LOWER_INCOME_TIER = 'LOWER_INCOME_TIER',
  /** more months waiting first */
  LONGER_WAITING = 'LONGER_WAITING',
  /** the child's own rank of the facility (第1希望 first; facility-specific) */
  WISH_RANK = 'WISH_RANK',
  /** the higher household 基本指数 (before adjustments) first */
  HIGHER_BASE_POINTS = 'HIGHER_BASE_POINTS',
  /** a draw from the run's recorded seed; must be last */
  LOTTERY = 'LOTTERY',
}

/** What the municipality does with siblings applying for the same intake month. */
export enum SiblingPolicy {
  /** all siblings at the same facility, or none of them */
  TOGETHER_ONLY = 'TOGETHER_ONLY',
  /** together where possible; otherwise each on their own wishes (unless the family refuses a split) */
  TOGETHER_PREFERRED = 'TOGETHER_PREFERRED',
  /** each sibling is allocated on their own */
  INDEPENDENT = 'INDEPENDENT',
}

export enum ProvenanceKind {
  /** published by the municipality; `sourceId` names the publication */
  OFFICIAL = 'OFFICIAL',
  /** a demonstration value; never the municipality's own */
  SAMPLE = 'SAMPLE',
}

export interface Provenance {
  kind: ProvenanceKind;
  /** OFFICIAL: the id of one of the rules' `sources`. */
  sourceId?: string;
  /** Why it is there (SAMPLE: what it stands in for). */
  note?: string;
}

export interface RuleSource {
  id: string;
  title: string;
  url: string;
}

/** A range: `min` inclusive (以上), `maxExclusive` exclusive (未満); at least one of them. */
export interface Bounds {
  min?: number;
  maxExclusive?: number;
}

/**
 * One row of the base index table (基本指数): points for one guardian. The row matches a guardian with
 * its reason and detail whose facts meet every bound the row gives; a row without bounds is a
 * condition row (the reason alone, e.g. 妊娠・出産). When several rows match, the highest points count.
 */
export interface BaseIndexRow {
  id: string;
  reason: CareReason;
  detail: ReasonDetail;
  daysPerMonth?: Bounds;
  hoursPerDay?: Bounds;
  hoursPerMonth?: Bounds;
  points: number;
  labelJa: string;
  label: string;
  provenance: Provenance;
}

/** One row of the adjustment table (調整指数); points may be negative. */
export interface AdjustmentRow {
  id: string;
  condition: HouseholdCondition;
  points: number;
  labelJa: string;
  label: string;
  provenance: Provenance;
}

export interface AllocationRules {
  municipalityCode: string;
  /** 年度: the fiscal year that starts in April of this year. */
  fiscalYear: number;
  sources: RuleSource[];
  baseIndex: BaseIndexRow[];
  combination: { rule: CombinationRule; provenance: Provenance };
  singleGuardian: { rule: SingleGuardianRule; points?: number; provenance: Provenance };
  adjustments: AdjustmentRow[];
  /** Applied after the total points, in this order; LOTTERY last. */
  tieBreak: { criteria: TieBreakCriterion[]; provenance: Provenance };
  siblingPolicy: { policy: SiblingPolicy; provenance: Provenance };
}
