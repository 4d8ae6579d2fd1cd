import { feedPayloadBinding } from '../../src/applications/encrypted-fields';
import { GraphQLSchemaHost } from '@nestjs/graphql';
import { TypeMetadataStorage } from '@nestjs/graphql/dist/schema-builder/storages/type-metadata.storage';
import { getNamedType, GraphQLSchema, isInputObjectType, isObjectType } from 'graphql';
import { ApplicationsService } from '../../src/applications/applications.service';
import { textPolicyOfArg, textPolicyOfField } from '../../src/common/text-field';
import { findForbiddenCharacter } from '../../src/common/text-policy';
import { facilityTaking } from '../support/applications';
import { DEMO_KEYS, Receiver, startReceiver, startTestHub, TestHub } from '../support/hub';

/**
 * Issue 15, item 3: one text policy per kind of field at the GraphQL boundary. Every String input
 * has a policy (the schema walk below fails for a new field without one); garbage in personal data
 * is refused naming the field, with nothing stored; what is accepted reaches municipalities
 * normalised and free of control characters.
 */
const MEGURO = '131105';
const SUGINAMI = '131156';

const SUBMIT = `mutation($input: SubmitApplicationInput!) { submitApplication(input: $input) { replayed application { id
  personalData { child { name kana } household { address phone } guardians { name kana employment { employerName startTime } } documents { reference } } } } }`;
const CONFIGURE = `mutation($input: ConfigureMunicipalityDeliveryInput!) { configureMunicipalityDelivery(input: $input) { setting { mode } } }`;
const FEED = `query($after: String) { municipalityFeed(after: $after, first: 100) { hasMore entries { cursor applicationId documentJson } } }`;

let t: TestHub;
let receiver: Receiver;
let meguroKey: string;
let meguroFacility: string;
let suginamiFacility: string;
let counter = 0;
const STARTED = Date.now();
const RUN = `${process.pid}${Date.now()}`.slice(-8).replace(/\d/g, (d) => 'マミムメモヤユヨラリ'[Number(d)]);

function application(overrides: Record<string, unknown> = {}) {
  counter++;
  return {
    idempotencyKey: `text-policy-${process.pid}-${STARTED}-${counter}`,
    child: { name: '目黒 花子', kana: `メグロ ハナコ${RUN}${'アイウエオカキクケコ'[counter % 10]}`, birthDate: '2024-06-15', sex: 'FEMALE' },
    household: { address: '東京都目黒区上目黒2-19-15', phone: '03-3715-1111', memberCount: 3 },
    guardians: [{ name: '目黒 太郎', kana: 'メグロ タロウ', relationship: 'FATHER', careReason: 'EMPLOYMENT', employment: { employerName: '株式会社テスト', daysPerWeek: 5, startTime: '09:00', endTime: '18:00', hoursPerMonth: 160 } }],
    residenceMunicipalityCode: MEGURO,
    intakeMonth: '2026-11',
    wishes: [{ rank: 1, facilityId: meguroFacility }],
    applicationType: 'NEW',
    documents: ['APPLICATION_FORM', 'HOUSEHOLD_STATEMENT', 'CHILD_STATUS_STATEMENT', 'EMPLOYMENT_CERTIFICATE'].map((kind, i) => ({ kind, reference: `partner-file-${i + 1}` })),
    ...overrides,
  };
}

async function stored() {
  const [row] = await t.db.query(`SELECT (SELECT count(*) FROM application)::int AS applications,
    (SELECT count(*) FROM municipality_feed_entry)::int AS feed,
    (SELECT count(*) FROM outbox_message WHERE type IN ('jp.hokatsu.application.submitted', 'jp.hokatsu.application.forwarded'))::int AS messages`);
  return row;
}

/** Every string inside a JSON value, with its path. */
function strings(value: unknown, path = '$'): Array<[string, string]> {
  if (typeof value === 'string') return [[path, value]];
  if (Array.isArray(value)) return value.flatMap((v, i) => strings(v, `${path}[${i}]`));
  if (value && typeof value === 'object') return Object.entries(value).flatMap(([k, v]) => strings(v, `${path}.${k}`));
  return [];
}

