/**
 * Why each child was placed where it was, or not at all: for every wish ranked above the result (every
 * wish when unplaced), the facility's lowest admitted points (最低指数) in the child's class age and
 * what decided between that child and this one; and the lowest admitted points per facility × class
 * age as a table for open data.
 */
import { AllocationChild, AllocationInstance, AllocationResult } from './instance';
import { Candidate, decide, DecidingCriterion, pointsAt } from './priority';
import { Bilingual, TIE_BREAK_LABEL } from './rule-labels';
import { SiblingPolicy } from './rules';
import { jointWishes } from './sibling-allocation';

export enum NotPlacedReason {
  /** The facility has no seats for the child's class age this month. */
  NO_SEATS_FOR_CLASS_AGE = 'NO_SEATS_FOR_CLASS_AGE',
  /** Every seat went to children ahead of this one. */
  LOWER_PRIORITY = 'LOWER_PRIORITY',
  /** The child's siblings could not be admitted there with it (or did not all wish it). */
  SIBLING_POLICY = 'SIBLING_POLICY',
  /** The run found no stable result (NO_STABLE_RESULT_FOUND) and this wish is one it could not settle. */
  UNRESOLVED = 'UNRESOLVED',
}

export interface WishExplanation {
  facilityId: string;
  wishRank: number;
  reason: NotPlacedReason;
  /** The child's own points at this facility. */
  points: number;
  /** LOWER_PRIORITY: the lowest admitted child's points there and what put it ahead. */
  lowestAdmittedPoints?: number;
  decidedBy?: DecidingCriterion;
  message: Bilingual;
}

export interface ChildExplanation {
  childId: string;
  facilityId: string | null;
  wishRank: number | null;
  wishes: WishExplanation[];
}

/** 最低指数: one row per facility × class age with at least one child admitted. */
export interface LowestAdmitted {
  facilityId: string;
  classAge: number;
  seats: number;
  admitted: number;
  lowestPoints: number;
  /** What decided between the lowest admitted child and the best child with equal points who wanted the seat and did not get it; absent when there was none. */
  tieBrokenBy?: DecidingCriterion;
}

export interface AllocationExplanation {
  children: ChildExplanation[];
  lowestAdmitted: LowestAdmitted[];
}

const key = (facilityId: string, classAge: number) => `${facilityId}\u0000${classAge}`;

