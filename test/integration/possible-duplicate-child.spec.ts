import { GraphQLSchemaHost } from '@nestjs/graphql';
import { getNamedType, GraphQLNamedType, isObjectType } from 'graphql';
import { facilityTaking } from '../support/applications';
import { DEMO_KEYS, describeWithRealPostgres, Receiver, startReceiver, startTestHub, TestHub } from '../support/hub';

/**
 * Issue 15, item 9: the same child through two partner apps. A child (kana name, birth date,
 * residence municipality) with a live application for an intake month is one applicant for the
 * municipality: a second partner's application is accepted, both are flagged to the municipality
 * (GraphQL, feed, push, batch), and neither partner learns anything of the other.
 */
const SHIBUYA = '131130'; // PULL here
const EDOGAWA = '131237'; // PUSH here
const SHINAGAWA = '131091'; // BATCH here

const SUBMIT = `mutation($input: SubmitApplicationInput!) { submitApplication(input: $input) { replayed application {
  id status intakeMonth classAge incomplete missingDocuments validUntil version
  routing { primaryMunicipalityCode outOfArea recipients { municipalityCode role reason deliveryMode deliveredAt acknowledgedAt } reasons { code municipalityCode textEn textJa } }
  wishes { rank facilityId municipalityCode }
  personalData { child { name kana birthDate sex healthNotes } household { address phone memberCount } guardians { name kana relationship careReason } siblings { name } documents { kind reference } }
  timeline { seq type actor fromStatus toStatus messageEn messageJa } } } }`;
const READ = `query($id: ID!) { application(id: $id) { id status routing { recipients { municipalityCode } } personalData { child { name kana } } timeline { seq type actor toStatus messageEn messageJa } } }`;
const DUPLICATES = `query($id: ID!) { possibleDuplicateApplications(applicationId: $id) { applicationId status intakeMonth submittedAt detectedAt } }`;
const FEED = `query($after: String) { municipalityFeed(after: $after, first: 100) { hasMore entries { cursor applicationId documentJson } } }`;
const CONFIGURE = `mutation($input: ConfigureMunicipalityDeliveryInput!) { configureMunicipalityDelivery(input: $input) { setting { mode } } }`;

let t: TestHub;
let receiver: Receiver;
const keys: Record<string, string> = {};
const facilities: Record<string, string> = {};
let counter = 0;
const STARTED = Date.now();
const RUN = `${process.pid}${STARTED}`.slice(-7).replace(/\d/g, (d) => 'サシスセソタチツテト'[Number(d)]);

/** A child of the 1歳児 class for FY2026 that no other test uses. */
function child(tag: string, birthDate = '2024-07-07') {
  return { name: '重複 花子', kana: `チョウフク ${RUN}${tag}`, birthDate, sex: 'FEMALE' };
}

function application(c: ReturnType<typeof child>, residence: string, overrides: Record<string, unknown> = {}) {
  counter++;
  return {
    idempotencyKey: `duplicate-child-${process.pid}-${STARTED}-${counter}`,
    child: c,
    household: { address: '東京都内', memberCount: 3 },
    guardians: [{ name: '保護者 太郎', kana: 'ホゴシャ タロウ', relationship: 'FATHER', careReason: 'EMPLOYMENT', employment: { employerName: '株式会社テスト', daysPerWeek: 5, startTime: '09:00', endTime: '18:00', hoursPerMonth: 160 } }],
    residenceMunicipalityCode: residence,
    intakeMonth: '2026-11',
    wishes: [{ rank: 1, facilityId: facilities[residence] }],
    applicationType: 'NEW',
    documents: ['APPLICATION_FORM', 'HOUSEHOLD_STATEMENT', 'CHILD_STATUS_STATEMENT', 'EMPLOYMENT_CERTIFICATE'].map((kind, i) => ({ kind, reference: `file-${i + 1}` })),
    ...overrides,
  };
}

async function submit(partnerKey: string, input: Record<string, unknown>) {
  const r = await t.ok(SUBMIT, { input }, partnerKey);
  return r.submitApplication;
}

