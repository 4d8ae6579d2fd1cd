import { GuardianFacts } from '../../src/allocation/applicant-facts';
import { loadItabashiRules } from '../../src/allocation/itabashi-rules';
import { computePoints } from '../../src/allocation/points';
import {
  AllocationRules, CombinationRule, HouseholdCondition, ProvenanceKind, ReasonDetail, SiblingPolicy, SingleGuardianRule, TieBreakCriterion,
} from '../../src/allocation/rules';
import { sampleRules } from '../../src/allocation/sample-rules';
import { CareReason } from '../../src/procedures/care-reason';

const work = (daysPerMonth: number, hoursPerDay: number): GuardianFacts => ({ reason: CareReason.EMPLOYMENT, daysPerMonth, hoursPerDay });
const SAMPLE = { kind: ProvenanceKind.SAMPLE };

describe('computePoints — 板橋区 (official rows of the R2 table)', () => {
  const rules = loadItabashiRules();
  const one = (g: GuardianFacts) => computePoints(rules, { guardians: [g, work(20, 8)], conditions: [] }).guardians[0];

  it.each([
    // [days, hours a day, points, row id] — every row and both sides of each boundary
    [20, 8, 30, 'itabashi-employment-1'],
    [31, 12, 30, 'itabashi-employment-1'],
    [20, 7.99, 28, 'itabashi-employment-2'],
    [20, 6, 28, 'itabashi-employment-2'],
    [20, 5.99, 26, 'itabashi-employment-3'],
    [20, 4, 26, 'itabashi-employment-3'],
    [19, 8, 28, 'itabashi-employment-4'],
    [16, 8, 28, 'itabashi-employment-4'],
    [16, 6, 26, 'itabashi-employment-5'],
    [19, 7.5, 26, 'itabashi-employment-5'],
    [16, 4, 24, 'itabashi-employment-6'],
    [15, 8, 26, 'itabashi-employment-7'],
    [12, 8, 26, 'itabashi-employment-7'],
    [12, 6, 24, 'itabashi-employment-8'],
    [12, 4, 22, 'itabashi-employment-9'],
    [11, 8, 18, 'itabashi-employment-10'], // 88 h a month: 上記以外の月48時間以上
    [20, 3, 18, 'itabashi-employment-10'], // 60 h a month, under 4 h a day
    [12, 4, 22, 'itabashi-employment-9'], // exactly 48 h, but the 12-day row is better
    [8, 6, 18, 'itabashi-employment-10'], // exactly 48 h a month
  ])('employment %d days × %d h → %d (%s)', (days, hours, points, rowId) => {
    const g = one(work(days, hours));
    expect(g.points).toBe(points);
    expect(g.row?.id).toBe(rowId);
    expect(g.row?.provenance.kind).toBe(ProvenanceKind.OFFICIAL);
  });

  it('a guardian working under 48 h a month matches no row: 0 points, said so', () => {
    const g = one(work(11, 4)); // 44 h
    expect(g).toMatchObject({ points: 0, row: null });
    expect(g.explanation.ja).toContain('該当しません');
    expect(one({ reason: CareReason.EMPLOYMENT, hoursPerMonth: 47.5 }).points).toBe(0);
  });

  it('monthly hours alone use the 48-hour row', () => {
    expect(one({ reason: CareReason.EMPLOYMENT, hoursPerMonth: 48 }).points).toBe(18);
    expect(one({ reason: CareReason.EMPLOYMENT, hoursPerMonth: 160 }).points).toBe(18); // days and hours a day unknown
  });

  it('says when monthly hours were derived from days × hours', () => {
    const g = one(work(11, 8));
    expect(g.derivedHoursPerMonth).toBe(88);
    expect(g.explanation.ja).toContain('11日 × 8時間 = 月88時間');
  });

  it.each([
    [{ reason: CareReason.EMPLOYMENT, detail: ReasonDetail.HOME_PIECEWORK, hoursPerMonth: 48 }, 15],
    [{ reason: CareReason.EMPLOYMENT, detail: ReasonDetail.HOME_PIECEWORK, hoursPerMonth: 47 }, 0],
    [{ reason: CareReason.EMPLOYMENT, detail: ReasonDetail.HOME_PIECEWORK, daysPerMonth: 20, hoursPerDay: 8 }, 15],
    [{ reason: CareReason.EMPLOYMENT, detail: ReasonDetail.JOB_OFFER, daysPerMonth: 20, hoursPerDay: 8 }, 20],
    [{ reason: CareReason.EMPLOYMENT, detail: ReasonDetail.JOB_OFFER, daysPerMonth: 20, hoursPerDay: 6 }, 19],
    [{ reason: CareReason.EMPLOYMENT, detail: ReasonDetail.JOB_OFFER, daysPerMonth: 20, hoursPerDay: 4 }, 18],
    [{ reason: CareReason.EMPLOYMENT, detail: ReasonDetail.JOB_OFFER, daysPerMonth: 16, hoursPerDay: 8 }, 19],
    [{ reason: CareReason.EMPLOYMENT, detail: ReasonDetail.JOB_OFFER, daysPerMonth: 16, hoursPerDay: 6 }, 18],
    [{ reason: CareReason.EMPLOYMENT, detail: ReasonDetail.JOB_OFFER, daysPerMonth: 19, hoursPerDay: 5 }, 17],
  ] as [GuardianFacts, number][])('内職 and 就労内定: %j → %d (official)', (facts, points) => {
    const g = one(facts);
    expect(g.points).toBe(points);
    if (points) expect(g.row?.provenance.kind).toBe(ProvenanceKind.OFFICIAL);
  });

  it('the rows the ward did not publish come from the labelled sample', () => {
    const offer = one({ reason: CareReason.EMPLOYMENT, detail: ReasonDetail.JOB_OFFER, daysPerMonth: 12, hoursPerDay: 8 });
    expect(offer.row?.provenance.kind).toBe(ProvenanceKind.SAMPLE);
    const seeking = one({ reason: CareReason.JOB_SEEKING });
    expect(seeking.row?.provenance).toMatchObject({ kind: ProvenanceKind.SAMPLE, note: expect.stringContaining('not 板橋区') });
  });

  it('two full-time parents: 30 + 30 = 60', () => {
    const p = computePoints(rules, { guardians: [work(20, 8), work(22, 9)], conditions: [] });
    expect(p).toMatchObject({ total: 60, baseTotal: 60, combination: { rule: CombinationRule.SUM, provenance: { kind: ProvenanceKind.OFFICIAL } } });
    expect(p.explanation.ja).toContain('30 + 30 = 60');
  });

  it('a single full-time parent: 30 + 30 = 60, by the official single-guardian rule', () => {
    const p = computePoints(rules, { guardians: [work(20, 8)], conditions: [] });
    expect(p).toMatchObject({ total: 60, combination: { rule: SingleGuardianRule.ADD_POINTS, provenance: { kind: ProvenanceKind.OFFICIAL } } });
    expect(p.combination.explanation.ja).toContain('30 +30 = 60');
  });

  it('mixed household: 30 + 26 (16 days × 6 h) = 56; 内職 15 + 30 = 45', () => {
    expect(computePoints(rules, { guardians: [work(20, 8), work(16, 6)], conditions: [] }).total).toBe(56);
    expect(computePoints(rules, { guardians: [work(20, 8), { reason: CareReason.EMPLOYMENT, detail: ReasonDetail.HOME_PIECEWORK, hoursPerMonth: 60 }], conditions: [] }).total).toBe(45);
  });

  it('sample adjustments are added and stay labelled SAMPLE', () => {
    const p = computePoints(rules, { guardians: [work(20, 8), work(20, 8)], conditions: [HouseholdCondition.USING_UNLICENSED_CARE, HouseholdCondition.DECLINED_OFFER] });
    expect(p.total).toBe(60 + 2 - 5);
    expect(p.adjustments.map((a) => [a.condition, a.points, a.provenance.kind])).toEqual([
      [HouseholdCondition.USING_UNLICENSED_CARE, 2, ProvenanceKind.SAMPLE],
      [HouseholdCondition.DECLINED_OFFER, -5, ProvenanceKind.SAMPLE],
    ]);
  });
});