beforeAll(async () => {
  t = await startTestHub();
  // 20 Sept 2026 (JST): the November 2026 intake is open.
  t.clock.set(new Date('2026-09-20T10:00:00+09:00'));
  receiver = await startReceiver();
  meguroFacility = await facilityTaking(t.db, MEGURO, 1);
  suginamiFacility = await facilityTaking(t.db, SUGINAMI, 1);
  const created = await t.ok(`mutation { createApiClient(input: { name: "目黒区 子ども家庭部 (test)", role: MUNICIPALITY, municipalityCode: "${MEGURO}" }) { key } }`, {}, DEMO_KEYS.ADMIN);
  meguroKey = created.createApiClient.key;
  await t.ok(CONFIGURE, { input: { municipalityCode: MEGURO, mode: 'PULL', acceptsIncomplete: true } }, DEMO_KEYS.ADMIN);
  await t.ok(CONFIGURE, { input: { municipalityCode: SUGINAMI, mode: 'PUSH', endpointUrl: `${receiver.url}/suginami`, acceptsIncomplete: true } }, DEMO_KEYS.ADMIN);
});

afterAll(async () => {
  await t?.close();
  await receiver?.close();
});

describe('every String input of the served schema has a text policy', () => {
  type ArgMeta = { kind: 'arg' | 'args'; name?: string; index: number; target: Function; methodName: string; typeFn: () => unknown };
  type PropertyMeta = { name: string; schemaName: string; methodArgs?: ArgMeta[] };

  function argsClassProperty(argsClass: Function, schemaName: string): { target: Function; property: string } | undefined {
    const all = TypeMetadataStorage.getArgumentsMetadata() as Array<{ target: Function; properties: PropertyMeta[] }>;
    for (let c: Function | null = argsClass; c && c !== Function.prototype; c = Object.getPrototypeOf(c)) {
      const property = all.find((m) => m.target === c)?.properties.find((p) => p.schemaName === schemaName);
      if (property) return { target: argsClass, property: property.name };
    }
    return undefined;
  }

  function methodArgsOf(typeName: string, fieldName: string): ArgMeta[] | undefined {
    if (typeName === 'Query') return (TypeMetadataStorage.getQueriesMetadata() as Array<{ schemaName: string; methodArgs?: ArgMeta[] }>).find((q) => q.schemaName === fieldName)?.methodArgs;
    if (typeName === 'Mutation') return (TypeMetadataStorage.getMutationsMetadata() as Array<{ schemaName: string; methodArgs?: ArgMeta[] }>).find((q) => q.schemaName === fieldName)?.methodArgs;
    const objectType = (TypeMetadataStorage.getObjectTypesMetadata() as Array<{ name: string; properties: PropertyMeta[] }>).find((o) => o.name === typeName);
    return objectType?.properties.find((p) => p.schemaName === fieldName)?.methodArgs;
  }

  /** String inputs (input object fields and arguments, lists included) and the policy each declares. */
  function stringInputs(schema: GraphQLSchema): Array<{ coordinate: string; policy: string | undefined }> {
    const found: Array<{ coordinate: string; policy: string | undefined }> = [];
    const inputTypes = TypeMetadataStorage.getInputTypesMetadata() as Array<{ name: string; target: Function; properties: PropertyMeta[] }>;
    for (const type of Object.values(schema.getTypeMap())) {
      if (type.name.startsWith('__')) continue;
      if (isInputObjectType(type)) {
        const meta = inputTypes.find((m) => m.name === type.name);
        for (const field of Object.values(type.getFields())) {
          if (getNamedType(field.type).name !== 'String') continue;
          const property = meta?.properties.find((p) => p.schemaName === field.name);
          found.push({ coordinate: `${type.name}.${field.name}`, policy: meta && property ? textPolicyOfField(meta.target, property.name)?.kind : undefined });
        }
      }
      if (isObjectType(type)) {
        for (const field of Object.values(type.getFields())) {
          for (const arg of field.args) {
            if (getNamedType(arg.type).name !== 'String') continue;
            const methodArgs = methodArgsOf(type.name, field.name) ?? [];
            let policy: string | undefined;
            const flat = methodArgs.find((a) => a.kind === 'arg' && a.name === arg.name);
            if (flat) policy = textPolicyOfArg(flat.target, flat.methodName, flat.index)?.kind;
            for (const argsParam of methodArgs.filter((a) => a.kind === 'args')) {
              const property = argsClassProperty(argsParam.typeFn() as Function, arg.name);
              if (property) policy = textPolicyOfField(property.target, property.property)?.kind;
            }
            found.push({ coordinate: `${type.name}.${field.name}(${arg.name})`, policy });
          }
        }
      }
    }
    return found;
  }

  it('finds the String inputs, and none of them lacks a policy', () => {
    const { schema } = t.hub.app.get(GraphQLSchemaHost);
    const inputs = stringInputs(schema);
    // The walk sees every kind of place a String input can be declared.
    expect(inputs.map((i) => i.coordinate)).toEqual(expect.arrayContaining([
      'ChildInput.kana', 'HouseholdInput.phone', 'RegisterWebhookEndpointInput.topics', // input object fields, a list
      'Query.municipality(code)', 'Facility.vacancies(intakeMonth)', 'Mutation.declineOffer(reason)', // flat arguments, on a field resolver too
      'Query.facilities(after)', 'Query.classAge(birthDate)', 'Mutation.importVacancies(content)', // args classes, inherited (PageArgs) too
    ]));
    expect(inputs.length).toBeGreaterThan(100);
    expect(inputs.filter((i) => !i.policy).map((i) => i.coordinate)).toEqual([]);
  });

  it('applies the kind meant for each personal field', () => {
    const { schema } = t.hub.app.get(GraphQLSchemaHost);
    const policies = Object.fromEntries(stringInputs(schema).map((i) => [i.coordinate, i.policy]));
    expect(policies).toMatchObject({
      'ChildInput.name': 'personName', 'ChildInput.kana': 'kanaName', 'GuardianInput.name': 'personName', 'GuardianInput.kana': 'kanaName',
      'SiblingInput.name': 'personName', 'SiblingInput.kana': 'kanaName', 'HouseholdInput.address': 'address', 'HouseholdInput.phone': 'phone',
      'EmploymentDetailsInput.employerName': 'organisationName', 'DocumentInput.reference': 'reference', 'ChildInput.healthNotes': 'note',
      'SubmitApplicationInput.idempotencyKey': 'key', 'ChildInput.birthDate': 'date',
    });
  });
});

