/** English and Japanese names of the allocation rules' terms, for breakdowns and explanations. */
import { CombinationRule, HouseholdCondition, SiblingPolicy, TieBreakCriterion } from './rules';

export interface Bilingual {
  en: string;
  ja: string;
}

export const TIE_BREAK_LABEL: Record<TieBreakCriterion | 'POINTS' | 'CHILD_ID', Bilingual> = {
  POINTS: { en: 'points', ja: '指数' },
  [TieBreakCriterion.SIBLING_ENROLLED]: { en: 'sibling enrolled', ja: 'きょうだい在園' },
  [TieBreakCriterion.SINGLE_PARENT]: { en: 'single parent', ja: 'ひとり親' },
  [TieBreakCriterion.LOWER_INCOME_TIER]: { en: 'lower income tier', ja: '所得階層が低い' },
  [TieBreakCriterion.LONGER_WAITING]: { en: 'longer waiting', ja: '待機期間が長い' },
  [TieBreakCriterion.WISH_RANK]: { en: 'wish rank', ja: '希望順位' },
  [TieBreakCriterion.HIGHER_BASE_POINTS]: { en: 'higher base index', ja: '基本指数が高い' },
  [TieBreakCriterion.LOTTERY]: { en: 'lottery', ja: '抽選' },
  CHILD_ID: { en: 'order of application ids (lottery numbers equal)', ja: '申込番号順（抽選番号が同じ）' },
};

export const CONDITION_LABEL: Record<HouseholdCondition, Bilingual> = {
  [HouseholdCondition.SINGLE_PARENT]: { en: 'single-parent household', ja: 'ひとり親世帯' },
  [HouseholdCondition.PUBLIC_ASSISTANCE]: { en: 'public assistance', ja: '生活保護世帯' },
  [HouseholdCondition.SIBLING_ENROLLED_AT_FACILITY]: { en: 'sibling enrolled at the facility', ja: 'きょうだいが在園している施設' },
  [HouseholdCondition.RETURNING_FROM_PARENTAL_LEAVE]: { en: 'returning from parental leave', ja: '育児休業からの復帰' },
  [HouseholdCondition.USING_UNLICENSED_CARE]: { en: 'using unlicensed care now', ja: '認可外保育施設等を利用中' },
  [HouseholdCondition.SIBLINGS_APPLYING_TOGETHER]: { en: 'siblings applying together', ja: 'きょうだい同時申込み' },
  [HouseholdCondition.GRANDPARENT_CAN_CARE]: { en: 'a grandparent can provide care', ja: '祖父母等が保育可能' },
  [HouseholdCondition.DECLINED_OFFER]: { en: 'declined an earlier offer', ja: '内定辞退歴あり' },
  [HouseholdCondition.FEES_IN_ARREARS]: { en: 'fees in arrears', ja: '保育料の滞納' },
  [HouseholdCondition.LIVES_OUTSIDE_MUNICIPALITY]: { en: 'living outside the municipality', ja: '区外在住' },
};

export const COMBINATION_LABEL: Record<CombinationRule, Bilingual> = {
  [CombinationRule.SUM]: { en: 'sum of both guardians', ja: '父母の基本指数の合計' },
  [CombinationRule.MIN]: { en: 'the lower of the two guardians', ja: '父母のうち低い方の基本指数' },
};

export const SIBLING_POLICY_LABEL: Record<SiblingPolicy, Bilingual> = {
  [SiblingPolicy.TOGETHER_ONLY]: { en: 'siblings together at one facility, or none', ja: 'きょうだい同一施設のみ（不可なら全員保留）' },
  [SiblingPolicy.TOGETHER_PREFERRED]: { en: 'siblings together where possible', ja: 'きょうだい同一施設を優先' },
  [SiblingPolicy.INDEPENDENT]: { en: 'each sibling on their own', ja: 'きょうだい個別に選考' },
};
