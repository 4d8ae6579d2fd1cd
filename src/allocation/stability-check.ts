/**
 * An independent check of any allocation result, written apart from the algorithms (it shares only
 * their types): plain loops over children and wishes, its own priority order, its own joint wishes.
 *
 * What it verifies:
 * 1. every child has exactly one assignment and a lottery number; nobody unknown is assigned;
 * 2. every assignment is one of the child's wishes, at the rank recorded, in a cell that exists;
 * 3. no cell (facility × class age) holds more children than its seats;
 * 4. sibling policy: a TOGETHER_ONLY family is all at one facility or all unplaced;
 * 5. no blocking pair, where
 *    - a child acting alone (no family, an INDEPENDENT family, or a TOGETHER_PREFERRED family placed
 *      apart) blocks with a facility it wished above its assignment (any wish, when unplaced) whose cell
 *      for its class age has a free seat or holds a child of lower priority there — whoever that child
 *      is, a sibling included (the standard definition: the seat is the child's by right);
 *    - a family acting together (TOGETHER_ONLY; TOGETHER_PREFERRED placed together) blocks with a joint
 *      wish ranked above its facility (any joint wish, when unplaced or apart) if every sibling would be
 *      admitted there at once: in each cell, the siblings of that class age plus the other occupants
 *      ahead of the lowest of them fit the seats. Siblings of a family placed together do not block one
 *      by one: the family prefers being together to any one of them moving up alone.
 *    A family's joint wishes are the facilities every sibling wished, ordered by the sum of the
 *    siblings' ranks, then the best rank, then the facility id.
 */
import { AllocationChild, AllocationInstance, AllocationResult } from './instance';
import { SiblingPolicy, TieBreakCriterion } from './rules';

export type ViolationKind =
  | 'MISSING_ASSIGNMENT' | 'UNKNOWN_CHILD' | 'DUPLICATE_ASSIGNMENT' | 'NO_LOTTERY_NUMBER' | 'NOT_A_WISH' | 'WRONG_RANK' | 'NO_SUCH_CELL'
  | 'OVER_CAPACITY' | 'SIBLINGS_APART' | 'BLOCKING_PAIR' | 'BLOCKING_FAMILY';

export interface Violation {
  kind: ViolationKind;
  message: string;
  childIds?: string[];
  familyId?: string;
  facilityId?: string;
  classAge?: number;
}

export interface CheckReport {
  ok: boolean;
  violations: Violation[];
  blockingPairs: number;
  blockingFamilies: number;
}

