/**
 * Why a child needs care (保育を必要とする事由) and the papers that prove it. Shared by procedures
 * (what a municipality asks for) and applications (what a family declares and has prepared).
 */

/** 保育を必要とする事由, as in 子ども・子育て支援法施行規則 第1条の5, grouped the way application forms group them. */
export enum CareReason {
  /** 就労 (including self-employment and work at home) */
  EMPLOYMENT = 'EMPLOYMENT',
  /** 求職 */
  JOB_SEEKING = 'JOB_SEEKING',
  /** 妊娠・出産 */
  PREGNANCY_CHILDBIRTH = 'PREGNANCY_CHILDBIRTH',
  /** 疾病・障害 */
  ILLNESS_DISABILITY = 'ILLNESS_DISABILITY',
  /** 介護・看護 (caring for a relative) */
  NURSING_CARE = 'NURSING_CARE',
  /** 就学 (including vocational training) */
  STUDY = 'STUDY',
  /** 災害復旧 */
  DISASTER_RECOVERY = 'DISASTER_RECOVERY',
  /** その他 (e.g. abuse or domestic violence, as the municipality decides) */
  OTHER = 'OTHER',
}

export const CARE_REASONS: readonly CareReason[] = Object.values(CareReason);

export const CARE_REASON_LABEL_JA: Record<CareReason, string> = {
  [CareReason.EMPLOYMENT]: '就労',
  [CareReason.JOB_SEEKING]: '求職',
  [CareReason.PREGNANCY_CHILDBIRTH]: '妊娠・出産',
  [CareReason.ILLNESS_DISABILITY]: '疾病・障害',
  [CareReason.NURSING_CARE]: '介護・看護',
  [CareReason.STUDY]: '就学',
  [CareReason.DISASTER_RECOVERY]: '災害復旧',
  [CareReason.OTHER]: 'その他',
};

export const CARE_REASON_LABEL_EN: Record<CareReason, string> = {
  [CareReason.EMPLOYMENT]: 'Employment',
  [CareReason.JOB_SEEKING]: 'Job seeking',
  [CareReason.PREGNANCY_CHILDBIRTH]: 'Pregnancy or childbirth',
  [CareReason.ILLNESS_DISABILITY]: 'Illness or disability',
  [CareReason.NURSING_CARE]: 'Caring for a relative',
  [CareReason.STUDY]: 'Study',
  [CareReason.DISASTER_RECOVERY]: 'Disaster recovery',
  [CareReason.OTHER]: 'Other',
};

/** Documents a family hands in with a daycare application. */
export enum DocumentKind {
  /** 支給認定申請書兼入園申込書 */
  APPLICATION_FORM = 'APPLICATION_FORM',
  /** 家庭状況書 */
  HOUSEHOLD_STATEMENT = 'HOUSEHOLD_STATEMENT',
  /** 児童状況申告書 */
  CHILD_STATUS_STATEMENT = 'CHILD_STATUS_STATEMENT',
  /** 就労証明書 (national standard form, filled in by the employer) */
  EMPLOYMENT_CERTIFICATE = 'EMPLOYMENT_CERTIFICATE',
  /** 求職活動申告書 */
  JOB_SEEKING_DECLARATION = 'JOB_SEEKING_DECLARATION',
  /** 母子健康手帳の写し */
  MATERNITY_HANDBOOK_COPY = 'MATERNITY_HANDBOOK_COPY',
  /** 診断書 */
  MEDICAL_CERTIFICATE = 'MEDICAL_CERTIFICATE',
  /** 障害者手帳の写し */
  DISABILITY_CERTIFICATE = 'DISABILITY_CERTIFICATE',
  /** 介護・看護状況申告書 */
  NURSING_CARE_STATEMENT = 'NURSING_CARE_STATEMENT',
  /** 在学証明書 */
  STUDENT_CERTIFICATE = 'STUDENT_CERTIFICATE',
  /** 罹災証明書 */
  DISASTER_CERTIFICATE = 'DISASTER_CERTIFICATE',
  /** Anything else the municipality asks for */
  OTHER = 'OTHER',
}

export const DOCUMENT_KINDS: readonly DocumentKind[] = Object.values(DocumentKind);

