/**
 * SYNTHETIC allocation instances for the allocation bench. NOTHING HERE IS REAL. Deterministic for a seed.
 *
 * - Facilities lie in 20 areas; 20 % are small (class ages 0–2 only). Seats per class age follow an
 *   April intake: many 0- and 1-year-old seats, few for 3–5 (children move up inside a facility).
 * - Children: class ages 0–2 make 80 % (0: 30 %, 1: 35 %, 2: 15 %, 3–5: 20 %). Each has a home area and
 *   ranks five facilities that take its class age, mostly in its own area, drawn by popularity
 *   (a facility's weight is 1 / rank^0.8, so a few are very popular).
 * - Points on 板橋区's 60-point scale: most households 60 (two full-time guardians), then 56–58, and a
 *   tail; ±1–3 adjustments; tie-break facts at random.
 * - Siblings: `siblingShare` of the children are in families of two (85 %) or three; siblings rank the
 *   same facilities (among those taking all their ages) in 80 % of families; families refuse a split
 *   (TOGETHER_ONLY) in 40 % of cases, the rest are TOGETHER_PREFERRED (the municipality's policy).
 */
import { AllocationChild, AllocationInstance, SeatCell, SiblingGroup } from '../src/allocation/instance';
import { SiblingPolicy, TieBreakCriterion } from '../src/allocation/rules';
import { prng } from './generate-national';

export interface GeneratorOptions {
  children: number;
  facilities: number;
  seed: number;
  siblingShare?: number;
  wishes?: number;
}

const AREAS = 20;
const AGE_SHARE = [0.3, 0.35, 0.15, 0.08, 0.07, 0.05];
// Seats a facility offers per class age in April: [min, max] (small facilities only take 0–2).
const SEATS = [[3, 9], [4, 10], [1, 5], [0, 3], [0, 2], [0, 2]];

export function generateInstance(opts: GeneratorOptions): AllocationInstance {
  const rand = prng(opts.seed);
  const int = (min: number, max: number) => min + Math.floor(rand() * (max - min + 1));
  const pick = <T>(weights: number[], items: T[]): T => {
    let r = rand() * weights.reduce((a, b) => a + b, 0);
    for (let i = 0; i < items.length; i++) if ((r -= weights[i]) < 0) return items[i];
    return items[items.length - 1];
  };
  const wishCount = opts.wishes ?? 5;

  const facilities = Array.from({ length: opts.facilities }, (_, i) => {
    const small = rand() < 0.2;
    return { id: `F${String(i).padStart(4, '0')}`, area: i % AREAS, ages: small ? [0, 1, 2] : [0, 1, 2, 3, 4, 5], weight: 0 };
  });
  // popularity: a random permutation ranked 1..n, weight 1 / rank^0.8
  const order = facilities.map((_, i) => ({ i, r: rand() })).sort((a, b) => a.r - b.r);
  order.forEach(({ i }, rank) => (facilities[i].weight = 1 / Math.pow(rank + 1, 0.8)));
  const seats: SeatCell[] = facilities.flatMap((f) => f.ages.map((classAge) => ({ facilityId: f.id, classAge, seats: int(SEATS[classAge][0], SEATS[classAge][1]) })));

  const takes = (ages: number[]) => facilities.filter((f) => ages.every((a) => f.ages.includes(a)));
  const rankWishes = (ages: number[], area: number): string[] => {
    const pool = takes(ages);
    const chosen: string[] = [];
    while (chosen.length < Math.min(wishCount, pool.length)) {
      const local = rand() < 0.75;
      const candidates = pool.filter((f) => !chosen.includes(f.id) && (!local || f.area === area));
      const from = candidates.length ? candidates : pool.filter((f) => !chosen.includes(f.id));
      chosen.push(pick(from.map((f) => f.weight), from).id);
    }
    return chosen;
  };
  const points = () => {
    const r = rand();
    const base = r < 0.55 ? 60 : r < 0.75 ? int(56, 58) : r < 0.9 ? int(48, 54) : int(30, 45);
    const adjust = rand() < 0.25 ? int(-3, 3) : 0;
    return { points: base + adjust, basePoints: base };
  };
  const ageOf = () => pick(AGE_SHARE, [0, 1, 2, 3, 4, 5]);

  const children: AllocationChild[] = [];
  const siblingGroups: SiblingGroup[] = [];
  const newChild = (classAge: number, wishes: string[], household: ReturnType<typeof points>, singleParent: boolean): AllocationChild => {
    const id = `C${String(children.length).padStart(5, '0')}`;
    const enrolled = rand() < 0.05 && wishes.length ? [wishes[int(0, wishes.length - 1)]] : [];
    const child: AllocationChild = {
      id, classAge, wishes, ...household, singleParent, incomeTier: rand() < 0.1 ? null : int(1, 8), waitingMonths: rand() < 0.7 ? 0 : int(1, 12),
      siblingEnrolledFacilityIds: enrolled, ...(enrolled.length ? { pointsByFacility: { [enrolled[0]]: household.points + 2 } } : {}),
    };
    children.push(child);
    return child;
  };
  const siblingTarget = Math.round(opts.children * (opts.siblingShare ?? 0.2));
  let inFamilies = 0;
  while (inFamilies < siblingTarget) {
    const size = Math.min(rand() < 0.85 ? 2 : 3, siblingTarget - inFamilies);
    if (size < 2) break;
    const ages = Array.from({ length: size }, () => ageOf());
    const area = int(0, AREAS - 1);
    const household = points();
    const singleParent = rand() < 0.1;
    const shared = rand() < 0.8 ? rankWishes(ages, area) : null;
    const members = ages.map((age) => newChild(age, shared ?? rankWishes([age], area), household, singleParent));
    siblingGroups.push({ id: `S${String(siblingGroups.length).padStart(4, '0')}`, childIds: members.map((m) => m.id), mode: rand() < 0.4 ? SiblingPolicy.TOGETHER_ONLY : SiblingPolicy.TOGETHER_PREFERRED });
    inFamilies += size;
  }
  while (children.length < opts.children) {
    const age = ageOf();
    newChild(age, rankWishes([age], int(0, AREAS - 1)), points(), rand() < 0.1);
  }
  return {
    municipalityCode: '000000', intakeMonth: '2027-04', seats, children, siblingGroups,
    tieBreak: [TieBreakCriterion.SIBLING_ENROLLED, TieBreakCriterion.SINGLE_PARENT, TieBreakCriterion.LOWER_INCOME_TIER, TieBreakCriterion.LONGER_WAITING, TieBreakCriterion.WISH_RANK, TieBreakCriterion.LOTTERY],
  };
}