export function checkAllocation(instance: AllocationInstance, result: AllocationResult): CheckReport {
  const violations: Violation[] = [];
  const byId = new Map<string, AllocationChild>();
  for (const child of instance.children) byId.set(child.id, child);

  // 1. one assignment each, and a lottery number
  const placedAt = new Map<string, string | null>();
  for (const a of result.assignments) {
    if (!byId.has(a.childId)) violations.push({ kind: 'UNKNOWN_CHILD', message: `assignment for unknown child ${a.childId}`, childIds: [a.childId] });
    else if (placedAt.has(a.childId)) violations.push({ kind: 'DUPLICATE_ASSIGNMENT', message: `child ${a.childId} is assigned twice`, childIds: [a.childId] });
    else placedAt.set(a.childId, a.facilityId);
  }
  for (const child of instance.children) {
    if (!placedAt.has(child.id)) violations.push({ kind: 'MISSING_ASSIGNMENT', message: `child ${child.id} has no assignment`, childIds: [child.id] });
    if (typeof result.lottery[child.id] !== 'number') violations.push({ kind: 'NO_LOTTERY_NUMBER', message: `child ${child.id} has no lottery number`, childIds: [child.id] });
  }

  // 2. and 3. wishes, ranks, cells, seats
  const seats = new Map<string, number>();
  for (const cell of instance.seats) seats.set(cellKey(cell.facilityId, cell.classAge), cell.seats);
  const holders = new Map<string, AllocationChild[]>();
  for (const a of result.assignments) {
    const child = byId.get(a.childId);
    if (!child || a.facilityId === null) continue;
    const rank = child.wishes.indexOf(a.facilityId);
    if (rank < 0) violations.push({ kind: 'NOT_A_WISH', message: `child ${child.id} is placed at ${a.facilityId}, which it did not wish`, childIds: [child.id], facilityId: a.facilityId });
    else if (a.wishRank !== rank + 1) violations.push({ kind: 'WRONG_RANK', message: `child ${child.id}: wish rank ${a.wishRank} recorded, ${rank + 1} actual`, childIds: [child.id] });
    const key = cellKey(a.facilityId, child.classAge);
    if (!seats.has(key)) violations.push({ kind: 'NO_SUCH_CELL', message: `${a.facilityId} has no class age ${child.classAge}`, childIds: [child.id], facilityId: a.facilityId, classAge: child.classAge });
    const list = holders.get(key);
    if (list) list.push(child);
    else holders.set(key, [child]);
  }
  for (const [key, list] of holders) {
    const capacity = seats.get(key) ?? 0;
    if (list.length > capacity) {
      const [facilityId, age] = key.split('\u0000');
      violations.push({ kind: 'OVER_CAPACITY', message: `${facilityId} class age ${age}: ${list.length} placed, ${capacity} seats`, facilityId, classAge: Number(age) });
    }
  }

  // priority at a facility: points there, the tie-breaks in order, the recorded lottery, the id
  const points = (c: AllocationChild, f: string) => (c.pointsByFacility && f in c.pointsByFacility ? c.pointsByFacility[f] : c.points);
  const ahead = (a: AllocationChild, b: AllocationChild, f: string): boolean => {
    if (points(a, f) !== points(b, f)) return points(a, f) > points(b, f);
    for (const criterion of instance.tieBreak) {
      let x = 0;
      let y = 0;
      if (criterion === TieBreakCriterion.SIBLING_ENROLLED) [x, y] = [a.siblingEnrolledFacilityIds.includes(f) ? 0 : 1, b.siblingEnrolledFacilityIds.includes(f) ? 0 : 1];
      if (criterion === TieBreakCriterion.SINGLE_PARENT) [x, y] = [a.singleParent ? 0 : 1, b.singleParent ? 0 : 1];
      if (criterion === TieBreakCriterion.LOWER_INCOME_TIER) [x, y] = [a.incomeTier ?? Infinity, b.incomeTier ?? Infinity];
      if (criterion === TieBreakCriterion.LONGER_WAITING) [x, y] = [-a.waitingMonths, -b.waitingMonths];
      if (criterion === TieBreakCriterion.WISH_RANK) [x, y] = [a.wishes.indexOf(f), b.wishes.indexOf(f)];
      if (criterion === TieBreakCriterion.HIGHER_BASE_POINTS) [x, y] = [-a.basePoints, -b.basePoints];
      if (criterion === TieBreakCriterion.LOTTERY) [x, y] = [result.lottery[a.id], result.lottery[b.id]];
      if (x !== y) return x < y;
    }
    return a.id < b.id;
  };

  // 4. families
  const familyOf = new Map<string, { id: string; mode: SiblingPolicy; members: AllocationChild[] }>();
  const together = new Map<string, boolean>();
  for (const group of instance.siblingGroups) {
    const members = group.childIds.map((id) => byId.get(id)).filter((c): c is AllocationChild => !!c);
    const family = { id: group.id, mode: group.mode, members };
    for (const m of members) familyOf.set(m.id, family);
    const facilities = members.map((m) => placedAt.get(m.id) ?? null);
    const allAtOne = facilities[0] !== null && facilities.every((f) => f === facilities[0]);
    together.set(group.id, allAtOne);
    if (group.mode === SiblingPolicy.TOGETHER_ONLY && !allAtOne && facilities.some((f) => f !== null)) {
      violations.push({ kind: 'SIBLINGS_APART', message: `family ${group.id} must be together or unplaced: ${facilities.join(', ')}`, familyId: group.id, childIds: group.childIds });
    }
  }

  // 5. blocking pairs: children acting alone
  let blockingPairs = 0;
  for (const child of instance.children) {
    const family = familyOf.get(child.id);
    if (family && family.mode !== SiblingPolicy.INDEPENDENT && (family.mode === SiblingPolicy.TOGETHER_ONLY || together.get(family.id))) continue;
    const current = placedAt.get(child.id) ?? null;
    const limit = current === null ? child.wishes.length : child.wishes.indexOf(current);
    for (let w = 0; w < limit; w++) {
      const f = child.wishes[w];
      const capacity = seats.get(cellKey(f, child.classAge)) ?? 0;
      if (capacity === 0) continue;
      const inCell = holders.get(cellKey(f, child.classAge)) ?? [];
      if (inCell.length < capacity || inCell.some((o) => ahead(child, o, f))) {
        blockingPairs++;
        violations.push({ kind: 'BLOCKING_PAIR', message: `child ${child.id} and ${f} (wish ${w + 1}) block: ${inCell.length < capacity ? 'a free seat' : 'holds a child of lower priority'}`, childIds: [child.id], facilityId: f, classAge: child.classAge });
      }
    }
  }

  // 5. blocking: families acting together (or wanting to)
  let blockingFamilies = 0;
  for (const group of instance.siblingGroups) {
    if (group.mode === SiblingPolicy.INDEPENDENT) continue;
    const members: AllocationChild[] = familyOf.get(group.childIds[0])?.members ?? [];
    if (!members.length) continue;
    const joint = familyJointWishes(members);
    const at = together.get(group.id) ? joint.indexOf(placedAt.get(members[0].id) as string) : -1;
    const limit = at < 0 ? joint.length : at;
    for (let j = 0; j < limit; j++) {
      const f = joint[j];
      let fits = true;
      for (const m of members) {
        const key = cellKey(f, m.classAge);
        const capacity = seats.get(key) ?? 0;
        const siblingsHere = members.filter((x) => x.classAge === m.classAge);
        let lowest = siblingsHere[0];
        for (const x of siblingsHere) if (ahead(lowest, x, f)) lowest = x;
        const others = (holders.get(key) ?? []).filter((o) => !members.includes(o));
        const before = others.filter((o) => ahead(o, lowest, f)).length;
        if (before + siblingsHere.length > capacity) fits = false;
      }
      if (fits) {
        blockingFamilies++;
        violations.push({ kind: 'BLOCKING_FAMILY', message: `family ${group.id} and ${f} (joint wish ${j + 1}) block: every sibling would be admitted there together`, familyId: group.id, childIds: group.childIds, facilityId: f });
      }
    }
  }

  return { ok: violations.length === 0, violations, blockingPairs, blockingFamilies };
}

function cellKey(facilityId: string, classAge: number): string {
  return `${facilityId}\u0000${classAge}`;
}

function familyJointWishes(members: AllocationChild[]): string[] {
  const common: string[] = [];
  for (const f of members[0]?.wishes ?? []) if (members.every((m) => m.wishes.includes(f))) common.push(f);
  const score = (f: string) => {
    let sum = 0;
    let best = Infinity;
    for (const m of members) {
      sum += m.wishes.indexOf(f);
      best = Math.min(best, m.wishes.indexOf(f));
    }
    return [sum, best];
  };
  return common.sort((a, b) => {
    const [sa, ba] = score(a);
    const [sb, bb] = score(b);
    return sa !== sb ? sa - sb : ba !== bb ? ba - bb : a < b ? -1 : 1;
  });
}
