import { EntityManager } from 'typeorm';
import { DEMO_KEYS } from '../config/app-config';
import { ApiRole } from '../auth/api-client.entity';
import { AuthService, hashApiKey } from '../auth/auth.service';
import { DemoSeeder } from './demo-seed.service';

/** The demo operator acts for these facilities (by source key), so README examples work. */
export const DEMO_OPERATOR_FACILITIES = [
  { source: 'demo:vacancy/itabashi.json', sourceKey: 'かないくぼ' },
  { source: 'demo:vacancy/itabashi.json', sourceKey: 'みなみ' },
  { source: 'demo:vacancy/adachi.json', sourceKey: 'アイグラン保育園千住大橋' },
];

export function demoClientsSeeder(auth: AuthService): DemoSeeder {
  return {
    name: 'demo-clients',
    order: 20,
    async run(m: EntityManager) {
      const operatorFacilities: { id: string }[] = await m.query(
        `SELECT f.id FROM facility f JOIN jsonb_to_recordset($1::jsonb) AS x(source text, "sourceKey" text) ON f.source = x.source AND f.source_key = x."sourceKey"`,
        [JSON.stringify(DEMO_OPERATOR_FACILITIES)],
      );
      const clients = [
        { key: DEMO_KEYS.ADMIN, name: 'Demo admin', role: ApiRole.ADMIN },
        { key: DEMO_KEYS.PARTNER, name: 'Demo partner app', role: ApiRole.PARTNER },
        { key: DEMO_KEYS.PARTNER_2, name: 'Demo partner app 2', role: ApiRole.PARTNER },
        { key: DEMO_KEYS.OPERATOR, name: 'Demo facility operator', role: ApiRole.OPERATOR, facilityIds: operatorFacilities.map((f) => f.id) },
        { key: DEMO_KEYS.MUNICIPALITY_ITABASHI, name: '板橋区 (demo)', role: ApiRole.MUNICIPALITY, municipalityCode: '131199' },
        { key: DEMO_KEYS.MUNICIPALITY_ADACHI, name: '足立区 (demo)', role: ApiRole.MUNICIPALITY, municipalityCode: '131211' },
      ];
      let created = 0;
      for (const { key, ...input } of clients) {
        const exists = await m.query('SELECT 1 FROM api_client WHERE key_hash = $1', [hashApiKey(key)]);
        if (exists.length) continue;
        await auth.create(input, null, m, key, true);
        created++;
      }
      return { clients: created, operatorFacilities: operatorFacilities.length };
    },
  };
}