describe('submitApplication refuses garbage in personal data, naming the field, and stores nothing', () => {
  const base = () => application();
  const cases: Array<[string, (i: any) => void, string]> = [
    ['a NUL in the child\'s name', (i) => { i.child.name = '目黒\u0000花子'; }, 'input.child.name'],
    ['an ANSI escape in the address', (i) => { i.household.address = '東京都目黒区\u001b[2J上目黒2-19-15'; }, 'input.household.address'],
    ['a right-to-left override in the employer', (i) => { i.guardians[0].employment.employerName = '株式会社\u202eトステ'; }, 'input.guardians[0].employment.employerName'],
    ['a zero-width space in a document reference', (i) => { i.documents[1].reference = 'partner\u200b-file'; }, 'input.documents[1].reference'],
    ['a lone surrogate in the health notes', (i) => { i.child.healthNotes = 'アレルギー\ud842'; }, 'input.child.healthNotes'],
    ['a name of spaces only', (i) => { i.guardians[0].name = '\u3000 \u3000'; }, 'input.guardians[0].name'],
    ['kana that is not kana', (i) => { i.child.kana = '目黒 花子'; }, 'input.child.kana'],
    ['Latin letters as kana', (i) => { i.guardians[0].kana = 'Meguro Taro'; }, 'input.guardians[0].kana'],
    ['a date as the phone number', (i) => { i.household.phone = '2026-02-30'; }, 'input.household.phone'],
    ['a phone number too short', (i) => { i.household.phone = '03-1234'; }, 'input.household.phone'],
    ['a time that does not exist', (i) => { i.guardians[0].employment.startTime = '25:00'; }, 'input.guardians[0].employment.startTime'],
    ['a sibling\'s name with a control character', (i) => { i.siblings = [{ name: '目黒\u0007次郎', kana: 'メグロ ジロウ', birthDate: '2022-04-10' }]; }, 'input.siblings[0].name'],
  ];

  it.each(cases)('%s', async (_name, spoil, field) => {
    const input = base();
    spoil(input);
    const before = await stored();
    const r = await t.gql(SUBMIT, { input }, DEMO_KEYS.PARTNER);
    expect(r.errors).toHaveLength(1);
    expect(r.errors![0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field });
    expect(r.errors![0].message).toContain(field);
    expect(r.errors![0].extensions.messageJa).toContain(field);
    expect(r.errors![0].extensions.messageJa).toMatch(/[ぁ-んァ-ン一-龯]/);
    // NUL and unpaired surrogates are refused before execution (the request fails as a whole, no data key at all);
    // every other refusal comes from the field's policy, with data null
    expect(r.data ?? null).toBeNull();
    expect(await stored()).toEqual(before);
  });

  it('says what is wrong in both languages without echoing the character', async () => {
    const input = base();
    input.child.name = '目黒\u202e花子';
    const r = await t.gql(SUBMIT, { input }, DEMO_KEYS.PARTNER);
    const error = r.errors![0];
    expect(error.message).toContain('U+202E');
    expect(error.extensions.messageJa).toContain('双方向制御文字');
    expect(JSON.stringify(r.errors)).not.toContain('\u202e');
  });

  it('lists every bad field, not only the first', async () => {
    const input = base();
    input.child.kana = 'abc';
    input.household.phone = '123';
    const r = await t.gql(SUBMIT, { input }, DEMO_KEYS.PARTNER);
    const fields = r.errors![0].extensions.details.fields.map((f: { field: string }) => f.field);
    expect(fields).toEqual(expect.arrayContaining(['input.child.kana', 'input.household.phone']));
  });
});

