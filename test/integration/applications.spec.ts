import { encodeFeedCursor } from '../../src/applications/feed-cursor';
import { parseKeyRing } from '../../src/common/field-crypto';
import { DEMO_ENCRYPTION_KEYS } from '../../src/config/app-config';
import { verifyWebhook } from '../../src/webhooks/signing';
import { facilityTaking } from '../support/applications';
import { DEMO_KEYS, describeWithRealPostgres, eventually, GqlResult, Receiver, startReceiver, startTestHub, TestHub } from '../support/hub';

/**
 * Issue 5 "Done when": a partner submits for a 板橋区 family wishing facilities in 板橋区 and 足立区;
 * 板橋区's endpoint receives it (signature verified), 足立区's the forwarded notice, a pull-mode
 * municipality reads it from its feed; the same request twice creates one application; a bad
 * application is refused with the precise reason and nothing stored.
 */
const ITABASHI = '131199';
const ADACHI = '131211';
const CHOFU = '132080';

const SUBMIT = `mutation($input: SubmitApplicationInput!) {
  submitApplication(input: $input) {
    replayed
    application {
      id status intakeMonth classAge incomplete missingDocuments validUntil
      routing { primaryMunicipalityCode outOfArea recipients { municipalityCode role reason deliveryMode deliveredAt } reasons { code municipalityCode textEn textJa } }
      wishes { rank facilityId municipalityCode }
      personalData { child { name kana birthDate } guardians { careReason employment { employerName } } }
      timeline { seq type actor toStatus }
    }
  }
}`;
const CONFIGURE = `mutation($input: ConfigureMunicipalityDeliveryInput!) {
  configureMunicipalityDelivery(input: $input) { signingSecret setting { municipalityCode mode endpointId acceptsIncomplete } }
}`;
const READ = `query($id: ID!) { application(id: $id) { id status personalData { child { name } } routing { recipients { municipalityCode role deliveredAt acknowledgedAt } } timeline { seq type actor toStatus } } }`;

let t: TestHub;
let itabashiReceiver: Receiver;
let adachiReceiver: Receiver;
let itabashiSecret: string;
let adachiSecret: string;
let itabashiFacilities: string[];
let adachiFacility: string;
let tooManyFacilities: string[];
let keyCounter = 0;

/** A child in the 1歳児 class for FY2026. */
/** A child no other test file uses: the one-active-application-per-child rule spans the whole database. */
const RUN = `${process.pid}${Date.now()}`.slice(-8).replace(/\d/g, (d) => 'アイウエオカキクケコ'[Number(d)]);

function application(overrides: Record<string, unknown> = {}) {
  return {
    idempotencyKey: `key-${++keyCounter}-${Date.now()}`,
    child: { name: '板橋 花子', kana: `イタバシ ハナコ${RUN}`, birthDate: '2024-06-15', sex: 'FEMALE' },
    household: { address: '東京都板橋区板橋2-66-1', phone: '03-3964-1111', memberCount: 3 },
    guardians: [
      { name: '板橋 太郎', kana: 'イタバシ タロウ', relationship: 'FATHER', careReason: 'EMPLOYMENT', employment: { employerName: '株式会社テスト', daysPerWeek: 5, startTime: '09:00', endTime: '18:00', hoursPerMonth: 160 } },
      { name: '板橋 洋子', kana: 'イタバシ ヨウコ', relationship: 'MOTHER', careReason: 'EMPLOYMENT', employment: { employerName: '区内商店', daysPerWeek: 4, startTime: '09:00', endTime: '16:00', hoursPerMonth: 112 } },
    ],
    residenceMunicipalityCode: ITABASHI,
    intakeMonth: '2026-11',
    wishes: [
      { rank: 1, facilityId: itabashiFacilities[0] },
      { rank: 2, facilityId: adachiFacility },
    ],
    applicationType: 'NEW',
    documents: [
      { kind: 'APPLICATION_FORM', reference: 'partner-file-1' },
      { kind: 'HOUSEHOLD_STATEMENT', reference: 'partner-file-2' },
      { kind: 'CHILD_STATUS_STATEMENT', reference: 'partner-file-3' },
      { kind: 'EMPLOYMENT_CERTIFICATE', attachmentBase64: Buffer.from('%PDF-1.4 test').toString('base64'), attachmentContentType: 'application/pdf' },
    ],
    ...overrides,
  };
}

