import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import iconv from 'iconv-lite';
import { ThrottlerStorage } from '@nestjs/throttler';
import { printHubSchema } from '../../src/bootstrap';
import { HubExpressAdapter } from '../../src/common/hub-express-adapter';
import { postgresWindowCounts, SharedWindowThrottlerStorage } from '../../src/common/shared-rate-limit-storage';
import { DEMO_KEYS, describeWithRealPostgres, startTestHub, TestHub } from '../support/hub';

let t: TestHub;
beforeAll(async () => {
  t = await startTestHub();
});
afterAll(() => t?.close());

const root = join(__dirname, '..', '..');
const FACILITIES = `query($filter: FacilityFilter, $first: Int, $after: String) {
  facilities(filter: $filter, first: $first, after: $after) {
    totalCount pageInfo { hasNextPage endCursor }
    edges { cursor node { id name kind classAgesTaken municipality { code name } } }
  } }`;

describe('catalogue', () => {
  it('lists the facilities of 足立区 that take 1-year-olds, page by page, without credentials', async () => {
    const first = await t.ok(FACILITIES, { filter: { municipalityCodes: ['131211'], classAge: 1 }, first: 50 });
    expect(first.facilities.totalCount).toBeGreaterThan(100);
    expect(first.facilities.edges).toHaveLength(50);
    for (const e of first.facilities.edges) {
      expect(e.node.municipality).toEqual({ code: '131211', name: '足立区' });
      expect(e.node.classAgesTaken).toContain(1);
    }
    const second = await t.ok(FACILITIES, { filter: { municipalityCodes: ['131211'], classAge: 1 }, first: 50, after: first.facilities.pageInfo.endCursor });
    const ids = new Set(first.facilities.edges.map((e: any) => e.node.id));
    for (const e of second.facilities.edges) expect(ids.has(e.node.id)).toBe(false);
  });

  it('finds facilities by name or kana, full- or half-width', async () => {
    const r = await t.ok(FACILITIES, { filter: { text: 'ＡＩＡＩ', municipalityCodes: ['131211'] }, first: 5 });
    expect(r.facilities.totalCount).toBeGreaterThan(0);
    for (const e of r.facilities.edges) expect(e.node.name.toUpperCase()).toContain('AIAI');
  });

  it('filters by kind and reads one facility', async () => {
    const r = await t.ok(FACILITIES, { filter: { kinds: ['FAMILY_DAYCARE'], municipalityCodes: ['131211'] }, first: 1 });
    const node = r.facilities.edges[0].node;
    expect(node.kind).toBe('FAMILY_DAYCARE');
    const one = await t.ok(`query($id: ID!) { facility(id: $id) { id name source } }`, { id: node.id });
    expect(one.facility).toMatchObject({ id: node.id, source: 'demo:vacancy/adachi.json' });
  });

  it('has every real municipality, only some participating', async () => {
    const all = await t.ok(`{ municipalities(first: 1) { totalCount } }`);
    expect(all.municipalities.totalCount).toBe(1747);
    const part = await t.ok(`{ municipalities(first: 100, filter: { participates: true }) { totalCount edges { node { code name } } } }`);
    expect(part.municipalities.edges.map((e: any) => e.node.code)).toEqual(expect.arrayContaining(['131199', '131211', '132012']));
    const one = await t.ok(`{ municipality(code: "131032") { name prefecture participates } }`);
    expect(one.municipality).toEqual({ name: '港区', prefecture: '東京都', participates: true });
  });

  it.each([
    ['13121', 'BAD_USER_INPUT', 'LENGTH'],
    ['13121a', 'BAD_USER_INPUT', 'NOT_DIGITS'],
    ['131210', 'BAD_USER_INPUT', 'CHECK_DIGIT'],
  ])('refuses municipality code %s with %s', async (code, errCode, reason) => {
    const r = await t.gql(`query($c: String!) { municipality(code: $c) { name } }`, { c: code });
    expect(r.errors?.[0].extensions).toMatchObject({ code: errCode, field: 'code', details: { reason } });
    expect(r.errors?.[0].extensions.messageJa).toBeTruthy();
  });

  it('refuses a code that passes the check digit but is not on the national list as NOT_FOUND', async () => {
    // 13199 → check digit: 1*6+3*5+1*4+9*3+9*2 = 70, 70 % 11 = 4, 11-4 = 7 → 131997
    const r = await t.gql(`{ municipality(code: "131997") { name } }`);
    expect(r.errors?.[0].extensions).toMatchObject({ code: 'NOT_FOUND', field: 'code' });
  });

  it.each([
    [{ first: 0 }, 'first'],
    [{ first: 1000 }, 'first'],
    [{ first: 5, after: 'garbage' }, 'after'],
    [{ first: 5, filter: { classAge: 6 } }, 'filter.classAge'],
    [{ first: 5, filter: { municipalityCodes: ['12'] } }, 'filter.municipalityCodes'],
  ])('refuses bad arguments %j naming %s', async (vars, field) => {
    const r = await t.gql(FACILITIES, vars);
    expect(r.errors?.[0].extensions.code).toBe('BAD_USER_INPUT');
    expect(r.errors?.[0].extensions.field).toBe(field);
  });

  it('refuses an unknown enum value with a validation error naming it', async () => {
    const r = await t.gql(`{ facilities(filter: { kinds: [NOT_A_KIND] }) { totalCount } }`);
    expect(r.errors?.[0].extensions.code).toBe('GRAPHQL_VALIDATION_FAILED');
    expect(r.errors?.[0].message).toContain('NOT_A_KIND');
    expect(r.errors?.[0].extensions.messageJa).toBeTruthy();
  });
});

