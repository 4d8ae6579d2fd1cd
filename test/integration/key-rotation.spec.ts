import { randomBytes } from 'node:crypto';
import { FieldCipher, parseKeyRing } from '../../src/common/field-crypto';
import { ENCRYPTED_COLUMNS, FieldReencryption, removableKeys } from '../../src/common/field-reencryption';
import { DEMO_ENCRYPTION_KEYS } from '../../src/config/app-config';
import { feedPayloadBinding, personalDataBinding } from '../../src/applications/encrypted-fields';
import { webhookSecretBinding } from '../../src/outbox/webhook-secret-cipher';
import { applicationInput, facilityTaking } from '../support/applications';
import { legacyToken } from '../support/legacy-token';
import { DEMO_KEYS, describeWithRealPostgres, startTestHub, TestHub } from '../support/hub';

/**
 * Rotating HUB_ENCRYPTION_KEYS: put a new key first, re-encrypt (npm run hub -- reencrypt-fields),
 * then the old key can go. The run's database is shared with the other test files, so every value
 * is put back under the demo key at the end, whatever happened.
 */
const ITABASHI = '131199';
const NEW_KEY = `k2:${randomBytes(32).toString('base64')}`;
const ROTATED = parseKeyRing(`${NEW_KEY},${DEMO_ENCRYPTION_KEYS}`, 'HUB_ENCRYPTION_KEYS');
const BACK = parseKeyRing(`${DEMO_ENCRYPTION_KEYS},${NEW_KEY}`, 'HUB_ENCRYPTION_KEYS');
const RUN = `${process.pid}${Date.now()}`.slice(-8).replace(/\d/g, (d) => 'サシスセソタチツテト'[Number(d)]);
const SUBMIT = `mutation($input: SubmitApplicationInput!) { submitApplication(input: $input) { application { id } } }`;
const READ = `query($id: ID!) { application(id: $id) { id personalData { child { name kana } } } }`;

let t: TestHub;
let facilityId: string;
let applicationId: string;
let endpointId: string;
let submitted = 0;
const STARTED = Date.now();

function application(kana = `カギ ハナコ${RUN}`) {
  return applicationInput({ idempotencyKey: `rotation-${process.pid}-${STARTED}-${++submitted}`, kana, name: '鍵 花子', municipalityCode: ITABASHI, address: '東京都板橋区板橋2-66-1', facilityId });
}

/** Every stored value of the rows this file made, by column. */
async function stored() {
  const [app] = await t.db.query(`SELECT personal_data, child_key FROM application WHERE id = $1`, [applicationId]);
  const [feed] = await t.db.query(`SELECT payload FROM municipality_feed_entry WHERE application_id = $1 ORDER BY id DESC LIMIT 1`, [applicationId]);
  const [endpoint] = await t.db.query(`SELECT secret, previous_secret FROM webhook_endpoint WHERE id = $1`, [endpointId]);
  return { personal: app.personal_data, childKey: app.child_key, feed: feed.payload, secret: endpoint.secret, previous: endpoint.previous_secret };
}

beforeAll(async () => {
  t = await startTestHub({ HUB_WORKERS: 'false' });
  t.clock.set(new Date('2026-09-20T10:00:00+09:00'));
  facilityId = await facilityTaking(t.db, ITABASHI, 1);
  applicationId = (await t.ok(SUBMIT, { input: application() }, DEMO_KEYS.PARTNER)).submitApplication.application.id;
  // Feed entries (personal data, encrypted as before values were bound to their row; a dozen, so that their ids
  // pass from one digit to two: paging that compared ids as text skipped 2–9 after 10) and an endpoint with a
  // current and a previous secret.
  await t.db.query(`INSERT INTO municipality_feed_entry (municipality_code, application_id, kind, payload, created_at) SELECT $1, $2, 'UPDATE', $3, now() FROM generate_series(1, 12)`,
    [ITABASHI, applicationId, legacyToken(parseKeyRing(DEMO_ENCRYPTION_KEYS, 'K').current, JSON.stringify({ personal: { child: { name: '鍵 花子' } } }))]);
  const registered = await t.ok(`mutation { registerWebhookEndpoint(input: { url: "http://127.0.0.1:9/rotation-${RUN}" }) { endpoint { id } } }`, {}, DEMO_KEYS.PARTNER);
  endpointId = registered.registerWebhookEndpoint.endpoint.id;
  await t.ok(`mutation($id: ID!) { rotateWebhookSecret(endpointId: $id, graceHours: 24) { secret } }`, { id: endpointId }, DEMO_KEYS.PARTNER);
});

