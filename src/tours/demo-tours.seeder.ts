import { EntityManager } from 'typeorm';
import type { DemoSeeder } from '../demo/demo-seed.service';
import { DEMO_OPERATOR_FACILITIES } from '../demo/demo-clients.seeder';
import { japanDateOf } from '../common/dates';
import { addDays } from '../common/dates';
import { isWorkingDay } from '../procedures/holidays';

/** Four weeks of weekday tours at 10:00 and 15:00 (Japan time) for the demo operator's facilities, counted from the seeding day. */
export const demoToursSeeder: DemoSeeder = {
  name: 'demo-tours',
  order: 45,
  async run(m: EntityManager, now: Date) {
    const facilities: { id: string }[] = await m.query(
      `SELECT f.id FROM facility f JOIN jsonb_to_recordset($1::jsonb) AS x(source text, "sourceKey" text) ON f.source = x.source AND f.source_key = x."sourceKey"`,
      [JSON.stringify(DEMO_OPERATOR_FACILITIES)],
    );
    const today = japanDateOf(now);
    const startTimes: string[] = [];
    for (let day = 1; day <= 28; day++) {
      const date = addDays(today, day);
      if (!isWorkingDay(date)) continue;
      startTimes.push(`${date}T10:00:00+09:00`, `${date}T15:00:00+09:00`);
    }
    let slots = 0;
    for (const { id } of facilities) {
      for (const startsAt of startTimes) {
        await m.query(
          `INSERT INTO tour_slot (facility_id, starts_at, duration_minutes, capacity, notes, updated_at) VALUES ($1, $2, 45, 4, $3, $4)
           ON CONFLICT (facility_id, starts_at) WHERE cancelled_at IS NULL DO NOTHING`,
          [id, startsAt, '母子健康手帳をお持ちください。 Please bring the maternal and child health handbook.', now],
        );
        slots++;
      }
    }
    return { slots };
  },
};
