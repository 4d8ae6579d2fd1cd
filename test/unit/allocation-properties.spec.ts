import fc from 'fast-check';
import { deferredAcceptance } from '../../src/allocation/deferred-acceptance';
import { explainAllocation, NotPlacedReason } from '../../src/allocation/explanation';
import { AllocationChild, AllocationInstance, AllocationStatus } from '../../src/allocation/instance';
import { validateInstance } from '../../src/allocation/instance-validation';
import { SiblingPolicy, TieBreakCriterion } from '../../src/allocation/rules';
import { decide, prepare } from '../../src/allocation/priority';
import { allocate } from '../../src/allocation/sibling-allocation';
import { checkAllocation } from '../../src/allocation/stability-check';

const FACILITIES = ['f0', 'f1', 'f2', 'f3', 'f4', 'f5'];
const CRITERIA = [TieBreakCriterion.SIBLING_ENROLLED, TieBreakCriterion.SINGLE_PARENT, TieBreakCriterion.LOWER_INCOME_TIER, TieBreakCriterion.LONGER_WAITING, TieBreakCriterion.WISH_RANK, TieBreakCriterion.HIGHER_BASE_POINTS];

const childArb = (id: string) =>
  fc.record({
    classAge: fc.integer({ min: 0, max: 2 }),
    wishes: fc.uniqueArray(fc.constantFrom(...FACILITIES), { minLength: 0, maxLength: 4 }),
    points: fc.integer({ min: 40, max: 44 }), // few values: many ties for the tie-breaks to decide
    bonus: fc.option(fc.constantFrom(...FACILITIES), { nil: undefined }),
    singleParent: fc.boolean(),
    incomeTier: fc.option(fc.integer({ min: 1, max: 3 }), { nil: null }),
    waitingMonths: fc.integer({ min: 0, max: 2 }),
  }).map((c): AllocationChild => ({
    id, classAge: c.classAge, wishes: c.wishes, points: c.points, basePoints: c.points - (c.singleParent ? 1 : 0),
    ...(c.bonus ? { pointsByFacility: { [c.bonus]: c.points + 1 } } : {}),
    singleParent: c.singleParent, incomeTier: c.incomeTier, waitingMonths: c.waitingMonths, siblingEnrolledFacilityIds: c.bonus ? [c.bonus] : [],
  }));

/** Instances of up to 24 children over 6 facilities × 3 class ages, with sibling families in every mode. */
const instanceArb: fc.Arbitrary<AllocationInstance> = fc.integer({ min: 1, max: 24 }).chain((n) =>
  fc.record({
    children: fc.tuple(...Array.from({ length: n }, (_, i) => childArb(`c${String(i).padStart(2, '0')}`))),
    seats: fc.array(fc.integer({ min: 0, max: 3 }), { minLength: FACILITIES.length * 3, maxLength: FACILITIES.length * 3 }),
    groupSizes: fc.array(fc.integer({ min: 2, max: 3 }), { maxLength: Math.floor(n / 3) }),
    modes: fc.array(fc.constantFrom(SiblingPolicy.TOGETHER_ONLY, SiblingPolicy.TOGETHER_PREFERRED, SiblingPolicy.INDEPENDENT), { minLength: 8, maxLength: 8 }),
    sameWishes: fc.array(fc.boolean(), { minLength: 8, maxLength: 8 }),
    tieBreak: fc.shuffledSubarray(CRITERIA),
  }).map(({ children, seats, groupSizes, modes, sameWishes, tieBreak }) => {
    const groups: AllocationInstance['siblingGroups'] = [];
    let next = 0;
    groupSizes.forEach((size, g) => {
      if (next + size > children.length) return;
      const members = children.slice(next, next + size);
      if (sameWishes[g]) for (const m of members) m.wishes = [...members[0].wishes]; // most families wish the same list
      groups.push({ id: `g${g}`, childIds: members.map((m) => m.id), mode: modes[g] });
      next += size;
    });
    return {
      municipalityCode: '131199', intakeMonth: '2026-04', tieBreak: [...tieBreak, TieBreakCriterion.LOTTERY], children, siblingGroups: groups,
      seats: FACILITIES.flatMap((facilityId, f) => [0, 1, 2].map((classAge) => ({ facilityId, classAge, seats: seats[f * 3 + classAge] }))).filter((s) => s.seats > 0 || s.classAge !== 2),
    };
  }),
);

const withoutSiblings = instanceArb.map((inst) => ({ ...inst, siblingGroups: [] }));
const seedArb = fc.integer({ min: 0, max: 0xffffffff });
const RUNS = { numRuns: 300 };

