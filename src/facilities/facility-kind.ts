/**
 * Facility kinds (施設種別) as DOMAIN.md names them. The municipality's own label is kept
 * separately (`Facility.categoryLabel`); this enum is what partners filter on.
 */
export enum FacilityKind {
  /** 認可保育所 (licensed daycare, public or private) */
  LICENSED_NURSERY = 'LICENSED_NURSERY',
  /** 認定こども園 */
  CERTIFIED_CHILDCARE_CENTER = 'CERTIFIED_CHILDCARE_CENTER',
  /** 小規模保育事業 (A/B/C, ages 0–2, 6–19 children); the type letter is kept in smallScaleType */
  SMALL_SCALE = 'SMALL_SCALE',
  /** 家庭的保育 (保育ママ, up to 5 children, 0–2) */
  FAMILY_DAYCARE = 'FAMILY_DAYCARE',
  /** 事業所内保育 (workplace, with a community quota) */
  WORKPLACE = 'WORKPLACE',
  /** 居宅訪問型保育 */
  HOME_VISIT = 'HOME_VISIT',
  /** 認証保育所 (Tokyo's own; parents contract with the facility directly) */
  TOKYO_CERTIFIED = 'TOKYO_CERTIFIED',
  /** A municipality's own scheme that fits none of the above (e.g. 港区保育室, ベビールーム) */
  MUNICIPAL_OTHER = 'MUNICIPAL_OTHER',
}

export const FACILITY_KIND_JA: Record<FacilityKind, string> = {
  [FacilityKind.LICENSED_NURSERY]: '認可保育所',
  [FacilityKind.CERTIFIED_CHILDCARE_CENTER]: '認定こども園',
  [FacilityKind.SMALL_SCALE]: '小規模保育事業',
  [FacilityKind.FAMILY_DAYCARE]: '家庭的保育事業',
  [FacilityKind.WORKPLACE]: '事業所内保育事業',
  [FacilityKind.HOME_VISIT]: '居宅訪問型保育事業',
  [FacilityKind.TOKYO_CERTIFIED]: '認証保育所',
  [FacilityKind.MUNICIPAL_OTHER]: '自治体独自の保育施設',
};

export enum Ownership {
  PUBLIC = 'PUBLIC',
  PRIVATE = 'PRIVATE',
  UNKNOWN = 'UNKNOWN',
}

export const CLASS_AGES = [0, 1, 2, 3, 4, 5] as const;
export type ClassAgeNumber = (typeof CLASS_AGES)[number];
