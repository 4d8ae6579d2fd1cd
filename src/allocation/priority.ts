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

/** A criterion's value for a candidate at a facility: lower goes first. */
function criterionValue(criterion: TieBreakCriterion, child: AllocationChild, wishIndex: number, lottery: number, facilityId: string): number {
  switch (criterion) {
    case TieBreakCriterion.SIBLING_ENROLLED:
      return child.siblingEnrolledFacilityIds.includes(facilityId) ? 0 : 1;
    case TieBreakCriterion.SINGLE_PARENT:
      return child.singleParent ? 0 : 1;
    case TieBreakCriterion.LOWER_INCOME_TIER:
      return child.incomeTier ?? Infinity;
    case TieBreakCriterion.LONGER_WAITING:
      return -child.waitingMonths;
    case TieBreakCriterion.WISH_RANK:
      return wishIndex;
    case TieBreakCriterion.HIGHER_BASE_POINTS:
      return -child.basePoints;
    case TieBreakCriterion.LOTTERY:
      return lottery;
  }
}

/** The candidate's key at a facility, compared element by element, lower first: minus the points, then each criterion. */
export function priorityKey(c: Candidate, facilityId: string, tieBreak: readonly TieBreakCriterion[]): number[] {
  const key = [-pointsAt(c.child, facilityId)];
  for (const criterion of tieBreak) key.push(criterionValue(criterion, c.child, c.wishIndex, c.lottery, facilityId));
  return key;
}

function compareKeys(a: number[], b: number[]): number {
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return a[i] < b[i] ? -i - 1 : i + 1;
  return 0;
}

/** The first criterion on which `a` and `b` differ at the facility, and which way (negative: `a` first). */
export function decide(a: Candidate, b: Candidate, facilityId: string, tieBreak: readonly TieBreakCriterion[]): { order: number; criterion: DecidingCriterion } {
  const at = compareKeys(priorityKey(a, facilityId, tieBreak), priorityKey(b, facilityId, tieBreak));
  if (at !== 0) {
    const i = Math.abs(at) - 1;
    return { order: Math.sign(at), criterion: i === 0 ? 'POINTS' : tieBreak[i - 1] };
  }
  return { order: a.child.id < b.child.id ? -1 : a.child.id > b.child.id ? 1 : 0, criterion: 'CHILD_ID' };
}


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
  const AGES = 6;
  const cellAt = new Int32Array(facilityIds.length * AGES).fill(-1);
  cells.forEach((cell, i) => (cellAt[(facilityIndex.get(cell.facilityId) as number) * AGES + cell.classAge] = i));
  const cellFacility = Int32Array.from(cells, (cell) => facilityIndex.get(cell.facilityId) as number);
  const cellCapacity = Int32Array.from(cells, (cell) => cell.seats);
  const lottery = children.map((c) => lotteryNumber(seed, c.id));
  const wishCell = children.map((c) => Int32Array.from(c.wishes, (f) => {
    const facility = facilityIndex.get(f);
    return facility === undefined || c.classAge < 0 || c.classAge >= AGES ? -1 : cellAt[facility * AGES + c.classAge];
  }));
  const rank = children.map((c) => new Int32Array(c.wishes.length).fill(-1));
  rankCandidates(instance.tieBreak, children, lottery, wishCell, cellFacility, facilityIds, rank);
  return { children, childIndex, facilityIds, facilityIndex, cellFacility, cellCapacity, wishCell, rank, lottery };
}

/**
 * Sorts each cell's candidates by their priority keys and writes their positions into `rank`. The keys
 * are those of priorityKey, stored flat; where every component but the last (the lottery) is a whole
 * number of small range, they are packed into one number, which sorts several times faster.
 */
function rankCandidates(
  tieBreak: readonly TieBreakCriterion[], children: AllocationChild[], lottery: number[], wishCell: Int32Array[], cellFacility: Int32Array, facilityIds: string[],
  rank: Int32Array[],
): void {
  const width = 1 + tieBreak.length;
  let total = 0;
  for (const wc of wishCell) for (const cell of wc) if (cell >= 0) total++;
  const entryChild = new Int32Array(total);
  const entryWish = new Int32Array(total);
  const keys = new Float64Array(total * width);
  const byCell: number[][] = Array.from(cellFacility, () => []);
  let e = 0;
  wishCell.forEach((wc, child) => wc.forEach((cell, wish) => {
    if (cell < 0) return;
    const facilityId = facilityIds[cellFacility[cell]];
    const c = children[child];
    keys[e * width] = -pointsAt(c, facilityId);
    for (let k = 0; k < tieBreak.length; k++) keys[e * width + 1 + k] = criterionValue(tieBreak[k], c, wish, lottery[child], facilityId);
    entryChild[e] = child;
    entryWish[e] = wish;
    byCell[cell].push(e++);
  }));
  const packed = packKeys(keys, total, width);
  const compare = packed
    ? (x: number, y: number) => packed[x] - packed[y] || keys[x * width + width - 1] - keys[y * width + width - 1] || entryChild[x] - entryChild[y]
    : (x: number, y: number) => {
        for (let k = 0; k < width; k++) if (keys[x * width + k] !== keys[y * width + k]) return keys[x * width + k] < keys[y * width + k] ? -1 : 1;
        return entryChild[x] - entryChild[y];
      };
  for (const list of byCell) {
    list.sort(compare);
    list.forEach((entry, position) => (rank[entryChild[entry]][entryWish[entry]] = position));
  }
}

/** All components but the last as one number, when they are whole numbers (or Infinity) whose ranges multiply below 2^52; else null. */
function packKeys(keys: Float64Array, total: number, width: number): Float64Array | null {
  const packed = new Float64Array(total);
  let scale = 1;
  for (let k = width - 2; k >= 0; k--) {
    let min = Infinity;
    let max = -Infinity;
    for (let e = 0; e < total; e++) {
      const v = keys[e * width + k];
      if (v === Infinity) continue;
      if (!Number.isInteger(v)) return null;
      if (v < min) min = v;
      if (v > max) max = v;
    }
    if (min === Infinity) min = max = 0;
    const range = max - min + 2; // one more for Infinity (an unknown income tier), which sorts last
    for (let e = 0; e < total; e++) {
      const v = keys[e * width + k];
      packed[e] += (v === Infinity ? range - 1 : v - min) * scale;
    }
    scale *= range;
    if (scale > 2 ** 52) return null;
  }
  return packed;
}

/** The result's lottery record: child id → number. */
export function lotteryRecord(prepared: Prepared): Record<string, number> {
  const record: Record<string, number> = {};
  prepared.children.forEach((c, i) => (record[c.id] = prepared.lottery[i]));
  return record;
}
