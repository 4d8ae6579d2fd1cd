import { readFileSync } from 'node:fs';
import { EntityManager } from 'typeorm';
import { dataPath } from '../common/paths';
import { upsertFacilities } from '../facilities/facility-writer';
import { parseKosodateShisetsuCsv, ParsedFacilityRow } from '../facilities/kosodate-shisetsu-csv';
import { parseMinatoFacilityCsv } from '../facilities/minato-facility-csv';
import { convertDemoVacancyFile, ConvertedDemoFile, DEMO_SLUGS, matchCoordinates } from './demo-catalogue';
import { DemoSeeder } from './demo-seed.service';

export const demoSource = (slug: string) => `demo:vacancy/${slug}.json`;

/** The ten municipalities' published lists, converted by code (never edited by hand). */
export function loadDemoFiles(): ConvertedDemoFile[] {
  return DEMO_SLUGS.map((slug) => convertDemoVacancyFile(slug, JSON.parse(readFileSync(dataPath('vacancy', `${slug}.json`), 'utf8'))));
}

/** Facility lists with coordinates, keyed by municipality code. */
function facilityLists(): Map<string, ParsedFacilityRow[]> {
  const hachioji = parseKosodateShisetsuCsv(readFileSync(dataPath('facilities', 'hachioji_kosodate_shisetsu_ichiran.csv'), 'utf8')).rows;
  const minato = parseMinatoFacilityCsv(readFileSync(dataPath('facilities', 'minato_ninka_hoikuen_ichiran.csv'), 'utf8')).rows;
  return new Map([
    ['132012', hachioji],
    ['131032', minato],
  ]);
}

/** Municipalities of the demo that take part, beyond the ten with vacancy lists (調布市: procedures only). */
export const EXTRA_DEMO_PARTICIPANTS = ['132080'];

export const demoFacilitiesSeeder: DemoSeeder = {
  name: 'demo-facilities',
  order: 10,
  async run(m: EntityManager, now: Date) {
    const files = loadDemoFiles();
    const lists = facilityLists();
    const unmatched: { municipalityCode: string; name: string; reason: string }[] = [];
    let created = 0;
    let withCoordinates = 0;
    const codes = [...files.map((f) => f.municipalityCode), ...EXTRA_DEMO_PARTICIPANTS];
    // Participating demo municipalities; 板橋区 (and 足立区) also take direct move-in applications in the demo.
    await m.query(`UPDATE municipality SET participates = true, updated_at = now() WHERE code = ANY($1)`, [codes]);
    await m.query(`UPDATE municipality SET accepts_direct_move_in = true WHERE code IN ('131199', '131211')`);
    for (const file of files) {
      const list = lists.get(file.municipalityCode);
      const match = list ? matchCoordinates(file.facilities, list, { municipalityCode: file.municipalityCode }) : undefined;
      if (match) {
        for (const u of match.unmatched) unmatched.push({ municipalityCode: file.municipalityCode, name: u.name, reason: u.reason });
        for (const a of match.ambiguous) unmatched.push({ municipalityCode: file.municipalityCode, name: a.name, reason: 'AMBIGUOUS' });
      }
      const records = file.facilities.map((f) => {
        const hit = match?.matched.get(f.sourceKey);
        const latitude = f.latitude ?? hit?.latitude ?? null;
        const longitude = f.longitude ?? hit?.longitude ?? null;
        if (latitude !== null) withCoordinates++;
        return {
          municipalityCode: file.municipalityCode,
          sourceKey: f.sourceKey,
          name: f.name,
          kind: f.kind,
          ownership: f.ownership,
          smallScaleType: f.smallScaleType,
          categoryLabel: f.categoryLabel,
          ward: f.ward,
          latitude,
          longitude,
          classAges: f.classAgesTaken.map((a) => ({ classAge: a, capacity: null })),
        };
      });
      const res = await upsertFacilities(m, demoSource(file.slug), new Date(`${file.asOf}T00:00:00+09:00`), records);
      created += res.created;
    }
    // The demo facilities take tour bookings so that the tour flow can be tried at once.
    await m.query(`UPDATE facility SET takes_tour_bookings = true WHERE source LIKE 'demo:%'`);
    return { facilities: created, withCoordinates, unmatchedCoordinates: unmatched };
  },
};
