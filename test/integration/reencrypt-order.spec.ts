import { randomBytes } from 'node:crypto';
import { feedPayloadBinding } from '../../src/applications/encrypted-fields';
import { FieldCipher, parseKeyRing } from '../../src/common/field-crypto';
import { FieldReencryption } from '../../src/common/field-reencryption';
import { DEMO_ENCRYPTION_KEYS } from '../../src/config/app-config';
import { applicationInput, facilityTaking } from '../support/applications';
import { DEMO_KEYS, startTestHub, TestHub } from '../support/hub';

/**
 * reencrypt-fields pages through each table by id. The id is selected as text; ordered by that text,
 * feed entry 10 came before 2 and the keyset (`id > last`) then skipped 2–9 for good, leaving them
 * under the old key while the run reported nothing left. Found when more than nine feed entries
 * existed in the test database. Everything is put back under the demo key afterwards (shared database).
 */
const ITABASHI = '131199';
const NEW_KEY = `k3:${randomBytes(32).toString('base64')}`;
const ROTATED = parseKeyRing(`${NEW_KEY},${DEMO_ENCRYPTION_KEYS}`, 'HUB_ENCRYPTION_KEYS');
const BACK = parseKeyRing(`${DEMO_ENCRYPTION_KEYS},${NEW_KEY}`, 'HUB_ENCRYPTION_KEYS');
const RUN = `${process.pid}${Date.now()}`.slice(-8).replace(/\d/g, (d) => 'ヤユヨラリルレロワヲ'[Number(d)]);

let t: TestHub;
let ids: string[] = [];

beforeAll(async () => {
  t = await startTestHub({ HUB_WORKERS: 'false' });
  t.clock.set(new Date('2026-09-20T10:00:00+09:00'));
  const facilityId = await facilityTaking(t.db, ITABASHI, 1);
  const input = applicationInput({ idempotencyKey: `reencrypt-order-${process.pid}-${Date.now()}`, kana: `ジュンバン ${RUN}`, name: '順番 花子', municipalityCode: ITABASHI, address: '東京都板橋区板橋2-66-1', facilityId });
  const { submitApplication } = await t.ok(`mutation($input: SubmitApplicationInput!) { submitApplication(input: $input) { application { id } } }`, { input }, DEMO_KEYS.PARTNER);
  const demo = new FieldCipher(parseKeyRing(DEMO_ENCRYPTION_KEYS, 'K'));
  // Twelve entries: ids on both sides of a power of ten whatever the table held before.
  for (let i = 0; i < 12; i++) {
    const [row] = await t.db.query(
      `INSERT INTO municipality_feed_entry (municipality_code, application_id, kind, payload, created_at) VALUES ($1, $2, 'UPDATE', $3, now()) RETURNING id::text AS id`,
      [ITABASHI, submitApplication.application.id, demo.encryptJson({ i }, feedPayloadBinding(submitApplication.application.id, ITABASHI, 'UPDATE'))],
    );
    ids.push(row.id);
  }
});

afterAll(async () => {
  if (!t) return;
  try {
    await new FieldReencryption(t.db, BACK).run();
  } finally {
    await t.close();
  }
});

it('re-encrypts every feed entry, however the ids sort as text', async () => {
  const total: Array<{ n: number }> = await t.db.query(`SELECT count(*)::int AS n FROM municipality_feed_entry`);
  expect(total[0].n).toBeGreaterThanOrEqual(12);
  const [feed] = (await new FieldReencryption(t.db, ROTATED, 2).run()).filter((r) => r.field === 'municipality_feed_entry.payload');
  expect(feed.scanned).toBe(total[0].n);
  expect(Object.keys(feed.keysInUse)).toEqual(['k3']);
  const keys: Array<{ k: string }> = await t.db.query(`SELECT DISTINCT split_part(payload, '.', 2) AS k FROM municipality_feed_entry WHERE id = ANY($1::bigint[])`, [ids]);
  expect(keys).toEqual([{ k: 'k3' }]);
});
