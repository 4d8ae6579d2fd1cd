import { verifyWebhook } from '../../src/webhooks/signing';
import { DEMO_PROCEDURES, demoProcedureInput } from '../../src/procedures/demo-procedures.seeder';
import { StatusScheduler } from '../../src/status/status.scheduler';
import { facilityTaking } from '../support/applications';
import { DEMO_KEYS, describeWithRealPostgres, eventually, Receiver, startReceiver, startTestHub, TestHub } from '../support/hub';

/**
 * Issue 6 "Done when": through the API an application goes submitted → delivered → received →
 * under allocation → offered → accepted → approved → enrolled, the partner's endpoint receiving
 * each change in order (signed, distinct webhook-ids); a duplicate and an out-of-order municipality
 * update change nothing wrong; a not-placed application rolls into the next month; a late
 * acceptance is refused; the timeline shows all of it. The clock only moves forward in this file
 * (outbox messages are due by the clock), so the scenes run in date order.
 */
const ITABASHI = '131199';
const ADACHI = '131211';

const SUBMIT = `mutation($input: SubmitApplicationInput!) { submitApplication(input: $input) { application { id status } } }`;
const RECORD = `mutation($input: RecordApplicationStatusInput!) {
  recordApplicationStatus(input: $input) { applicationId status intakeMonth version duplicate seq offer { facilityId respondBy steps { kind dueDate } } returnNotice { missingDocuments fixDueDate } }
}`;
const ACCEPT = `mutation($id: ID!) { acceptOffer(applicationId: $id) { status duplicate seq } }`;
const WITHDRAW = `mutation($id: ID!, $reason: String) { withdrawApplication(applicationId: $id, reason: $reason) { status seq } }`;
const ADD_DOCUMENT = `mutation($id: ID!, $document: AddedDocumentInput!) { addApplicationDocument(applicationId: $id, document: $document) { status seq returnNotice { fixDueDate } } }`;
const READ = `query($id: ID!) { application(id: $id) {
  id status intakeMonth missingDocuments
  offer { facilityId entryDate respondBy steps { kind dueDate } }
  returnNotice { missingDocuments fixDueDate }
  timeline { seq type actor fromStatus toStatus occurredAt messageEn messageJa detailsJson municipalityEventId }
} }`;
const OPENED = `mutation($id: ID!) { reportNotificationOpened(notificationId: $id) { id kind applicationId sentAt openedAt } }`;
const METRICS = `query($filter: ApplicationMetricsFilter) { applicationMetrics(filter: $filter) {
  statusCounts { municipalityCode partnerClientId intakeMonth status count }
  overall { applications submittedToDelivered { count p50Seconds p90Seconds } submittedToReceived { count p50Seconds } submittedToDecision { count p50Seconds p90Seconds } offersAccepted offersDeclined offersLapsed deliveriesRetrying deliveriesDead }
  byMunicipality { municipalityCode applications offersAccepted }
  byPartner { partnerClientId applications }
  notificationViewRates { partnerClientId kind sent opened rate }
} }`;

let t: TestHub;
let partnerReceiver: Receiver;
let itabashiReceiver: Receiver;
let partnerSecret: string;
let partnerEndpointId: string;
let itabashiFacility: string;
let adachiFacility: string;
let counter = 0;
const apps: Record<'journey' | 'declined' | 'ordering' | 'notPlaced' | 'returned' | 'returnedThenWithdrawn' | 'itabashiOnly', string> = {} as never;

function application(wishes: string[], intakeMonth = '2026-11') {
  counter++;
  // A distinct child each time (1歳児 class of FY2026): one active application per child and month.
  const birth = new Date(Date.UTC(2024, 5, 1 + counter)).toISOString().slice(0, 10);
  return {
    idempotencyKey: `status-${counter}-${Date.now()}`,
    // Names are letters (the text policy refuses digits in a name): the counter in katakana.
    child: { name: `板橋 ${String(counter).replace(/\d/g, (d) => 'アイウエオカキクケコ'[Number(d)])}`, kana: 'イタバシ ハナコ', birthDate: birth, sex: 'FEMALE' },
    household: { address: '東京都板橋区板橋2-66-1', memberCount: 3 },
    guardians: [{ name: '板橋 太郎', kana: 'イタバシ タロウ', relationship: 'FATHER', careReason: 'EMPLOYMENT', employment: { employerName: '株式会社テスト', daysPerWeek: 5, startTime: '09:00', endTime: '18:00', hoursPerMonth: 160 } }],
    residenceMunicipalityCode: ITABASHI,
    intakeMonth,
    wishes: wishes.map((facilityId, i) => ({ rank: i + 1, facilityId })),
    applicationType: 'NEW',
    documents: [
      { kind: 'APPLICATION_FORM', reference: 'f-1' }, { kind: 'HOUSEHOLD_STATEMENT', reference: 'f-2' },
      { kind: 'CHILD_STATUS_STATEMENT', reference: 'f-3' }, { kind: 'EMPLOYMENT_CERTIFICATE', reference: 'f-4' },
    ],
  };
}

