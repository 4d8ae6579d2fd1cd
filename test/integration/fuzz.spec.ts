import fc from 'fast-check';
import { GraphQLSchemaHost } from '@nestjs/graphql';
import {
  getNamedType,
  GraphQLArgument,
  GraphQLField,
  GraphQLInputType,
  GraphQLSchema,
  isEnumType,
  isInputObjectType,
  isListType,
  isNonNullType,
  isObjectType,
  isScalarType,
} from 'graphql';
import { applicationInput, facilityTaking } from '../support/applications';
import { DEMO_KEYS, startTestHub, TestHub } from '../support/hub';

/**
 * Property-based test of the whole API, generated from the schema the hub serves: every argument of
 * every query and mutation (and of the fields one level below) gets values of its type and of every
 * other kind (wrong types, empty, huge, NUL, unpaired surrogates, control, bidi and zero-width
 * characters, SQL-ish text, impossible dates, numbers past 2^31 and 2^53, ids that are not UUIDs and
 * other tenants' ids), sent by every role's key and anonymously. It asserts that the hub never
 * answers INTERNAL or an HTTP 5xx, that every error is typed with a request id, and that a refused
 * mutation stores nothing (row triggers count every row written; a rolled-back write leaves no count).
 *
 * Generated mutations change the shared test database (participation, procedures, figures…), so the
 * test sequencer (test/support/sequencer.js) runs this file last.
 *
 * `npm test` runs FUZZ_RUNS (default 1,000) cases with the fixed seed FUZZ_SEED (default 15);
 * `FUZZ_RUNS=20000 npx jest test/integration/fuzz.spec.ts` runs more (README, "Test it").
 */
const RUNS = Number(process.env.FUZZ_RUNS ?? 1000);
const SEED = Number(process.env.FUZZ_SEED ?? 15);
jest.setTimeout(Math.max(120_000, RUNS * 200));

let t: TestHub;
/** Ids found in the database: the callers' own and other tenants'. */
let knownIds: string[] = [];
let schema: GraphQLSchema;

/** Tables whose writes are not the request's: the shared rate-limit counters (synced every 250 ms). */
const NOT_COUNTED = ['rate_limit_window', 'fuzz_write_log', 'migrations'];

beforeAll(async () => {
  t = await startTestHub({ HUB_WORKERS: 'false' });
  schema = t.hub.app.get(GraphQLSchemaHost).schema;
  // Before the November 2026 deadline of 板橋区 (as status.spec.ts), so that valid applications are taken.
  t.clock.set(new Date('2026-09-20T10:00:00+09:00'));
  // Another partner's application and endpoint, so that other tenants' ids are among the values.
  const facilityId = await facilityTaking(t.db, '131199', 1);
  await t.ok(
    'mutation($input: SubmitApplicationInput!) { submitApplication(input: $input) { application { id } } }',
    { input: applicationInput({ idempotencyKey: 'fuzz-other-tenant', kana: 'フズ タニン', name: '他社 児童', municipalityCode: '131199', address: '東京都板橋区板橋1-1', facilityId }) },
    DEMO_KEYS.PARTNER_2,
  );
  await t.ok('mutation { registerWebhookEndpoint(input: { url: "https://partner2.example/hooks" }) { secret } }', {}, DEMO_KEYS.PARTNER_2);
  const tables: Array<{ table_name: string }> = await t.db.query(
    `SELECT table_name FROM information_schema.columns WHERE table_schema = 'public' AND column_name = 'id' AND data_type = 'uuid' ORDER BY table_name`,
  );
  for (const { table_name } of tables) {
    // The demo clients' keys are every role's key in this test and the tests after it: revokeApiClient
    // gets a client of its own instead.
    const rows: Array<{ id: string }> = await t.db.query(`SELECT id::text AS id FROM "${table_name}" ${table_name === 'api_client' ? 'WHERE NOT is_demo AND NOT is_bootstrap' : ''} ORDER BY id LIMIT 3`);
    knownIds.push(...rows.map((r) => r.id));
  }
  const spare = await t.ok('mutation { createApiClient(input: { name: "fuzz spare", role: PARTNER }) { client { id } } }', {}, DEMO_KEYS.ADMIN);
  knownIds.push(spare.createApiClient.client.id);
  await t.db.query(`
    CREATE TABLE IF NOT EXISTS fuzz_write_log (id bigserial PRIMARY KEY, tbl text NOT NULL);
    CREATE OR REPLACE FUNCTION fuzz_log_write() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN INSERT INTO fuzz_write_log (tbl) VALUES (TG_TABLE_NAME); RETURN NULL; END $$;`);
  const userTables: Array<{ tablename: string }> = await t.db.query(`SELECT tablename FROM pg_tables WHERE schemaname = 'public' AND NOT (tablename = ANY($1))`, [NOT_COUNTED]);
  for (const { tablename } of userTables)
    await t.db.query(`CREATE TRIGGER fuzz_write AFTER INSERT OR UPDATE OR DELETE ON "${tablename}" FOR EACH ROW EXECUTE FUNCTION fuzz_log_write()`);
});