function shuffled<T>(list: T[], seed: number): T[] {
  const out = [...list];
  let s = seed >>> 0 || 1;
  for (let i = out.length - 1; i > 0; i--) {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    const j = s % (i + 1);
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}

describe('allocation properties (fast-check)', () => {
  it('generated instances are valid', () => {
    fc.assert(fc.property(instanceArb, (inst) => expect(validateInstance(inst)).toEqual([])), { numRuns: 100 });
  });

  it('every result respects seats, wishes and the sibling policy; a STABLE result has no blocking pair or family', () => {
    let stableWithFamiliesPlaced = 0;
    let unstable = 0;
    fc.assert(fc.property(instanceArb, seedArb, (inst, seed) => {
      const result = allocate(inst, seed);
      const placed = new Set(result.assignments.filter((a) => a.facilityId).map((a) => a.childId));
      if (result.status === AllocationStatus.STABLE && inst.siblingGroups.some((g) => g.mode !== SiblingPolicy.INDEPENDENT && g.childIds.every((id) => placed.has(id)))) stableWithFamiliesPlaced++;
      if (result.status !== AllocationStatus.STABLE) unstable++;
      const report = checkAllocation(inst, result);
      const faults = report.violations.filter((v) => v.kind !== 'BLOCKING_PAIR' && v.kind !== 'BLOCKING_FAMILY');
      expect(faults).toEqual([]);
      if (result.status === AllocationStatus.STABLE) expect(report.violations).toEqual([]);
      else expect(result.unresolvedFamilies.length).toBeGreaterThan(0);
    }), RUNS);
    // the generator must exercise families that are placed, and stable results must be the rule
    expect(stableWithFamiliesPlaced).toBeGreaterThan(RUNS.numRuns / 10);
    expect(unstable).toBeLessThan(RUNS.numRuns / 10);
  });

  it('without siblings: always stable, and exactly plain deferred acceptance (the child-optimal stable matching)', () => {
    fc.assert(fc.property(withoutSiblings, seedArb, (inst, seed) => {
      const result = allocate(inst, seed);
      expect(result.status).toBe(AllocationStatus.STABLE);
      expect(checkAllocation(inst, result).ok).toBe(true);
      expect(result.assignments).toEqual(deferredAcceptance(inst, seed).assignments);
    }), RUNS);
  });

  it('deterministic: the same seed gives the same result, whatever the order of children, seats and families', () => {
    fc.assert(fc.property(instanceArb, seedArb, fc.integer(), (inst, seed, shuffleSeed) => {
      const first = allocate(inst, seed);
      const reordered = { ...inst, children: shuffled(inst.children, shuffleSeed), seats: shuffled(inst.seats, shuffleSeed + 1), siblingGroups: shuffled(inst.siblingGroups, shuffleSeed + 2) };
      expect(allocate(reordered, seed)).toEqual(first);
      expect(allocate(inst, seed)).toEqual(first);
    }), RUNS);
  });

  it('the ranks the algorithms use follow decide() exactly, packed keys or not (fractional points)', () => {
    fc.assert(fc.property(instanceArb, seedArb, fc.boolean(), (inst, seed, fractional) => {
      const input = fractional ? { ...inst, children: inst.children.map((c, i) => ({ ...c, points: c.points + (i % 3) / 2 })) } : inst;
      const p = prepare(input, seed);
      const byCell = new Map<number, { child: number; wish: number }[]>();
      p.wishCell.forEach((cells, child) => cells.forEach((cell, wish) => cell >= 0 && byCell.set(cell, [...(byCell.get(cell) ?? []), { child, wish }])));
      for (const [cell, list] of byCell) {
        const facilityId = p.facilityIds[p.cellFacility[cell]];
        const candidate = ({ child, wish }: { child: number; wish: number }) => ({ child: p.children[child], wishIndex: wish, lottery: p.lottery[child] });
        const expected = [...list].sort((x, y) => decide(candidate(x), candidate(y), facilityId, input.tieBreak).order);
        expect(expected.map(({ child, wish }) => p.rank[child][wish])).toEqual(expected.map((_, i) => i));
      }
    }), RUNS);
  });

  it('the lottery is recorded and decides only ties', () => {
    fc.assert(fc.property(withoutSiblings, seedArb, seedArb, (inst, a, b) => {
      const [ra, rb] = [allocate(inst, a), allocate(inst, b)];
      expect(ra.seed).toBe(a);
      expect(Object.keys(ra.lottery).sort()).toEqual(inst.children.map((c) => c.id).sort());
      // with every child's points distinct and no tie-break but the lottery, the seed cannot matter
      const distinct = { ...inst, tieBreak: [TieBreakCriterion.LOTTERY], children: inst.children.map((c, i) => ({ ...c, points: i, pointsByFacility: undefined })) };
      expect(allocate(distinct, a).assignments).toEqual(allocate(distinct, b).assignments);
      expect(rb.seed).toBe(b);
    }), { numRuns: 100 });
  });

  it('every child gets an explanation of each wish above its result; a lower priority one names a lowest admitted child ahead of it', () => {
    fc.assert(fc.property(instanceArb, seedArb, (inst, seed) => {
      const result = allocate(inst, seed);
      const { children, lowestAdmitted } = explainAllocation(inst, result);
      expect(children.map((c) => c.childId)).toEqual(result.assignments.map((a) => a.childId));
      for (const explanation of children) {
        const child = inst.children.find((c) => c.id === explanation.childId) as AllocationChild;
        const above = explanation.wishRank === null ? child.wishes.length : explanation.wishRank - 1;
        expect(explanation.wishes.map((w) => w.wishRank)).toEqual(Array.from({ length: above }, (_, i) => i + 1));
        for (const wish of explanation.wishes) {
          if (result.status === AllocationStatus.STABLE) expect(wish.reason).not.toBe(NotPlacedReason.UNRESOLVED);
          if (wish.reason === NotPlacedReason.LOWER_PRIORITY) {
            const low = lowestAdmitted.find((l) => l.facilityId === wish.facilityId && l.classAge === child.classAge);
            expect(low?.lowestPoints).toBe(wish.lowestAdmittedPoints);
            expect(wish.lowestAdmittedPoints as number).toBeGreaterThanOrEqual(wish.points);
            if (wish.decidedBy === 'POINTS') expect(wish.lowestAdmittedPoints as number).toBeGreaterThan(wish.points);
          }
        }
      }
    }), RUNS);
  });
});
