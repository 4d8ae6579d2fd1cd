import { deferredAcceptance } from '../../src/allocation/deferred-acceptance';
import { AllocationStatus } from '../../src/allocation/instance';
import { validateInstance } from '../../src/allocation/instance-validation';
import { SiblingPolicy, TieBreakCriterion } from '../../src/allocation/rules';
import { allocate, jointWishes } from '../../src/allocation/sibling-allocation';
import { checkAllocation } from '../../src/allocation/stability-check';
import { child, instance, placements, stableResultsByBruteForce } from '../support/allocation';

const { TOGETHER_ONLY, TOGETHER_PREFERRED, INDEPENDENT } = SiblingPolicy;

describe('allocate — small cases by hand', () => {
  it('places by points within the seats of each class age; a lower wish when the first is full', () => {
    const inst = instance(
      [child('a', 1, ['F', 'G'], 60), child('b', 1, ['F', 'G'], 58), child('c', 1, ['F'], 55), child('d', 0, ['F'], 40)],
      [['F', 1, 1], ['G', 1, 1], ['F', 0, 1]],
    );
    const result = allocate(inst, 7);
    expect(placements(result)).toEqual({ a: 'F', b: 'G', c: null, d: 'F' });
    expect(result.assignments.find((x) => x.childId === 'b')?.wishRank).toBe(2);
    expect(result).toMatchObject({ status: AllocationStatus.STABLE, seed: 7 });
    expect(checkAllocation(inst, result).ok).toBe(true);
    expect(placements(deferredAcceptance(inst, 7))).toEqual(placements(result));
  });

  it('a wish for a facility without a class for the child is never used', () => {
    const inst = instance([child('a', 3, ['F', 'G'], 60)], [['F', 1, 5], ['G', 3, 1]]);
    expect(placements(allocate(inst, 1))).toEqual({ a: 'G' });
  });

  it('facility-specific points and tie-breaks: a sibling enrolled wins the tie there only', () => {
    const tieBreak = [TieBreakCriterion.SIBLING_ENROLLED, TieBreakCriterion.LOTTERY];
    const inst = instance(
      [child('a', 1, ['F', 'G'], 60, { siblingEnrolledFacilityIds: ['F'] }), child('b', 1, ['F', 'G'], 60, { pointsByFacility: { G: 61 } })],
      [['F', 1, 1], ['G', 1, 1]], [], tieBreak,
    );
    for (const seed of [1, 2, 3, 4]) expect(placements(allocate(inst, seed))).toEqual({ a: 'F', b: 'G' });
  });

  it('TOGETHER_ONLY: both at one facility or neither; the family displaces lower children together', () => {
    const inst = instance(
      [child('s0', 0, ['F', 'G'], 50), child('s1', 1, ['F', 'G'], 50), child('x', 0, ['F'], 45), child('y', 1, ['G'], 70)],
      [['F', 0, 1], ['F', 1, 1], ['G', 0, 1], ['G', 1, 1]],
      [['fam', ['s0', 's1'], TOGETHER_ONLY]],
    );
    const result = allocate(inst, 3);
    expect(placements(result)).toEqual({ s0: 'F', s1: 'F', x: null, y: 'G' });
    expect(checkAllocation(inst, result).ok).toBe(true);
  });

  it('TOGETHER_ONLY: when one sibling cannot get in anywhere, neither is placed, and the seat stays for others', () => {
    const inst = instance(
      [child('s0', 0, ['F'], 60), child('s1', 1, ['F'], 50), child('y', 1, ['F'], 55), child('z', 0, ['F'], 40)],
      [['F', 0, 1], ['F', 1, 1]],
      [['fam', ['s0', 's1'], TOGETHER_ONLY]],
    );
    const result = allocate(inst, 3);
    expect(placements(result)).toEqual({ s0: null, s1: null, y: 'F', z: 'F' });
    expect(checkAllocation(inst, result).ok).toBe(true);
  });

  it('TOGETHER_PREFERRED: together where possible, otherwise each on their own wishes', () => {
    const seats: [string, number, number][] = [['F', 0, 1], ['F', 1, 1], ['G', 0, 1], ['G', 1, 0]];
    const kids = [child('s0', 0, ['F', 'G'], 50), child('s1', 1, ['F', 'G'], 50), child('y', 1, ['F'], 70)];
    const preferred = allocate(instance(kids, seats, [['fam', ['s0', 's1'], TOGETHER_PREFERRED]]), 1);
    expect(placements(preferred)).toEqual({ s0: 'F', s1: null, y: 'F' });
    const only = allocate(instance(kids, seats, [['fam', ['s0', 's1'], TOGETHER_ONLY]]), 1);
    expect(placements(only)).toEqual({ s0: null, s1: null, y: 'F' });
    // with room at F for both, the family goes together even though s0 alone would be first at G
    const roomy = instance([child('s0', 0, ['G', 'F'], 50), child('s1', 1, ['F'], 50)], [['F', 0, 1], ['F', 1, 1], ['G', 0, 1]], [['fam', ['s0', 's1'], TOGETHER_PREFERRED]]);
    expect(placements(allocate(roomy, 1))).toEqual({ s0: 'F', s1: 'F' });
    expect(placements(allocate({ ...roomy, siblingGroups: [{ id: 'fam', childIds: ['s0', 's1'], mode: INDEPENDENT }] }, 1))).toEqual({ s0: 'G', s1: 'F' });
  });

  it('joint wishes: facilities every sibling wished, by the sum of their ranks', () => {
    expect(jointWishes([['A', 'B', 'C', 'D'], ['C', 'B', 'A']])).toEqual(['A', 'C', 'B']); // sums tie at 2: best rank, then id
    expect(jointWishes([['A', 'B', 'X', 'C'], ['B', 'A', 'C']])).toEqual(['A', 'B', 'C']);
    expect(jointWishes([['A'], ['B']])).toEqual([]);
  });

  it('a sibling instance with no stable result: the brute force finds none, and the run says so and names the families', () => {
    // Found by a brute-force search over small random instances; every priority is strict (no ties).
    const inst = instance(
      [
        child('c0', 0, ['B'], 0, { pointsByFacility: { A: 0, B: 10 } }),
        child('c1', 1, ['A', 'B'], 0, { pointsByFacility: { A: 14, B: 19 } }),
        child('c2', 0, ['B', 'A'], 0, { pointsByFacility: { A: 2, B: 8 } }),
        child('c3', 1, ['A', 'B'], 0, { pointsByFacility: { A: 13, B: 13 } }),
        child('c4', 0, ['A', 'B'], 0, { pointsByFacility: { A: 1, B: 18 } }),
        child('c5', 1, ['A'], 0, { pointsByFacility: { A: 3, B: 4 } }),
      ],
      [['A', 0, 1], ['A', 1, 1], ['B', 0, 1], ['B', 1, 2]],
      [['g', ['c0', 'c1'], TOGETHER_PREFERRED], ['h', ['c2', 'c3'], TOGETHER_ONLY]],
    );
    expect(validateInstance(inst)).toEqual([]);
    const result = allocate(inst, 11);
    expect(stableResultsByBruteForce(inst, result)).toEqual([]);
    expect(result.status).toBe(AllocationStatus.NO_STABLE_RESULT_FOUND);
    expect(result.unresolvedFamilies.length).toBeGreaterThan(0);
    expect(['g', 'h']).toEqual(expect.arrayContaining(result.unresolvedFamilies));
    // still a feasible result: seats and the sibling policy hold; only blocking pairs remain
    const report = checkAllocation(inst, result);
    expect(report.violations.map((v) => v.kind).every((k) => k === 'BLOCKING_PAIR' || k === 'BLOCKING_FAMILY')).toBe(true);
    expect(report.ok).toBe(false);
  });

  it('an instance that has a stable result gets one that the brute force also lists', () => {
    const inst = instance(
      [child('s0', 0, ['A', 'B'], 5), child('s1', 1, ['A', 'B'], 5), child('t', 1, ['A', 'B'], 9), child('u', 0, ['B', 'A'], 7)],
      [['A', 0, 1], ['A', 1, 1], ['B', 0, 1], ['B', 1, 1]],
      [['fam', ['s0', 's1'], TOGETHER_ONLY]],
    );
    const result = allocate(inst, 5);
    expect(result.status).toBe(AllocationStatus.STABLE);
    expect(stableResultsByBruteForce(inst, result).map(placements)).toContainEqual(placements(result));
  });
});