async function duplicatesOf(id: string, key: string): Promise<string[]> {
  const r = await t.ok(DUPLICATES, { id }, key);
  return r.possibleDuplicateApplications.map((d: { applicationId: string }) => d.applicationId);
}

/** The shape of a value: keys and types, not the values themselves. */
function shape(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(shape);
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).sort(([a], [b]) => a.localeCompare(b)).map(([k, v]) => [k, shape(v)]));
  return value === null ? null : typeof value;
}

beforeAll(async () => {
  t = await startTestHub();
  t.clock.set(new Date('2026-09-20T10:00:00+09:00'));
  receiver = await startReceiver();
  for (const [code, name] of [[SHIBUYA, '渋谷区'], [EDOGAWA, '江戸川区'], [SHINAGAWA, '品川区']]) {
    facilities[code] = await facilityTaking(t.db, code, 1);
    const created = await t.ok(`mutation($input: CreateApiClientInput!) { createApiClient(input: $input) { key } }`,
      { input: { name: `${name} (duplicate-child test)`, role: 'MUNICIPALITY', municipalityCode: code } }, DEMO_KEYS.ADMIN);
    keys[code] = created.createApiClient.key;
  }
  await t.ok(CONFIGURE, { input: { municipalityCode: SHIBUYA, mode: 'PULL', acceptsIncomplete: true } }, DEMO_KEYS.ADMIN);
  await t.ok(CONFIGURE, { input: { municipalityCode: EDOGAWA, mode: 'PUSH', endpointUrl: `${receiver.url}/edogawa`, acceptsIncomplete: true } }, DEMO_KEYS.ADMIN);
  await t.ok(CONFIGURE, { input: { municipalityCode: SHINAGAWA, mode: 'BATCH', acceptsIncomplete: true } }, DEMO_KEYS.ADMIN);
});

afterAll(async () => {
  await t?.close();
  await receiver?.close();
});

