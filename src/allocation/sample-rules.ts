/**
 * SAMPLE allocation rules: demonstration values, clearly labelled, never a municipality's own.
 *
 * - `ITABASHI_SAMPLE_SUPPLEMENT` fills what 板橋区's published table in data/allocation does not give
 *   (the other reasons, the rest of 就労内定, 調整指数, the tie-break order, siblings), on the ward's
 *   30-points-per-guardian scale.
 * - `sampleRules(code, year)` is a whole rule set for demo municipalities whose tables could not be
 *   obtained from their own publications; it scores work by hours a month on a 20-point scale, so the
 *   demo shows both kinds of table.
 */
import { CareReason } from '../procedures/care-reason';
import {
  AdjustmentRow, AllocationRules, BaseIndexRow, Bounds, CombinationRule, HouseholdCondition, Provenance, ProvenanceKind, ReasonDetail,
  SiblingPolicy, SingleGuardianRule, TieBreakCriterion,
} from './rules';

export function sampleProvenance(forWhom: string): Provenance {
  return { kind: ProvenanceKind.SAMPLE, note: `Sample value for the demo, not ${forWhom}'s published rule (見本の値であり、公表された基準ではありません).` };
}

type RowSpec = [id: string, reason: CareReason, detail: ReasonDetail, bounds: Partial<Record<'daysPerMonth' | 'hoursPerDay' | 'hoursPerMonth', Bounds>>, points: number, labelJa: string, label: string];
type AdjustmentSpec = [id: string, condition: HouseholdCondition, points: number, labelJa: string, label: string];

const rows = (specs: RowSpec[], provenance: Provenance): BaseIndexRow[] =>
  specs.map(([id, reason, detail, bounds, points, labelJa, label]) => ({ id, reason, detail, ...bounds, points, labelJa, label, provenance }));

const adjustments = (specs: AdjustmentSpec[], provenance: Provenance): AdjustmentRow[] =>
  specs.map(([id, condition, points, labelJa, label]) => ({ id, condition, points, labelJa, label, provenance }));

const { EMPLOYMENT, JOB_SEEKING, PREGNANCY_CHILDBIRTH, ILLNESS_DISABILITY, NURSING_CARE, STUDY, DISASTER_RECOVERY, OTHER } = CareReason;
const D = ReasonDetail;

const SAMPLE_ADJUSTMENTS: AdjustmentSpec[] = [
  ['sample-single-parent', HouseholdCondition.SINGLE_PARENT, 2, 'ひとり親世帯', 'Single-parent household'],
  ['sample-public-assistance', HouseholdCondition.PUBLIC_ASSISTANCE, 3, '生活保護世帯', 'Household on public assistance'],
  ['sample-sibling-enrolled', HouseholdCondition.SIBLING_ENROLLED_AT_FACILITY, 2, 'きょうだいが在園している施設を希望', 'Sibling enrolled at the wished facility'],
  ['sample-parental-leave', HouseholdCondition.RETURNING_FROM_PARENTAL_LEAVE, 2, '育児休業からの復帰', 'Returning from parental leave'],
  ['sample-unlicensed-care', HouseholdCondition.USING_UNLICENSED_CARE, 2, '認可外保育施設等を有償で利用中', 'Using paid unlicensed care now'],
  ['sample-siblings-together', HouseholdCondition.SIBLINGS_APPLYING_TOGETHER, 1, 'きょうだい同時申込み', 'Siblings applying together'],
  ['sample-grandparent', HouseholdCondition.GRANDPARENT_CAN_CARE, -3, '同居・近居の祖父母等が保育可能', 'A grandparent nearby can provide care'],
  ['sample-declined-offer', HouseholdCondition.DECLINED_OFFER, -5, '内定辞退歴あり', 'Declined an earlier offer'],
  ['sample-fees-in-arrears', HouseholdCondition.FEES_IN_ARREARS, -10, '保育料の滞納', 'Fees in arrears'],
  ['sample-outside', HouseholdCondition.LIVES_OUTSIDE_MUNICIPALITY, -10, '区外在住', 'Living outside the municipality'],
];

const SAMPLE_TIE_BREAK = [
  TieBreakCriterion.SIBLING_ENROLLED, TieBreakCriterion.SINGLE_PARENT, TieBreakCriterion.LOWER_INCOME_TIER, TieBreakCriterion.LONGER_WAITING,
  TieBreakCriterion.WISH_RANK, TieBreakCriterion.LOTTERY,
];

const ITABASHI = '板橋区';
const itabashiSample = sampleProvenance(ITABASHI);