describe('checkAllocation — catches every kind of fault', () => {
  const inst = instance(
    [child('a', 1, ['F', 'G', 'H'], 60), child('b', 1, ['F', 'G'], 50), child('s0', 0, ['F'], 40), child('s1', 1, ['G', 'F'], 40)],
    [['F', 1, 1], ['G', 1, 1], ['F', 0, 1], ['H', 0, 1]],
    [['fam', ['s0', 's1'], TOGETHER_ONLY]],
  );
  const good = allocate(inst, 1);
  const withPlacement = (childId: string, facilityId: string | null, wishRank: number | null) => ({
    ...good, assignments: good.assignments.map((x) => (x.childId === childId ? { childId, facilityId, wishRank } : x)),
  });
  const kinds = (r: typeof good) => checkAllocation(inst, r).violations.map((v) => v.kind);

  it('accepts the run', () => {
    expect(placements(good)).toEqual({ a: 'F', b: 'G', s0: null, s1: null });
    expect(checkAllocation(inst, good)).toMatchObject({ ok: true, blockingPairs: 0, blockingFamilies: 0 });
  });

  it.each([
    ['a child moved down a wish (blocking pair: a seat it prefers is free)', () => withPlacement('b', null, null), 'BLOCKING_PAIR'],
    ['two children in one seat', () => withPlacement('b', 'F', 1), 'OVER_CAPACITY'],
    ['a facility not wished', () => withPlacement('s0', 'G', 1), 'NOT_A_WISH'],
    ['a wrong rank', () => withPlacement('b', 'G', 1), 'WRONG_RANK'],
    ['siblings apart under TOGETHER_ONLY', () => withPlacement('s0', 'F', 1), 'SIBLINGS_APART'],
    ['a class the facility does not have', () => withPlacement('a', 'H', 3), 'NO_SUCH_CELL'],
    ['a missing child', () => ({ ...good, assignments: good.assignments.slice(1) }), 'MISSING_ASSIGNMENT'],
    ['an unknown child', () => ({ ...good, assignments: [...good.assignments, { childId: 'zz', facilityId: null, wishRank: null }] }), 'UNKNOWN_CHILD'],
    ['a child without a lottery number', () => ({ ...good, lottery: { ...good.lottery, a: undefined as unknown as number } }), 'NO_LOTTERY_NUMBER'],
  ])('%s', (_, corrupt, kind) => {
    expect(kinds(corrupt())).toContain(kind);
  });

  it('a lower child holding the seat a higher one wished is a blocking pair', () => {
    const swapped = { ...good, assignments: good.assignments.map((x) => (x.childId === 'a' ? { ...x, facilityId: 'G', wishRank: 2 } : x.childId === 'b' ? { ...x, facilityId: 'F', wishRank: 1 } : x)) };
    const report = checkAllocation(inst, swapped);
    expect(report.blockingPairs).toBe(1);
    expect(report.violations[0]).toMatchObject({ kind: 'BLOCKING_PAIR', childIds: ['a'], facilityId: 'F' });
  });

  it('a family left out although both siblings would be admitted together is a blocking family', () => {
    const roomy = instance([child('s0', 0, ['F'], 40), child('s1', 1, ['F'], 40)], [['F', 0, 1], ['F', 1, 1]], [['fam', ['s0', 's1'], TOGETHER_ONLY]]);
    const empty = { ...allocate(roomy, 1), assignments: [{ childId: 's0', facilityId: null, wishRank: null }, { childId: 's1', facilityId: null, wishRank: null }] };
    expect(checkAllocation(roomy, empty)).toMatchObject({ blockingFamilies: 1, blockingPairs: 0 });
  });
});

describe('validateInstance', () => {
  it('names the inconsistent part', () => {
    const inst = instance([child('a', 1, ['F', 'F', 'X'], 60), child('a', 7, [], NaN)], [['F', 1, -1], ['F', 1, 2]], [['g', ['a', 'zz'], TOGETHER_ONLY]], [TieBreakCriterion.WISH_RANK]);
    expect(validateInstance(inst).map((i) => i.path)).toEqual(expect.arrayContaining([
      'instance.tieBreak', 'instance.seats[0].seats', 'instance.seats[1]', 'instance.children[0].wishes[1]', 'instance.children[0].wishes[2]',
      'instance.children[1].id', 'instance.children[1].classAge', 'instance.children[1].points', 'instance.siblingGroups[0].childIds[1]',
    ]));
  });
});
