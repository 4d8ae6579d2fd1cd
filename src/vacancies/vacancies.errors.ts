import { Errors } from '../common/errors';
import type { VacancyFigure } from './vacancy.types';

/** Vacancy errors use the common codes (CONFLICT, BAD_USER_INPUT…); the messages live here. */
export const VacancyErrors = {
  stale(field: string, facilityId: string, intakeMonth: string, stale: unknown[], current: VacancyFigure[]) {
    return Errors.conflict(
      `The figures of facility ${facilityId} for ${intakeMonth} changed since you read them (${field} is stale); nothing was saved. Review the current figures in extensions.details.current and save again with their versions.`,
      `施設 ${facilityId} の ${intakeMonth} の空き状況は読み込み後に変更されています（${field} が古い版です）。何も保存していません。extensions.details.current の現在値を確認し、その版で保存し直してください。`,
      { facilityId, intakeMonth, stale, current },
      field,
    );
  },
  importRace(municipalityCode: string) {
    return Errors.conflict(
      `Figures of municipality ${municipalityCode} kept changing during the import; nothing was applied. Import the file again.`,
      `取込み中に自治体 ${municipalityCode} の空き状況が変更され続けたため、何も反映していません。もう一度取り込んでください。`,
    );
  },
};
