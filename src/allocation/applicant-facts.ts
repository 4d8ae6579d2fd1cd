/**
 * What the points need to know about a household (no names): each guardian's reason for care and its
 * extent, and the household's conditions. The application carries these; the points simulation takes
 * them directly from a partner app.
 */
import { CARE_REASONS, CareReason } from '../procedures/care-reason';
import { FACILITY_SCOPED_CONDITIONS, HouseholdCondition, ReasonDetail } from './rules';
import { detailFits, MEASURE_LIMITS } from './rules-validation';
import { Issue, IssueList } from './validation-kit';

export interface GuardianFacts {
  reason: CareReason;
  /** STANDARD when left out. */
  detail?: ReasonDetail;
  /** Working (or studying, caring) days per month. */
  daysPerMonth?: number;
  /** Daytime hours per day. */
  hoursPerDay?: number;
  /** Hours per month; derived as days × hours per day when left out and both are given. */
  hoursPerMonth?: number;
}

export interface ApplicantFacts {
  /** One or two guardians; one means a single-guardian household (保護者が一人). */
  guardians: GuardianFacts[];
  /** Household conditions the adjustment table may score (facility-scoped ones excluded). */
  conditions: HouseholdCondition[];
  /** Facilities a sibling attends now (scored by SIBLING_ENROLLED_AT_FACILITY at those facilities only). */
  siblingEnrolledFacilityIds?: string[];
}

const MAX_SIBLING_FACILITIES = 10;

export function validateApplicantFacts(input: unknown, root = 'facts'): Issue[] {
  const v = new IssueList();
  if (!v.object(root, input, ['guardians', 'conditions', 'siblingEnrolledFacilityIds'])) return v.issues;
  if (v.array(`${root}.guardians`, input.guardians, 1, 2)) {
    input.guardians.forEach((guardian, i) => {
      const at = `${root}.guardians[${i}]`;
      if (!v.object(at, guardian, ['reason', 'detail', 'daysPerMonth', 'hoursPerDay', 'hoursPerMonth'])) return;
      const reasonOk = v.oneOf(`${at}.reason`, guardian.reason, CARE_REASONS);
      if (guardian.detail !== undefined && v.oneOf(`${at}.detail`, guardian.detail, Object.values(ReasonDetail)) && reasonOk) {
        if (!detailFits(guardian.reason as CareReason, guardian.detail as ReasonDetail)) {
          v.add(`${at}.detail`, `${guardian.detail} does not refine ${guardian.reason}.`, `${guardian.detail} は ${guardian.reason} の区分ではありません。`);
        }
      }
      for (const measure of ['daysPerMonth', 'hoursPerDay', 'hoursPerMonth'] as const) {
        if (guardian[measure] !== undefined) v.number(`${at}.${measure}`, guardian[measure], 0, MEASURE_LIMITS[measure]);
      }
    });
  }
  if (v.array(`${root}.conditions`, input.conditions, 0, Object.values(HouseholdCondition).length)) {
    const seen = new Set<unknown>();
    input.conditions.forEach((condition, i) => {
      const at = `${root}.conditions[${i}]`;
      if (!v.oneOf(at, condition, Object.values(HouseholdCondition))) return;
      if (FACILITY_SCOPED_CONDITIONS.includes(condition)) {
        v.add(at, `${condition} is given by siblingEnrolledFacilityIds (it counts at those facilities only).`, `${condition} は siblingEnrolledFacilityIds で指定してください（その施設でのみ加点されます）。`);
      } else if (seen.has(condition)) v.add(at, `${condition} is listed twice.`, `${condition} が重複しています。`);
      seen.add(condition);
    });
  }
  if (input.siblingEnrolledFacilityIds !== undefined && v.array(`${root}.siblingEnrolledFacilityIds`, input.siblingEnrolledFacilityIds, 0, MAX_SIBLING_FACILITIES)) {
    input.siblingEnrolledFacilityIds.forEach((id, i) => v.text(`${root}.siblingEnrolledFacilityIds[${i}]`, id, 100));
  }
  return v.issues;
}

/** The facts as ApplicantFacts, or BAD_USER_INPUT naming the first problem. */
export function assertApplicantFacts(input: unknown, root = 'facts'): ApplicantFacts {
  const v = new IssueList();
  v.issues.push(...validateApplicantFacts(input, root));
  v.throwIfAny();
  return input as ApplicantFacts;
}