describe('API clients', () => {
  it('an admin creates a partner key that works once and stops working when revoked', async () => {
    const created = await t.ok(`mutation { createApiClient(input: { name: "Partner X", role: PARTNER }) { key client { id role keyPrefix } } }`, {}, DEMO_KEYS.ADMIN);
    const { key, client } = created.createApiClient;
    expect(key).toMatch(/^hub_partner_/);
    const stored = await t.db.query('SELECT key_hash FROM api_client WHERE id = $1', [client.id]);
    expect(stored[0].key_hash).not.toContain(key);
    const viewer = await t.ok(`{ viewer { client { id role } } }`, {}, key);
    expect(viewer.viewer.client).toEqual({ id: client.id, role: 'PARTNER' });
    await t.ok(`mutation($id: ID!) { revokeApiClient(id: $id) { revokedAt } }`, { id: client.id }, DEMO_KEYS.ADMIN);
    const after = await t.gql(`{ viewer { client { id } } }`, {}, key);
    expect(after.errors?.[0].extensions.code).toBe('UNAUTHENTICATED');
  });

  it('the bootstrap admin key from HUB_ADMIN_KEY works', async () => {
    const r = await t.ok(`{ viewer { client { role } } }`, {}, 'test-bootstrap-admin-key-0123456789');
    expect(r.viewer.client.role).toBe('ADMIN');
  });

  it.each([
    [{ name: 'm', role: 'MUNICIPALITY' }, 'input.municipalityCode'],
    [{ name: 'm', role: 'MUNICIPALITY', municipalityCode: '131210' }, 'input.municipalityCode'],
    [{ name: 'o', role: 'OPERATOR' }, 'input.facilityIds'],
    [{ name: 'o', role: 'OPERATOR', facilityIds: ['not-a-uuid'] }, 'input.facilityIds[0]'],
    [{ name: '', role: 'PARTNER' }, 'input.name'],
  ])('refuses a bad client %j naming %s, creating nothing', async (input, field) => {
    const before = await t.db.query('SELECT count(*)::int AS n FROM api_client');
    const r = await t.gql(`mutation($i: CreateApiClientInput!) { createApiClient(input: $i) { key } }`, { i: input }, DEMO_KEYS.ADMIN);
    expect(r.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field });
    const after = await t.db.query('SELECT count(*)::int AS n FROM api_client');
    expect(after[0].n).toBe(before[0].n);
  });
});