export function explainAllocation(instance: AllocationInstance, result: AllocationResult): AllocationExplanation {
  const seats = new Map(instance.seats.map((s) => [key(s.facilityId, s.classAge), s.seats]));
  const byId = new Map(instance.children.map((c) => [c.id, c]));
  const candidate = (child: AllocationChild, facilityId: string): Candidate => ({ child, wishIndex: child.wishes.indexOf(facilityId), lottery: result.lottery[child.id] });
  const lowest = new Map<string, { child: AllocationChild; admitted: number }>();
  for (const a of result.assignments) {
    const child = byId.get(a.childId);
    if (!child || a.facilityId === null) continue;
    const k = key(a.facilityId, child.classAge);
    const current = lowest.get(k);
    if (!current) lowest.set(k, { child, admitted: 1 });
    else {
      current.admitted++;
      if (decide(candidate(child, a.facilityId), candidate(current.child, a.facilityId), a.facilityId, instance.tieBreak).order > 0) current.child = child;
    }
  }
  const rankOf = new Map(result.assignments.map((a) => [a.childId, a.wishRank]));
  const facilityOf = new Map(result.assignments.map((a) => [a.childId, a.facilityId]));
  // Families that acted together: TOGETHER_ONLY always, TOGETHER_PREFERRED when placed together.
  const together = new Map<string, string[]>();
  for (const group of instance.siblingGroups) {
    if (group.mode === SiblingPolicy.INDEPENDENT) continue;
    const placed = group.childIds.map((id) => facilityOf.get(id) ?? null);
    if (group.mode === SiblingPolicy.TOGETHER_PREFERRED && (placed[0] === null || placed.some((f) => f !== placed[0]))) continue;
    const members = group.childIds.map((id) => byId.get(id)).filter((c): c is AllocationChild => !!c);
    const joint = jointWishes(members.map((m) => m.wishes));
    for (const m of members) together.set(m.id, joint);
  }
  const wishers = new Map<string, AllocationChild[]>();
  for (const child of instance.children) {
    for (const f of child.wishes) {
      const k = key(f, child.classAge);
      const list = wishers.get(k);
      if (list) list.push(child);
      else wishers.set(k, [child]);
    }
  }

  const children = [...result.assignments].map((a): ChildExplanation => {
    const child = byId.get(a.childId) as AllocationChild;
    const above = a.wishRank === null ? child.wishes : child.wishes.slice(0, a.wishRank - 1);
    const wishes = above.map((facilityId, w): WishExplanation => {
      const points = pointsAt(child, facilityId);
      const base = { facilityId, wishRank: w + 1, points };
      const capacity = seats.get(key(facilityId, child.classAge)) ?? 0;
      if (capacity === 0) return { ...base, reason: NotPlacedReason.NO_SEATS_FOR_CLASS_AGE, message: noSeats(child.classAge) };
      const joint = together.get(child.id);
      if (joint && !joint.includes(facilityId)) return { ...base, reason: NotPlacedReason.SIBLING_POLICY, message: notJoint() };
      const low = lowest.get(key(facilityId, child.classAge));
      const full = (low?.admitted ?? 0) >= capacity;
      if (low && full) {
        const { order, criterion } = decide(candidate(low.child, facilityId), candidate(child, facilityId), facilityId, instance.tieBreak);
        if (order < 0) {
          const lowestPoints = pointsAt(low.child, facilityId);
          return { ...base, reason: NotPlacedReason.LOWER_PRIORITY, lowestAdmittedPoints: lowestPoints, decidedBy: criterion, message: lowerPriority(lowestPoints, points, criterion) };
        }
      }
      if (joint) return { ...base, reason: NotPlacedReason.SIBLING_POLICY, message: notTogether() };
      return { ...base, reason: NotPlacedReason.UNRESOLVED, message: unresolved() };
    });
    return { childId: a.childId, facilityId: a.facilityId, wishRank: a.wishRank, wishes };
  });

  const lowestAdmitted = [...lowest.entries()].map(([k, { child, admitted }]): LowestAdmitted => {
    const [facilityId, age] = k.split('\u0000');
    const classAge = Number(age);
    const lowestPoints = pointsAt(child, facilityId);
    // the best child with the same points who wished this facility above what it got
    let runnerUp: AllocationChild | undefined;
    for (const other of wishers.get(k) ?? []) {
      if (pointsAt(other, facilityId) !== lowestPoints) continue;
      const w = other.wishes.indexOf(facilityId);
      const got = rankOf.get(other.id);
      if (w < 0 || (got !== null && got !== undefined && got <= w + 1)) continue;
      if (!runnerUp || decide(candidate(other, facilityId), candidate(runnerUp, facilityId), facilityId, instance.tieBreak).order < 0) runnerUp = other;
    }
    const tieBrokenBy = runnerUp ? decide(candidate(child, facilityId), candidate(runnerUp, facilityId), facilityId, instance.tieBreak).criterion : undefined;
    return { facilityId, classAge, seats: seats.get(k) ?? 0, admitted, lowestPoints, ...(tieBrokenBy ? { tieBrokenBy } : {}) };
  }).sort((a, b) => (a.facilityId < b.facilityId ? -1 : a.facilityId > b.facilityId ? 1 : a.classAge - b.classAge));

  return { children, lowestAdmitted };
}

function noSeats(classAge: number): Bilingual {
  return { en: `No seats for class age ${classAge} this month.`, ja: `${classAge}歳児クラスの受入枠がありません。` };
}

function notJoint(): Bilingual {
  return { en: 'Sibling policy: not every sibling wished this facility, and the siblings are placed only together.', ja: 'きょうだいの取扱い: きょうだい全員が希望した施設ではないため、同じ施設への入所のみ検討しました。' };
}

function notTogether(): Bilingual {
  return { en: 'Sibling policy: the siblings could not all be admitted here together.', ja: 'きょうだいの取扱い: きょうだい全員がそろってこの施設に入所できませんでした。' };
}

function unresolved(): Bilingual {
  return { en: 'The run found no stable result; the municipality decides this wish by hand.', ja: '安定な結果が見つからなかったため、この希望は自治体が個別に判断します。' };
}

function lowerPriority(lowestPoints: number, points: number, criterion: DecidingCriterion): Bilingual {
  if (criterion === 'POINTS') return { en: `Lowest admitted points ${lowestPoints} > your ${points}.`, ja: `最低指数 ${lowestPoints} > あなたの指数 ${points}。` };
  const label = TIE_BREAK_LABEL[criterion];
  return {
    en: `Lowest admitted points ${lowestPoints} = your ${points}; the tie was decided by ${label.en}.`,
    ja: `最低指数 ${lowestPoints} = あなたの指数 ${points}（同点のため「${label.ja}」で決定）。`,
  };
}
