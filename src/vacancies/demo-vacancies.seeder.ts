import { EntityManager } from 'typeorm';
import { demoSource, loadDemoFiles } from '../demo/demo-facilities.seeder';
import { DemoSeeder } from '../demo/demo-seed.service';
import { listDateToInstant, VacancySide, VacancySource } from './vacancy-rules';
import { CellWrite, writeVacancyCells } from './vacancy-writer';

/**
 * The ten municipalities' real lists (data/vacancy/), attached to the facilities the facility seeder
 * created from the same files (by source and source key). Each file's meaning (figure kind) and
 * intake month come from the demo catalogue. A facility that publishes only one total
 * (板橋区 在宅家庭福祉員, 目黒区 家庭福祉員, 港区 医療的ケア児クラス) gets no per-age cells: its nulls mean
 * "not published by age", not "no class". Shibuya's application counts (waiting) are not figures
 * of seats and are not loaded.
 */
export const demoVacanciesSeeder: DemoSeeder = {
  name: 'demo-vacancies',
  order: 30,
  async run(m: EntityManager, now: Date) {
    let figures = 0;
    let unmatched = 0;
    for (const file of loadDemoFiles()) {
      const ids: Array<{ id: string; source_key: string }> = await m.query(`SELECT id, source_key FROM facility WHERE source = $1`, [demoSource(file.slug)]);
      const byKey = new Map(ids.map((r) => [r.source_key, r.id]));
      const cells: CellWrite[] = [];
      for (const f of file.facilities) {
        const facilityId = byKey.get(f.sourceKey);
        if (!facilityId) {
          unmatched++;
          continue;
        }
        if (f.seatsTotal !== undefined && f.figures.every((c) => c.seats === null)) continue;
        for (const c of f.figures) cells.push({ facilityId, intakeMonth: file.intakeMonth, classAge: c.classAge, seats: c.seats });
      }
      const result = await writeVacancyCells(
        m,
        { side: VacancySide.MUNICIPALITY, source: VacancySource.IMPORT, figureKind: file.figureKind, asOf: listDateToInstant(file.asOf), setBy: null, cells },
        now,
      );
      figures += result.created + result.updated;
    }
    return { figures, unmatchedFacilities: unmatched };
  },
};