/** What 板橋区's published table does not give, as SAMPLE items on its 30-point scale. */
export const ITABASHI_SAMPLE_SUPPLEMENT: Pick<AllocationRules, 'adjustments' | 'tieBreak' | 'siblingPolicy'> & { baseIndex: BaseIndexRow[] } = {
  baseIndex: rows([
    ['sample-offer-12d-8h', EMPLOYMENT, D.JOB_OFFER, { daysPerMonth: { min: 12, maxExclusive: 16 }, hoursPerDay: { min: 8 } }, 18, '月12日以上16日未満 日中8時間以上の就労内定', 'Job offer, 12–15 days a month, 8+ h a day'],
    ['sample-offer-12d-6h', EMPLOYMENT, D.JOB_OFFER, { daysPerMonth: { min: 12, maxExclusive: 16 }, hoursPerDay: { min: 6, maxExclusive: 8 } }, 17, '月12日以上16日未満 日中6時間以上8時間未満の就労内定', 'Job offer, 12–15 days a month, 6–8 h a day'],
    ['sample-offer-12d-4h', EMPLOYMENT, D.JOB_OFFER, { daysPerMonth: { min: 12, maxExclusive: 16 }, hoursPerDay: { min: 4, maxExclusive: 6 } }, 16, '月12日以上16日未満 日中4時間以上6時間未満の就労内定', 'Job offer, 12–15 days a month, 4–6 h a day'],
    ['sample-offer-48h', EMPLOYMENT, D.JOB_OFFER, { hoursPerMonth: { min: 48 } }, 14, '上記以外の月48時間以上の就労内定', 'Other job offer of 48+ h a month'],
    ['sample-pregnancy', PREGNANCY_CHILDBIRTH, D.STANDARD, {}, 24, '妊娠・出産', 'Pregnancy or childbirth'],
    ['sample-hospitalised', ILLNESS_DISABILITY, D.HOSPITALISED, {}, 30, '疾病（入院）', 'Illness, in hospital'],
    ['sample-ill-at-home', ILLNESS_DISABILITY, D.ILL_AT_HOME, {}, 24, '疾病（自宅療養）', 'Illness, at home'],
    ['sample-disability-severe', ILLNESS_DISABILITY, D.DISABILITY_SEVERE, {}, 30, '障害（身体1・2級、愛の手帳1・2度、精神1級）', 'Disability, severe grade'],
    ['sample-disability-other', ILLNESS_DISABILITY, D.DISABILITY_OTHER, {}, 22, '障害（その他の等級）', 'Disability, other grade'],
    ['sample-care-inpatient', NURSING_CARE, D.NURSING_CARE_INPATIENT, {}, 28, '介護・看護（入院・施設への付き添い）', 'Caring for a relative in hospital'],
    ['sample-care-120h', NURSING_CARE, D.STANDARD, { hoursPerMonth: { min: 120 } }, 24, '介護・看護（月120時間以上）', 'Caring for a relative, 120+ h a month'],
    ['sample-care-48h', NURSING_CARE, D.STANDARD, { hoursPerMonth: { min: 48, maxExclusive: 120 } }, 18, '介護・看護（月48時間以上120時間未満）', 'Caring for a relative, 48–119 h a month'],
    ['sample-study-120h', STUDY, D.STANDARD, { hoursPerMonth: { min: 120 } }, 24, '就学（月120時間以上）', 'Study, 120+ h a month'],
    ['sample-study-48h', STUDY, D.STANDARD, { hoursPerMonth: { min: 48, maxExclusive: 120 } }, 18, '就学（月48時間以上120時間未満）', 'Study, 48–119 h a month'],
    ['sample-job-seeking', JOB_SEEKING, D.STANDARD, {}, 10, '求職中', 'Job seeking'],
    ['sample-disaster', DISASTER_RECOVERY, D.STANDARD, {}, 30, '災害復旧', 'Disaster recovery'],
    ['sample-other', OTHER, D.STANDARD, {}, 30, 'その他（虐待・DV等、区が認める場合）', 'Other (abuse, domestic violence, as the ward decides)'],
  ], itabashiSample),
  adjustments: adjustments(SAMPLE_ADJUSTMENTS, itabashiSample),
  tieBreak: { criteria: SAMPLE_TIE_BREAK, provenance: itabashiSample },
  siblingPolicy: { policy: SiblingPolicy.TOGETHER_PREFERRED, provenance: itabashiSample },
};