describe('facility import (子育て施設一覧 CSV)', () => {
  const IMPORT = `mutation($csv: String!, $dry: Boolean) { importFacilities(csv: $csv, dryRun: $dry) { applied created updated unchanged rowsRead rejected { line field reason reasonJa } } }`;
  const hachioji = readFileSync(join(root, 'data/facilities/hachioji_kosodate_shisetsu_ichiran.csv'), 'utf8');
  const header = hachioji.split(/\r?\n/)[0];
  const daycareOnly = [header, ...hachioji.split(/\r?\n/).slice(1).filter((l) => l && !l.includes('幼稚園'))].join('\n');

  it('rejects a file with non-daycare rows as a whole, reporting every row with its line', async () => {
    const r = await t.ok(IMPORT, { csv: hachioji }, DEMO_KEYS.ADMIN);
    expect(r.importFacilities.applied).toBe(false);
    expect(r.importFacilities.rejected.length).toBeGreaterThan(0);
    expect(r.importFacilities.created).toBe(0);
    for (const row of r.importFacilities.rejected) expect(row.line).toBeGreaterThan(1);
  });

  it('imports a clean file, and the same file twice changes nothing', async () => {
    const first = await t.ok(IMPORT, { csv: daycareOnly }, DEMO_KEYS.ADMIN);
    expect(first.importFacilities).toMatchObject({ applied: true, rejected: [] });
    expect(first.importFacilities.created).toBeGreaterThan(100);
    const versions = await t.db.query(`SELECT sum(version)::int AS v, max(updated_at) AS u FROM facility WHERE source = 'kosodate-shisetsu-csv'`);
    const second = await t.ok(IMPORT, { csv: daycareOnly }, DEMO_KEYS.ADMIN);
    expect(second.importFacilities).toMatchObject({ applied: true, created: 0, updated: 0, unchanged: first.importFacilities.created });
    const again = await t.db.query(`SELECT sum(version)::int AS v, max(updated_at) AS u FROM facility WHERE source = 'kosodate-shisetsu-csv'`);
    expect(again).toEqual(versions);
    const found = await t.ok(FACILITIES, { filter: { text: '子安保育園' }, first: 5 });
    expect(found.facilities.edges.length).toBeGreaterThan(0);
  });

  it('accepts Shift_JIS through the command-line decoder', async () => {
    const { decodeCsvBuffer } = await import('../../src/facilities/kosodate-shisetsu-csv');
    expect(decodeCsvBuffer(iconv.encode(daycareOnly, 'Shift_JIS')).split('\n')[0]).toBe(header);
  });

  it.each([
    ['missing columns', header.replace('名称,', '') + '\n'],
    ['extra columns', header + ',余計な列\n'],
  ])('refuses %s, naming them, and changes nothing', async (_label, csv) => {
    const r = await t.gql(IMPORT, { csv }, DEMO_KEYS.ADMIN);
    expect(r.errors?.[0].extensions.code).toBe('BAD_USER_INPUT');
    expect(r.errors?.[0].message).toMatch(/名称|余計な列/);
  });

  it.each([
    ['impossible coordinates', (l: string) => l.replace('35.652889', '135.0')],
    ['negative capacity', (l: string) => l.replace(',85,1歳クラスから', ',-5,1歳クラスから')],
    ['wrong check digit', (l: string) => l.replace(/^132012/, '132013')],
  ])('rejects a row with %s with its line number', async (_label, mutate) => {
    const lines = daycareOnly.split('\n');
    lines[1] = mutate(lines[1]);
    const r = await t.ok(IMPORT, { csv: lines.join('\n'), dry: true }, DEMO_KEYS.ADMIN);
    expect(r.importFacilities.applied).toBe(false);
    expect(r.importFacilities.rejected[0].line).toBe(2);
  });

  it('a municipality may import only its own facilities', async () => {
    const r = await t.ok(IMPORT, { csv: daycareOnly, dry: true }, DEMO_KEYS.MUNICIPALITY_ITABASHI);
    expect(r.importFacilities.applied).toBe(false);
    expect(r.importFacilities.rejected[0].reason).toMatch(/may not import/);
  });
});