/** A tiny rule set per rule kind, independent of any real table. */
function rulesWith(overrides: Partial<AllocationRules>): AllocationRules {
  return {
    municipalityCode: '131199', fiscalYear: 2026, sources: [],
    baseIndex: [
      { id: 'full', reason: CareReason.EMPLOYMENT, detail: ReasonDetail.STANDARD, daysPerMonth: { min: 20 }, hoursPerDay: { min: 8 }, points: 10, labelJa: 'フル', label: 'full', provenance: SAMPLE },
      { id: 'monthly', reason: CareReason.EMPLOYMENT, detail: ReasonDetail.STANDARD, hoursPerMonth: { min: 64, maxExclusive: 160 }, points: 7, labelJa: '月64-160', label: '64-160 h', provenance: SAMPLE },
      { id: 'monthly-low', reason: CareReason.EMPLOYMENT, detail: ReasonDetail.STANDARD, hoursPerMonth: { min: 48, maxExclusive: 64 }, points: 5, labelJa: '月48-64', label: '48-64 h', provenance: SAMPLE },
      { id: 'pregnancy', reason: CareReason.PREGNANCY_CHILDBIRTH, detail: ReasonDetail.STANDARD, points: 8, labelJa: '妊娠・出産', label: 'pregnancy', provenance: SAMPLE },
      { id: 'hospital', reason: CareReason.ILLNESS_DISABILITY, detail: ReasonDetail.HOSPITALISED, points: 10, labelJa: '入院', label: 'hospital', provenance: SAMPLE },
      { id: 'ill', reason: CareReason.ILLNESS_DISABILITY, detail: ReasonDetail.ILL_AT_HOME, points: 6, labelJa: '自宅療養', label: 'ill at home', provenance: SAMPLE },
      { id: 'seeking', reason: CareReason.JOB_SEEKING, detail: ReasonDetail.STANDARD, points: 3, labelJa: '求職', label: 'seeking', provenance: SAMPLE },
    ],
    combination: { rule: CombinationRule.SUM, provenance: SAMPLE },
    singleGuardian: { rule: SingleGuardianRule.ADD_POINTS, points: 10, provenance: SAMPLE },
    adjustments: [
      { id: 'aid', condition: HouseholdCondition.PUBLIC_ASSISTANCE, points: 3, labelJa: '生活保護', label: 'assistance', provenance: SAMPLE },
      { id: 'arrears', condition: HouseholdCondition.FEES_IN_ARREARS, points: -4, labelJa: '滞納', label: 'arrears', provenance: SAMPLE },
      { id: 'sibling', condition: HouseholdCondition.SIBLING_ENROLLED_AT_FACILITY, points: 2, labelJa: 'きょうだい在園', label: 'sibling', provenance: SAMPLE },
    ],
    tieBreak: { criteria: [TieBreakCriterion.LOTTERY], provenance: SAMPLE },
    siblingPolicy: { policy: SiblingPolicy.INDEPENDENT, provenance: SAMPLE },
    ...overrides,
  };
}

