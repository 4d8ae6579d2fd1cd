import { StatusScheduler } from '../../src/status/status.scheduler';
import { applicationInput, facilityTaking } from '../support/applications';
import { DEMO_KEYS, startTestHub, TestHub } from '../support/hub';

/**
 * Timeline entries that another feature writes (DELIVERY_ACKNOWLEDGED, when a municipality
 * acknowledges its feed) reach the partner through the scheduler: the quick catch-up (every worker
 * interval) reads only recent entries, and the minute's full run takes whatever it missed. Workers
 * are off here, so each sweep runs exactly when the test calls it.
 */
const ADACHI = '131211';
const SUBMIT = `mutation($input: SubmitApplicationInput!) { submitApplication(input: $input) { application { id status } } }`;
const FEED = `query { municipalityFeed(first: 100) { entries { cursor applicationId } } }`;
const ACK = `mutation($c: String!) { acknowledgeMunicipalityFeed(cursor: $c) { deliveredApplicationIds } }`;
const RUN = `${process.pid}${Date.now()}`.slice(-8).replace(/\d/g, (d) => 'ナニヌネノハヒフヘホ'[Number(d)]);

let t: TestHub;
let facilityId: string;
let endpointId: string;
let counter = 0;

async function submitted(): Promise<string> {
  counter++;
  const { submitApplication } = await t.ok(SUBMIT, {
    input: applicationInput({
      idempotencyKey: `catch-up-${process.pid}-${Date.now()}-${counter}`, kana: `アダチ ${RUN}${'アイウエオ'[counter]}`, name: `足立 ${'アイウエオ'[counter]}`,
      municipalityCode: ADACHI, address: '東京都足立区中央本町1-17-1', facilityId,
    }),
  }, DEMO_KEYS.PARTNER);
  return submitApplication.application.id;
}

/** 足立区 acknowledges its feed up to this application's entry: the applications feature writes DELIVERY_ACKNOWLEDGED. */
async function acknowledged(id: string) {
  const { municipalityFeed } = await t.ok(FEED, {}, DEMO_KEYS.MUNICIPALITY_ADACHI);
  const entry = municipalityFeed.entries.find((e: { applicationId: string }) => e.applicationId === id);
  const { acknowledgeMunicipalityFeed } = await t.ok(ACK, { c: entry.cursor }, DEMO_KEYS.MUNICIPALITY_ADACHI);
  expect(acknowledgeMunicipalityFeed.deliveredApplicationIds).toContain(id);
}

const notifiedSeq = async (id: string): Promise<number> => (await t.db.query(`SELECT notified_seq FROM application WHERE id = $1`, [id]))[0].notified_seq;
/** The status messages queued for this file's partner endpoint (other files' endpoints of the same partner get theirs too). */
const statusMessages = async (id: string): Promise<number[]> =>
  (await t.db.query(`SELECT (data->>'seq')::int AS seq FROM outbox_message WHERE type = 'jp.hokatsu.application.status_changed' AND subject = $1 AND endpoint_id = $2 ORDER BY 1`,
    [`applications/${id}`, endpointId])).map((r: { seq: number }) => r.seq);

beforeAll(async () => {
  t = await startTestHub({ HUB_WORKERS: 'false' });
  t.clock.set(new Date('2026-09-20T10:00:00+09:00'));
  facilityId = await facilityTaking(t.db, ADACHI, 1);
  await t.ok(`mutation { configureMunicipalityDelivery(input: { municipalityCode: "${ADACHI}", mode: PULL }) { setting { mode } } }`, {}, DEMO_KEYS.ADMIN);
  endpointId = (await t.ok(`mutation { registerWebhookEndpoint(input: { url: "http://127.0.0.1:9/catch-up-${RUN}" }) { endpoint { id } } }`, {}, DEMO_KEYS.PARTNER)).registerWebhookEndpoint.endpoint.id;
});

afterAll(async () => {
  if (endpointId) await t.ok(`mutation($id: ID!) { removeWebhookEndpoint(id: $id) { id } }`, { id: endpointId }, DEMO_KEYS.PARTNER);
  await t?.close();
});

describe('catching up timeline entries written by another feature', () => {
  it('the quick catch-up sends a fresh entry to the partner', async () => {
    const id = await submitted();
    await acknowledged(id);
    expect(await notifiedSeq(id)).toBe(0);
    await t.hub.app.get(StatusScheduler).catchUpNotifications();
    expect(await notifiedSeq(id)).toBe(2);
    expect(await statusMessages(id)).toEqual([2]);
  });

  it('reads only recent entries; one it missed (recorded minutes ago) is taken by the full run, not lost', async () => {
    const id = await submitted();
    await acknowledged(id);
    // as if the entry had committed while the quick catch-up ran, or the application had been busy
    await t.db.query(`UPDATE application_event SET recorded_at = now() - interval '10 minutes' WHERE application_id = $1 AND seq = 2`, [id]);
    const scheduler = t.hub.app.get(StatusScheduler);
    await scheduler.catchUpNotifications();
    expect(await notifiedSeq(id)).toBe(0);
    expect(await statusMessages(id)).toEqual([]);
    const report = await scheduler.runOnce();
    expect(report.caughtUp).toBeGreaterThanOrEqual(1);
    expect(await notifiedSeq(id)).toBe(2);
    expect(await statusMessages(id)).toEqual([2]);
  });
});
