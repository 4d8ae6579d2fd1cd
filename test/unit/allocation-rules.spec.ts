import { readFileSync } from 'node:fs';
import { validateApplicantFacts } from '../../src/allocation/applicant-facts';
import { convertItabashiRules, ItabashiRulesFile, loadItabashiRules } from '../../src/allocation/itabashi-rules';
import { ProvenanceKind, SingleGuardianRule } from '../../src/allocation/rules';
import { assertAllocationRules, validateAllocationRules } from '../../src/allocation/rules-validation';
import { sampleRules } from '../../src/allocation/sample-rules';
import { HubError } from '../../src/common/errors';
import { dataPath } from '../../src/common/paths';

const clone = <T>(x: T): T => JSON.parse(JSON.stringify(x)) as T;
const paths = (input: unknown) => validateAllocationRules(input).map((i) => i.path);

describe('validateAllocationRules', () => {
  const good = loadItabashiRules();

  it('accepts the converted 板橋区 rules and the sample rules', () => {
    expect(validateAllocationRules(good)).toEqual([]);
    expect(validateAllocationRules(sampleRules('131211', 2026))).toEqual([]);
  });

  it.each<[string, (r: any) => void, string]>([
    ['a bound below zero', (r) => (r.baseIndex[3].hoursPerDay.min = -1), 'rules.baseIndex[3].hoursPerDay.min'],
    ['min not below maxExclusive', (r) => (r.baseIndex[1].hoursPerDay = { min: 8, maxExclusive: 8 }), 'rules.baseIndex[1].hoursPerDay.min'],
    ['more than 24 hours a day', (r) => (r.baseIndex[0].hoursPerDay.min = 25), 'rules.baseIndex[0].hoursPerDay.min'],
    ['an empty bound', (r) => (r.baseIndex[0].daysPerMonth = {}), 'rules.baseIndex[0].daysPerMonth'],
    ['a misspelt measure', (r) => (r.baseIndex[2].hoursPerday = { min: 1 }), 'rules.baseIndex[2].hoursPerday'],
    ['NaN points', (r) => (r.baseIndex[4].points = NaN), 'rules.baseIndex[4].points'],
    ['points as text', (r) => (r.baseIndex[4].points = '30'), 'rules.baseIndex[4].points'],
    ['an unknown reason', (r) => (r.baseIndex[0].reason = 'WORK'), 'rules.baseIndex[0].reason'],
    ['a detail of another reason', (r) => (r.baseIndex[0].detail = 'HOSPITALISED'), 'rules.baseIndex[0].detail'],
    ['a duplicate row id', (r) => (r.baseIndex[1].id = r.baseIndex[0].id), 'rules.baseIndex[1].id'],
    ['the same row twice', (r) => r.baseIndex.push({ ...r.baseIndex[0], id: 'copy' }), `rules.baseIndex[${good.baseIndex.length}]`],
    ['a NUL in a label', (r) => (r.baseIndex[0].labelJa = 'a\u0000b'), 'rules.baseIndex[0].labelJa'],
    ['a bidi override in a label', (r) => (r.baseIndex[0].label = 'abc\u202edef'), 'rules.baseIndex[0].label'],
    ['an official row without a known source', (r) => (r.baseIndex[0].provenance.sourceId = 'nope'), 'rules.baseIndex[0].provenance.sourceId'],
    ['a sample row naming a source', (r) => (r.adjustments[0].provenance = { kind: 'SAMPLE', sourceId: 'itabashi-source-1' }), 'rules.adjustments[0].provenance.sourceId'],
    ['no base rows', (r) => (r.baseIndex = []), 'rules.baseIndex'],
    ['a wrong check digit', (r) => (r.municipalityCode = '131190'), 'rules.municipalityCode'],
    ['a fractional year', (r) => (r.fiscalYear = 2026.5), 'rules.fiscalYear'],
    ['an unknown combination', (r) => (r.combination.rule = 'AVERAGE'), 'rules.combination.rule'],
    ['ADD_POINTS without points', (r) => delete r.singleGuardian.points, 'rules.singleGuardian.points'],
    ['DOUBLE with points', (r) => (r.singleGuardian = { rule: SingleGuardianRule.DOUBLE, points: 3, provenance: r.singleGuardian.provenance }), 'rules.singleGuardian.points'],
    ['a condition scored twice', (r) => r.adjustments.push({ ...r.adjustments[0], id: 'again' }), `rules.adjustments[${good.adjustments.length}].condition`],
    ['a zero adjustment', (r) => (r.adjustments[1].points = 0), 'rules.adjustments[1].points'],
    ['a tie-break without the final lottery', (r) => r.tieBreak.criteria.pop(), `rules.tieBreak.criteria[${good.tieBreak.criteria.length - 2}]`],
    ['a tie-break criterion twice', (r) => r.tieBreak.criteria.unshift('WISH_RANK'), `rules.tieBreak.criteria[${good.tieBreak.criteria.indexOf('WISH_RANK' as never) + 1}]`],
    ['an unknown sibling policy', (r) => (r.siblingPolicy.policy = 'ALWAYS'), 'rules.siblingPolicy.policy'],
    ['a source that is not http(s)', (r) => (r.sources[0].url = 'javascript:alert(1)'), 'rules.sources[0].url'],
    ['a missing provenance', (r) => delete r.tieBreak.provenance, 'rules.tieBreak.provenance'],
  ])('names the path of %s', (_, change, path) => {
    const rules = clone(good) as any;
    change(rules);
    expect(paths(rules)).toContain(path);
  });

  it('refuses what is not an object, and huge tables', () => {
    expect(paths(null)).toEqual(['rules']);
    expect(paths([])).toEqual(['rules']);
    const huge = clone(good) as any;
    huge.baseIndex = Array.from({ length: 201 }, (_, i) => ({ ...good.baseIndex[0], id: `r${i}` }));
    expect(paths(huge)).toEqual(['rules.baseIndex']);
  });

  it('throws BAD_USER_INPUT naming the first problem, in English and Japanese, with all of them', () => {
    const rules = clone(good) as any;
    rules.baseIndex[3].hoursPerDay.min = 'eight';
    rules.fiscalYear = 1999;
    let error: HubError | undefined;
    try {
      assertAllocationRules(rules, 'input.rules');
    } catch (e) {
      error = e as HubError;
    }
    expect(error).toBeInstanceOf(HubError);
    expect(error).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.rules.fiscalYear' });
    expect(error?.message).toContain('and 1 more');
    expect(error?.messageJa).toContain('2000以上2100以下');
    expect((error?.details?.issues as { path: string }[]).map((i) => i.path)).toEqual(['input.rules.fiscalYear', 'input.rules.baseIndex[3].hoursPerDay.min']);
  });
});

