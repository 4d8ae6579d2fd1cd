/**
 * A facility's order of the children who wish it: points at that facility first, then the
 * municipality's tie-break criteria in order, the lottery last (and the child id should two lottery
 * numbers ever be equal). SIBLING_ENROLLED and WISH_RANK depend on the facility, so the order is per
 * facility; `prepare` turns it into one integer rank per (child, wish) for the algorithms.
 */
import { AllocationChild, AllocationInstance } from './instance';
import { lotteryNumber } from './lottery';
import { TieBreakCriterion } from './rules';

/** A child as a candidate for one facility. */
export interface Candidate {
  child: AllocationChild;
  /** 0-based position of the facility in the child's wishes. */
  wishIndex: number;
  lottery: number;
}

export type DecidingCriterion = 'POINTS' | TieBreakCriterion | 'CHILD_ID';

export const pointsAt = (child: AllocationChild, facilityId: string): number => child.pointsByFacility?.[facilityId] ?? child.points;

/** Negative when `a` comes first at `facilityId` under the criteria, positive when `b` does; 0 only for the same child. */
function criterionOrder(criterion: TieBreakCriterion, a: Candidate, b: Candidate, facilityId: string): number {
  switch (criterion) {
    case TieBreakCriterion.SIBLING_ENROLLED:
      return Number(b.child.siblingEnrolledFacilityIds.includes(facilityId)) - Number(a.child.siblingEnrolledFacilityIds.includes(facilityId));
    case TieBreakCriterion.SINGLE_PARENT:
      return Number(b.child.singleParent) - Number(a.child.singleParent);
    case TieBreakCriterion.LOWER_INCOME_TIER:
      return (a.child.incomeTier ?? Infinity) === (b.child.incomeTier ?? Infinity) ? 0 : (a.child.incomeTier ?? Infinity) < (b.child.incomeTier ?? Infinity) ? -1 : 1;
    case TieBreakCriterion.LONGER_WAITING:
      return b.child.waitingMonths - a.child.waitingMonths;
    case TieBreakCriterion.WISH_RANK:
      return a.wishIndex - b.wishIndex;
    case TieBreakCriterion.HIGHER_BASE_POINTS:
      return b.child.basePoints - a.child.basePoints;
    case TieBreakCriterion.LOTTERY:
      return a.lottery - b.lottery;
  }
}

/** The first criterion on which `a` and `b` differ at the facility, and which way. */
export function decide(a: Candidate, b: Candidate, facilityId: string, tieBreak: readonly TieBreakCriterion[]): { order: number; criterion: DecidingCriterion } {
  const points = pointsAt(b.child, facilityId) - pointsAt(a.child, facilityId);
  if (points !== 0) return { order: points, criterion: 'POINTS' };
  for (const criterion of tieBreak) {
    const order = criterionOrder(criterion, a, b, facilityId);
    if (order !== 0) return { order, criterion };
  }
  return { order: a.child.id < b.child.id ? -1 : a.child.id > b.child.id ? 1 : 0, criterion: 'CHILD_ID' };
}

export const compareAt = (a: Candidate, b: Candidate, facilityId: string, tieBreak: readonly TieBreakCriterion[]) => decide(a, b, facilityId, tieBreak).order;

/** The instance in index form: children sorted by id, facilities by id, one cell per facility × class age. */
export interface Prepared {
  children: AllocationChild[];
  childIndex: Map<string, number>;
  facilityIds: string[];
  facilityIndex: Map<string, number>;
  cellFacility: Int32Array;
  cellCapacity: Int32Array;
  /** Per child, per wish: the cell of that facility for the child's class age, or -1 when it has none. */
  wishCell: Int32Array[];
  /** Per child, per wish: the child's position in that cell's order (0 = first); -1 without a cell. */
  rank: Int32Array[];
  lottery: number[];
}

const byId = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

export function prepare(instance: AllocationInstance, seed: number): Prepared {
  const children = [...instance.children].sort((a, b) => byId(a.id, b.id));
  const childIndex = new Map(children.map((c, i) => [c.id, i]));
  const facilityIds = [...new Set(instance.seats.map((s) => s.facilityId))].sort(byId);
  const facilityIndex = new Map(facilityIds.map((f, i) => [f, i]));
  const cells = [...instance.seats].sort((a, b) => byId(a.facilityId, b.facilityId) || a.classAge - b.classAge);
  const cellOf = new Map(cells.map((cell, i) => [`${cell.facilityId}\u0000${cell.classAge}`, i]));
  const cellFacility = Int32Array.from(cells, (cell) => facilityIndex.get(cell.facilityId) as number);
  const cellCapacity = Int32Array.from(cells, (cell) => cell.seats);
  const lottery = children.map((c) => lotteryNumber(seed, c.id));
  const wishCell = children.map((c) => Int32Array.from(c.wishes, (f) => cellOf.get(`${f}\u0000${c.classAge}`) ?? -1));
  const rank = children.map((c) => new Int32Array(c.wishes.length).fill(-1));
  const candidates: (Candidate & { index: number })[][] = cells.map(() => []);
  wishCell.forEach((wc, index) => wc.forEach((cell, wishIndex) => cell >= 0 && candidates[cell].push({ child: children[index], index, wishIndex, lottery: lottery[index] })));
  candidates.forEach((list, cell) => {
    const facilityId = facilityIds[cellFacility[cell]];
    list.sort((x, y) => compareAt(x, y, facilityId, instance.tieBreak));
    list.forEach((x, position) => (rank[x.index][x.wishIndex] = position));
  });
  return { children, childIndex, facilityIds, facilityIndex, cellFacility, cellCapacity, wishCell, rank, lottery };
}

/** The result's lottery record: child id → number. */
export function lotteryRecord(prepared: Prepared): Record<string, number> {
  const record: Record<string, number> = {};
  prepared.children.forEach((c, i) => (record[c.id] = prepared.lottery[i]));
  return record;
}
