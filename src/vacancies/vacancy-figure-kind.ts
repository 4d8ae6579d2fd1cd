/**
 * What a municipality's vacancy figure means. Municipalities publish different things under the
 * same 「空き」 heading, so the meaning is kept as data next to every figure (data/SOURCES.md).
 */
export enum VacancyFigureKind {
  /** 空き数: seats open now (空き状況), as of the list's date */
  OPEN_SEATS = 'OPEN_SEATS',
  /** 募集人数 / 入園可能数: children the facility will take in one intake month */
  INTAKE_QUOTA = 'INTAKE_QUOTA',
}

export const VACANCY_FIGURE_KIND_JA: Record<VacancyFigureKind, string> = {
  [VacancyFigureKind.OPEN_SEATS]: '空き状況（現在の空き数）',
  [VacancyFigureKind.INTAKE_QUOTA]: '募集人数（入園月の受入予定数）',
};
