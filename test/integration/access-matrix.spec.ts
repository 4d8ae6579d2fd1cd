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
  { mutation: 'recordApplicationStatus', document: `mutation { recordApplicationStatus(input: { applicationId: "${ZERO_ID}", municipalityEventId: "x", type: RECEIVED }) { status } }`, allowed: ['ADMIN', 'MUNICIPALITY'] },
  { mutation: 'acceptOffer', document: `mutation { acceptOffer(applicationId: "${ZERO_ID}") { status } }`, allowed: ['PARTNER'] },
  { mutation: 'declineOffer', document: `mutation { declineOffer(applicationId: "${ZERO_ID}") { status } }`, allowed: ['PARTNER'] },
  { mutation: 'withdrawApplication', document: `mutation { withdrawApplication(applicationId: "${ZERO_ID}") { status } }`, allowed: ['PARTNER'] },
  { mutation: 'addApplicationDocument', document: `mutation { addApplicationDocument(applicationId: "${ZERO_ID}", document: { kind: EMPLOYMENT_CERTIFICATE, reference: "x" }) { status } }`, allowed: ['PARTNER'] },
  { mutation: 'reportNotificationOpened', document: `mutation { reportNotificationOpened(notificationId: "${ZERO_ID}") { id } }`, allowed: ['PARTNER'] },
  { mutation: 'createApiClient', document: `mutation { createApiClient(input: { name: "x", role: PARTNER }) { key } }`, allowed: ['ADMIN'] },
  { mutation: 'revokeApiClient', document: `mutation { revokeApiClient(id: "${ZERO_ID}") { id } }`, allowed: ['ADMIN'] },
  { mutation: 'setMunicipalityParticipation', document: `mutation { setMunicipalityParticipation(code: "999999", participates: true) { code } }`, allowed: ['ADMIN'] },
  { mutation: 'importFacilities', document: `mutation { importFacilities(csv: "", dryRun: true) { applied } }`, allowed: ['ADMIN', 'MUNICIPALITY'] },
  { mutation: 'updateVacancies', document: `mutation { updateVacancies(input: { facilityId: "${ZERO_ID}", intakeMonth: "2026-13", cells: [{ classAge: 1, seats: 1, expectedVersion: 0 }] }) { facilityId } }`, allowed: ['OPERATOR', 'ADMIN'] },
  { mutation: 'importVacancies', document: `mutation { importVacancies(format: CSV, content: "", municipalityCode: "131199", dryRun: true) { applied } }`, allowed: ['MUNICIPALITY', 'ADMIN'] },
  { mutation: 'createVacancyWatch', document: `mutation { createVacancyWatch(input: { parentReference: "p", classAge: 9, intakeMonth: "2026-10", endpointId: "${ZERO_ID}" }) { id } }`, allowed: ['PARTNER'] },
  { mutation: 'removeVacancyWatch', document: `mutation { removeVacancyWatch(id: "${ZERO_ID}") { id } }`, allowed: ['PARTNER'] },
  { mutation: 'registerWebhookEndpoint', document: `mutation { registerWebhookEndpoint(input: { url: "ftp://example.jp/hook" }) { secret } }`, allowed: ['ADMIN', 'PARTNER', 'OPERATOR'] },
  { mutation: 'rotateWebhookSecret', document: `mutation { rotateWebhookSecret(endpointId: "${ZERO_ID}") { secret } }`, allowed: ['ADMIN', 'PARTNER', 'OPERATOR', 'MUNICIPALITY'] },
  { mutation: 'removeWebhookEndpoint', document: `mutation { removeWebhookEndpoint(id: "${ZERO_ID}") { id } }`, allowed: ['ADMIN', 'PARTNER', 'OPERATOR', 'MUNICIPALITY'] },
  { mutation: 'enableWebhookEndpoint', document: `mutation { enableWebhookEndpoint(id: "${ZERO_ID}") { id } }`, allowed: ['ADMIN', 'PARTNER', 'OPERATOR', 'MUNICIPALITY'] },
  { mutation: 'replayDeadLetter', document: `mutation { replayDeadLetter(id: "${ZERO_ID}") { id } }`, allowed: ['ADMIN'] },
  { mutation: 'acknowledgeAdminAlert', document: `mutation { acknowledgeAdminAlert(id: "${ZERO_ID}") { id } }`, allowed: ['ADMIN'] },
  { mutation: 'submitApplication', document: `mutation { submitApplication(input: { idempotencyKey: "matrix", child: { name: "x", kana: "x", birthDate: "2024-01-01", sex: FEMALE }, household: { address: "x", memberCount: 1 }, guardians: [], residenceMunicipalityCode: "999999", intakeMonth: "2026-11", wishes: [], applicationType: NEW }) { replayed } }`, allowed: ['PARTNER'] },
  { mutation: 'configureMunicipalityDelivery', document: `mutation { configureMunicipalityDelivery(input: { municipalityCode: "999999", mode: PULL }) { signingSecret } }`, allowed: ['ADMIN'] },
  { mutation: 'acknowledgeMunicipalityFeed', document: `mutation { acknowledgeMunicipalityFeed(cursor: "0") { acknowledgedCursor } }`, allowed: ['MUNICIPALITY'] },
  { mutation: 'setIntakeProcedure', document: `mutation { setIntakeProcedure(input: { municipalityCode: "131199", fiscalYear: 2026, rule: { opens: { monthOffset: -2, day: 11, adjust: NONE }, closes: { monthOffset: -1, day: 10, adjust: NONE } }, wishLimit: 0, validity: { kind: END_OF_FISCAL_YEAR }, channels: [ONLINE] }) { created } }`, allowed: ['ADMIN', 'MUNICIPALITY'] },
  { mutation: 'publishTourSlots', document: `mutation { publishTourSlots(input: { facilityId: "${ZERO_ID}", slots: [] }) { id } }`, allowed: ['OPERATOR', 'ADMIN'] },
  { mutation: 'cancelTourSlot', document: `mutation { cancelTourSlot(input: { id: "${ZERO_ID}", reason: "" }) { id } }`, allowed: ['OPERATOR', 'ADMIN'] },
  { mutation: 'setFacilityTourBookings', document: `mutation { setFacilityTourBookings(facilityId: "${ZERO_ID}", takesTourBookings: true) { id } }`, allowed: ['OPERATOR', 'ADMIN'] },
  { mutation: 'bookTour', document: `mutation { bookTour(input: { slotId: "${ZERO_ID}", contactReference: "", idempotencyKey: "matrix" }) { id } }`, allowed: ['PARTNER'] },
  { mutation: 'cancelTourBooking', document: `mutation { cancelTourBooking(input: { id: "${ZERO_ID}" }) { id } }`, allowed: ['PARTNER'] },
  { mutation: 'cancelTourBookingByFacility', document: `mutation { cancelTourBookingByFacility(input: { id: "${ZERO_ID}", reason: "" }) { id } }`, allowed: ['OPERATOR', 'ADMIN'] },
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
