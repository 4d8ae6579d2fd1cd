import { hubError } from '../common/errors';

export const ProcedureErrorCode = {
  /** The municipality exists but does not take part in the hub. */
  MUNICIPALITY_NOT_PARTICIPATING: 'MUNICIPALITY_NOT_PARTICIPATING',
  /** A participating municipality has published no intake procedure for the year asked. */
  NO_INTAKE_PROCEDURE: 'NO_INTAKE_PROCEDURE',
} as const;

export const ProcedureErrors = {
  notParticipating(code: string, name: string, field: string) {
    return hubError(
      ProcedureErrorCode.MUNICIPALITY_NOT_PARTICIPATING,
      `${name} (${code}) does not take part in the hub yet, so its procedures are not available here. Check the municipality's own website.`,
      `${name}（${code}）はまだハブに参加していないため、手続き情報を提供できません。自治体のウェブサイトを確認してください。`,
      { field, details: { municipalityCode: code } },
    );
  },
  noProcedure(code: string, name: string, fiscalYear: number | null, field: string) {
    const year = fiscalYear === null ? '' : ` for fiscal year ${fiscalYear}`;
    const yearJa = fiscalYear === null ? '' : `${fiscalYear}年度の`;
    return hubError(
      ProcedureErrorCode.NO_INTAKE_PROCEDURE,
      `${name} (${code}) has not published its intake procedure${year} in the hub yet.`,
      `${name}（${code}）は${yearJa}入所手続きをまだハブに登録していません。`,
      { field, details: { municipalityCode: code, fiscalYear } },
    );
  },
};
