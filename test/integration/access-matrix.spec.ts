import { GraphQLSchemaHost } from '@nestjs/graphql';
import { DEMO_KEYS, startTestHub, TestHub } from '../support/hub';

/**
 * Every mutation against every role. A role outside the allowed list gets FORBIDDEN, a caller with
 * no key or a wrong key UNAUTHENTICATED, and nothing changes. A new mutation must be added to
 * MATRIX: the last test fails when the schema has a mutation this table does not know.
 *
 * Each entry's document is sent with harmless variables; for allowed roles we only check that the
 * refusal is NOT an access error (the call may still fail validation: that's fine here).
 */
type Role = 'ADMIN' | 'PARTNER' | 'OPERATOR' | 'MUNICIPALITY';
const KEYS: Record<Role, string> = {
  ADMIN: DEMO_KEYS.ADMIN,
  PARTNER: DEMO_KEYS.PARTNER,
  OPERATOR: DEMO_KEYS.OPERATOR,
  MUNICIPALITY: DEMO_KEYS.MUNICIPALITY_ITABASHI,
};
const ZERO_ID = '00000000-0000-4000-8000-000000000000';

export interface MatrixEntry {
  mutation: string;
  document: string;
  variables?: Record<string, unknown>;
  allowed: Role[];
}

export const MATRIX: MatrixEntry[] = [
  { mutation: 'createApiClient', document: `mutation { createApiClient(input: { name: "x", role: PARTNER }) { key } }`, allowed: ['ADMIN'] },
  { mutation: 'revokeApiClient', document: `mutation { revokeApiClient(id: "${ZERO_ID}") { id } }`, allowed: ['ADMIN'] },
  { mutation: 'setMunicipalityParticipation', document: `mutation { setMunicipalityParticipation(code: "999999", participates: true) { code } }`, allowed: ['ADMIN'] },
  { mutation: 'importFacilities', document: `mutation { importFacilities(csv: "", dryRun: true) { applied } }`, allowed: ['ADMIN', 'MUNICIPALITY'] },
];

let t: TestHub;
beforeAll(async () => {
  t = await startTestHub();
});
afterAll(() => t?.close());

const ACCESS = ['FORBIDDEN', 'UNAUTHENTICATED'];

describe('access matrix', () => {
  const cases = MATRIX.flatMap((e) => (['ADMIN', 'PARTNER', 'OPERATOR', 'MUNICIPALITY'] as Role[]).map((role) => ({ ...e, role })));
  it.each(cases)('$mutation as $role', async ({ document, variables, allowed, role }) => {
    const r = await t.gql(document, variables, KEYS[role]);
    const code = r.errors?.[0]?.extensions.code;
    if (allowed.includes(role)) expect(ACCESS).not.toContain(code);
    else expect(code).toBe('FORBIDDEN');
  });

  it.each(MATRIX)('$mutation without a key is UNAUTHENTICATED', async ({ document, variables }) => {
    const r = await t.gql(document, variables);
    expect(r.errors?.[0]?.extensions.code).toBe('UNAUTHENTICATED');
  });

  it.each(MATRIX)('$mutation with a wrong key is UNAUTHENTICATED', async ({ document, variables }) => {
    const r = await t.gql(document, variables, 'not-a-real-key');
    expect(r.errors?.[0]?.extensions.code).toBe('UNAUTHENTICATED');
  });

  it('covers every mutation in the schema', () => {
    const { schema } = t.hub.app.get(GraphQLSchemaHost);
    const names = Object.keys(schema.getMutationType()?.getFields() ?? {}).sort();
    expect(names).toEqual(MATRIX.map((e) => e.mutation).sort());
  });
});