afterAll(async () => {
  if (t) {
    if (endpointId) await t.ok(`mutation($id: ID!) { removeWebhookEndpoint(id: $id) { id } }`, { id: endpointId }, DEMO_KEYS.PARTNER);
    // Whatever the test did: every value back under the demo key, as the other test files expect.
    try {
      const back = await new FieldReencryption(t.db, BACK).run();
      for (const r of back) expect(Object.keys(r.keysInUse).filter((k) => k.endsWith('k2'))).toEqual([]);
    } finally {
      await t.close();
    }
  }
});

describe('re-encrypting after a key rotation', () => {
  it('rewrites every encrypted field and child key under the new key, after which the old key can go; a second run does nothing', async () => {
    const before = await stored();
    expect(before.previous).not.toBeNull();
    const oldCipher = new FieldCipher(parseKeyRing(DEMO_ENCRYPTION_KEYS, 'K'));
    for (const v of [before.personal, before.feed, before.secret, before.previous]) expect(oldCipher.keyIdOf(v)).toBe('demo');

    // A dry run checks and counts, and writes nothing.
    const dry = await new FieldReencryption(t.db, ROTATED, 2).run({ dryRun: true });
    expect(dry.map((r) => r.field)).toEqual(ENCRYPTED_COLUMNS.map((c) => `${c.table}.${c.column}`));
    for (const r of dry) expect([r.field, r.failed]).toEqual([r.field, []]);
    expect(dry.every((r) => r.reencrypted === r.scanned)).toBe(true);
    expect(await stored()).toEqual(before);

    // Small batches, so that the keyset paging is crossed many times.
    const run = await new FieldReencryption(t.db, ROTATED, 2).run();
    for (const r of run) {
      expect([r.field, r.failed, r.reencrypted]).toEqual([r.field, [], r.scanned]);
      expect(Object.keys(r.keysInUse).filter((k) => k.endsWith('demo'))).toEqual([]);
    }
    const after = await stored();
    const cipher = new FieldCipher(ROTATED);
    const bindings = {
      personal: personalDataBinding(applicationId),
      feed: feedPayloadBinding(applicationId, ITABASHI, 'UPDATE'),
      secret: webhookSecretBinding(endpointId),
      previous: webhookSecretBinding(endpointId, 'previous_secret'),
    };
    for (const key of ['personal', 'feed', 'secret', 'previous'] as const) {
      expect(cipher.keyIdOf(after[key])).toBe('k2');
      expect(cipher.isBound(after[key])).toBe(true);
      expect(cipher.decrypt(after[key], bindings[key])).toBe(oldCipher.decrypt(before[key], bindings[key]));
    }
    expect(run.map((r) => r.unbound)).toEqual(ENCRYPTED_COLUMNS.map(() => 0));
    expect(after.childKey).toMatch(/^k2:[0-9a-f]{64}$/);
    // what the command line then says: the demo key can go
    expect(removableKeys(ROTATED, run)).toEqual(['demo']);

    const again = await new FieldReencryption(t.db, ROTATED).run();
    expect(again.map((r) => r.reencrypted)).toEqual(ENCRYPTED_COLUMNS.map(() => 0));
    expect(await stored()).toEqual(after);
  });

  it('leaves a value it cannot decrypt as it is, reports it, and does the rest', async () => {
    const stranger = new FieldCipher(parseKeyRing(`zz:${randomBytes(32).toString('base64')}`, 'K')).encryptJson({ personal: {} }, feedPayloadBinding(applicationId, ITABASHI, 'UPDATE'));
    const [{ id }] = await t.db.query(`INSERT INTO municipality_feed_entry (municipality_code, application_id, kind, payload, created_at) VALUES ($1, $2, 'UPDATE', $3, now()) RETURNING id::text`, [ITABASHI, applicationId, stranger]);
    try {
      await t.db.query(`UPDATE webhook_endpoint SET secret = $2 WHERE id = $1`, [endpointId, new FieldCipher(parseKeyRing(DEMO_ENCRYPTION_KEYS, 'K')).encrypt('whsec_again', webhookSecretBinding(endpointId))]);
      const run = await new FieldReencryption(t.db, ROTATED).run();
      const feed = run.find((r) => r.field === 'municipality_feed_entry.payload')!;
      expect(feed.failed).toEqual([{ id, reason: expect.stringContaining('"zz"') }]);
      expect(feed.keysInUse.zz).toBe(1);
      const [row] = await t.db.query(`SELECT payload FROM municipality_feed_entry WHERE id = $1`, [id]);
      expect(row.payload).toBe(stranger);
      // the other columns were still done
      expect(run.find((r) => r.field === 'webhook_endpoint.secret')!.reencrypted).toBe(1);
      expect(new FieldCipher(ROTATED).keyIdOf((await stored()).secret)).toBe('k2');
    } finally {
      await t.db.query(`DELETE FROM municipality_feed_entry WHERE id = $1`, [id]);
    }
  });
});