async function counts() {
  const [row] = await t.db.query(`SELECT (SELECT count(*) FROM application)::int AS applications, (SELECT count(*) FROM application_wish)::int AS wishes,
    (SELECT count(*) FROM application_recipient)::int AS recipients, (SELECT count(*) FROM application_event WHERE type = 'SUBMITTED')::int AS events,
    (SELECT count(*) FROM municipality_feed_entry)::int AS feed, (SELECT count(*) FROM outbox_message WHERE type NOT LIKE 'jp.hokatsu.application.status%' AND type NOT LIKE 'jp.hokatsu.reminder.%')::int AS messages`);
  return row;
}

beforeAll(async () => {
  t = await startTestHub();
  // 20 Sept 2026 (JST): November 2026 intake is open (closes 9 Oct, 管外 2 Oct).
  t.clock.set(new Date('2026-09-20T10:00:00+09:00'));
  itabashiReceiver = await startReceiver();
  adachiReceiver = await startReceiver();
  itabashiFacilities = [await facilityTaking(t.db, ITABASHI, 1, 0), await facilityTaking(t.db, ITABASHI, 1, 1)];
  adachiFacility = await facilityTaking(t.db, ADACHI, 1);
  // One more wish than 板橋区's procedure in force allows (another test file may restate the limit).
  const { intakeProcedure } = await t.ok(`{ intakeProcedure(municipalityCode: "${ITABASHI}", fiscalYear: 2026) { wishLimit } }`);
  tooManyFacilities = (await t.db.query(`SELECT id FROM facility WHERE municipality_code = $1 ORDER BY id LIMIT $2`, [ITABASHI, intakeProcedure.wishLimit + 1])).map((r: { id: string }) => r.id);
  const itabashi = await t.ok(CONFIGURE, { input: { municipalityCode: ITABASHI, mode: 'PUSH', endpointUrl: `${itabashiReceiver.url}/hub`, acceptsIncomplete: true } }, DEMO_KEYS.ADMIN);
  const adachi = await t.ok(CONFIGURE, { input: { municipalityCode: ADACHI, mode: 'PUSH', endpointUrl: `${adachiReceiver.url}/hub`, acceptsIncomplete: false } }, DEMO_KEYS.ADMIN);
  itabashiSecret = itabashi.configureMunicipalityDelivery.signingSecret;
  adachiSecret = adachi.configureMunicipalityDelivery.signingSecret;
});

afterAll(async () => {
  await t?.close();
  await itabashiReceiver?.close();
  await adachiReceiver?.close();
});