afterAll(async () => {
  if (t) {
    const userTables: Array<{ tablename: string }> = await t.db.query(`SELECT tablename FROM pg_tables WHERE schemaname = 'public'`);
    for (const { tablename } of userTables) await t.db.query(`DROP TRIGGER IF EXISTS fuzz_write ON "${tablename}"`);
    await t.db.query('DROP FUNCTION IF EXISTS fuzz_log_write() CASCADE; DROP TABLE IF EXISTS fuzz_write_log');
    await t.close();
  }
});

// ---------------------------------------------------------------------------------------------
// Values
// ---------------------------------------------------------------------------------------------

/** A number JSON.stringify cannot write (it would send null): sent as raw JSON text. */
class Raw {
  constructor(readonly text: string) {}
}

const NASTY_STRINGS = [
  '',
  ' ',
  '\u3000',
  'x'.repeat(100_000),
  'a\u0000b',
  '\u0000',
  '\uD800',
  'x\uDC00y',
  '\u0007\u001b[31mred\u001b[0m',
  '\r\n\t',
  '\u202Eevil\u202C',
  'zero\u200Bwidth\uFEFF',
  "' OR 1=1 --",
  "'; DROP TABLE application; --",
  '%_\\',
  '$1',
  '{"a":1}',
  '<script>alert(1)</script>',
  '../../etc/passwd',
  '2026-02-30',
  '2026-13',
  '2026-00-10',
  '0000-01-01',
  '9999-12-31T23:59:59Z',
  '2026-02-30T10:00:00+09:00',
  '2147483648',
  '9007199254740993',
  '-1',
  'NaN',
  '１３１１９９',
  'ｶﾀｶﾅ',
  '👶🏽',
  'null',
  'undefined',
];
const DATES = ['2026-10-01', '2025-04-02', '2024-06-15', '2026-02-30', '2026-13-01', '2026-02-29', '2028-02-29', '1900-01-01', '2026-1-1', '20261001'];
const MONTHS = ['2026-09', '2026-10', '2026-11', '2027-01', '2026-13', '2026-00', '2026-9', '1999-01', '2126-01', '2026-02-30'];
const MUNICIPALITY_CODES = ['131199', '131211', '131105', '131016', '999999', '000000', '1311990', '13119', 'abcdef'];
const DATETIMES = ['2026-12-03T10:00:00+09:00', '2026-02-30T10:00:00Z', '2026-13-01T00:00:00Z', '2026-12-03', 'now', '', '2026-12-03T25:00:00Z', '+275760-09-13T00:00:00.001Z'];
const INTS = [0, 1, 2, 5, 20, 100, 101, -1, -2147483648, 2147483647, 2147483648, 2 ** 53, 2 ** 53 + 2, -(2 ** 53)];

const anyJson: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom<unknown>(null, true, false, 0, -1, 1.5, 2147483648, 9007199254740993, '', 'x', [], {}, [null], { a: 1 }),
  fc.constant(new Raw('1e400')),
  fc.constant(new Raw('-1e400')),
  fc.string(),
);

