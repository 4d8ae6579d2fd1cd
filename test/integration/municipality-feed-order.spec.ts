import { decodeFeedCursor, encodeFeedCursor } from '../../src/applications/feed-cursor';
import { parseKeyRing } from '../../src/common/field-crypto';
import { DEMO_ENCRYPTION_KEYS } from '../../src/config/app-config';
import { applicationInput, facilityTaking } from '../support/applications';
import { DEMO_KEYS, startTestHub, TestHub } from '../support/hub';

/**
 * A PULL municipality reads its feed page by page (`after` = the last cursor it read) and acknowledges
 * the last cursor: pages must come in cursor order. They came in the text order of the cursor, so
 * where the ids pass from 99 to 100 a page read '100', '101', … before '98', '99', and paging on from
 * the last cursor of a page skipped entries (an acknowledgement then marked them delivered unread).
 */
const ADACHI = '131211';
const SUBMIT = `mutation($input: SubmitApplicationInput!) { submitApplication(input: $input) { application { id } } }`;
const FEED = `query($after: String) { municipalityFeed(after: $after, first: 4) { entries { cursor applicationId } hasMore } }`;
const ACK = `mutation($c: String!) { acknowledgeMunicipalityFeed(cursor: $c) { deliveredApplicationIds } }`;
const RUN = `${process.pid}${Date.now()}`.slice(-8).replace(/\d/g, (d) => 'マミムメモヤユヨラリ'[Number(d)]);

let t: TestHub;
beforeAll(async () => {
  t = await startTestHub({ HUB_WORKERS: 'false' });
  t.clock.set(new Date('2026-09-20T10:00:00+09:00'));
  await t.ok(`mutation { configureMunicipalityDelivery(input: { municipalityCode: "${ADACHI}", mode: PULL }) { setting { mode } } }`, {}, DEMO_KEYS.ADMIN);
});
afterAll(() => t?.close());

it('pages the feed in cursor order across a change in the number of digits', async () => {
  const facilityId = await facilityTaking(t.db, ADACHI, 1, 3);
  // The next entries get ids just below the next power of ten, and cross it.
  const [{ last }] = await t.db.query(`SELECT coalesce(max(id), 0)::bigint AS last FROM municipality_feed_entry`);
  const start = 10 ** String(Number(last) + 6).length - 5;
  await t.db.query(`SELECT setval(pg_get_serial_sequence('municipality_feed_entry', 'id'), $1)`, [start]);
  const [{ cursor: before }] = await t.db.query(`SELECT coalesce(max(id), 0)::text AS cursor FROM municipality_feed_entry WHERE municipality_code = $1`, [ADACHI]);
  const submitted: string[] = [];
  for (let i = 0; i < 10; i++) {
    const r = await t.ok(SUBMIT, {
      input: applicationInput({ idempotencyKey: `feed-order-${process.pid}-${Date.now()}-${i}`, kana: `フィード ${RUN}${'アイウエオカキクケコ'[i]}`, name: `足立 順${'アイウエオカキクケコ'[i]}`, municipalityCode: ADACHI, address: '東京都足立区中央本町1-17-1', facilityId }),
    }, DEMO_KEYS.PARTNER);
    submitted.push(r.submitApplication.application.id);
  }
  const seen: Array<{ cursor: string; applicationId: string }> = [];
  // Cursors are opaque and the municipality's own (fc1_…): the hub's key ring makes and reads them here.
  const ring = parseKeyRing(DEMO_ENCRYPTION_KEYS, 'HUB_ENCRYPTION_KEYS');
  let after = encodeFeedCursor(ring, ADACHI, BigInt(before));
  for (let page = 0; page < 10; page++) {
    const { municipalityFeed } = await t.ok(FEED, { after }, DEMO_KEYS.MUNICIPALITY_ADACHI);
    seen.push(...municipalityFeed.entries);
    if (!municipalityFeed.hasMore) break;
    after = municipalityFeed.entries.at(-1).cursor;
  }
  const cursors = seen.map((e) => positionOf(decodeFeedCursor(ring, ADACHI, e.cursor)));
  expect(cursors).toEqual([...cursors].sort((x, y) => (x < y ? -1 : x > y ? 1 : 0)));
  expect(seen.map((e) => e.applicationId)).toEqual(submitted);
  expect(cursors.some((c) => String(c).length > String(start).length)).toBe(true);
  // Acknowledging the last cursor delivers what was read (and leaves the feed empty for other test files;
  // entries before this file's are acknowledged with it).
  const { acknowledgeMunicipalityFeed } = await t.ok(ACK, { c: seen.at(-1)!.cursor }, DEMO_KEYS.MUNICIPALITY_ADACHI);
  expect(acknowledgeMunicipalityFeed.deliveredApplicationIds).toEqual(expect.arrayContaining(submitted));
});

function positionOf(decoded: ReturnType<typeof decodeFeedCursor>): bigint {
  if (!('position' in decoded)) throw new Error(`not a cursor of 足立区's feed: ${decoded.problem}`);
  return decoded.position;
}