async function submit(wishes: string[], intakeMonth?: string): Promise<string> {
  const r = await t.ok(SUBMIT, { input: application(wishes, intakeMonth) }, DEMO_KEYS.PARTNER);
  return r.submitApplication.application.id;
}

async function statusOf(id: string): Promise<string> {
  const [row] = await t.db.query(`SELECT status FROM application WHERE id = $1`, [id]);
  return row.status;
}

function record(applicationId: string, type: string, municipalityEventId: string, extra: Record<string, unknown> = {}, key: string = DEMO_KEYS.MUNICIPALITY_ITABASHI) {
  return t.gql(RECORD, { input: { applicationId, type, municipalityEventId, ...extra } }, key);
}

async function recordOk(applicationId: string, type: string, municipalityEventId: string, extra: Record<string, unknown> = {}) {
  const r = await record(applicationId, type, municipalityEventId, extra);
  if (r.errors) throw new Error(JSON.stringify(r.errors));
  return r.data.recordApplicationStatus;
}

/** The status-change webhooks the partner's endpoint received for one application, in arrival order. */
function statusWebhooks(applicationId: string) {
  return partnerReceiver.requests
    .map((req) => ({ req, event: JSON.parse(req.body) }))
    .filter(({ event }) => event.type === 'jp.hokatsu.application.status_changed' && event.data.applicationId === applicationId);
}

function reminderWebhooks(type: string) {
  return partnerReceiver.requests.map((req) => ({ req, event: JSON.parse(req.body) })).filter(({ event }) => event.type === type);
}

async function eventCount(id: string): Promise<number> {
  const [row] = await t.db.query(`SELECT count(*)::int AS n FROM application_event WHERE application_id = $1`, [id]);
  return row.n;
}

const OFFER = { facilityId: '', entryDate: '2026-11-01', respondBy: '2026-10-05', steps: [{ kind: 'INTERVIEW', dueDate: '2026-10-15' }, { kind: 'HEALTH_CHECK' }] };

beforeAll(async () => {
  t = await startTestHub();
  t.clock.set(new Date('2026-09-20T10:00:00+09:00'));
  partnerReceiver = await startReceiver();
  itabashiReceiver = await startReceiver();
  itabashiFacility = await facilityTaking(t.db, ITABASHI, 1);
  adachiFacility = await facilityTaking(t.db, ADACHI, 1);
  OFFER.facilityId = itabashiFacility;
  await t.ok(`mutation($input: ConfigureMunicipalityDeliveryInput!) { configureMunicipalityDelivery(input: $input) { signingSecret } }`,
    { input: { municipalityCode: ITABASHI, mode: 'PUSH', endpointUrl: `${itabashiReceiver.url}/hub`, acceptsIncomplete: true } }, DEMO_KEYS.ADMIN);
  await t.ok(`mutation($input: ConfigureMunicipalityDeliveryInput!) { configureMunicipalityDelivery(input: $input) { signingSecret } }`,
    { input: { municipalityCode: ADACHI, mode: 'PULL' } }, DEMO_KEYS.ADMIN);
  const registered = await t.ok(`mutation($input: RegisterWebhookEndpointInput!) { registerWebhookEndpoint(input: $input) { secret endpoint { id } } }`,
    { input: { url: `${partnerReceiver.url}/partner` } }, DEMO_KEYS.PARTNER);
  partnerSecret = registered.registerWebhookEndpoint.secret;
  partnerEndpointId = registered.registerWebhookEndpoint.endpoint.id;

  apps.journey = await submit([itabashiFacility, adachiFacility]); // 足立区 gets a forwarded notice only
  apps.declined = await submit([itabashiFacility]);
  apps.ordering = await submit([itabashiFacility]);
  apps.notPlaced = await submit([itabashiFacility]);
  apps.returned = await submit([itabashiFacility]);
  apps.returnedThenWithdrawn = await submit([itabashiFacility]);
  apps.itabashiOnly = apps.ordering;
  // 板橋区's endpoint answers 204: the applications feature moves each to DELIVERED.
  for (const id of Object.values(apps)) await eventually(async () => (await statusOf(id)) === 'DELIVERED');
});

afterAll(async () => {
  await t?.close();
  await partnerReceiver?.close();
  await itabashiReceiver?.close();
});