/** Values that look right for a field of that name, so that generated input reaches the services' own rules. */
function plausibleStrings(name: string): string[] {
  const n = name.toLowerCase();
  if (n.includes('municipalitycode') || n === 'code') return ['131199', '131211', '131105', '999999', '131016'];
  if (n.includes('prefecture')) return ['13', '01', '47'];
  if (n.includes('month')) return ['2026-10', '2026-11', '2026-12', '2027-01', '2027-04'];
  if (n.includes('date') || n.includes('day') || n.endsWith('on') || n.endsWith('by')) return ['2024-06-15', '2025-05-10', '2026-10-01', '2026-11-01', '2026-12-20'];
  if (n.includes('url')) return ['https://partner.example/hooks', 'https://municipality.example/feed'];
  if (n.includes('time')) return ['09:00', '18:00', '10:30'];
  if (n.includes('kana')) return ['ホカツ タロウ', 'ハナコ'];
  if (n.includes('name')) return ['保活 太郎', 'テスト保育園'];
  if (n.includes('reference') || n.includes('key')) return ['parent-1', 'fuzz-key-1', 'file-1'];
  if (n.includes('topic')) return ['jp.hokatsu.'];
  return ['x', 'テスト', '1'];
}

/** Strings shaped by the argument's name, with every kind of text that should be refused. */
function stringFor(name: string, wild: boolean): fc.Arbitrary<string> {
  const n = name.toLowerCase();
  const pools: string[][] = [NASTY_STRINGS];
  if (n.includes('municipalitycode') || n === 'code') pools.push(MUNICIPALITY_CODES);
  if (n.includes('month')) pools.push(MONTHS);
  if (n.includes('date') || n.endsWith('on') || n.endsWith('by') || n === 'at' || n.endsWith('at')) pools.push(DATES, DATETIMES);
  if (n.includes('url')) pools.push(['https://partner.example/hooks', 'http://169.254.169.254/latest/meta-data/', 'ftp://x', 'https://', 'javascript:alert(1)']);
  if (n.includes('time')) pools.push(['09:00', '24:00', '9:00', '18:30', '99:99']);
  if (n === 'after' || n.includes('cursor')) pools.push(['0', 'MTIz', 'eyJ4IjoxfQ', '-1', '99999999999999999999']);
  if (n.includes('kana')) pools.push(['ホカツ タロウ', 'ほかつ', 'ﾎｶﾂ', 'Hokatsu']);
  if (n.includes('name')) pools.push(['保活 太郎', 'Partner app', 'a'.repeat(300)]);
  if (n.includes('content') || n === 'csv') pools.push(['', 'facility_id,class_age,seats\n', 'a,b\n"unterminated', '[]', '{"rows": [{"x": 1}]}']);
  const odd = fc.oneof(fc.constantFrom(...pools.flat()), fc.string({ maxLength: 40 }), fc.string({ unit: 'binary', maxLength: 20 }));
  return wild ? odd : fc.oneof({ weight: 20, arbitrary: fc.constantFrom(...plausibleStrings(name)) }, { weight: 1, arbitrary: odd });
}

function plausibleInt(name: string): fc.Arbitrary<number> {
  const n = name.toLowerCase();
  if (n.includes('classage')) return fc.integer({ min: 0, max: 5 });
  if (n.includes('year')) return fc.integer({ min: 2025, max: 2027 });
  if (n === 'first') return fc.integer({ min: 1, max: 20 });
  if (n.includes('version')) return fc.integer({ min: 0, max: 3 });
  return fc.integer({ min: 0, max: 12 });
}

/**
 * A value for an input type. `wild` draws any kind of value anywhere (wrong types, nulls where
 * required, unknown fields); otherwise the shape is right and only the leaves vary, mostly plausible,
 * sometimes refused text or numbers, so that the case reaches the services.
 */