describe('accepted text is normalised, and what municipalities receive holds no control character', () => {
  it('stores and delivers the normalised forms (half-width kana, full-width digits, ideographic spaces)', async () => {
    const kanaTail = RUN.replace(/./g, (c) => String.fromCharCode(c.charCodeAt(0) - 0x60)); // the run's katakana as hiragana
    const input = application({
      child: { name: '𠮷田\u3000\ufa19子', kana: `ﾖｼﾀﾞ ｼﾝｺ ${kanaTail}`, birthDate: '２０２４－０６－１５', sex: 'FEMALE', healthNotes: '卵アレルギー\r\n（加熱卵は可）' },
      household: { address: '東京都目黒区上目黒２ー１９ー１５　ハイツ目黒１０１', phone: '０３－３７１５－１１１１', memberCount: 3 },
      guardians: [{ name: '髙橋\u3000葛\u{e0100}男', kana: 'たかはし　くずお', relationship: 'FATHER', careReason: 'EMPLOYMENT', employment: { employerName: '株式会社　ＡＢＣ', daysPerWeek: 5, startTime: '０９:００', endTime: '18:00', hoursPerMonth: 160 } }],
      // 杉並区 (PUSH) gets the forwarded notice of a 管外 wish.
      wishes: [{ rank: 1, facilityId: meguroFacility }, { rank: 2, facilityId: suginamiFacility }],
    });
    const requestsBefore = receiver.requests.length;
    const { submitApplication } = await t.ok(SUBMIT, { input }, DEMO_KEYS.PARTNER);
    const { id, personalData } = submitApplication.application;
    expect(personalData.child).toEqual({ name: '𠮷田 \ufa19子', kana: `ヨシダ シンコ ${RUN}` });
    expect(personalData.household).toEqual({ address: '東京都目黒区上目黒2-19-15 ハイツ目黒101', phone: '03-3715-1111' });
    expect(personalData.guardians[0]).toMatchObject({ name: '髙橋 葛\u{e0100}男', kana: 'タカハシ クズオ', employment: { employerName: '株式会社 ABC', startTime: '09:00' } });

    // The same request again (as typed before normalising) is the same request.
    const again = await t.ok(SUBMIT, { input }, DEMO_KEYS.PARTNER);
    expect(again.submitApplication).toMatchObject({ replayed: true, application: { id } });

    // 目黒区 reads the full document (personal data included) from its feed.
    const feed = await t.ok(FEED, {}, meguroKey);
    const entry = feed.municipalityFeed.entries.find((e: { applicationId: string }) => e.applicationId === id);
    const document = JSON.parse(entry.documentJson);
    expect(document.personal.child).toMatchObject({ name: '𠮷田 \ufa19子', kana: `ヨシダ シンコ ${RUN}`, birthDate: '2024-06-15', healthNotes: '卵アレルギー\n（加熱卵は可）' });
    expect(document.personal.household.phone).toBe('03-3715-1111');
    for (const [path, text] of strings(document)) {
      expect({ path, forbidden: findForbiddenCharacter(text, { multiline: path.endsWith('.healthNotes') }) }).toEqual({ path, forbidden: null });
    }

    // 杉並区's endpoint receives the signed notice; nothing in it is a control or format character either.
    await receiver.waitFor(requestsBefore + 1);
    const delivered = receiver.requests.slice(requestsBefore).map((r) => JSON.parse(r.body)).find((e) => e.data?.applicationId === id);
    expect(delivered).toBeDefined();
    for (const [path, text] of strings(delivered)) expect({ path, forbidden: findForbiddenCharacter(text) }).toEqual({ path, forbidden: null });
  });

  it('no webhook payload waiting in or sent from the outbox holds one either', async () => {
    const rows: Array<{ type: string; data: unknown }> = await t.db.query(`SELECT type, data FROM outbox_message`);
    expect(rows.some((r) => r.type === 'jp.hokatsu.application.forwarded')).toBe(true);
    for (const row of rows) {
      for (const [path, text] of strings(row.data)) {
        const forbidden = findForbiddenCharacter(text, { multiline: /\.(healthNotes|reasonDetails|notes?|reason|cancelReason|details(\.\w+)*)$/.test(path) });
        expect({ type: row.type, path, forbidden }).toEqual({ type: row.type, path, forbidden: null });
      }
    }
  });

  it('no feed document delivered to any municipality holds a control, bidi or zero-width character', async () => {
    // Over every entry in the database: what the hub stored for municipalities, whoever submitted it.
    const rows: Array<{ payload: string; application_id: string; municipality_code: string; kind: string }> = await t.db.query(
      `SELECT payload, application_id, municipality_code, kind FROM municipality_feed_entry`,
    );
    expect(rows.length).toBeGreaterThan(0);
    const cipher = t.hub.app.get(ApplicationsService).fieldCipher;
    for (const row of rows) {
      const document = cipher.decryptJson(row.payload, feedPayloadBinding(row.application_id, row.municipality_code, row.kind));
      for (const [path, text] of strings(document)) {
        const forbidden = findForbiddenCharacter(text, { multiline: /\.(healthNotes|reasonDetails)$/.test(path) });
        expect({ path, forbidden }).toEqual({ path, forbidden: null });
      }
    }
  });
});