describe('computePoints — every rule kind', () => {
  const base = rulesWith({});
  const seeking: GuardianFacts = { reason: CareReason.JOB_SEEKING };

  it.each([
    ['days × hours row', work(20, 8), 10, 'full'],
    ['monthly-hours row from days × hours (19 × 8 = 152)', work(19, 8), 7, 'monthly'],
    ['monthly-hours row given directly', { reason: CareReason.EMPLOYMENT, hoursPerMonth: 50 }, 5, 'monthly-low'],
    ['monthly upper bound is exclusive (160 h)', { reason: CareReason.EMPLOYMENT, hoursPerMonth: 160 }, 0, null],
    ['condition row (pregnancy)', { reason: CareReason.PREGNANCY_CHILDBIRTH }, 8, 'pregnancy'],
    ['detail picks the row (入院)', { reason: CareReason.ILLNESS_DISABILITY, detail: ReasonDetail.HOSPITALISED }, 10, 'hospital'],
    ['detail picks the row (自宅療養)', { reason: CareReason.ILLNESS_DISABILITY, detail: ReasonDetail.ILL_AT_HOME }, 6, 'ill'],
    ['a reason without a detail matches only STANDARD rows', { reason: CareReason.ILLNESS_DISABILITY }, 0, null],
    ['a reason the table does not score', { reason: CareReason.STUDY, hoursPerMonth: 200 }, 0, null],
    ['days × hours row needs both facts', { reason: CareReason.EMPLOYMENT, daysPerMonth: 20 }, 0, null],
  ] as [string, GuardianFacts, number, string | null][])('%s', (_, facts, points, rowId) => {
    const g = computePoints(base, { guardians: [facts, seeking], conditions: [] }).guardians[0];
    expect(g.points).toBe(points);
    expect(g.row?.id ?? null).toBe(rowId);
  });

  it('overlapping rows: the highest points win, whatever the order', () => {
    const overlapping = rulesWith({ baseIndex: [...base.baseIndex].reverse() });
    const both: GuardianFacts = { ...work(20, 8), hoursPerMonth: 100 }; // matches 'full' (10) and 'monthly' (7)
    expect(computePoints(base, { guardians: [both, seeking], conditions: [] }).guardians[0].row?.id).toBe('full');
    expect(computePoints(overlapping, { guardians: [both, seeking], conditions: [] }).guardians[0].row?.id).toBe('full');
  });

  it.each([
    [CombinationRule.SUM, [work(20, 8), seeking], 13],
    [CombinationRule.MIN, [work(20, 8), seeking], 3],
    [CombinationRule.MIN, [work(20, 8), work(20, 8)], 10],
  ] as [CombinationRule, GuardianFacts[], number][])('combination %s', (rule, guardians, total) => {
    const p = computePoints(rulesWith({ combination: { rule, provenance: SAMPLE } }), { guardians, conditions: [] });
    expect(p.total).toBe(total);
    expect(p.combination.rule).toBe(rule);
  });

  it.each([
    [SingleGuardianRule.ADD_POINTS, 10, CombinationRule.SUM, 17],
    [SingleGuardianRule.DOUBLE, undefined, CombinationRule.SUM, 14],
    [SingleGuardianRule.ABSENT_GUARDIAN_POINTS, 10, CombinationRule.SUM, 17],
    [SingleGuardianRule.ABSENT_GUARDIAN_POINTS, 10, CombinationRule.MIN, 7],
    [SingleGuardianRule.ADD_POINTS, 10, CombinationRule.MIN, 17],
  ] as [SingleGuardianRule, number | undefined, CombinationRule, number][])('single guardian %s (%s) with %s', (rule, points, combination, total) => {
    const rules = rulesWith({ singleGuardian: { rule, points, provenance: SAMPLE }, combination: { rule: combination, provenance: SAMPLE } });
    const p = computePoints(rules, { guardians: [work(19, 8)], conditions: [] });
    expect(p.total).toBe(total);
    expect(p.combination.rule).toBe(rule);
  });

  it('adjustments add and subtract; unscored conditions are listed, not counted', () => {
    const p = computePoints(base, { guardians: [work(20, 8), work(20, 8)], conditions: [HouseholdCondition.PUBLIC_ASSISTANCE, HouseholdCondition.FEES_IN_ARREARS, HouseholdCondition.DECLINED_OFFER] });
    expect(p.total).toBe(20 + 3 - 4);
    expect(p.unscoredConditions).toEqual([HouseholdCondition.DECLINED_OFFER]);
    expect(p.explanation.en).toContain('Not scored by these rules: declined an earlier offer.');
  });

  it('a sibling enrolled counts at that facility only', () => {
    const p = computePoints(base, { guardians: [work(20, 8), work(20, 8)], conditions: [], siblingEnrolledFacilityIds: ['f-1', 'f-1'] });
    expect(p.total).toBe(20);
    expect(p.pointsByFacility).toEqual({ 'f-1': 22 });
    expect(p.facilityAdjustments).toHaveLength(1);
    const none = computePoints(rulesWith({ adjustments: [] }), { guardians: [work(20, 8), work(20, 8)], conditions: [], siblingEnrolledFacilityIds: ['f-1'] });
    expect(none.pointsByFacility).toEqual({});
  });
});

describe('computePoints — the general sample rule set', () => {
  const rules = sampleRules('131211', 2026, '足立区');
  it('scores work by hours a month and doubles a single guardian', () => {
    expect(computePoints(rules, { guardians: [work(20, 8), work(15, 8)], conditions: [] }).total).toBe(20 + 18);
    expect(computePoints(rules, { guardians: [work(20, 8)], conditions: [] }).total).toBe(40);
    expect(rules.baseIndex.every((row) => row.provenance.kind === ProvenanceKind.SAMPLE && row.provenance.note?.includes('足立区'))).toBe(true);
  });
});