describe('two partner apps, the same child and intake month', () => {
  let first: any;
  let second: any;
  let control: any;

  beforeAll(async () => {
    first = await submit(DEMO_KEYS.PARTNER, application(child('ア'), SHIBUYA));
    // The second partner types the kana in hiragana with an ideographic space, and the kanji name with 髙: still the same child.
    const sameChild = { ...child('ア'), name: '重複\u3000花子', kana: `ちょうふく\u3000${RUN.replace(/./g, (c) => String.fromCharCode(c.charCodeAt(0) - 0x60))}あ` };
    second = await submit(DEMO_KEYS.PARTNER_2, application(sameChild, SHIBUYA));
    control = await submit(DEMO_KEYS.PARTNER_2, application(child('イ'), SHIBUYA));
  });

  it('accepts both', () => {
    expect(first).toMatchObject({ replayed: false, application: { status: 'SUBMITTED' } });
    expect(second).toMatchObject({ replayed: false, application: { status: 'SUBMITTED' } });
    expect(second.application.id).not.toBe(first.application.id);
  });

  it('answers the second partner exactly as for any other child', () => {
    expect(shape(second)).toEqual(shape(control));
    expect(second.application.timeline).toEqual(control.application.timeline);
    expect(JSON.stringify(second)).not.toContain(first.application.id);
    expect(JSON.stringify(second)).not.toMatch(/duplicate|重複申込/i);
  });

  it('tells neither partner about the other application', async () => {
    const asSecond = await t.ok(READ, { id: second.application.id }, DEMO_KEYS.PARTNER_2);
    const asFirst = await t.ok(READ, { id: first.application.id }, DEMO_KEYS.PARTNER);
    expect(JSON.stringify(asSecond)).not.toContain(first.application.id);
    expect(JSON.stringify(asFirst)).not.toContain(second.application.id);
    expect(asFirst.application.timeline.map((e: { type: string }) => e.type)).toEqual(['SUBMITTED']);
    expect(asSecond.application.timeline.map((e: { type: string }) => e.type)).toEqual(['SUBMITTED']);
    for (const [key, id] of [[DEMO_KEYS.PARTNER, first.application.id], [DEMO_KEYS.PARTNER_2, second.application.id]]) {
      const r = await t.gql(DUPLICATES, { id }, key);
      expect(r.errors?.[0].extensions.code).toBe('FORBIDDEN');
      expect(r.data).toBeNull();
    }
  });

  it('exposes nothing of it in any type a partner reads', () => {
    const { schema } = t.hub.app.get(GraphQLSchemaHost);
    const seen = new Set<string>();
    const fieldNames: string[] = [];
    const walk = (type: GraphQLNamedType) => {
      if (seen.has(type.name) || !isObjectType(type)) return;
      seen.add(type.name);
      for (const field of Object.values(type.getFields())) {
        fieldNames.push(`${type.name}.${field.name}`);
        walk(getNamedType(field.type));
      }
    };
    walk(schema.getType('ApplicationView')!);
    walk(schema.getType('SubmitApplicationPayload')!);
    expect(fieldNames.length).toBeGreaterThan(40);
    expect(fieldNames.filter((f) => /duplicate/i.test(f))).toEqual([]);
  });

  it('flags both to the municipality in its GraphQL view', async () => {
    expect(await duplicatesOf(first.application.id, keys[SHIBUYA])).toEqual([second.application.id]);
    expect(await duplicatesOf(second.application.id, keys[SHIBUYA])).toEqual([first.application.id]);
    const [entry] = (await t.ok(DUPLICATES, { id: second.application.id }, keys[SHIBUYA])).possibleDuplicateApplications;
    expect(entry).toMatchObject({ applicationId: first.application.id, status: 'SUBMITTED', intakeMonth: '2026-11' });
    expect(await duplicatesOf(first.application.id, DEMO_KEYS.ADMIN)).toEqual([second.application.id]);
    expect(await duplicatesOf(control.application.id, keys[SHIBUYA])).toEqual([]);
  });

  it('flags both in the documents of its feed', async () => {
    const feed = await t.ok(FEED, {}, keys[SHIBUYA]);
    const documentOf = (id: string) => JSON.parse(feed.municipalityFeed.entries.find((e: { applicationId: string }) => e.applicationId === id).documentJson);
    expect(documentOf(first.application.id).possibleDuplicateOfApplicationIds).toEqual([second.application.id]);
    expect(documentOf(second.application.id).possibleDuplicateOfApplicationIds).toEqual([first.application.id]);
    expect(documentOf(control.application.id).possibleDuplicateOfApplicationIds).toEqual([]);
  });

  it('keeps the per-partner rule: the same partner again is DUPLICATE_ACTIVE_APPLICATION, about its own application only', async () => {
    const again = await t.gql(SUBMIT, { input: application(child('ア'), SHIBUYA) }, DEMO_KEYS.PARTNER_2);
    expect(again.errors?.[0].extensions).toMatchObject({ code: 'DUPLICATE_ACTIVE_APPLICATION', field: 'input.child', details: { applicationId: second.application.id } });
    expect(JSON.stringify(again.errors)).not.toContain(first.application.id);
  });

  it('tells another municipality nothing it does not receive', async () => {
    const r = await t.gql(DUPLICATES, { id: first.application.id }, keys[EDOGAWA]);
    expect(r.errors?.[0].extensions.code).toBe('NOT_FOUND');
  });
});