describe('convertItabashiRules', () => {
  const file = JSON.parse(readFileSync(dataPath('allocation', 'itabashi_riyou_kijun_r2.json'), 'utf8')) as ItabashiRulesFile;
  const rules = convertItabashiRules(file);

  it('reads every published row as OFFICIAL with its source, and the formula from the text', () => {
    const official = rules.baseIndex.filter((r) => r.provenance.kind === ProvenanceKind.OFFICIAL);
    expect(official).toHaveLength(file.baseIndex.reasons.length);
    expect(official.map((r) => r.points)).toEqual(file.baseIndex.reasons.map((r) => r.points));
    const source = rules.sources.find((s) => s.id === official[0].provenance.sourceId);
    expect(source).toMatchObject({ url: 'http://hoiku.net/hoiku_guide2020/hoiku_guide_17', title: expect.stringContaining('令和2年度版') });
    expect(rules.singleGuardian).toMatchObject({ rule: SingleGuardianRule.ADD_POINTS, points: 30, provenance: { kind: ProvenanceKind.OFFICIAL } });
    expect(rules).toMatchObject({ municipalityCode: '131199', fiscalYear: 2020 });
    expect(official[1]).toMatchObject({ daysPerMonth: { min: 20 }, hoursPerDay: { min: 6, maxExclusive: 8 }, label: 'Employment, 20+ days a month, 6–7 daytime h a day' });
  });

  it('everything the ward did not publish is SAMPLE', () => {
    for (const item of [...rules.adjustments, rules.tieBreak, rules.siblingPolicy]) expect(item.provenance.kind).toBe(ProvenanceKind.SAMPLE);
    expect(rules.baseIndex.filter((r) => r.provenance.kind === ProvenanceKind.SAMPLE).length).toBeGreaterThan(10);
  });

  it('stops on anything it does not understand instead of guessing', () => {
    const changed = (change: (f: any) => void) => {
      const f = clone(file) as any;
      change(f);
      return () => convertItabashiRules(f);
    };
    expect(changed((f) => (f.baseIndex.combine = 'min'))).toThrow(/combine/);
    expect(changed((f) => (f.baseIndex.singleParent = '保護者が一人のときは別に定めます'))).toThrow(/single-parent/);
    expect(changed((f) => (f.baseIndex.reasons[0].reason = 'STUDY'))).toThrow(/reasons\[0\]\.reason/);
    expect(changed((f) => (f.baseIndex.reasons[0].structured.weeks = 3))).toThrow(/structured\.weeks/);
    expect(changed((f) => (f.baseIndex.reasons[0].verified = false))).toThrow(/not verified/);
    expect(changed((f) => (f.baseIndex.reasons[0].points = 31))).toThrow(/maximum 30/);
    expect(changed((f) => (f.source[0] = 'not a url'))).toThrow(/source\[0\]/);
  });
});

describe('validateApplicantFacts', () => {
  it.each<[unknown, string]>([
    [{ guardians: [], conditions: [] }, 'facts.guardians'],
    [{ guardians: [{ reason: 'EMPLOYMENT', hoursPerDay: 25 }], conditions: [] }, 'facts.guardians[0].hoursPerDay'],
    [{ guardians: [{ reason: 'EMPLOYMENT', detail: 'HOSPITALISED' }], conditions: [] }, 'facts.guardians[0].detail'],
    [{ guardians: [{ reason: 'EMPLOYMENT' }], conditions: ['SINGLE_PARENT', 'SINGLE_PARENT'] }, 'facts.conditions[1]'],
    [{ guardians: [{ reason: 'EMPLOYMENT' }], conditions: ['SIBLING_ENROLLED_AT_FACILITY'] }, 'facts.conditions[0]'],
    [{ guardians: [{ reason: 'EMPLOYMENT', name: 'x' }], conditions: [] }, 'facts.guardians[0].name'],
  ])('names %j → %s', (facts, path) => {
    expect(validateApplicantFacts(facts).map((i) => i.path)).toContain(path);
  });

  it('accepts good facts', () => {
    expect(validateApplicantFacts({ guardians: [{ reason: 'EMPLOYMENT', daysPerMonth: 20, hoursPerDay: 8 }, { reason: 'JOB_SEEKING' }], conditions: ['PUBLIC_ASSISTANCE'], siblingEnrolledFacilityIds: ['f'] })).toEqual([]);
  });
});