export const DOCUMENT_KIND_LABEL_JA: Record<DocumentKind, string> = {
  [DocumentKind.APPLICATION_FORM]: '支給認定申請書兼入園申込書',
  [DocumentKind.HOUSEHOLD_STATEMENT]: '家庭状況書',
  [DocumentKind.CHILD_STATUS_STATEMENT]: '児童状況申告書',
  [DocumentKind.EMPLOYMENT_CERTIFICATE]: '就労証明書',
  [DocumentKind.JOB_SEEKING_DECLARATION]: '求職活動申告書',
  [DocumentKind.MATERNITY_HANDBOOK_COPY]: '母子健康手帳の写し',
  [DocumentKind.MEDICAL_CERTIFICATE]: '診断書',
  [DocumentKind.DISABILITY_CERTIFICATE]: '障害者手帳の写し',
  [DocumentKind.NURSING_CARE_STATEMENT]: '介護・看護状況申告書',
  [DocumentKind.STUDENT_CERTIFICATE]: '在学証明書',
  [DocumentKind.DISASTER_CERTIFICATE]: '罹災証明書',
  [DocumentKind.OTHER]: 'その他の書類',
};

export const DOCUMENT_KIND_LABEL_EN: Record<DocumentKind, string> = {
  [DocumentKind.APPLICATION_FORM]: 'Application for care eligibility and admission',
  [DocumentKind.HOUSEHOLD_STATEMENT]: 'Household statement',
  [DocumentKind.CHILD_STATUS_STATEMENT]: "Statement of the child's health and development",
  [DocumentKind.EMPLOYMENT_CERTIFICATE]: 'Certificate of employment',
  [DocumentKind.JOB_SEEKING_DECLARATION]: 'Declaration of job seeking',
  [DocumentKind.MATERNITY_HANDBOOK_COPY]: 'Copy of the maternal and child health handbook',
  [DocumentKind.MEDICAL_CERTIFICATE]: 'Medical certificate',
  [DocumentKind.DISABILITY_CERTIFICATE]: 'Copy of the disability certificate',
  [DocumentKind.NURSING_CARE_STATEMENT]: 'Statement of care for a relative',
  [DocumentKind.STUDENT_CERTIFICATE]: 'Certificate of enrolment',
  [DocumentKind.DISASTER_CERTIFICATE]: 'Disaster victim certificate',
  [DocumentKind.OTHER]: 'Other document',
};

export interface RequiredDocuments {
  /** Every application needs these, whatever the reason for care. */
  common: DocumentKind[];
  /** Added per guardian's reason for care. A reason left out needs no extra document. */
  byReason: Partial<Record<CareReason, DocumentKind[]>>;
}

/**
 * A national default, used until a municipality states its own list. Most municipalities ask for
 * these; OTHER has no default because what proves it is decided case by case.
 */
export const DEFAULT_REQUIRED_DOCUMENTS: RequiredDocuments = {
  common: [DocumentKind.APPLICATION_FORM, DocumentKind.HOUSEHOLD_STATEMENT, DocumentKind.CHILD_STATUS_STATEMENT],
  byReason: {
    [CareReason.EMPLOYMENT]: [DocumentKind.EMPLOYMENT_CERTIFICATE],
    [CareReason.JOB_SEEKING]: [DocumentKind.JOB_SEEKING_DECLARATION],
    [CareReason.PREGNANCY_CHILDBIRTH]: [DocumentKind.MATERNITY_HANDBOOK_COPY],
    // A doctor's certificate, or the disability certificate instead: the default asks for the former.
    [CareReason.ILLNESS_DISABILITY]: [DocumentKind.MEDICAL_CERTIFICATE],
    [CareReason.NURSING_CARE]: [DocumentKind.NURSING_CARE_STATEMENT],
    [CareReason.STUDY]: [DocumentKind.STUDENT_CERTIFICATE],
    [CareReason.DISASTER_RECOVERY]: [DocumentKind.DISASTER_CERTIFICATE],
  },
};

/** The distinct documents a family with these reasons must hand in, common ones first, in a stable order. */
export function requiredDocumentsFor(reasons: readonly CareReason[], required: RequiredDocuments = DEFAULT_REQUIRED_DOCUMENTS): DocumentKind[] {
  const documents = new Set<DocumentKind>(required.common);
  for (const reason of reasons) {
    for (const document of required.byReason[reason] ?? []) documents.add(document);
  }
  return [...documents];
}