describe('service', () => {
  it('answers health checks with the database checked', async () => {
    const live = await fetch(`${t.url}/health/live`);
    expect(live.status).toBe(200);
    // Served through the adapter whose requests Express need not re-prototype (hub-express-adapter.spec.ts).
    expect(t.hub.app.getHttpAdapter()).toBeInstanceOf(HubExpressAdapter);
    const ready = (await (await fetch(`${t.url}/health/ready`)).json()) as any;
    expect(ready.info.database.status).toBe('up');
  });

  it('limits query depth, aliases and cost with a clear error', async () => {
    const deep = await t.gql(`{ facilities { edges { node { municipality { code } classAges { classAge } } } } viewer { client { id } } }`);
    expect(deep.errors).toBeUndefined();
    const aliases = Array.from({ length: 31 }, (_, i) => `a${i}: viewer { facilityIds }`).join(' ');
    const r1 = await t.gql(`{ ${aliases} }`);
    expect(r1.errors?.[0].extensions.code).toBe('QUERY_TOO_COMPLEX');
    const r2 = await t.gql(`{ a: facilities(first: 100) { edges { node { classAges { classAge capacity } municipality { name code prefecture } } } } b: facilities(first: 100) { edges { node { classAges { classAge capacity } municipality { name code prefecture } } } } c: facilities(first: 100) { edges { node { classAges { classAge capacity } municipality { name code prefecture } } } } }`);
    expect(r2.errors?.[0].extensions.code).toBe('QUERY_TOO_COMPLEX');
    expect(r2.errors?.[0].extensions.messageJa).toBeTruthy();
  });

  it('refuses batched requests', async () => {
    const res = await fetch(`${t.url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify([{ query: '{ viewer { facilityIds } }' }, { query: '{ viewer { facilityIds } }' }]) });
    expect(res.status).toBe(400);
  });

  it('carries a request id on every error', async () => {
    const r = await t.gql(`{ municipality(code: "1") { name } }`);
    expect(r.errors?.[0].extensions.requestId).toBe(r.headers.get('x-request-id'));
  });

  it('keeps schema.gql in step with the code', () => {
    const committed = readFileSync(join(root, 'schema.gql'), 'utf8');
    expect(printHubSchema(t.hub.app)).toBe(committed);
  });
});

// A second hub on the same database needs a second connection: real PostgreSQL only.
describeWithRealPostgres('rate limits', () => {
  /**
   * A client of its own, so no other test's requests in the same minute count against it. Made
   * through the main test hub: the limit is shared by every hub on the database, so the admin's own
   * request, sent to a hub with a limit of 3, was refused whenever other tests had used the admin key
   * in the same minute.
   */
  const newPartnerKey = async (name: string): Promise<string> =>
    (await t.ok(`mutation($name: String!) { createApiClient(input: { name: $name, role: PARTNER }) { key } }`, { name }, DEMO_KEYS.ADMIN)).createApiClient.key;
  /** The windows start on the minute: keep the few requests of a test inside one. */
  const awayFromMinuteEdge = async () => {
    const into = Date.now() % 60_000;
    if (into > 50_000) await new Promise((r) => setTimeout(r, 60_000 - into + 100));
  };
  const storageOf = (hub: TestHub) => hub.hub.app.get(ThrottlerStorage) as SharedWindowThrottlerStorage;

  it('limits each client and says when to retry', async () => {
    const limited = await startTestHub({ HUB_RATE_LIMIT_PER_MINUTE: '3' });
    try {
      const [mine, other] = [await newPartnerKey('limited 1'), await newPartnerKey('limited 2')];
      await awayFromMinuteEdge();
      const results = [];
      for (let i = 0; i < 4; i++) results.push(await limited.gql(`{ viewer { facilityIds } }`, {}, mine));
      expect(results.slice(0, 3).every((r) => !r.errors)).toBe(true);
      expect(results[3].errors?.[0].extensions.code).toBe('RATE_LIMITED');
      const retryAfter = results[3].errors?.[0].extensions.details.retryAfterSeconds;
      expect(retryAfter).toBeGreaterThan(0);
      expect(retryAfter).toBeLessThanOrEqual(60);
      // another client has its own budget
      const second = await limited.gql(`{ viewer { facilityIds } }`, {}, other);
      expect(second.errors).toBeUndefined();
    } finally {
      await limited.close();
    }
  });

  it('limits anonymous callers by the address a trusted proxy names, and only a trusted one (HUB_TRUST_PROXY)', async () => {
    const ask = async (hub: TestHub, forwardedFor: string) => {
      const res = await fetch(`${hub.url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-forwarded-for': forwardedFor }, body: JSON.stringify({ query: '{ viewer { facilityIds } }' }) });
      return ((await res.json()) as { errors?: Array<{ extensions: { code: string } }> }).errors?.[0]?.extensions.code ?? 'OK';
    };
    // Default: the loopback proxy (the test itself, here) is trusted, so each forwarded parent has its own budget.
    const behindProxy = await startTestHub({ HUB_RATE_LIMIT_PER_MINUTE: '2' });
    try {
      await awayFromMinuteEdge();
      expect([await ask(behindProxy, '203.0.113.1'), await ask(behindProxy, '203.0.113.1'), await ask(behindProxy, '203.0.113.1')]).toEqual(['OK', 'OK', 'RATE_LIMITED']);
      expect(await ask(behindProxy, '203.0.113.2')).toBe('OK');
    } finally {
      await behindProxy.close();
    }
    // Trusting no proxy, a forged X-Forwarded-For does not buy a new budget: the socket's address counts.
    const direct = await startTestHub({ HUB_RATE_LIMIT_PER_MINUTE: '2', HUB_TRUST_PROXY: 'false' });
    try {
      let answer = 'OK';
      for (let i = 0; i < 100 && answer === 'OK'; i++) answer = await ask(direct, `198.51.100.${i}`);
      expect(answer).toBe('RATE_LIMITED');
      expect(await ask(direct, '198.51.100.200')).toBe('RATE_LIMITED');
    } finally {
      await direct.close();
    }
  });

  it('counts a client once across every process of the service', async () => {
    // Two instances on one database, as two processes or two replicas of a deployment.
    const [a, b] = [await startTestHub({ HUB_RATE_LIMIT_PER_MINUTE: '4' }), await startTestHub({ HUB_RATE_LIMIT_PER_MINUTE: '4' })];
    try {
      const key = await newPartnerKey('two processes');
      await awayFromMinuteEdge();
      for (const hub of [a, a, b, b]) expect((await hub.gql(`{ viewer { facilityIds } }`, {}, key)).errors).toBeUndefined();
      // Each sends its hits (as its timer does every 250 ms); b learns that the client has made 4.
      await storageOf(a).sync();
      await storageOf(b).sync();
      const [{ id: clientId }] = await a.db.query(`SELECT id FROM api_client WHERE name = 'two processes' ORDER BY created_at DESC LIMIT 1`);
      const [row] = await a.db.query(`SELECT hits FROM rate_limit_window WHERE key LIKE '%client:' || $1`, [clientId]);
      expect(row.hits).toBe(4);
      // Counted per process, b would have seen 2 and let the fifth through.
      const fifth = await b.gql(`{ viewer { facilityIds } }`, {}, key);
      expect(fifth.errors?.[0].extensions.code).toBe('RATE_LIMITED');
      // a learns the total at its next sync with a hit of its own: until then it decides on the 2 it
      // knew (the overshoot is what arrives within one sync interval), after it, it refuses too.
      await storageOf(b).sync();
      expect((await a.gql(`{ viewer { facilityIds } }`, {}, key)).errors).toBeUndefined();
      await storageOf(a).sync();
      expect((await a.gql(`{ viewer { facilityIds } }`, {}, key)).errors?.[0].extensions.code).toBe('RATE_LIMITED');
      // Windows that ended more than the sweep's minute ago are deleted; the current one stays.
      await a.db.query(`INSERT INTO rate_limit_window (key, window_start, window_end, hits) VALUES ('ended-${Date.now()}', now() - interval '10 minutes', now() - interval '9 minutes', 1)`);
      await postgresWindowCounts(a.db).sweep(Date.now() - 60_000);
      const left = await a.db.query(`SELECT key FROM rate_limit_window WHERE key LIKE 'ended-%' OR key LIKE '%client:' || $1`, [clientId]);
      expect(left.map((r: { key: string }) => r.key)).toEqual([expect.stringMatching(/client:/)]);
    } finally {
      await a.close();
      await b.close();
    }
  });
});