/** A whole SAMPLE rule set for a demo municipality whose own table is not available. */
export function sampleRules(municipalityCode: string, fiscalYear: number, municipalityName = municipalityCode): AllocationRules {
  const provenance = sampleProvenance(municipalityName);
  return {
    municipalityCode,
    fiscalYear,
    sources: [],
    baseIndex: rows([
      ['work-160h', EMPLOYMENT, D.STANDARD, { hoursPerMonth: { min: 160 } }, 20, '就労（月160時間以上）', 'Employment, 160+ h a month'],
      ['work-120h', EMPLOYMENT, D.STANDARD, { hoursPerMonth: { min: 120, maxExclusive: 160 } }, 18, '就労（月120時間以上160時間未満）', 'Employment, 120–159 h a month'],
      ['work-96h', EMPLOYMENT, D.STANDARD, { hoursPerMonth: { min: 96, maxExclusive: 120 } }, 16, '就労（月96時間以上120時間未満）', 'Employment, 96–119 h a month'],
      ['work-64h', EMPLOYMENT, D.STANDARD, { hoursPerMonth: { min: 64, maxExclusive: 96 } }, 14, '就労（月64時間以上96時間未満）', 'Employment, 64–95 h a month'],
      ['work-48h', EMPLOYMENT, D.STANDARD, { hoursPerMonth: { min: 48, maxExclusive: 64 } }, 12, '就労（月48時間以上64時間未満）', 'Employment, 48–63 h a month'],
      ['piecework-48h', EMPLOYMENT, D.HOME_PIECEWORK, { hoursPerMonth: { min: 48 } }, 10, '内職（月48時間以上）', 'Piecework at home, 48+ h a month'],
      ['offer-120h', EMPLOYMENT, D.JOB_OFFER, { hoursPerMonth: { min: 120 } }, 12, '就労内定（月120時間以上）', 'Job offer, 120+ h a month'],
      ['offer-48h', EMPLOYMENT, D.JOB_OFFER, { hoursPerMonth: { min: 48, maxExclusive: 120 } }, 10, '就労内定（月48時間以上120時間未満）', 'Job offer, 48–119 h a month'],
      ['pregnancy', PREGNANCY_CHILDBIRTH, D.STANDARD, {}, 18, '妊娠・出産', 'Pregnancy or childbirth'],
      ['hospitalised', ILLNESS_DISABILITY, D.HOSPITALISED, {}, 20, '疾病（入院）', 'Illness, in hospital'],
      ['ill-at-home', ILLNESS_DISABILITY, D.ILL_AT_HOME, {}, 16, '疾病（自宅療養）', 'Illness, at home'],
      ['disability-severe', ILLNESS_DISABILITY, D.DISABILITY_SEVERE, {}, 20, '障害（重度）', 'Disability, severe grade'],
      ['disability-other', ILLNESS_DISABILITY, D.DISABILITY_OTHER, {}, 16, '障害（その他の等級）', 'Disability, other grade'],
      ['care-inpatient', NURSING_CARE, D.NURSING_CARE_INPATIENT, {}, 18, '介護・看護（付き添い）', 'Caring for a relative in hospital'],
      ['care-120h', NURSING_CARE, D.STANDARD, { hoursPerMonth: { min: 120 } }, 16, '介護・看護（月120時間以上）', 'Caring for a relative, 120+ h a month'],
      ['care-48h', NURSING_CARE, D.STANDARD, { hoursPerMonth: { min: 48, maxExclusive: 120 } }, 12, '介護・看護（月48時間以上120時間未満）', 'Caring for a relative, 48–119 h a month'],
      ['study-120h', STUDY, D.STANDARD, { hoursPerMonth: { min: 120 } }, 16, '就学（月120時間以上）', 'Study, 120+ h a month'],
      ['study-48h', STUDY, D.STANDARD, { hoursPerMonth: { min: 48, maxExclusive: 120 } }, 12, '就学（月48時間以上120時間未満）', 'Study, 48–119 h a month'],
      ['job-seeking', JOB_SEEKING, D.STANDARD, {}, 8, '求職中', 'Job seeking'],
      ['disaster', DISASTER_RECOVERY, D.STANDARD, {}, 20, '災害復旧', 'Disaster recovery'],
      ['other', OTHER, D.STANDARD, {}, 20, 'その他（市区町村が認める場合）', 'Other (as the municipality decides)'],
    ], provenance),
    combination: { rule: CombinationRule.SUM, provenance },
    singleGuardian: { rule: SingleGuardianRule.DOUBLE, provenance },
    adjustments: adjustments(SAMPLE_ADJUSTMENTS, provenance),
    tieBreak: { criteria: SAMPLE_TIE_BREAK, provenance },
    siblingPolicy: { policy: SiblingPolicy.TOGETHER_PREFERRED, provenance },
  };
}