function valueFor(type: GraphQLInputType, name: string, depth: number, wild: boolean): fc.Arbitrary<unknown> {
  const wrong = anyJson;
  const sometimes = (right: fc.Arbitrary<unknown>, odd: fc.Arbitrary<unknown>, oddWeight = 1) => fc.oneof({ weight: wild ? 6 : 40, arbitrary: right }, { weight: oddWeight, arbitrary: odd });
  if (isNonNullType(type)) return wild ? sometimes(valueFor(type.ofType, name, depth, wild), fc.constant(null)) : valueFor(type.ofType, name, depth, wild);
  if (isListType(type)) {
    const item = valueFor(type.ofType, name, depth + 1, wild);
    if (!wild) return fc.array(item, { maxLength: 3 });
    return fc.oneof({ weight: 8, arbitrary: fc.array(item, { maxLength: 3 }) }, { weight: 1, arbitrary: item }, { weight: 1, arbitrary: fc.array(item, { minLength: 40, maxLength: 60 }) }, { weight: 1, arbitrary: wrong });
  }
  if (isInputObjectType(type)) {
    if (depth > 4) return fc.constant({});
    const fields = Object.values(type.getFields());
    const record: Record<string, fc.Arbitrary<unknown>> = {};
    for (const f of fields) record[f.name] = valueFor(f.type, f.name, depth + 1, wild);
    const required = fields.filter((f) => isNonNullType(f.type) && f.defaultValue === undefined).map((f) => f.name);
    const object = fc.record(record, { requiredKeys: required as never[] });
    if (!wild) return object;
    const withExtra = object.map((o) => ({ ...(o as object), notAField: '\u0000' }));
    return fc.oneof({ weight: 10, arbitrary: object }, { weight: 1, arbitrary: withExtra }, { weight: 1, arbitrary: wrong });
  }
  if (isEnumType(type)) {
    const values = type.getValues().map((v) => v.name);
    if (!wild) return fc.constantFrom(...values);
    return fc.oneof({ weight: 8, arbitrary: fc.constantFrom(...values) }, { weight: 1, arbitrary: fc.constantFrom('NOPE', values[0].toLowerCase(), '', ` ${values[0]}`) }, { weight: 1, arbitrary: wrong });
  }
  if (isScalarType(type)) {
    switch (type.name) {
      case 'ID':
        return sometimes(
          fc.oneof({ weight: 3, arbitrary: fc.constantFrom(...(knownIds.length ? knownIds : ['00000000-0000-4000-8000-000000000000'])) }, { weight: 1, arbitrary: fc.uuid() }),
          fc.oneof(fc.constantFrom('x', '', '1', "' OR 1=1 --", '00000000-0000-4000-8000-00000000000g', '00000000-0000-4000-8000-000000000000\u0000', '{00000000-0000-4000-8000-000000000000}', 'ＡＢＣ'), wrong),
          wild ? 3 : 1,
        );
      case 'Int':
        return sometimes(fc.oneof(plausibleInt(name), fc.constantFrom(...INTS)), fc.constantFrom<unknown>('5', 1.5, new Raw('1e400'), true, 2147483648, 2 ** 53 + 2));
      case 'Float':
        return sometimes(fc.oneof(fc.constantFrom(35.68, 139.76, 35.7512, 139.7093, 500, 2000), fc.double({ noNaN: true, noDefaultInfinity: true })), fc.constantFrom<unknown>('35.6', new Raw('1e400'), new Raw('-1e400'), -90.5, 181, 1e308));
      case 'Boolean':
        return sometimes(fc.boolean(), fc.constantFrom<unknown>('true', 1, 0));
      case 'DateTime':
        return sometimes(
          fc.oneof(fc.constantFrom('2026-12-03T10:00:00+09:00', '2026-10-20T10:00:00+09:00', '2027-01-15T14:30:00+09:00'), fc.date({ min: new Date('2026-09-01'), max: new Date('2027-03-31'), noInvalidDate: true }).map((d) => d.toISOString())),
          fc.oneof(fc.constantFrom(...DATETIMES), wrong),
        );
      default:
        return sometimes(stringFor(name, wild), wrong);
    }
  }
  return wrong;
}