describe('flat String arguments go through their policy too', () => {
  it('normalises a municipality code typed in full-width digits', async () => {
    const r = await t.ok(`{ municipality(code: "１３１１０５") { code name } }`);
    expect(r.municipality).toEqual({ code: MEGURO, name: '目黒区' });
  });

  it.each([
    ['a bidi control in a code', `{ municipality(code: "13110\\u202e5") { code } }`, undefined, 'code'],
    ['an escape in a field resolver argument', `query($f: ID!) { facility(id: $f) { vacancies(intakeMonth: "2026-1\\u001b0") { classAge } } }`, 'facility', 'intakeMonth'],
    ['spaces only as a withdrawal reason', `mutation { withdrawApplication(applicationId: "00000000-0000-4000-8000-000000000000", reason: "\\u3000 ") { status } }`, 'partner', 'reason'],
  ])('refuses %s, naming the argument', async (_name, query, needs, field) => {
    const variables = needs === 'facility' ? { f: meguroFacility } : {};
    const r = await t.gql(query, variables, needs === 'partner' ? DEMO_KEYS.PARTNER : undefined);
    expect(r.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field });
    expect(r.errors?.[0].extensions.messageJa).toContain(field);
  });

  it('normalises arguments of args classes (a date typed in full-width digits)', async () => {
    const r = await t.ok(`{ classAge(birthDate: "２０２５－０５－１０", intakeMonth: "2027-01") { classAge } }`);
    expect(r.classAge.classAge).toBe(0);
  });
});