describe('not the same applicant', () => {
  it.each([
    ['another birth date', () => child('エ', '2024-07-08'), SHIBUYA],
    ['another residence municipality', () => child('オ'), SHINAGAWA],
  ])('%s: no flag', async (_name, second, residence) => {
    const tag = second().kana.slice(-1);
    const a = await submit(DEMO_KEYS.PARTNER, application(child(tag), SHIBUYA));
    const b = await submit(DEMO_KEYS.PARTNER_2, application(second(), residence));
    expect(await duplicatesOf(a.application.id, DEMO_KEYS.ADMIN)).toEqual([]);
    expect(await duplicatesOf(b.application.id, DEMO_KEYS.ADMIN)).toEqual([]);
  });

  it('another intake month: no flag', async () => {
    const a = await submit(DEMO_KEYS.PARTNER, application(child('ウ'), SHIBUYA));
    // December's window opens on 11 October (the demo rule: two months before, on the 11th).
    const now = t.clock.now();
    t.clock.set(new Date('2026-10-15T10:00:00+09:00'));
    try {
      const b = await submit(DEMO_KEYS.PARTNER_2, application(child('ウ'), SHIBUYA, { intakeMonth: '2026-12' }));
      expect(await duplicatesOf(b.application.id, DEMO_KEYS.ADMIN)).toEqual([]);
    } finally {
      t.clock.set(now);
    }
    expect(await duplicatesOf(a.application.id, DEMO_KEYS.ADMIN)).toEqual([]);
  });

  it('a withdrawn application is not live: a later one from another partner is not flagged', async () => {
    const a = await submit(DEMO_KEYS.PARTNER, application(child('カ'), SHIBUYA));
    await t.ok(`mutation($id: ID!) { withdrawApplication(applicationId: $id) { status } }`, { id: a.application.id }, DEMO_KEYS.PARTNER);
    const b = await submit(DEMO_KEYS.PARTNER_2, application(child('カ'), SHIBUYA));
    expect(await duplicatesOf(b.application.id, DEMO_KEYS.ADMIN)).toEqual([]);
  });
});

describe('PUSH and BATCH municipalities', () => {
  it('the pushed notice of the second application names the first', async () => {
    const before = receiver.requests.length;
    const a = await submit(DEMO_KEYS.PARTNER, application(child('キ'), EDOGAWA));
    const b = await submit(DEMO_KEYS.PARTNER_2, application(child('キ'), EDOGAWA));
    await receiver.waitFor(before + 2);
    const notices = receiver.requests.slice(before).map((r) => JSON.parse(r.body).data);
    expect(notices.find((n) => n.applicationId === a.application.id).possibleDuplicateOfApplicationIds).toEqual([]);
    expect(notices.find((n) => n.applicationId === b.application.id).possibleDuplicateOfApplicationIds).toEqual([a.application.id]);
    expect(await duplicatesOf(a.application.id, keys[EDOGAWA])).toEqual([b.application.id]);
  });

  it('the batch file names the other application on both rows', async () => {
    const a = await submit(DEMO_KEYS.PARTNER, application(child('ク'), SHINAGAWA));
    const b = await submit(DEMO_KEYS.PARTNER_2, application(child('ク'), SHINAGAWA));
    const res = await fetch(`${t.url}/municipalities/${SHINAGAWA}/batches/2026-11.csv`, { headers: { authorization: `Bearer ${DEMO_KEYS.ADMIN}` } });
    const [header, ...lines] = (await res.text()).replace(/^\uFEFF/, '').trim().split('\r\n');
    const column = header.split(',').indexOf('possible_duplicate_of_application_ids');
    expect(column).toBe(header.split(',').length - 1);
    const cell = (id: string) => lines.find((l) => l.startsWith(id))!.split(',').at(-1);
    expect(cell(a.application.id)).toBe(b.application.id);
    expect(cell(b.application.id)).toBe(a.application.id);
  });
});

describeWithRealPostgres('two partners submitting the same child at the same moment', () => {
  it('flags every pair, however the submissions interleave', async () => {
    const tags = ['ケ', 'コ', 'ナ', 'ニ', 'ヌ', 'ネ', 'ノ', 'ハ'];
    const pairs = await Promise.all(tags.map(async (tag) => {
      const [a, b] = await Promise.all([
        t.gql(SUBMIT, { input: application(child(tag), SHIBUYA) }, DEMO_KEYS.PARTNER),
        t.gql(SUBMIT, { input: application(child(tag), SHIBUYA) }, DEMO_KEYS.PARTNER_2),
      ]);
      expect(a.errors).toBeUndefined();
      expect(b.errors).toBeUndefined();
      return [a.data.submitApplication.application.id, b.data.submitApplication.application.id] as [string, string];
    }));
    for (const [a, b] of pairs) {
      expect(await duplicatesOf(a, keys[SHIBUYA])).toEqual([b]);
      expect(await duplicatesOf(b, keys[SHIBUYA])).toEqual([a]);
    }
  });
});