// ---------------------------------------------------------------------------------------------
// Operations
// ---------------------------------------------------------------------------------------------

interface Operation {
  kind: 'query' | 'mutation';
  field: GraphQLField<unknown, unknown>;
  /** Fields with arguments one level below the root field's type. */
  children: GraphQLField<unknown, unknown>[];
}

function operations(): Operation[] {
  const out: Operation[] = [];
  for (const [kind, root] of [['query', schema.getQueryType()], ['mutation', schema.getMutationType()]] as const) {
    for (const field of Object.values(root?.getFields() ?? {})) {
      const named = getNamedType(field.type);
      const children = isObjectType(named) ? Object.values(named.getFields()).filter((f) => f.args.length > 0) : [];
      out.push({ kind, field, children });
    }
  }
  return out;
}

function documentFor(op: Operation, withChildren: boolean): { text: string; args: Array<{ variable: string; arg: GraphQLArgument }> } {
  const args: Array<{ variable: string; arg: GraphQLArgument }> = [];
  const argList = (field: GraphQLField<unknown, unknown>, prefix: string) =>
    field.args.length
      ? `(${field.args
          .map((a) => {
            const variable = `${prefix}_${a.name}`;
            args.push({ variable, arg: a });
            return `${a.name}: $${variable}`;
          })
          .join(', ')})`
      : '';
  const selectionOf = (field: GraphQLField<unknown, unknown>) => (isObjectType(getNamedType(field.type)) ? ' { __typename }' : '');
  const root = argList(op.field, 'r');
  const children = withChildren ? op.children.map((c, i) => ` c${i}: ${c.name}${argList(c, `c${i}`)}${selectionOf(c)}`).join('') : '';
  const selection = isObjectType(getNamedType(op.field.type)) ? ` { __typename${children} }` : '';
  const definitions = args.map(({ variable, arg }) => `$${variable}: ${arg.type.toString()}`).join(', ');
  return { text: `${op.kind} Fuzz${definitions ? `(${definitions})` : ''} { ${op.field.name}${root}${selection} }`, args };
}

/** JSON with Raw numbers written as they are. */
function bodyOf(query: string, variables: Record<string, unknown>): string {
  const raws: string[] = [];
  const json = JSON.stringify({ query, variables }, (_k, v) => (v instanceof Raw ? `\u0001RAW${raws.push(v.text) - 1}\u0001` : v));
  return json.replace(/"\\u0001RAW(\d+)\\u0001"/g, (_m, i) => raws[Number(i)]);
}

const KEYS: Array<[string, string | undefined]> = [
  ['anonymous', undefined],
  ['ADMIN', DEMO_KEYS.ADMIN],
  ['PARTNER', DEMO_KEYS.PARTNER],
  ['PARTNER_2', DEMO_KEYS.PARTNER_2],
  ['OPERATOR', DEMO_KEYS.OPERATOR],
  ['MUNICIPALITY_ITABASHI', DEMO_KEYS.MUNICIPALITY_ITABASHI],
  ['MUNICIPALITY_ADACHI', DEMO_KEYS.MUNICIPALITY_ADACHI],
];

interface Finding {
  operation: string;
  role: string;
  problem: string;
  body: string;
}