describe('the journey to enrolment (20 Sept 2026)', () => {
  it('goes delivered → received → under allocation → offered → accepted → approved → enrolled', async () => {
    const id = apps.journey;
    expect((await recordOk(id, 'RECEIVED', 'itb-j-1', { expectedStatus: 'DELIVERED' })).status).toBe('RECEIVED');
    expect((await recordOk(id, 'ALLOCATION_STARTED', 'itb-j-2', { expectedStatus: 'RECEIVED', expectedIntakeMonth: '2026-11' })).status).toBe('UNDER_ALLOCATION');
    const offered = await recordOk(id, 'OFFERED', 'itb-j-3', { expectedStatus: 'UNDER_ALLOCATION', ...OFFER });
    expect(offered).toMatchObject({ status: 'OFFERED', duplicate: false, offer: { facilityId: itabashiFacility, respondBy: '2026-10-05', steps: [{ kind: 'INTERVIEW', dueDate: '2026-10-15' }, { kind: 'HEALTH_CHECK', dueDate: null }] } });
    expect((await t.ok(ACCEPT, { id }, DEMO_KEYS.PARTNER)).acceptOffer.status).toBe('ACCEPTED');
    expect((await recordOk(id, 'APPROVED', 'itb-j-4', { expectedStatus: 'ACCEPTED' })).status).toBe('APPROVED');
    expect((await recordOk(id, 'ENROLLED', 'itb-j-5', { expectedStatus: 'APPROVED' })).status).toBe('ENROLLED');

    const read = await t.ok(READ, { id }, DEMO_KEYS.PARTNER);
    expect(read.application.status).toBe('ENROLLED');
    expect(read.application.offer).toMatchObject({ facilityId: itabashiFacility, entryDate: '2026-11-01' });
    expect(read.application.timeline.map((e: any) => [e.type, e.actor, e.fromStatus, e.toStatus])).toEqual([
      ['SUBMITTED', 'PARTNER', null, 'SUBMITTED'],
      ['DELIVERY_ACKNOWLEDGED', 'SYSTEM', 'SUBMITTED', 'DELIVERED'],
      ['RECEIVED', 'MUNICIPALITY', 'DELIVERED', 'RECEIVED'],
      ['ALLOCATION_STARTED', 'MUNICIPALITY', 'RECEIVED', 'UNDER_ALLOCATION'],
      ['OFFERED', 'MUNICIPALITY', 'UNDER_ALLOCATION', 'OFFERED'],
      ['OFFER_ACCEPTED', 'PARTNER', 'OFFERED', 'ACCEPTED'],
      ['APPROVED', 'MUNICIPALITY', 'ACCEPTED', 'APPROVED'],
      ['ENROLLED', 'MUNICIPALITY', 'APPROVED', 'ENROLLED'],
    ]);
    const offeredEntry = read.application.timeline[4];
    expect(offeredEntry.municipalityEventId).toBe('itb-j-3');
    expect(JSON.parse(offeredEntry.detailsJson)).toMatchObject({ facilityId: itabashiFacility, respondBy: '2026-10-05' });
    expect(offeredEntry.messageJa).toContain('内定');
  });

  it("delivers every change to the partner's endpoint in order, signed, each with its own webhook-id", async () => {
    const id = apps.journey;
    await eventually(async () => statusWebhooks(id).length >= 7);
    const received = statusWebhooks(id);
    expect(received.map(({ event }) => event.data.toStatus)).toEqual(['DELIVERED', 'RECEIVED', 'UNDER_ALLOCATION', 'OFFERED', 'ACCEPTED', 'APPROVED', 'ENROLLED']);
    expect(received.map(({ event }) => event.data.seq)).toEqual([2, 3, 4, 5, 6, 7, 8]);
    for (const { req, event } of received) {
      expect(() => verifyWebhook(partnerSecret, req.headers as Record<string, string>, req.body, { now: t.clock.now() })).not.toThrow();
      expect(event).toMatchObject({ specversion: '1.0', subject: `applications/${id}`, id: req.headers['webhook-id'] });
      expect(event.data.notificationKind).toBe('STATUS_CHANGE');
    }
    expect(new Set(received.map(({ req }) => req.headers['webhook-id'])).size).toBe(7);
    // Nothing personal beyond what the partner holds: no names, no address.
    for (const { req } of received) expect(req.body).not.toMatch(/板橋 [アイウエオカキクケコ]+|東京都板橋区/);
  });

  it('lets the family decline an offer (内定辞退) before its response date, which ends the journey', async () => {
    const id = apps.declined;
    await recordOk(id, 'RECEIVED', 'itb-d-1', { expectedStatus: 'DELIVERED' });
    await recordOk(id, 'OFFERED', 'itb-d-2', { expectedStatus: 'RECEIVED', ...OFFER });
    const declined = await t.ok(`mutation($id: ID!) { declineOffer(applicationId: $id, reason: "別の園に決めた") { status seq } }`, { id }, DEMO_KEYS.PARTNER);
    expect(declined.declineOffer.status).toBe('DECLINED');
    const read = await t.ok(READ, { id }, DEMO_KEYS.MUNICIPALITY_ITABASHI);
    expect(read.application.timeline.at(-1)).toMatchObject({ type: 'OFFER_DECLINED', actor: 'PARTNER' });
    expect(JSON.parse(read.application.timeline.at(-1).detailsJson)).toEqual({ reason: '別の園に決めた' });
    expect((await t.gql(ACCEPT, { id }, DEMO_KEYS.PARTNER)).errors?.[0].extensions.code).toBe('INVALID_TRANSITION');
  });

  it('refuses the municipality that only received a forwarded notice (足立区) with FORBIDDEN, naming who decides', async () => {
    const r = await record(apps.journey, 'APPROVED', 'adc-1', {}, DEMO_KEYS.MUNICIPALITY_ADACHI);
    expect(r.errors?.[0].extensions).toMatchObject({ code: 'FORBIDDEN', field: 'input.applicationId' });
    expect(r.errors?.[0].message).toContain(ITABASHI);
    // Not routed there at all: not even its existence is told.
    const other = await record(apps.itabashiOnly, 'RECEIVED', 'adc-2', {}, DEMO_KEYS.MUNICIPALITY_ADACHI);
    expect(other.errors?.[0].extensions.code).toBe('NOT_FOUND');
  });

  it('shows the timeline to the partner, the municipalities it is routed to and admins, and to nobody else', async () => {
    for (const key of [DEMO_KEYS.PARTNER, DEMO_KEYS.MUNICIPALITY_ITABASHI, DEMO_KEYS.MUNICIPALITY_ADACHI, DEMO_KEYS.ADMIN]) {
      expect((await t.ok(READ, { id: apps.journey }, key)).application.timeline).toHaveLength(8);
    }
    for (const key of [DEMO_KEYS.PARTNER_2, DEMO_KEYS.OPERATOR]) {
      const r = await t.gql(READ, { id: apps.journey }, key);
      expect(['NOT_FOUND', 'FORBIDDEN']).toContain(r.errors?.[0].extensions.code);
    }
    expect((await t.gql(READ, { id: apps.itabashiOnly }, DEMO_KEYS.MUNICIPALITY_ADACHI)).errors?.[0].extensions.code).toBe('NOT_FOUND');
  });
});

