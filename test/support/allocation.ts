/** Small builders for allocation instances in unit tests, and a brute-force search for stable results. */
import { AllocationChild, AllocationInstance, AllocationResult, AllocationStatus } from '../../src/allocation/instance';
import { SiblingPolicy, TieBreakCriterion } from '../../src/allocation/rules';
import { checkAllocation } from '../../src/allocation/stability-check';

export function child(id: string, classAge: number, wishes: string[], points: number, extra: Partial<AllocationChild> = {}): AllocationChild {
  return { id, classAge, wishes, points, basePoints: points, singleParent: false, incomeTier: null, waitingMonths: 0, siblingEnrolledFacilityIds: [], ...extra };
}

export function instance(
  children: AllocationChild[],
  seats: [facilityId: string, classAge: number, seats: number][],
  siblingGroups: [id: string, childIds: string[], mode: SiblingPolicy][] = [],
  tieBreak: TieBreakCriterion[] = [TieBreakCriterion.LOTTERY],
): AllocationInstance {
  return {
    municipalityCode: '131199', intakeMonth: '2026-04', tieBreak, children,
    seats: seats.map(([facilityId, classAge, n]) => ({ facilityId, classAge, seats: n })),
    siblingGroups: siblingGroups.map(([id, childIds, mode]) => ({ id, childIds, mode })),
  };
}

export const placements = (result: AllocationResult) => Object.fromEntries(result.assignments.map((a) => [a.childId, a.facilityId]));

/**
 * Every feasible result of a small instance (each child unplaced or at one of its wishes) that the
 * checker finds stable, using the lottery numbers of `lotteryFrom`. Exponential: a handful of children only.
 */
export function stableResultsByBruteForce(inst: AllocationInstance, lotteryFrom: AllocationResult): AllocationResult[] {
  const kids = inst.children;
  const stable: AllocationResult[] = [];
  const choose = (i: number, chosen: (string | null)[]) => {
    if (i === kids.length) {
      const result: AllocationResult = {
        seed: lotteryFrom.seed, status: AllocationStatus.STABLE, lottery: lotteryFrom.lottery, unresolvedFamilies: [], stats: { proposals: 0, reconsiderations: 0 },
        assignments: kids.map((k, j) => ({ childId: k.id, facilityId: chosen[j], wishRank: chosen[j] === null ? null : k.wishes.indexOf(chosen[j] as string) + 1 })),
      };
      if (checkAllocation(inst, result).ok) stable.push(result);
      return;
    }
    for (const f of [null, ...kids[i].wishes]) choose(i + 1, [...chosen, f]);
  };
  choose(0, []);
  return stable;
}
