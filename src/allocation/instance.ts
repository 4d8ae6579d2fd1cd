/**
 * One allocation problem (利用調整) for a municipality and an intake month, and its result: plain data
 * that the service builds from applications, vacancies and the rules, and stores as a draft run.
 */
import { PointsResult } from './points';
import { SiblingPolicy, TieBreakCriterion } from './rules';

export interface AllocationChild {
  /** The application id. */
  id: string;
  /** クラス年齢 0–5 for the intake month. */
  classAge: number;
  /** Facility ids, first wish first. */
  wishes: string[];
  /** 選考指数. */
  points: number;
  /** Where facility-scoped adjustments apply (a sibling enrolled there): facility id → points. */
  pointsByFacility?: Record<string, number>;
  /** The household's 基本指数 (HIGHER_BASE_POINTS). */
  basePoints: number;
  /** SINGLE_PARENT tie-break. */
  singleParent: boolean;
  /** LOWER_INCOME_TIER tie-break: lower is poorer; null when unknown (ranks last). */
  incomeTier: number | null;
  /** LONGER_WAITING tie-break: months the child has waited. */
  waitingMonths: number;
  /** SIBLING_ENROLLED tie-break: facilities a sibling attends. */
  siblingEnrolledFacilityIds: string[];
}

/** Seats (受入可能数) of one facility for one class age in the intake month. */
export interface SeatCell {
  facilityId: string;
  classAge: number;
  seats: number;
}

/** Siblings applying together, with the policy that applies to this family (see siblingModeFor). */
export interface SiblingGroup {
  id: string;
  childIds: string[];
  mode: SiblingPolicy;
}

export interface AllocationInstance {
  municipalityCode: string;
  /** YYYY-MM */
  intakeMonth: string;
  /** The municipality's tie-break order after points; LOTTERY last. */
  tieBreak: TieBreakCriterion[];
  seats: SeatCell[];
  children: AllocationChild[];
  siblingGroups: SiblingGroup[];
}

export interface Assignment {
  childId: string;
  facilityId: string | null;
  /** 1 = first wish; null when not placed (保留). */
  wishRank: number | null;
}

export enum AllocationStatus {
  /** No child or family and facility block the result (verified by checkAllocation in the tests and the bench). */
  STABLE = 'STABLE',
  /** Siblings made the search cycle within its budget: the result is feasible but may have blocking pairs. */
  NO_STABLE_RESULT_FOUND = 'NO_STABLE_RESULT_FOUND',
}

export interface AllocationResult {
  /** The lottery's seed, recorded so that the run can be repeated exactly. */
  seed: number;
  status: AllocationStatus;
  /** One per child, sorted by child id. */
  assignments: Assignment[];
  /** Each child's lottery number (a lower number goes first), derived from the seed and the child id. */
  lottery: Record<string, number>;
  /** NO_STABLE_RESULT_FOUND: the sibling groups (families) whose placements kept changing. */
  unresolvedFamilies: string[];
  /** proposals: steps over all attempts; attempts: how many searches ran (see allocate). */
  stats: { proposals: number; reconsiderations: number; attempts?: number };
}

/**
 * The policy for one family: the municipality's, except that a family that refuses different
 * facilities (siblingsAcceptSplit = false on the application) is only placed together.
 */
export function siblingModeFor(policy: SiblingPolicy, familyAcceptsSplit: boolean): SiblingPolicy {
  if (policy === SiblingPolicy.TOGETHER_PREFERRED && !familyAcceptsSplit) return SiblingPolicy.TOGETHER_ONLY;
  return policy;
}

/** An allocation child from its application's points and tie-break facts. */
export function allocationChild(
  id: string,
  points: PointsResult,
  facts: { classAge: number; wishes: string[]; singleParent: boolean; incomeTier: number | null; waitingMonths: number; siblingEnrolledFacilityIds: string[] },
): AllocationChild {
  return { id, points: points.total, pointsByFacility: points.pointsByFacility, basePoints: points.baseTotal, ...facts };
}