describe('the API under generated input (fast-check)', () => {
  it(`never answers INTERNAL or 5xx, types every error and stores nothing when it refuses (${RUNS} cases, seed ${SEED})`, async () => {
    const ops = operations();
    expect(ops.length).toBeGreaterThan(50);
    const findings: Finding[] = [];
    let refusedMutations = 0;
    /** How the cases were answered (first error code, or OK): printed, so a run shows what it reached. */
    const outcomes = new Map<string, number>();
    /** The last row written (a rolled-back write leaves none, though it takes a sequence number). */
    const writes = async () => Number((await t.db.query('SELECT coalesce(max(id), 0)::bigint AS n FROM fuzz_write_log'))[0].n);

    const caseArb = fc
      .record({ op: fc.constantFrom(...ops), withChildren: fc.boolean(), key: fc.constantFrom(...KEYS), wild: fc.boolean() })
      .chain(({ op, withChildren, key, wild }) => {
        const doc = documentFor(op, withChildren);
        const record: Record<string, fc.Arbitrary<unknown>> = {};
        for (const { variable, arg } of doc.args) record[variable] = valueFor(arg.type, arg.name, 0, wild);
        // Wild cases may leave out required variables too.
        const required = wild ? [] : doc.args.filter(({ arg }) => isNonNullType(arg.type)).map(({ variable }) => variable);
        return fc.record({ op: fc.constant(op), doc: fc.constant(doc), key: fc.constant(key), variables: fc.record(record, { requiredKeys: required }) });
      });

    await fc.assert(
      fc.asyncProperty(caseArb, async ({ op, doc, key: [role, key], variables }) => {
        const body = bodyOf(doc.text, variables);
        const before = op.kind === 'mutation' ? await writes() : 0;
        const res = await fetch(`${t.url}/graphql`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', ...(key ? { authorization: `Bearer ${key}` } : {}) },
          body,
        });
        const text = await res.text();
        const record = (problem: string) => findings.push({ operation: `${op.kind} ${op.field.name}`, role, problem, body: body.slice(0, 600) });
        if (res.status >= 500) record(`HTTP ${res.status}: ${text.slice(0, 300)}`);
        let answer: { data?: Record<string, unknown> | null; errors?: Array<{ message: string; path?: Array<string | number>; extensions?: { code?: string; requestId?: string } }> };
        try {
          answer = JSON.parse(text);
        } catch {
          record(`not JSON: ${text.slice(0, 200)}`);
          return true;
        }
        const outcome = answer.errors?.[0]?.extensions?.code ?? 'OK';
        if (process.env.FUZZ_TRACE) console.log(`${op.field.name}: ${answer.errors?.[0]?.message.slice(0, 160) ?? "OK"}`);
        outcomes.set(outcome, (outcomes.get(outcome) ?? 0) + 1);
        for (const e of answer.errors ?? []) {
          if (!e.extensions?.code || e.extensions.code === 'INTERNAL') record(`${e.extensions?.code ?? 'no code'}: ${e.message}`);
          else if (!e.extensions.requestId) record(`${e.extensions.code} without requestId`);
        }
        // Refused: the request as a whole, or the mutation's own field (an error below it, in a field the
        // caller selected from the result, comes after the mutation ran).
        const refused = answer.errors?.some((e) => !e.path || e.path.length === 1);
        if (op.kind === 'mutation' && refused) {
          refusedMutations++;
          const after = await writes();
          if (after !== before) {
            const tables: Array<{ tbl: string; n: number }> = await t.db.query('SELECT tbl, count(*)::int AS n FROM fuzz_write_log WHERE id > $1 GROUP BY tbl', [before]);
            record(`refused (${answer.errors?.[0].extensions?.code}) but wrote to ${tables.map((r) => `${r.tbl} (${r.n})`).join(', ')}`);
          }
        }
        return true;
      }),
      { seed: SEED, numRuns: RUNS, endOnFailure: true },
    );

    const distinct = new Map<string, Finding>();
    for (const f of findings) distinct.set(`${f.operation} ${f.problem.replace(/[0-9a-f-]{36}/g, '<id>').slice(0, 120)}`, f);
    if (distinct.size) console.log(`fuzz findings (${findings.length}, ${distinct.size} distinct):\n${[...distinct.values()].map((f) => `- ${f.operation} as ${f.role}: ${f.problem}\n    ${f.body}`).join('\n')}`);
    console.log(`fuzz: ${RUNS} cases (seed ${SEED}), ${refusedMutations} refused mutations checked for writes; answers: ${JSON.stringify(Object.fromEntries([...outcomes].sort((a, b) => b[1] - a[1])))}`);
    expect([...distinct.keys()]).toEqual([]);
  });
});