describe('municipality updates sent twice or out of order', () => {
  it('applies the same municipality event once', async () => {
    const id = apps.ordering;
    const first = await recordOk(id, 'RECEIVED', 'itb-o-1', { expectedStatus: 'DELIVERED' });
    const events = await eventCount(id);
    const again = await recordOk(id, 'RECEIVED', 'itb-o-1', { expectedStatus: 'DELIVERED' });
    expect(again).toMatchObject({ status: 'RECEIVED', duplicate: true, seq: null, version: first.version });
    expect(await eventCount(id)).toBe(events);
  });

  it('refuses a reused event id with different content as CONFLICT', async () => {
    const r = await record(apps.ordering, 'ALLOCATION_STARTED', 'itb-o-1', { expectedStatus: 'RECEIVED' });
    expect(r.errors?.[0].extensions).toMatchObject({ code: 'CONFLICT', field: 'input.municipalityEventId' });
    expect(await statusOf(apps.ordering)).toBe('RECEIVED');
  });

  it('refuses a decision that overtook the start of allocation, and an old event after a newer one, with CONFLICT', async () => {
    const id = apps.ordering;
    const early = await record(id, 'OFFERED', 'itb-o-2', { expectedStatus: 'UNDER_ALLOCATION', ...OFFER });
    expect(early.errors?.[0].extensions).toMatchObject({ code: 'CONFLICT', details: { currentStatus: 'RECEIVED' } });
    expect(await statusOf(id)).toBe('RECEIVED');

    await recordOk(id, 'ALLOCATION_STARTED', 'itb-o-3', { expectedStatus: 'RECEIVED' });
    const stale = await record(id, 'RECEIVED', 'itb-o-4', { expectedStatus: 'DELIVERED' });
    expect(stale.errors?.[0].extensions.code).toBe('CONFLICT');
    expect(await statusOf(id)).toBe('UNDER_ALLOCATION');

    // Resent in the right order, the early decision now applies.
    expect((await recordOk(id, 'OFFERED', 'itb-o-2', { expectedStatus: 'UNDER_ALLOCATION', ...OFFER })).status).toBe('OFFERED');
  });

  it('refuses offered → enrolled without acceptance as INVALID_TRANSITION', async () => {
    const r = await record(apps.ordering, 'ENROLLED', 'itb-o-5', { expectedStatus: 'OFFERED' });
    expect(r.errors?.[0].extensions).toMatchObject({ code: 'INVALID_TRANSITION', details: { from: 'OFFERED', event: 'ENROLLED' } });
    expect(await statusOf(apps.ordering)).toBe('OFFERED');
  });

  it('refuses payload fields that do not belong to the event, and an offer without its dates, changing nothing', async () => {
    const stray = await record(apps.notPlaced, 'RECEIVED', 'itb-n-x', { expectedStatus: 'DELIVERED', reason: 'x' });
    expect(stray.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.reason' });
    expect(await statusOf(apps.notPlaced)).toBe('DELIVERED');
    // Another partner may not act on it.
    const other = await t.gql(ACCEPT, { id: apps.ordering }, DEMO_KEYS.PARTNER_2);
    expect(other.errors?.[0].extensions.code).toBe('NOT_FOUND');
  });
});

describe('returned applications and withdrawal', () => {
  it('sends an added document back to the municipality as an update, and the application is delivered again', async () => {
    const id = apps.returned;
    const returned = await recordOk(id, 'RETURNED', 'itb-r-1', { expectedStatus: 'DELIVERED', missingDocuments: ['就労証明書（原本）'], fixDueDate: '2026-10-20' });
    expect(returned).toMatchObject({ status: 'RETURNED', returnNotice: { missingDocuments: ['就労証明書（原本）'], fixDueDate: '2026-10-20' } });
    const before = itabashiReceiver.requests.length;
    const added = await t.ok(ADD_DOCUMENT, { id, document: { kind: 'EMPLOYMENT_CERTIFICATE', reference: 'partner-file-99' } }, DEMO_KEYS.PARTNER);
    expect(added.addApplicationDocument).toMatchObject({ status: 'SUBMITTED', returnNotice: null });

    await itabashiReceiver.waitFor(before + 1);
    const update = itabashiReceiver.requests.slice(before).map((r) => JSON.parse(r.body)).find((e) => e.type === 'jp.hokatsu.application.updated');
    expect(update.data).toMatchObject({ applicationId: id, status: 'SUBMITTED', update: { reason: 'DOCUMENT_ADDED', documents: [{ kind: 'EMPLOYMENT_CERTIFICATE', reference: 'partner-file-99' }] } });
    await eventually(async () => (await statusOf(id)) === 'DELIVERED');
    const read = await t.ok(READ, { id }, DEMO_KEYS.MUNICIPALITY_ITABASHI);
    expect(read.application.timeline.slice(-3).map((e: any) => e.type)).toEqual(['RETURNED', 'DOCUMENT_ADDED', 'DELIVERY_ACKNOWLEDGED']);
  });

  it('refuses adding a document to an application that is not returned', async () => {
    const r = await t.gql(ADD_DOCUMENT, { id: apps.journey, document: { kind: 'EMPLOYMENT_CERTIFICATE', reference: 'x' } }, DEMO_KEYS.PARTNER);
    expect(r.errors?.[0].extensions.code).toBe('INVALID_TRANSITION');
  });

  it('returns the second application (fix due 4 Oct) for the reminder scene', async () => {
    await recordOk(apps.returnedThenWithdrawn, 'RETURNED', 'itb-w-1', { expectedStatus: 'DELIVERED', missingDocuments: ['求職活動申立書'], fixDueDate: '2026-10-04' });
  });
});

describe('not placed (保留)', () => {
  it('stays NOT_PLACED with the reason until the month begins', async () => {
    const id = apps.notPlaced;
    await recordOk(id, 'RECEIVED', 'itb-n-1', { expectedStatus: 'DELIVERED' });
    const r = await recordOk(id, 'NOT_PLACED', 'itb-n-2', { expectedStatus: 'RECEIVED', expectedIntakeMonth: '2026-11', reason: '指数不足' });
    expect(r).toMatchObject({ status: 'NOT_PLACED', intakeMonth: '2026-11' });
    await t.hub.app.get(StatusScheduler).runOnce();
    expect(await statusOf(id)).toBe('NOT_PLACED');
  });
});

describe('reminders (3 Oct 2026)', () => {
  it('sends the offer and the fix reminders once each, however often the scheduler runs', async () => {
    t.clock.set(new Date('2026-10-03T09:00:00+09:00'));
    const scheduler = t.hub.app.get(StatusScheduler);
    const first = await scheduler.runOnce();
    const second = await scheduler.runOnce();
    expect(first.ran && second.ran).toBe(true);
    const rows = await t.db.query(`SELECT kind, application_id FROM status_reminder WHERE application_id = ANY($1) ORDER BY kind`, [[apps.ordering, apps.returnedThenWithdrawn]]);
    expect(rows).toEqual([
      { kind: 'OFFER_RESPONSE_DUE', application_id: apps.ordering },
      { kind: 'RETURN_FIX_DUE', application_id: apps.returnedThenWithdrawn },
    ]);
    await eventually(async () => reminderWebhooks('jp.hokatsu.reminder.offer_response_due').length >= 1 && reminderWebhooks('jp.hokatsu.reminder.return_fix_due').length >= 1);
    await scheduler.runOnce();
    await t.hub.app.get(StatusScheduler).catchUpNotifications();
    const offer = reminderWebhooks('jp.hokatsu.reminder.offer_response_due').filter(({ event }) => event.data.applicationId === apps.ordering);
    const fix = reminderWebhooks('jp.hokatsu.reminder.return_fix_due').filter(({ event }) => event.data.applicationId === apps.returnedThenWithdrawn);
    expect(offer).toHaveLength(1);
    expect(fix).toHaveLength(1);
    expect(offer[0].event.data).toMatchObject({ reminder: 'OFFER_RESPONSE_DUE', dueDate: '2026-10-05', notificationKind: 'REMINDER' });
    expect(fix[0].event.data).toMatchObject({ dueDate: '2026-10-04', missingDocuments: ['求職活動申立書'] });
    const [{ messages }] = await t.db.query(`SELECT count(*)::int AS messages FROM outbox_message WHERE type LIKE 'jp.hokatsu.reminder.%' AND data->>'applicationId' = ANY($1) AND endpoint_id = $2`,
      [[apps.ordering, apps.returnedThenWithdrawn], partnerEndpointId]);
    expect(messages).toBe(2);
  });

  it('lets the family withdraw (取下げ) the returned application', async () => {
    const r = await t.ok(WITHDRAW, { id: apps.returnedThenWithdrawn, reason: '転居のため' }, DEMO_KEYS.PARTNER);
    expect(r.withdrawApplication.status).toBe('WITHDRAWN');
    const again = await t.gql(WITHDRAW, { id: apps.returnedThenWithdrawn }, DEMO_KEYS.PARTNER);
    expect(again.errors?.[0].extensions.code).toBe('INVALID_TRANSITION');
  });
});

describe('a late acceptance (6 Oct 2026, offer to answer by 5 Oct)', () => {
  it('is refused, and the scheduler lets the offer lapse', async () => {
    t.clock.set(new Date('2026-10-06T08:00:00+09:00'));
    const late = await t.gql(ACCEPT, { id: apps.ordering }, DEMO_KEYS.PARTNER);
    expect(late.errors?.[0].extensions.code).toBe('OFFER_RESPONSE_DEADLINE_PASSED');
    await t.hub.app.get(StatusScheduler).runOnce();
    expect(await statusOf(apps.ordering)).toBe('OFFER_LAPSED');
    const read = await t.ok(READ, { id: apps.ordering }, DEMO_KEYS.PARTNER);
    expect(read.application.timeline.at(-1)).toMatchObject({ type: 'OFFER_LAPSED', actor: 'SYSTEM', fromStatus: 'OFFERED', toStatus: 'OFFER_LAPSED' });
    // Still the same answer after the lapse.
    expect((await t.gql(ACCEPT, { id: apps.ordering }, DEMO_KEYS.PARTNER)).errors?.[0].extensions.code).toBe('OFFER_RESPONSE_DEADLINE_PASSED');
  });
});

describe('intake deadline reminder for a watched month (7 Oct 2026; November intake closes 9 Oct)', () => {
  it('reminds once per watch', async () => {
    const watch = await t.ok(`mutation($input: CreateVacancyWatchInput!) { createVacancyWatch(input: $input) { id } }`,
      { input: { parentReference: 'parent-42', municipalityCode: ITABASHI, classAge: 1, intakeMonth: '2026-11', endpointId: partnerEndpointId } }, DEMO_KEYS.PARTNER);
    const watchId = watch.createVacancyWatch.id;
    t.clock.set(new Date('2026-10-07T09:00:00+09:00'));
    // The calendar in force on the test's date: the demo one is stated at the real date the hub was seeded.
    const procedure = { ...demoProcedureInput(DEMO_PROCEDURES.find((p) => p.code === ITABASHI)!, 2026), changeNote: 'stated for the status test', wishLimit: 12 };
    await t.ok(`mutation($input: SetIntakeProcedureInput!) { setIntakeProcedure(input: $input) { __typename } }`, { input: procedure }, DEMO_KEYS.MUNICIPALITY_ITABASHI);
    const scheduler = t.hub.app.get(StatusScheduler);
    await scheduler.runOnce();
    await scheduler.runOnce();
    const rows = await t.db.query(`SELECT kind, to_char(due_date, 'YYYY-MM-DD') AS due FROM status_reminder WHERE vacancy_watch_id = $1`, [watchId]);
    expect(rows).toEqual([{ kind: 'INTAKE_DEADLINE', due: '2026-10-09' }]);
    await eventually(async () => reminderWebhooks('jp.hokatsu.reminder.intake_deadline').some(({ event }) => event.data.vacancyWatchId === watchId));
    const sent = reminderWebhooks('jp.hokatsu.reminder.intake_deadline').filter(({ event }) => event.data.vacancyWatchId === watchId);
    expect(sent).toHaveLength(1);
    expect(sent[0].event.data).toMatchObject({ parentReference: 'parent-42', intakeMonth: '2026-11', municipalityCode: ITABASHI, dueDate: '2026-10-09' });
  });
});

describe('rollover (1 Nov 2026)', () => {
  it('moves the not-placed application into the next intake month, with a timeline event and a webhook', async () => {
    t.clock.set(new Date('2026-11-01T06:00:00+09:00'));
    await t.hub.app.get(StatusScheduler).runOnce();
    const read = await t.ok(READ, { id: apps.notPlaced }, DEMO_KEYS.PARTNER);
    expect(read.application).toMatchObject({ status: 'RECEIVED', intakeMonth: '2026-12' });
    const last = read.application.timeline.at(-1);
    expect(last).toMatchObject({ type: 'ROLLED_OVER', actor: 'SYSTEM', fromStatus: 'NOT_PLACED', toStatus: 'RECEIVED' });
    expect(JSON.parse(last.detailsJson)).toEqual({ previousIntakeMonth: '2026-11', intakeMonth: '2026-12' });
    await eventually(async () => statusWebhooks(apps.notPlaced).some(({ event }) => event.data.event === 'ROLLED_OVER'));
    // Last month's late decision is stale now.
    const stale = await record(apps.notPlaced, 'OFFERED', 'itb-n-3', { expectedStatus: 'RECEIVED', expectedIntakeMonth: '2026-11', ...OFFER, respondBy: '2026-11-05', entryDate: '2026-12-01' });
    expect(stale.errors?.[0].extensions.code).toBe('CONFLICT');
  });
});

describe('measures', () => {
  it('counts by status and month, with durations, offer answers and failing deliveries, for admins', async () => {
    const { applicationMetrics: m } = await t.ok(METRICS, { filter: { municipalityCode: ITABASHI, intakeMonth: '2026-11' } }, DEMO_KEYS.ADMIN);
    const count = (status: string) => m.statusCounts.filter((c: any) => c.status === status).reduce((s: number, c: any) => s + c.count, 0);
    expect(count('ENROLLED')).toBeGreaterThanOrEqual(1);
    expect(count('OFFER_LAPSED')).toBeGreaterThanOrEqual(1);
    expect(m.overall.submittedToDelivered.count).toBeGreaterThanOrEqual(4);
    expect(m.overall.submittedToDelivered.p50Seconds).toBeGreaterThanOrEqual(0);
    expect(m.overall.submittedToDecision.p90Seconds).toBeGreaterThanOrEqual(m.overall.submittedToDecision.p50Seconds);
    expect(m.overall.offersAccepted).toBeGreaterThanOrEqual(1);
    expect(m.overall.offersDeclined).toBeGreaterThanOrEqual(1);
    expect(m.overall.offersLapsed).toBeGreaterThanOrEqual(1);
    expect(m.byMunicipality.map((g: any) => g.municipalityCode)).toEqual([ITABASHI]);
    expect(m.byPartner.length).toBeGreaterThanOrEqual(1);
  });

  it('gives a municipality its own measures only', async () => {
    const own = await t.ok(METRICS, {}, DEMO_KEYS.MUNICIPALITY_ADACHI);
    expect(own.applicationMetrics.statusCounts.every((c: any) => c.municipalityCode === ADACHI)).toBe(true);
    const other = await t.gql(METRICS, { filter: { municipalityCode: ITABASHI } }, DEMO_KEYS.MUNICIPALITY_ADACHI);
    expect(other.errors?.[0].extensions).toMatchObject({ code: 'FORBIDDEN', field: 'filter.municipalityCode' });
    expect((await t.gql(METRICS, {}, DEMO_KEYS.PARTNER)).errors?.[0].extensions.code).toBe('FORBIDDEN');
  });

  it('measures 閲覧率 from what partners report opened, once per notification', async () => {
    const [first] = statusWebhooks(apps.journey);
    const notificationId = first.req.headers['webhook-id'] as string;
    const opened = await t.ok(OPENED, { id: notificationId }, DEMO_KEYS.PARTNER);
    expect(opened.reportNotificationOpened).toMatchObject({ id: notificationId, kind: 'STATUS_CHANGE', applicationId: apps.journey });
    const again = await t.ok(OPENED, { id: notificationId }, DEMO_KEYS.PARTNER);
    expect(again.reportNotificationOpened.openedAt).toBe(opened.reportNotificationOpened.openedAt);
    expect((await t.gql(OPENED, { id: notificationId }, DEMO_KEYS.PARTNER_2)).errors?.[0].extensions.code).toBe('NOT_FOUND');

    const [{ partner }] = await t.db.query(`SELECT partner_client_id AS partner FROM application WHERE id = $1`, [apps.journey]);
    const { applicationMetrics: m } = await t.ok(METRICS, { filter: { partnerClientId: partner } }, DEMO_KEYS.ADMIN);
    const sentOf = async (kind: string) => (await t.db.query(`SELECT count(*)::int AS n FROM notification WHERE kind = $1 AND partner_client_id = $2`, [kind, partner]))[0].n;
    const statusRate = m.notificationViewRates.find((r: any) => r.kind === 'STATUS_CHANGE');
    const statusSent = await sentOf('STATUS_CHANGE');
    expect(statusSent).toBeGreaterThanOrEqual(7);
    expect(statusRate).toMatchObject({ partnerClientId: partner, sent: statusSent, opened: 1 });
    expect(statusRate.rate).toBeCloseTo(1 / statusSent);
    const reminderRate = m.notificationViewRates.find((r: any) => r.kind === 'REMINDER');
    expect(reminderRate).toMatchObject({ sent: await sentOf('REMINDER'), opened: 0, rate: 0 });
    expect(reminderRate.sent).toBeGreaterThanOrEqual(3);
  });

  it('serves Prometheus metrics at /metrics to an admin key only', async () => {
    const res = await fetch(`${t.url}/metrics`, { headers: { authorization: `Bearer ${DEMO_KEYS.ADMIN}` } });
    expect(res.status).toBe(200);
    const text = await res.text();
    expect(text).toMatch(new RegExp(`hokatsu_applications\\{municipality="${ITABASHI}",intake_month="2026-11",status="ENROLLED"\\} [1-9]`));
    expect(text).toMatch(/hokatsu_application_stage_seconds\{municipality="131199",stage="delivered",quantile="0.5"\} /);
    expect(text).toMatch(/hokatsu_notifications_opened\{partner="[0-9a-f-]+",kind="STATUS_CHANGE"\} 1/);
    expect(text).toContain('process_cpu_user_seconds_total');
    expect((await fetch(`${t.url}/metrics`)).status).toBe(401);
    expect((await fetch(`${t.url}/metrics`, { headers: { authorization: `Bearer ${DEMO_KEYS.PARTNER}` } })).status).toBe(403);
  });
});

describeWithRealPostgres('two hubs at once', () => {
  it("sends a reminder once when both hubs' schedulers run together", async () => {
    const second = await startTestHub();
    try {
      second.clock.set(t.clock.now());
      // A December offer to answer by 3 Nov: due for a reminder now (1 Nov).
      const id = await submit([itabashiFacility], '2026-12');
      await eventually(async () => (await statusOf(id)) === 'DELIVERED');
      await recordOk(id, 'RECEIVED', 'itb-2h-1', { expectedStatus: 'DELIVERED' });
      await recordOk(id, 'OFFERED', 'itb-2h-2', { expectedStatus: 'RECEIVED', ...OFFER, entryDate: '2026-12-01', respondBy: '2026-11-03' });
      const reports = await Promise.all([
        t.hub.app.get(StatusScheduler).runOnce(),
        second.hub.app.get(StatusScheduler).runOnce(),
        t.hub.app.get(StatusScheduler).runOnce(),
        second.hub.app.get(StatusScheduler).runOnce(),
      ]);
      expect(reports.reduce((n, r) => n + r.reminders, 0)).toBe(1);
      const rows = await t.db.query(`SELECT kind FROM status_reminder WHERE application_id = $1`, [id]);
      expect(rows).toEqual([{ kind: 'OFFER_RESPONSE_DUE' }]);
      const [{ messages }] = await t.db.query(`SELECT count(*)::int AS messages FROM outbox_message WHERE type = 'jp.hokatsu.reminder.offer_response_due' AND data->>'applicationId' = $1 AND endpoint_id = $2`, [id, partnerEndpointId]);
      expect(messages).toBe(1);
    } finally {
      await second.close();
    }
  });
});
