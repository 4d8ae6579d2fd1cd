import { VacancyFigureKind } from '../../src/vacancies/vacancy-figure-kind';
import { VacancySide, VacancySource } from '../../src/vacancies/vacancy-rules';
import { writeVacancyCells } from '../../src/vacancies/vacancy-writer';

describe('writeVacancyCells', () => {
  it('refuses a write that names the same cell twice, before sending anything', async () => {
    const sent: string[] = [];
    const manager = { query: async (sql: string) => { sent.push(sql); return [{}]; } } as never;
    const cell = { facilityId: '00000000-0000-4000-8000-000000000001', intakeMonth: '2026-09', classAge: 2 };
    await expect(writeVacancyCells(manager, {
      side: VacancySide.MUNICIPALITY, source: VacancySource.IMPORT, figureKind: VacancyFigureKind.OPEN_SEATS, asOf: new Date(), setBy: null,
      cells: [{ ...cell, seats: 1 }, { ...cell, classAge: 3, seats: 2 }, { ...cell, seats: 4 }],
    }, new Date())).rejects.toThrow(/appears twice/);
    expect(sent).toEqual([]);
  });
});