describe('delivery configuration', () => {
  it('returns the PUSH secret once, and not again for the same URL', async () => {
    expect(itabashiSecret).toMatch(/^whsec_/);
    const again = await t.ok(CONFIGURE, { input: { municipalityCode: ITABASHI, mode: 'PUSH', endpointUrl: `${itabashiReceiver.url}/hub` } }, DEMO_KEYS.ADMIN);
    expect(again.configureMunicipalityDelivery.signingSecret).toBeNull();
    expect(again.configureMunicipalityDelivery.setting).toMatchObject({ mode: 'PUSH', acceptsIncomplete: true });
  });

  it('needs an endpoint URL for PUSH only', async () => {
    const r = await t.gql(CONFIGURE, { input: { municipalityCode: CHOFU, mode: 'PUSH' } }, DEMO_KEYS.ADMIN);
    expect(r.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.endpointUrl' });
  });
});

describe('submitting, routing and delivering (the "Done when" flow)', () => {
  let applicationId: string;

  it('routes a 板橋区 family wishing 板橋区 and 足立区 facilities, and both receive it signed', async () => {
    const { submitApplication } = await t.ok(SUBMIT, { input: application() }, DEMO_KEYS.PARTNER);
    const app = submitApplication.application;
    applicationId = app.id;
    expect(submitApplication.replayed).toBe(false);
    expect(app).toMatchObject({ status: 'SUBMITTED', intakeMonth: '2026-11', classAge: 1, incomplete: false, validUntil: '2027-04-30' }); // 板橋区: six intake months
    expect(app.routing.primaryMunicipalityCode).toBe(ITABASHI);
    expect(app.routing.outOfArea).toBe(true);
    expect(app.routing.recipients).toEqual([
      expect.objectContaining({ municipalityCode: ITABASHI, role: 'APPLICATION', reason: 'RESIDENCE', deliveryMode: 'PUSH' }),
      expect.objectContaining({ municipalityCode: ADACHI, role: 'FORWARDED_NOTICE', reason: 'OUT_OF_AREA_WISH', deliveryMode: 'PUSH' }),
    ]);
    expect(app.routing.reasons.map((r: { code: string }) => r.code)).toEqual(['RESIDENCE', 'OUT_OF_AREA_WISH', 'OUT_OF_AREA_EARLIER_DEADLINE']);
    expect(app.timeline).toEqual([{ seq: 1, type: 'SUBMITTED', actor: 'PARTNER', toStatus: 'SUBMITTED' }]);

    await itabashiReceiver.waitFor(1);
    await adachiReceiver.waitFor(1);
    const [toItabashi] = itabashiReceiver.requests;
    const [toAdachi] = adachiReceiver.requests;
    expect(() => verifyWebhook(itabashiSecret, toItabashi.headers as Record<string, string>, toItabashi.body, { now: t.clock.now() })).not.toThrow();
    expect(() => verifyWebhook(adachiSecret, toAdachi.headers as Record<string, string>, toAdachi.body, { now: t.clock.now() })).not.toThrow();
    // Signed with 板橋区's secret only: 足立区's secret does not verify it.
    expect(() => verifyWebhook(adachiSecret, toItabashi.headers as Record<string, string>, toItabashi.body, { now: t.clock.now() })).toThrow();

    const itabashiEvent = JSON.parse(toItabashi.body);
    expect(itabashiEvent).toMatchObject({ specversion: '1.0', type: 'jp.hokatsu.application.submitted', subject: `applications/${applicationId}` });
    expect(itabashiEvent.data).toMatchObject({ applicationId, role: 'APPLICATION', forwarded: false, intakeMonth: '2026-11', classAge: 1, personalDataIncluded: false });
    const adachiEvent = JSON.parse(toAdachi.body);
    expect(adachiEvent.type).toBe('jp.hokatsu.application.forwarded');
    expect(adachiEvent.data).toMatchObject({ applicationId, role: 'FORWARDED_NOTICE', forwarded: true, forwardedBy: ITABASHI, routingReason: 'OUT_OF_AREA_WISH' });
    // Personal data never travels in (or is stored in) the outbox: the municipality reads it, audited.
    expect(toItabashi.body).not.toContain('板橋 花子');
  });

  it('moves the application to DELIVERED once 板橋区 (the deciding municipality) answered 2xx', async () => {
    const read = await eventually(async () => {
      const r = await t.ok(READ, { id: applicationId }, DEMO_KEYS.PARTNER);
      return r.application.status === 'DELIVERED' && r.application.routing.recipients.every((x: { acknowledgedAt: string | null }) => x.acknowledgedAt) ? r : null;
    });
    expect(read.application.timeline.map((e: { type: string; actor: string }) => [e.type, e.actor])).toEqual([['SUBMITTED', 'PARTNER'], ['DELIVERY_ACKNOWLEDGED', 'SYSTEM']]);
  });

  it('lets the municipality the application is routed to read its personal data, and records every read', async () => {
    const asAdachi = await t.ok(READ, { id: applicationId }, DEMO_KEYS.MUNICIPALITY_ADACHI);
    expect(asAdachi.application.personalData.child.name).toBe('板橋 花子');
    const audit = await t.ok(
      `query($id: String) { auditLog(filter: { subjectType: "application", subjectId: $id }) { totalCount edges { node { action actorRole subjectId } } } }`,
      { id: applicationId },
      DEMO_KEYS.ADMIN,
    );
    const roles = audit.auditLog.edges.map((e: { node: { actorRole: string } }) => e.node.actorRole);
    expect(roles).toEqual(expect.arrayContaining(['MUNICIPALITY', 'PARTNER']));
    expect(audit.auditLog.edges.every((e: { node: { action: string } }) => e.node.action === 'application.read')).toBe(true);
  });

  it('keeps personal data encrypted at rest', async () => {
    const [row] = await t.db.query(`SELECT personal_data, child_key, routing::text AS routing FROM application WHERE id = $1`, [applicationId]);
    expect(row.personal_data).toMatch(/^v2\./);
    for (const clear of ['板橋 花子', 'イタバシ', '2024-06-15', '株式会社テスト']) {
      expect(row.personal_data).not.toContain(clear);
      expect(row.routing).not.toContain(clear);
    }
    expect(row.child_key).toMatch(/^[A-Za-z0-9_-]+:[0-9a-f]{64}$/);
    const messages = await t.db.query(
      `SELECT data::text AS data FROM outbox_message WHERE data->>'applicationId' = $1 AND type IN ('jp.hokatsu.application.submitted', 'jp.hokatsu.application.forwarded')`,
      [applicationId],
    );
    expect(messages.length).toBe(2);
    messages.forEach((m: { data: string }) => expect(m.data).not.toContain('板橋 花子'));
  });

  it('does not let another partner, or a municipality it is not routed to, read it', async () => {
    const other = await t.gql(READ, { id: applicationId }, DEMO_KEYS.PARTNER_2);
    expect(other.errors?.[0].extensions.code).toBe('NOT_FOUND');
    // Reconfigure 足立区 out of the picture for a 板橋区-only application, then check 足立区 cannot read that one.
    const { submitApplication } = await t.ok(SUBMIT, { input: application({ child: { name: '板橋 次郎', kana: 'イタバシ ジロウ', birthDate: '2024-07-01', sex: 'MALE' }, wishes: [{ rank: 1, facilityId: itabashiFacilities[1] }] }) }, DEMO_KEYS.PARTNER);
    expect(submitApplication.application.routing.outOfArea).toBe(false);
    const adachi = await t.gql(READ, { id: submitApplication.application.id }, DEMO_KEYS.MUNICIPALITY_ADACHI);
    expect(adachi.errors?.[0].extensions.code).toBe('NOT_FOUND');
    const list = await t.ok(`{ applications(first: 50) { totalCount edges { node { id } } } }`, {}, DEMO_KEYS.PARTNER_2);
    expect(list.applications.edges.map((e: { node: { id: string } }) => e.node.id)).not.toContain(applicationId);
  });
});

describe('idempotency', () => {
  it('returns the first result for the same key and the same input, storing one application', async () => {
    const input = application({ child: { name: '冪等 太郎', kana: 'ベキトウ タロウ', birthDate: '2024-05-05', sex: 'MALE' } });
    const first = await t.ok(SUBMIT, { input }, DEMO_KEYS.PARTNER);
    const before = await counts();
    // Key order differs: the same input all the same.
    const reordered = Object.fromEntries(Object.entries(input).reverse());
    const second = await t.ok(SUBMIT, { input: reordered }, DEMO_KEYS.PARTNER);
    expect(second.submitApplication.replayed).toBe(true);
    expect(second.submitApplication.application.id).toBe(first.submitApplication.application.id);
    expect(await counts()).toEqual(before);
  });

  it('refuses the same key with a different input as CONFLICT', async () => {
    const input = application({ child: { name: '衝突 花子', kana: 'ショウトツ ハナコ', birthDate: '2024-05-06', sex: 'FEMALE' } });
    await t.ok(SUBMIT, { input }, DEMO_KEYS.PARTNER);
    const before = await counts();
    const r = await t.gql(SUBMIT, { input: { ...input, intakeMonth: '2026-12' } }, DEMO_KEYS.PARTNER);
    expect(r.errors?.[0].extensions).toMatchObject({ code: 'CONFLICT', field: 'input.idempotencyKey' });
    expect(await counts()).toEqual(before);
  });

  it('keeps each partner\'s keys apart', async () => {
    const input = application({ child: { name: '別 花子', kana: 'ベツ ハナコ', birthDate: '2024-05-07', sex: 'FEMALE' } });
    const a = await t.ok(SUBMIT, { input }, DEMO_KEYS.PARTNER);
    const b = await t.ok(SUBMIT, { input }, DEMO_KEYS.PARTNER_2);
    expect(b.submitApplication.replayed).toBe(false);
    expect(b.submitApplication.application.id).not.toBe(a.submitApplication.application.id);
  });
});

describe('refusals: the precise reason, and nothing stored', () => {
  const cases: Array<[string, () => Record<string, unknown>, string, string]> = [
    ['a facility that does not take the class age', () => ({ child: { name: 'x', kana: 'エックス', birthDate: '2021-06-01', sex: 'MALE' } }), 'WISH_CLASS_AGE_NOT_TAKEN', 'input.wishes[0].facilityId'],
    ['the same facility twice', () => ({ wishes: [{ rank: 1, facilityId: itabashiFacilities[0] }, { rank: 2, facilityId: itabashiFacilities[0] }] }), 'DUPLICATE_WISH', 'input.wishes[1].facilityId'],
    ['more wishes than the municipality allows', () => ({ wishes: tooManyFacilities.map((facilityId, i) => ({ rank: i + 1, facilityId })) }), 'TOO_MANY_WISHES', 'input.wishes'],
    ['a deadline that has passed', () => ({ intakeMonth: '2026-10' }), 'DEADLINE_PASSED', 'input.intakeMonth'],
    ['an impossible date', () => ({ child: { name: 'x', kana: 'エックス', birthDate: '2024-02-30', sex: 'MALE' } }), 'BAD_USER_INPUT', 'input.child.birthDate'],
    ['a residence municipality that does not take part', () => ({ residenceMunicipalityCode: '011002' }), 'MUNICIPALITY_NOT_PARTICIPATING', 'input.residenceMunicipalityCode'],
    ['a missing employment certificate where incomplete applications are refused', () => ({ residenceMunicipalityCode: ADACHI, wishes: [{ rank: 1, facilityId: adachiFacility }], documents: [] }), 'DOCUMENTS_MISSING', 'input.documents'],
    ['employment without its details', () => ({ guardians: [{ name: 'a', kana: 'ア', relationship: 'MOTHER', careReason: 'EMPLOYMENT' }] }), 'BAD_USER_INPUT', 'input.guardians[0].employment'],
  ];

  it.each(cases)('refuses %s', async (_, overrides, code, field) => {
    const before = await counts();
    const r = await t.gql(SUBMIT, { input: application(overrides()) }, DEMO_KEYS.PARTNER);
    expect(r.errors?.[0].extensions).toMatchObject({ code, field });
    expect(await counts()).toEqual(before);
  });

  it('names the earliest open month when the deadline has passed', async () => {
    const r = await t.gql(SUBMIT, { input: application({ intakeMonth: '2026-10' }) }, DEMO_KEYS.PARTNER);
    expect(r.errors?.[0].extensions.details).toMatchObject({ earliestOpenMonth: '2026-11', outOfArea: true });
    expect(r.errors?.[0].message).toContain('2026-11');
  });

  it('names the facility whose class age does not fit', async () => {
    const r = await t.gql(SUBMIT, { input: application({ child: { name: 'x', kana: 'エックス', birthDate: '2021-06-01', sex: 'MALE' } }) }, DEMO_KEYS.PARTNER);
    const [facility] = await t.db.query(`SELECT name FROM facility WHERE id = $1`, [itabashiFacilities[0]]);
    expect(r.errors?.[0].message).toContain(facility.name);
  });

  it('refuses a second active application for the same child and intake month', async () => {
    const child = { name: '重複 花子', kana: 'ジュウフク ハナコ', birthDate: '2024-08-08', sex: 'FEMALE' };
    await t.ok(SUBMIT, { input: application({ child }) }, DEMO_KEYS.PARTNER);
    const before = await counts();
    // Another key, the kana typed in hiragana with other spacing: still the same child.
    const r = await t.gql(SUBMIT, { input: application({ child: { ...child, kana: 'じゅうふく　はなこ' } }) }, DEMO_KEYS.PARTNER);
    expect(r.errors?.[0].extensions).toMatchObject({ code: 'DUPLICATE_ACTIVE_APPLICATION', field: 'input.child' });
    expect(await counts()).toEqual(before);
  });

  it('accepts an incomplete application where the municipality allows it, naming what is missing', async () => {
    const { submitApplication } = await t.ok(SUBMIT, {
      input: application({ child: { name: '不足 花子', kana: 'フソク ハナコ', birthDate: '2024-09-09', sex: 'FEMALE' }, documents: [{ kind: 'APPLICATION_FORM', reference: 'f' }] }),
    }, DEMO_KEYS.PARTNER);
    expect(submitApplication.application.incomplete).toBe(true);
    expect(submitApplication.application.missingDocuments).toEqual(['HOUSEHOLD_STATEMENT', 'CHILD_STATUS_STATEMENT', 'EMPLOYMENT_CERTIFICATE']);
  });
});

describe('PULL: a municipality reads its feed and acknowledges it', () => {
  const FEED = `query($after: String) { municipalityFeed(after: $after, first: 10) { acknowledgedCursor hasMore entries { cursor kind applicationId documentJson } } }`;

  it('delivers through the feed and moves the application to DELIVERED on acknowledgement', async () => {
    await t.ok(CONFIGURE, { input: { municipalityCode: ADACHI, mode: 'PULL', acceptsIncomplete: false } }, DEMO_KEYS.ADMIN);
    const { submitApplication } = await t.ok(SUBMIT, {
      input: application({
        child: { name: '足立 一郎', kana: 'アダチ イチロウ', birthDate: '2024-10-10', sex: 'MALE' },
        residenceMunicipalityCode: ADACHI, household: { address: '東京都足立区中央本町1-17-1', memberCount: 3 },
        wishes: [{ rank: 1, facilityId: adachiFacility }],
      }),
    }, DEMO_KEYS.PARTNER);
    const id = submitApplication.application.id;
    expect(submitApplication.application.routing.recipients).toEqual([expect.objectContaining({ municipalityCode: ADACHI, deliveryMode: 'PULL' })]);

    const feed = await t.ok(FEED, {}, DEMO_KEYS.MUNICIPALITY_ADACHI);
    const entry = feed.municipalityFeed.entries.find((e: { applicationId: string }) => e.applicationId === id);
    expect(entry.kind).toBe('APPLICATION');
    const document = JSON.parse(entry.documentJson);
    expect(document).toMatchObject({ applicationId: id, role: 'APPLICATION', forwarded: false, personalDataIncluded: true });
    expect(document.personal.child.name).toBe('足立 一郎');
    // Stored encrypted: the feed payload does not hold the name in clear.
    const [stored] = await t.db.query(`SELECT payload FROM municipality_feed_entry WHERE application_id = $1`, [id]);
    expect(stored.payload).not.toContain('足立 一郎');

    expect(entry.cursor).toMatch(/^fc1_/);

    const ack = await t.ok(`mutation($c: String!) { acknowledgeMunicipalityFeed(cursor: $c) { acknowledgedCursor deliveredApplicationIds } }`, { c: entry.cursor }, DEMO_KEYS.MUNICIPALITY_ADACHI);
    expect(ack.acknowledgeMunicipalityFeed.deliveredApplicationIds).toContain(id);
    const read = await t.ok(READ, { id }, DEMO_KEYS.PARTNER);
    expect(read.application.status).toBe('DELIVERED');
    expect(read.application.timeline[1]).toEqual({ seq: 2, type: 'DELIVERY_ACKNOWLEDGED', actor: 'MUNICIPALITY', toStatus: 'DELIVERED' });

    // Acknowledging again changes nothing; the next read starts after the acknowledged cursor.
    const again = await t.ok(`mutation($c: String!) { acknowledgeMunicipalityFeed(cursor: $c) { deliveredApplicationIds } }`, { c: entry.cursor }, DEMO_KEYS.MUNICIPALITY_ADACHI);
    expect(again.acknowledgeMunicipalityFeed.deliveredApplicationIds).toEqual([]);
    const next = await t.ok(FEED, {}, DEMO_KEYS.MUNICIPALITY_ADACHI);
    expect(next.municipalityFeed.entries.map((e: { applicationId: string }) => e.applicationId)).not.toContain(id);

    const feedAudit = await t.db.query(`SELECT count(*)::int AS n FROM audit_log WHERE action = 'application.feed.read' AND subject_id = $1`, [id]);
    expect(feedAudit[0].n).toBeGreaterThan(0);
  });

  it("refuses another municipality's cursor, one beyond its own feed and a malformed one, revealing no position", async () => {
    const ACK = `mutation($c: String!) { acknowledgeMunicipalityFeed(cursor: $c) { acknowledgedCursor deliveredApplicationIds } }`;
    await t.ok(CONFIGURE, { input: { municipalityCode: ITABASHI, mode: 'PULL', acceptsIncomplete: true } }, DEMO_KEYS.ADMIN);
    try {
      const { submitApplication } = await t.ok(SUBMIT, {
        input: application({ child: { name: '板橋 栞', kana: `イタバシ シオリ${RUN}`, birthDate: '2024-06-15', sex: 'FEMALE' }, wishes: [{ rank: 1, facilityId: itabashiFacilities[0] }] }),
      }, DEMO_KEYS.PARTNER);
      const id = submitApplication.application.id;
      // Other tests leave 板橋区's feed unacknowledged: page through it to this application's entry.
      let itabashiCursor: string | undefined;
      for (let after: string | undefined, page = 0; !itabashiCursor && page < 100; page++) {
        const feed = (await t.ok(FEED, { after }, DEMO_KEYS.MUNICIPALITY_ITABASHI)).municipalityFeed;
        itabashiCursor = feed.entries.find((e: { applicationId: string }) => e.applicationId === id)?.cursor;
        if (!feed.hasMore) break;
        after = feed.entries[feed.entries.length - 1].cursor;
      }
      if (!itabashiCursor) throw new Error('the application is not in 板橋区 feed');
      const adachiBefore = (await t.ok(FEED, {}, DEMO_KEYS.MUNICIPALITY_ADACHI)).municipalityFeed.acknowledgedCursor;
      const refusedWithoutDetails = (r: GqlResult, code: string, field: string) => {
        expect(r.errors).toHaveLength(1);
        expect(r.errors![0].extensions).toMatchObject({ code, field });
        // details, where there are any, describe the text's shape only (the text policy's reason), never a position
        // no position of any feed, no last cursor (the only digits are the cursor format's name, "fc1_", and a character's code point)
        const digitsOf = (text: string) => text.replaceAll('fc1_', '').replace(/U\+[0-9A-F]{4,6}/g, '');
        expect(digitsOf(JSON.stringify(r.errors![0].extensions.details ?? {}))).not.toMatch(/\d/);
        expect(digitsOf(r.errors![0].message)).not.toMatch(/\d/);
        expect(digitsOf(r.errors![0].extensions.messageJa)).not.toMatch(/\d/);
      };

      // 足立区 with 板橋区's cursor: to acknowledge, or to read after
      refusedWithoutDetails(await t.gql(ACK, { c: itabashiCursor }, DEMO_KEYS.MUNICIPALITY_ADACHI), 'FEED_CURSOR_UNKNOWN', 'cursor');
      refusedWithoutDetails(await t.gql(FEED, { after: itabashiCursor }, DEMO_KEYS.MUNICIPALITY_ADACHI), 'FEED_CURSOR_UNKNOWN', 'after');
      // a cursor the hub would make for 足立区, past its last entry (e.g. one whose entries were deleted)
      const [{ last }] = await t.db.query(`SELECT max(id)::text AS last FROM municipality_feed_entry`);
      const beyond = encodeFeedCursor(parseKeyRing(DEMO_ENCRYPTION_KEYS, 'HUB_ENCRYPTION_KEYS'), ADACHI, BigInt(last) + 1000n);
      refusedWithoutDetails(await t.gql(ACK, { c: beyond }, DEMO_KEYS.MUNICIPALITY_ADACHI), 'FEED_CURSOR_UNKNOWN', 'cursor');
      // not cursors at all
      for (const c of ['999999999', '1', '', 'fc1_', `fc1_${'A'.repeat(21)}B`, '\u0000']) {
        refusedWithoutDetails(await t.gql(ACK, { c }, DEMO_KEYS.MUNICIPALITY_ADACHI), 'BAD_USER_INPUT', 'cursor');
      }
      refusedWithoutDetails(await t.gql(FEED, { after: '1' }, DEMO_KEYS.MUNICIPALITY_ADACHI), 'BAD_USER_INPUT', 'after');
      // nothing changed for either
      expect((await t.ok(FEED, {}, DEMO_KEYS.MUNICIPALITY_ADACHI)).municipalityFeed.acknowledgedCursor).toBe(adachiBefore);
      expect((await t.ok(READ, { id }, DEMO_KEYS.PARTNER)).application.status).toBe('SUBMITTED');

      // 板橋区's own cursor works for 板橋区, and the answer is its own cursor back
      const ack = await t.ok(ACK, { c: itabashiCursor }, DEMO_KEYS.MUNICIPALITY_ITABASHI);
      expect(ack.acknowledgeMunicipalityFeed).toEqual({ acknowledgedCursor: itabashiCursor, deliveredApplicationIds: expect.arrayContaining([id]) });
      expect((await t.ok(FEED, {}, DEMO_KEYS.MUNICIPALITY_ITABASHI)).municipalityFeed.acknowledgedCursor).toBe(itabashiCursor);
    } finally {
      await t.ok(CONFIGURE, { input: { municipalityCode: ITABASHI, mode: 'PUSH', endpointUrl: `${itabashiReceiver.url}/hub`, acceptsIncomplete: true } }, DEMO_KEYS.ADMIN);
    }
  });

  it('only lets a municipality read its own feed', async () => {
    const r = await t.gql(`{ municipalityFeed { acknowledgedCursor } }`, {}, DEMO_KEYS.PARTNER);
    expect(r.errors?.[0].extensions.code).toBe('FORBIDDEN');
  });
});

describe('BATCH: a CSV per intake month', () => {
  it('serves the documented columns to the municipality, and the download hands the applications over', async () => {
    await t.ok(CONFIGURE, { input: { municipalityCode: ITABASHI, mode: 'BATCH' } }, DEMO_KEYS.ADMIN);
    const { submitApplication } = await t.ok(SUBMIT, {
      input: application({ child: { name: '一括 花子', kana: 'イッカツ ハナコ', birthDate: '2024-11-11', sex: 'FEMALE' }, wishes: [{ rank: 1, facilityId: itabashiFacilities[0] }] }),
    }, DEMO_KEYS.PARTNER);
    const id = submitApplication.application.id;
    const url = `${t.url}/municipalities/${ITABASHI}/batches/2026-11.csv`;
    const forbidden = await fetch(url, { headers: { authorization: `Bearer ${DEMO_KEYS.MUNICIPALITY_ADACHI}` } });
    expect(forbidden.status).toBe(403);
    const res = await fetch(url, { headers: { authorization: `Bearer ${DEMO_KEYS.MUNICIPALITY_ITABASHI}` } });
    expect(res.status).toBe(200);
    const text = (await res.text()).replace(/^\uFEFF/, '');
    const [header, ...lines] = text.trim().split('\r\n');
    expect(header.split(',').slice(0, 3)).toEqual(['application_id', 'role', 'forwarded_by']);
    const line = lines.find((l) => l.startsWith(id));
    expect(line).toContain('一括 花子');
    const read = await t.ok(READ, { id }, DEMO_KEYS.PARTNER);
    expect(read.application.status).toBe('DELIVERED');
  });
});

describeWithRealPostgres('concurrent identical submissions', () => {
  it('10 parallel submissions with one key store one application', async () => {
    const input = application({ child: { name: '並行 花子', kana: 'ヘイコウ ハナコ', birthDate: '2024-12-12', sex: 'FEMALE' } });
    const results = await Promise.all(Array.from({ length: 10 }, () => t.gql(SUBMIT, { input }, DEMO_KEYS.PARTNER)));
    results.forEach((r) => expect(r.errors).toBeUndefined());
    const ids = new Set(results.map((r) => r.data.submitApplication.application.id));
    expect(ids.size).toBe(1);
    const [{ n }] = await t.db.query(`SELECT count(*)::int AS n FROM application WHERE idempotency_key = $1`, [input.idempotencyKey]);
    expect(n).toBe(1);
  });
});