// Two hubs on one database at once: real PostgreSQL only (the embedded one is a single session).
describeWithRealPostgres('after re-encryption (real connections)', () => {
  it('a hub holding ONLY the new key reads the personal data and still finds the child\'s active application', async () => {
    await new FieldReencryption(t.db, ROTATED).run();
    const onlyNew = await startTestHub({ HUB_WORKERS: 'false', HUB_ENCRYPTION_KEYS: NEW_KEY });
    try {
      onlyNew.clock.set(new Date('2026-09-20T10:00:00+09:00'));
      expect((await onlyNew.ok(READ, { id: applicationId }, DEMO_KEYS.PARTNER)).application.personalData.child.name).toBe('鍵 花子');
      const duplicate = await onlyNew.gql(SUBMIT, { input: application() }, DEMO_KEYS.PARTNER);
      expect(duplicate.errors?.[0].extensions.code).toBe('DUPLICATE_ACTIVE_APPLICATION');
    } finally {
      await onlyNew.close();
    }
  });

  it('leaves an application whose new child key would collide with a duplicate an older ring let in, and reports it', async () => {
    // Back under the demo key; a hub that holds only the new key cannot see the child's application
    // under the demo key, so it takes a second one for the same child (what an early drop of a key does).
    await new FieldReencryption(t.db, BACK).run();
    const onlyNew = await startTestHub({ HUB_WORKERS: 'false', HUB_ENCRYPTION_KEYS: NEW_KEY });
    let duplicateId: string | undefined;
    try {
      onlyNew.clock.set(new Date('2026-09-20T10:00:00+09:00'));
      duplicateId = (await onlyNew.ok(SUBMIT, { input: application() }, DEMO_KEYS.PARTNER)).submitApplication.application.id;
      // and another child's application under the demo key, in the same batch
      const otherId = (await t.ok(SUBMIT, { input: application(`カギ ジロウ${RUN}`) }, DEMO_KEYS.PARTNER)).submitApplication.application.id;
      const before = await stored();
      const run = await new FieldReencryption(t.db, ROTATED).run();
      const apps = run.find((r) => r.field === 'application.personal_data')!;
      expect(apps.failed).toEqual([{ id: applicationId, reason: expect.stringContaining('another active application of the same child') }]);
      // all or nothing for that row: its data and child key stay under the old key, still readable
      const [row] = await t.db.query(`SELECT personal_data, child_key FROM application WHERE id = $1`, [applicationId]);
      expect([row.personal_data, row.child_key]).toEqual([before.personal, before.childKey]);
      expect(apps.keysInUse.demo).toBeGreaterThanOrEqual(1);
      // the rest of that batch was done
      const [other] = await t.db.query(`SELECT personal_data, child_key FROM application WHERE id = $1`, [otherId]);
      expect([new FieldCipher(ROTATED).keyIdOf(other.personal_data), other.child_key.split(':')[0]]).toEqual(['k2', 'k2']);
    } finally {
      if (duplicateId) await onlyNew.ok(`mutation($id: ID!) { withdrawApplication(applicationId: $id) { applicationId } }`, { id: duplicateId }, DEMO_KEYS.PARTNER);
      await onlyNew.close();
    }
  });
});
