import { DEMO_KEYS, describeWithRealPostgres, realPostgres, startTestHub, TestHub } from '../support/hub';

/**
 * The edges of the GraphQL endpoint: documents built to exhaust the server, requests that are not
 * GraphQL at all, and variables of the wrong type, on both execution paths. Every answer is a typed
 * error in the GraphQL shape with a request id; nothing holds the event loop.
 */
let t: TestHub;
/** The same database served by graphql-js's interpreter (HUB_GRAPHQL_JIT=false); only with a real PostgreSQL. */
let interpreted: TestHub | undefined;
beforeAll(async () => {
  t = await startTestHub();
  if (realPostgres) interpreted = await startTestHub({ HUB_GRAPHQL_JIT: 'false' });
});
afterAll(async () => {
  await interpreted?.close();
  await t?.close();
});

interface RawAnswer {
  status: number;
  headers: Headers;
  body: { data?: unknown; errors?: Array<{ message: string; extensions: Record<string, any> }> };
}

async function post(url: string, body: string, headers: Record<string, string> = {}): Promise<RawAnswer> {
  const res = await fetch(`${url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });
  const text = await res.text();
  return { status: res.status, headers: res.headers, body: JSON.parse(text) };
}

/** Every error answer: the documented shape, a code, a Japanese message and the request id of the response. */
function expectErrorShape(answer: RawAnswer, code: string) {
  const [error] = answer.body.errors ?? [];
  expect(error?.extensions.code).toBe(code);
  expect(error.message).toBeTruthy();
  expect(error.extensions.messageJa).toBeTruthy();
  expect(error.extensions.requestId).toBe(answer.headers.get('x-request-id'));
}

const fragmentBomb = `{ ...L0 } ${Array.from({ length: 9 }, (_, i) => `fragment L${i} on Query { ${Array(10).fill(`...L${i + 1}`).join(' ')} }`).join(' ')} fragment L9 on Query { a: facilities(first: 1) { totalCount } }`;
const chainOf = (n: number) => `{ ...F0 } ${Array.from({ length: n }, (_, i) => (i < n - 1 ? `fragment F${i} on Query { ...F${i + 1} }` : `fragment F${i} on Query { __typename }`)).join(' ')}`;
const fragmentChain = chainOf(3000);

describe('documents built to exhaust the server', () => {
  it('refuses the fragment bomb and the 3,000-fragment chain while answering every { __typename } sent beside them', async () => {
    expect(Buffer.byteLength(fragmentBomb)).toBeLessThan(900);
    const heavy = Array.from({ length: 10 }, (_, i) => post(t.url, JSON.stringify({ query: i % 2 ? fragmentChain : fragmentBomb })));
    const light: Promise<RawAnswer>[] = [];
    for (let i = 0; i < 60; i++) light.push(post(t.url, JSON.stringify({ query: '{ __typename }' })));
    const [heavyAnswers, lightAnswers] = await Promise.all([Promise.all(heavy), Promise.all(light)]);
    expect(lightAnswers.filter((a) => a.status === 200 && (a.body.data as { __typename: string }).__typename === 'Query')).toHaveLength(60);
    for (const a of heavyAnswers) {
      expect(a.status).toBe(400);
      expectErrorShape(a, 'QUERY_TOO_COMPLEX');
    }
  });

  it('names the limit each refused document passed', async () => {
    const cases: Array<[string, string, Record<string, unknown>]> = [
      ['bomb', fragmentBomb, { aliases: 1_000_000_000 }],
      ['chain (109 KB)', fragmentChain, { measure: 'characters' }],
      ['chain of 1,000 (under 100 KB)', chainOf(1000), { measure: 'tokens' }],
      ['60 fragments', chainOf(60), { fragments: 60 }],
      ['one field 1,000 times', `{ ${Array(1000).fill('viewer { facilityIds }').join(' ')} }`, { field: 'viewer', repeats: 1000 }],
      ['cost', `{ ${['a', 'b', 'c', 'd'].map((a) => `${a}: facilities(first: 100) { edges { node { classAges { classAge capacity } municipality { name code } } } }`).join(' ')} }`, { limit: 2500 }],
    ];
    for (const [name, query, details] of cases) {
      const a = await post(t.url, JSON.stringify({ query }));
      expect([name, a.status]).toEqual([name, 400]);
      expectErrorShape(a, 'QUERY_TOO_COMPLEX');
      expect([name, a.body.errors![0].extensions.details]).toEqual([name, expect.objectContaining(details)]);
    }
  });

  it('answers a legitimate large document: the introspection query Apollo Sandbox sends', async () => {
    const { getIntrospectionQuery } = await import('graphql');
    const a = await post(t.url, JSON.stringify({ query: getIntrospectionQuery({ descriptions: true, specifiedByUrl: true, directiveIsRepeatable: true, inputValueDeprecation: true }) }));
    expect(a.status).toBe(200);
    expect(a.body.errors).toBeUndefined();
  });
});

describe('operations that cannot run', () => {
  it.each<[string, Record<string, unknown>, string]>([
    ['two operations without operationName', { query: 'query A { __typename } query B { __typename }' }, 'BAD_USER_INPUT'],
    ['an unknown operationName', { query: 'query A { __typename }', operationName: 'Nope' }, 'BAD_USER_INPUT'],
    ['a subscription', { query: 'subscription { __typename }' }, 'GRAPHQL_VALIDATION_FAILED'],
    ['a syntax error', { query: '{ __typename' }, 'GRAPHQL_PARSE_FAILED'],
  ])('%s: a typed error, on both execution paths', async (_name, body, code) => {
    for (const hub of [t, interpreted].filter((h): h is TestHub => !!h)) {
      const a = await post(hub.url, JSON.stringify(body));
      expect(a.status).toBe(400);
      expectErrorShape(a, code);
    }
  });
});

describe('requests that are not GraphQL', () => {
  it.each<[string, string, number, string]>([
    ['a body that is not JSON', '{"query": "{ __typename }"', 400, 'BAD_REQUEST'],
    ['a batch', JSON.stringify([{ query: '{ __typename }' }, { query: '{ __typename }' }]), 400, 'BAD_REQUEST'],
    ['a body without a query', JSON.stringify({ variables: {} }), 400, 'BAD_REQUEST'],
    ['a body that is a string', JSON.stringify('{ __typename }'), 400, 'BAD_REQUEST'],
  ])('%s → %i %s', async (_name, body, status, code) => {
    const a = await post(t.url, body);
    expect(a.status).toBe(status);
    expectErrorShape(a, code);
  });

  it('refuses a body over HUB_MAX_BODY_BYTES with 413 before reading it', async () => {
    const big = JSON.stringify({ query: 'mutation($c: String!) { importVacancies(format: CSV, content: $c, municipalityCode: "131199", dryRun: true) { applied } }', variables: { c: 'x'.repeat(t.hub.config.HUB_MAX_BODY_BYTES) } });
    const a = await post(t.url, big, { authorization: `Bearer ${DEMO_KEYS.ADMIN}` });
    expect(a.status).toBe(413);
    expectErrorShape(a, 'PAYLOAD_TOO_LARGE');
  });

  it('answers unknown addresses and refused open-data parameters in the same shape', async () => {
    for (const [path, status, code] of [
      ['/nothing-here', 404, 'NOT_FOUND'],
      ['/open-data/vacancies.csv?intakeMonth=2026-13', 400, 'BAD_USER_INPUT'],
    ] as const) {
      const res = await fetch(`${t.url}${path}`);
      const a = { status: res.status, headers: res.headers, body: (await res.json()) as RawAnswer['body'] };
      expect(a.status).toBe(status);
      expectErrorShape(a, code);
    }
  });
});

describe('a wrong or revoked key', () => {
  const introspection = '{ __schema { queryType { name } } }';
  it.each([['{ __typename }'], [introspection], ['{ facilities(first: 1) { totalCount } }']])('is refused with 401 UNAUTHENTICATED on %s', async (query) => {
    const a = await post(t.url, JSON.stringify({ query }), { authorization: 'Bearer not-a-real-key' });
    expect(a.status).toBe(401);
    expectErrorShape(a, 'UNAUTHENTICATED');
    const malformed = await post(t.url, JSON.stringify({ query }), { authorization: 'Basic dXNlcjpwYXNz' });
    expectErrorShape(malformed, 'UNAUTHENTICATED');
  });

  it('is refused on plain HTTP routes too', async () => {
    const res = await fetch(`${t.url}/open-data`, { headers: { authorization: 'Bearer not-a-real-key' } });
    expect(res.status).toBe(401);
    expectErrorShape({ status: res.status, headers: res.headers, body: (await res.json()) as RawAnswer['body'] }, 'UNAUTHENTICATED');
  });

  it('a revoked key stops working for { __typename } as well', async () => {
    const made = await t.ok(`mutation { createApiClient(input: { name: "edge revoked", role: PARTNER }) { key client { id } } }`, {}, DEMO_KEYS.ADMIN);
    const { key, client } = made.createApiClient;
    expect((await post(t.url, JSON.stringify({ query: '{ __typename }' }), { authorization: `Bearer ${key}` })).status).toBe(200);
    await t.ok(`mutation($id: ID!) { revokeApiClient(id: $id) { revokedAt } }`, { id: client.id }, DEMO_KEYS.ADMIN);
    const a = await post(t.url, JSON.stringify({ query: '{ __typename }' }), { authorization: `Bearer ${key}` });
    expect(a.status).toBe(401);
    expectErrorShape(a, 'UNAUTHENTICATED');
  });
});

describe('variables of the wrong type: the same typed answer every time, on both execution paths', () => {
  const FACILITIES = 'query($n: Int) { facilities(first: $n) { totalCount } }';
  const SEARCH = 'query($f: VacancySearchFilter!) { vacancySearch(filter: $f, first: 1) { edges { node { distanceMeters } } } }';
  const CALENDAR = 'query($y: Int!) { intakeCalendar(municipalityCode: "131199", fiscalYear: $y) { intakeMonth } }';
  // Raw JSON: 1e400 cannot be written by JSON.stringify (it would send null).
  const cases: Array<[string, string]> = [
    ['first: "5"', JSON.stringify({ query: FACILITIES, variables: { n: '5' } })],
    ['first: 1.5', JSON.stringify({ query: FACILITIES, variables: { n: 1.5 } })],
    ['first: 2147483648', JSON.stringify({ query: FACILITIES, variables: { n: 2147483648 } })],
    ['first: 1e400', `{"query": ${JSON.stringify(FACILITIES)}, "variables": {"n": 1e400}}`],
    ['kinds: ["NOPE"]', JSON.stringify({ query: SEARCH, variables: { f: { classAge: 1, intakeMonth: '2026-10', kinds: ['NOPE'] } } })],
    ['fiscalYear: "5"', JSON.stringify({ query: CALENDAR, variables: { y: '5' } })],
    // graphql-js gives up after 50 errors with an error of its own (found by the fuzz suite)
    ['kinds: 60 × "NOPE"', JSON.stringify({ query: SEARCH, variables: { f: { classAge: 1, intakeMonth: '2026-10', kinds: Array(60).fill('NOPE') } } })],
  ];
  it.each(cases)('%s', async (_name, body) => {
    for (const hub of [t, interpreted].filter((h): h is TestHub => !!h)) {
      for (let i = 0; i < 3; i++) {
        const a = await post(hub.url, body);
        expect(a.status).toBe(400);
        expectErrorShape(a, 'BAD_USER_INPUT');
      }
    }
  });
});

describe('ids and text checked once at the boundary', () => {
  const ID_CASES: Array<[string, string, string, Record<string, unknown>, string]> = [
    ['facility(id:)', 'query($id: ID!) { facility(id: $id) { id } }', '', { id: 'x' }, 'id'],
    ['application(id:)', 'query($id: ID!) { application(id: $id) { id } }', DEMO_KEYS.PARTNER, { id: 'x' }, 'id'],
    ['applicationMetrics(filter.partnerClientId)', 'query($f: ApplicationMetricsFilter) { applicationMetrics(filter: $f) { statusCounts { count } } }', DEMO_KEYS.ADMIN, { f: { partnerClientId: "' OR 1=1 --" } }, 'filter.partnerClientId'],
    ['removeVacancyWatch', 'mutation($id: ID!) { removeVacancyWatch(id: $id) { id } }', DEMO_KEYS.PARTNER, { id: '1' }, 'id'],
    ['revokeApiClient', 'mutation($id: ID!) { revokeApiClient(id: $id) { id } }', DEMO_KEYS.ADMIN, { id: 12345 }, 'id'],
    ['setFacilityTourBookings', 'mutation($id: ID!) { setFacilityTourBookings(facilityId: $id, takesTourBookings: true) { id } }', DEMO_KEYS.OPERATOR, { id: '00000000-0000-0000-0000-00000000000g' }, 'facilityId'],
  ];
  it.each(ID_CASES)('%s: a malformed id is BAD_USER_INPUT naming the field, as a variable and as a literal', async (_name, query, key, variables, field) => {
    const headers: Record<string, string> = key ? { authorization: `Bearer ${key}` } : {};
    const viaVariable = await post(t.url, JSON.stringify({ query, variables }), headers);
    expect(viaVariable.status).toBe(400);
    expectErrorShape(viaVariable, 'BAD_USER_INPUT');
    expect(viaVariable.body.errors![0].extensions.field).toBe(field);
    // the same value written into the document
    const [name, value] = Object.entries(variables)[0];
    const literal = query.replace(/^[^(]*\([^)]*\)/, (m) => m.split('(')[0]).replace(`$${name}`, JSON.stringify(value).replace(/"(\w+)":/g, '$1:'));
    const viaLiteral = await post(t.url, JSON.stringify({ query: literal }), headers);
    expect(viaLiteral.status).toBe(400);
    expectErrorShape(viaLiteral, 'BAD_USER_INPUT');
  });

  it('a well-formed id that does not exist is NOT_FOUND (or null where the field is nullable)', async () => {
    const zero = '00000000-0000-4000-8000-000000000000';
    expect((await t.gql('query($id: ID!) { facility(id: $id) { id } }', { id: zero })).data.facility).toBeNull();
    expect((await t.gql('mutation($id: ID!) { revokeApiClient(id: $id) { id } }', { id: zero }, DEMO_KEYS.ADMIN)).errors?.[0].extensions.code).toBe('NOT_FOUND');
  });

  it('refuses NUL and lone surrogates in any string, in variables and literals, and stores nothing', async () => {
    const [{ count: before }] = await t.db.query(`SELECT count(*)::int AS count FROM api_client`);
    // Raw JSON: a lone surrogate escaped as JSON allows.
    const cases: Array<[string, string, string]> = [
      ['a NUL in a name', JSON.stringify({ query: 'mutation($i: CreateApiClientInput!) { createApiClient(input: $i) { key } }', variables: { i: { name: 'x\u0000y', role: 'PARTNER' } } }), 'input.name'],
      ['a lone surrogate in a name', '{"query": "mutation($i: CreateApiClientInput!) { createApiClient(input: $i) { key } }", "variables": {"i": {"name": "x\\ud800", "role": "PARTNER"}}}', 'input.name'],
      ['a NUL in a literal', JSON.stringify({ query: 'mutation { createApiClient(input: { name: "x\\u0000", role: PARTNER }) { key } }' }), 'input.name'],
      ['a NUL in a filter', JSON.stringify({ query: 'query($t: String) { facilities(filter: { text: $t }) { totalCount } }', variables: { t: '\u0000' } }), 'filter.text'],
      ['a NUL in a URL', JSON.stringify({ query: 'mutation($u: String!) { registerWebhookEndpoint(input: { url: $u }) { secret } }', variables: { u: 'https://partner.example/\u0000' } }), 'input.url'],
    ];
    for (const [name, body, field] of cases) {
      const a = await post(t.url, body, { authorization: `Bearer ${DEMO_KEYS.ADMIN}` });
      expect([name, a.status, a.body.errors?.[0].extensions.code, a.body.errors?.[0].extensions.field]).toEqual([name, 400, 'BAD_USER_INPUT', field]);
    }
    const [{ count: after }] = await t.db.query(`SELECT count(*)::int AS count FROM api_client`);
    expect(after).toBe(before);
  });
});

// A production hub beside the test hub needs its own connections: real PostgreSQL only.
describeWithRealPostgres('production posture (NODE_ENV=production)', () => {
  const ADMIN_KEY = 'production-admin-key-0123456789-abcdefghij';
  const RING = `k9:${Buffer.alloc(32, 9).toString('base64')},demo:ZGVtby1vbmx5LWtleS1kby1ub3QtdXNlLWluLXByb2Q=`;
  const production = (extra: Record<string, string> = {}) =>
    startTestHub({ NODE_ENV: 'production', HUB_DEMO: 'false', HUB_ADMIN_KEY: ADMIN_KEY, HUB_ENCRYPTION_KEYS: RING, HUB_WORKERS: 'false', ...extra });
  const INTROSPECTION = '{ __schema { queryType { name } } }';
  const MISSPELT = '{ facilitie { totalCount } }';

  it('opens introspection and "Did you mean" suggestions to ADMIN callers only', async () => {
    const p = await production();
    try {
      for (const key of [undefined, DEMO_KEYS.PARTNER, DEMO_KEYS.MUNICIPALITY_ITABASHI]) {
        const headers: Record<string, string> = key ? { authorization: `Bearer ${key}` } : {};
        const refused = await post(p.url, JSON.stringify({ query: INTROSPECTION }), headers);
        expect(refused.status).toBe(403);
        expectErrorShape(refused, 'FORBIDDEN');
        const viaFragment = await post(p.url, JSON.stringify({ query: '{ ...F } fragment F on Query { __type(name: "Facility") { name } }' }), headers);
        expectErrorShape(viaFragment, 'FORBIDDEN');
        const misspelt = await post(p.url, JSON.stringify({ query: MISSPELT }), headers);
        expectErrorShape(misspelt, 'GRAPHQL_VALIDATION_FAILED');
        expect(misspelt.body.errors![0].message).not.toMatch(/Did you mean|facilities/);
        expect((await post(p.url, JSON.stringify({ query: '{ __typename }' }), headers)).status).toBe(200);
      }
      const admin = { authorization: `Bearer ${ADMIN_KEY}` };
      const allowed = await post(p.url, JSON.stringify({ query: INTROSPECTION }), admin);
      expect(allowed.status).toBe(200);
      expect(allowed.body.data).toEqual({ __schema: { queryType: { name: 'Query' } } });
      expect((await post(p.url, JSON.stringify({ query: MISSPELT }), admin)).body.errors![0].message).toMatch(/Did you mean "facilities"/);
    } finally {
      await p.close();
    }
  });

  it('HUB_INTROSPECTION=true opens both to every caller', async () => {
    const p = await production({ HUB_INTROSPECTION: 'true' });
    try {
      expect((await post(p.url, JSON.stringify({ query: INTROSPECTION }))).status).toBe(200);
      expect((await post(p.url, JSON.stringify({ query: MISSPELT }))).body.errors![0].message).toMatch(/Did you mean/);
    } finally {
      await p.close();
    }
  });
});
