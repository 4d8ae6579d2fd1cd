import { explainAllocation, NotPlacedReason } from '../../src/allocation/explanation';
import { SiblingPolicy, TieBreakCriterion } from '../../src/allocation/rules';
import { allocate } from '../../src/allocation/sibling-allocation';
import { child, instance } from '../support/allocation';

describe('explainAllocation', () => {
  const tieBreak = [TieBreakCriterion.SIBLING_ENROLLED, TieBreakCriterion.WISH_RANK, TieBreakCriterion.LOTTERY];
  const inst = instance(
    [
      child('high', 1, ['F'], 62),
      child('enrolled', 1, ['G'], 60, { siblingEnrolledFacilityIds: ['G'] }),
      child('me', 1, ['F', 'G', 'N', 'H'], 60),
      child('infant', 0, ['F'], 50),
      child('s0', 0, ['H', 'K'], 40),
      child('s1', 1, ['K'], 40),
    ],
    [['F', 1, 1], ['G', 1, 1], ['N', 1, 0], ['H', 1, 1], ['F', 0, 1], ['H', 0, 1], ['K', 0, 0], ['K', 1, 1]],
    [['fam', ['s0', 's1'], SiblingPolicy.TOGETHER_ONLY]],
    tieBreak,
  );
  const result = allocate(inst, 42);
  const { children, lowestAdmitted } = explainAllocation(inst, result);
  const of = (id: string) => children.find((c) => c.childId === id);

  it('each wish above the result: lower points, a tie lost to a criterion, no seats', () => {
    expect(of('me')).toMatchObject({ facilityId: 'H', wishRank: 4 });
    const [f, g, n] = of('me')?.wishes ?? [];
    expect(f).toMatchObject({ facilityId: 'F', reason: NotPlacedReason.LOWER_PRIORITY, lowestAdmittedPoints: 62, points: 60, decidedBy: 'POINTS' });
    expect(f.message).toEqual({ en: 'Lowest admitted points 62 > your 60.', ja: '最低指数 62 > あなたの指数 60。' });
    expect(g).toMatchObject({ facilityId: 'G', reason: NotPlacedReason.LOWER_PRIORITY, lowestAdmittedPoints: 60, decidedBy: TieBreakCriterion.SIBLING_ENROLLED });
    expect(g.message.ja).toBe('最低指数 60 = あなたの指数 60（同点のため「きょうだい在園」で決定）。');
    expect(g.message.en).toContain('the tie was decided by sibling enrolled');
    expect(n).toMatchObject({ facilityId: 'N', reason: NotPlacedReason.NO_SEATS_FOR_CLASS_AGE });
    expect(of('me')?.wishes).toHaveLength(3);
    expect(of('high')?.wishes).toEqual([]);
  });

  it('siblings: a wish the others did not make, and a joint wish where they could not all get in', () => {
    expect(of('s0')).toMatchObject({ facilityId: null });
    const [h, k] = of('s0')?.wishes ?? [];
    expect(h).toMatchObject({ facilityId: 'H', reason: NotPlacedReason.SIBLING_POLICY });
    expect(h.message.ja).toContain('きょうだい全員が希望した施設ではない');
    expect(k).toMatchObject({ facilityId: 'K', reason: NotPlacedReason.NO_SEATS_FOR_CLASS_AGE });
    expect(of('s1')?.wishes[0]).toMatchObject({ facilityId: 'K', reason: NotPlacedReason.SIBLING_POLICY, message: { ja: expect.stringContaining('そろって') } });
  });

  it('the lowest admitted points per facility × class age, with what decided a tie at the line', () => {
    expect(lowestAdmitted).toEqual([
      { facilityId: 'F', classAge: 0, seats: 1, admitted: 1, lowestPoints: 50 },
      { facilityId: 'F', classAge: 1, seats: 1, admitted: 1, lowestPoints: 62 },
      { facilityId: 'G', classAge: 1, seats: 1, admitted: 1, lowestPoints: 60, tieBrokenBy: TieBreakCriterion.SIBLING_ENROLLED },
      { facilityId: 'H', classAge: 1, seats: 1, admitted: 1, lowestPoints: 60 },
    ]);
  });
});
