import { createServer, IncomingMessage, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import { OutboxMessageInput } from '../../src/outbox/outbox.contract';
import { OutboxService } from '../../src/outbox/outbox.service';
import { WebhookDispatcher } from '../../src/outbox/webhook-dispatcher';
import { systemResolver, WebhookTargetGuard } from '../../src/outbox/webhook-target-guard';
import { MAX_DELIVERY_ATTEMPTS } from '../../src/webhooks/retry-schedule';
import { verifyWebhook } from '../../src/webhooks/signing';
import { DEMO_KEYS, describeWithRealPostgres, eventually, Receiver, startReceiver, startTestHub, TestHub } from '../support/hub';

/**
 * The outbox end to end: features enqueue inside their transaction, the dispatcher delivers signed
 * CloudEvents to real local HTTP receivers. Workers are off in the main hub, so each test drives
 * the dispatcher with runOnce() and moves the clock instead of waiting.
 */
let t: TestHub;
let outbox: OutboxService;
let dispatcher: WebhookDispatcher;
const receivers: Receiver[] = [];

beforeAll(async () => {
  t = await startTestHub({ HUB_WORKERS: 'false' });
  outbox = t.hub.app.get(OutboxService);
  dispatcher = t.hub.app.get(WebhookDispatcher);
});
afterEach(async () => {
  await Promise.all(receivers.splice(0).map((r) => r.close()));
});
afterAll(() => t?.close());

const HOUR = 3_600_000;
const REGISTER = `mutation($input: RegisterWebhookEndpointInput!) {
  registerWebhookEndpoint(input: $input) { secret endpoint { id ownerKind ownerId url topics status } } }`;
const ENDPOINTS = `{ webhookEndpoints(first: 100) { totalCount edges { node { id status disabledReason ownerKind ownerId } } } }`;
const DELIVERIES = `query($endpointId: ID!, $status: WebhookDeliveryStatus) {
  webhookDeliveries(endpointId: $endpointId, status: $status, first: 50) {
    totalCount edges { node { id type subject status attempts dataJson lastStatusCode endpoint { id } deliveryAttempts { attemptNo statusCode error } } } } }`;

async function receiver(respond?: Receiver['respond']): Promise<Receiver> {
  const r = await startReceiver();
  if (respond) r.respond = respond;
  receivers.push(r);
  return r;
}

async function register(key: string, input: Record<string, unknown>): Promise<{ id: string; secret: string }> {
  const data = await t.ok(REGISTER, { input }, key);
  return { id: data.registerWebhookEndpoint.endpoint.id, secret: data.registerWebhookEndpoint.secret };
}

function message(overrides: Partial<OutboxMessageInput> = {}): OutboxMessageInput {
  return { type: 'jp.hokatsu.test.happened', subject: 'tests/1', orderingKey: 'key-1', data: { n: 1 }, ...overrides };
}

function enqueue(endpointId: string, input: OutboxMessageInput) {
  return t.db.transaction((manager) => outbox.enqueue(manager, endpointId, input));
}

function advance(ms: number) {
  t.clock.set(new Date(t.clock.now().getTime() + ms));
}

/** Runs dispatcher rounds until the condition holds (other tests' leftovers may take a round's slots). */
async function dispatchUntil(condition: () => Promise<boolean> | boolean, rounds = 10): Promise<void> {
  for (let round = 0; round < rounds; round++) {
    if (await condition()) return;
    await dispatcher.runOnce();
  }
  if (!(await condition())) throw new Error(`condition not met after ${rounds} dispatcher rounds`);
}

/** Dispatcher rounds until nothing of ours is due any more, so that "not sent" is a fact, not a wait. */
async function dispatchAllDue(): Promise<void> {
  for (let round = 0; round < 10; round++) {
    const report = await dispatcher.runOnce();
    if (report.claimed === 0) return;
  }
}

async function messageRow(id: string) {
  const [row] = await t.db.query(`SELECT status, attempts, next_attempt_at, last_status_code, last_error FROM outbox_message WHERE id = $1`, [id]);
  return row as { status: string; attempts: number; next_attempt_at: Date | null; last_status_code: number | null; last_error: string | null };
}

function headersOf(request: Receiver['requests'][number]): Record<string, string | undefined> {
  return Object.fromEntries(Object.entries(request.headers).map(([name, value]) => [name, Array.isArray(value) ? value.join(',') : value]));
}

function verify(secret: string, request: Receiver['requests'][number]) {
  verifyWebhook(secret, headersOf(request), request.body, { now: t.clock.now() });
}

describe('delivery', () => {
  it('POSTs a signed CloudEvents envelope that verifies with the endpoint secret, and records it', async () => {
    const r = await receiver();
    const { id: endpointId, secret } = await register(DEMO_KEYS.PARTNER, { url: `${r.url}/hooks`, topics: [] });
    const id = await enqueue(endpointId, message({ type: 'jp.hokatsu.test.signed', subject: 'tests/signed', data: { facility: 'かないくぼ', seats: 2 } }));
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    const [{ created_at: createdAt }] = await t.db.query(`SELECT created_at FROM outbox_message WHERE id = $1`, [id]);

    await dispatchUntil(() => r.requests.length === 1);
    const request = r.requests[0];
    expect(request.method).toBe('POST');
    expect(request.path).toBe('/hooks');
    expect(request.headers['content-type']).toBe('application/json');
    expect(request.headers['webhook-id']).toBe(id);
    expect(() => verify(secret, request)).not.toThrow();
    const other = (await register(DEMO_KEYS.PARTNER, { url: `${r.url}/other` })).secret;
    expect(() => verify(other, request)).toThrow(/signature/i);
    expect(() => verifyWebhook(secret, headersOf(request), request.body.replace('かないくぼ', 'みなみ'), { now: t.clock.now() })).toThrow();

    expect(JSON.parse(request.body)).toEqual({
      specversion: '1.0',
      id,
      source: 'urn:hokatsu-hub',
      type: 'jp.hokatsu.test.signed',
      subject: 'tests/signed',
      time: new Date(createdAt).toISOString(),
      datacontenttype: 'application/json',
      data: { facility: 'かないくぼ', seats: 2 },
    });
    expect(await messageRow(id!)).toMatchObject({ status: 'DELIVERED', attempts: 1, next_attempt_at: null, last_status_code: 204 });

    const history = await t.ok(DELIVERIES, { endpointId }, DEMO_KEYS.PARTNER);
    expect(history.webhookDeliveries.totalCount).toBe(1);
    expect(history.webhookDeliveries.edges[0].node).toMatchObject({
      id,
      status: 'DELIVERED',
      attempts: 1,
      lastStatusCode: 204,
      endpoint: { id: endpointId },
      deliveryAttempts: [{ attemptNo: 1, statusCode: 204, error: null }],
    });
    expect(JSON.parse(history.webhookDeliveries.edges[0].node.dataJson)).toEqual({ facility: 'かないくぼ', seats: 2 });
  });

  it('connects to the address its resolver checked for the receiver\'s name, not to a second lookup', async () => {
    const r = await receiver();
    const guard = t.hub.app.get(WebhookTargetGuard);
    // The system resolver does not know this name: only the guard's answer can take the request there.
    guard.useResolver(async (hostname) => (hostname === 'receiver.hokatsu.test' ? [{ address: '127.0.0.1', family: 4 }] : systemResolver(hostname)));
    try {
      const port = new URL(r.url).port;
      const { id: endpointId, secret } = await register(DEMO_KEYS.PARTNER, { url: `http://receiver.hokatsu.test:${port}/named` });
      const id = await enqueue(endpointId, message({ orderingKey: 'by-name' }));
      await dispatchUntil(() => r.requests.length === 1);
      expect(r.requests[0]).toMatchObject({ path: '/named', headers: expect.objectContaining({ host: `receiver.hokatsu.test:${port}`, 'webhook-id': id }) });
      expect(() => verify(secret, r.requests[0])).not.toThrow();
    } finally {
      guard.useResolver(systemResolver);
    }
  });

  it('retries a 500 with the same webhook-id once the backoff has passed, then delivers', async () => {
    let fail = true;
    const r = await receiver(() => ({ status: fail ? 500 : 200, body: fail ? 'database down' : 'ok' }));
    const { id: endpointId, secret } = await register(DEMO_KEYS.PARTNER, { url: r.url });
    const id = (await enqueue(endpointId, message({ orderingKey: 'retry-500' })))!;

    await dispatchUntil(() => r.requests.length === 1);
    const failed = await messageRow(id);
    expect(failed).toMatchObject({ status: 'PENDING', attempts: 1, last_status_code: 500, last_error: 'HTTP 500: database down' });
    // The first retry waits 5 s (±20% jitter) after the failure.
    const delay = new Date(failed.next_attempt_at!).getTime() - t.clock.now().getTime();
    expect(delay).toBeGreaterThan(3_000);
    expect(delay).toBeLessThanOrEqual(6_000);

    await dispatchAllDue();
    expect(r.requests).toHaveLength(1);

    fail = false;
    advance(6_001);
    await dispatchUntil(() => r.requests.length === 2);
    expect(r.requests[1].headers['webhook-id']).toBe(id);
    expect(r.requests[1].body).toBe(r.requests[0].body);
    expect(() => verify(secret, r.requests[1])).not.toThrow();
    expect(await messageRow(id)).toMatchObject({ status: 'DELIVERED', attempts: 2, last_status_code: 200 });
    const history = await t.ok(DELIVERIES, { endpointId }, DEMO_KEYS.PARTNER);
    expect(history.webhookDeliveries.edges[0].node.deliveryAttempts).toEqual([
      { attemptNo: 1, statusCode: 500, error: 'HTTP 500: database down' },
      { attemptNo: 2, statusCode: 200, error: null },
    ]);
  });

  it('honours Retry-After when it asks for more patience than the schedule', async () => {
    let answer = { status: 503, headers: { 'retry-after': '3600' } as Record<string, string> };
    const r = await receiver(() => answer);
    const { id: endpointId } = await register(DEMO_KEYS.PARTNER, { url: r.url });
    const id = (await enqueue(endpointId, message({ orderingKey: 'retry-after' })))!;

    await dispatchUntil(() => r.requests.length === 1);
    const failed = await messageRow(id);
    expect(new Date(failed.next_attempt_at!).getTime() - t.clock.now().getTime()).toBeGreaterThan(3_590_000);

    answer = { status: 204, headers: {} };
    advance(HOUR / 2);
    await dispatchAllDue();
    expect(r.requests).toHaveLength(1);

    advance(HOUR / 2 + 10_000);
    await dispatchUntil(() => r.requests.length === 2);
    expect(await messageRow(id)).toMatchObject({ status: 'DELIVERED', attempts: 2 });
  });

  it('keeps strict order per ordering key: a failing message holds back its successor, not other keys', async () => {
    let subjectsFailing = new Set(['order/a1']);
    const r = await receiver((_req, body) => ({ status: subjectsFailing.has(JSON.parse(body).subject) ? 500 : 204 }));
    const { id: endpointId } = await register(DEMO_KEYS.PARTNER, { url: r.url });
    const a1 = await enqueue(endpointId, message({ orderingKey: 'application-A', subject: 'order/a1' }));
    const a2 = await enqueue(endpointId, message({ orderingKey: 'application-A', subject: 'order/a2' }));
    const b1 = await enqueue(endpointId, message({ orderingKey: 'application-B', subject: 'order/b1' }));
    const subjects = () => r.requests.map((request) => JSON.parse(request.body).subject);

    await dispatchUntil(() => r.requests.length >= 2);
    await dispatchAllDue();
    expect(subjects().sort()).toEqual(['order/a1', 'order/b1']);
    expect((await messageRow(b1!)).status).toBe('DELIVERED');
    expect((await messageRow(a2!)).attempts).toBe(0);

    // Still failing on the retry: a2 still waits.
    advance(6_001);
    await dispatchUntil(() => r.requests.length === 3);
    await dispatchAllDue();
    expect(subjects()).toEqual(expect.arrayContaining(['order/a1', 'order/a1', 'order/b1']));
    expect(subjects()).not.toContain('order/a2');

    subjectsFailing = new Set();
    advance(6 * 60_000);
    await dispatchUntil(async () => (await messageRow(a2!)).status === 'DELIVERED');
    expect(subjects().filter((s) => s.startsWith('order/a'))).toEqual(['order/a1', 'order/a1', 'order/a1', 'order/a2']);
    expect((await messageRow(a1!)).status).toBe('DELIVERED');
  });

  it('disables an endpoint that answers 410 Gone, alerts the admin, and delivers the kept message once enabled again', async () => {
    let gone = true;
    const r = await receiver(() => ({ status: gone ? 410 : 204 }));
    const { id: endpointId } = await register(DEMO_KEYS.PARTNER, { url: r.url });
    const id = (await enqueue(endpointId, message({ orderingKey: 'gone' })))!;

    await dispatchUntil(() => r.requests.length === 1);
    const mine = await t.ok(ENDPOINTS, {}, DEMO_KEYS.PARTNER);
    const endpoint = mine.webhookEndpoints.edges.map((e: any) => e.node).find((node: any) => node.id === endpointId);
    expect(endpoint.status).toBe('DISABLED');
    expect(endpoint.disabledReason).toMatch(/410 Gone/);
    expect(await messageRow(id)).toMatchObject({ status: 'PENDING', last_status_code: 410 });

    const alerts = await t.ok(`{ adminAlerts(first: 100, unacknowledgedOnly: true) { edges { node { id kind endpointId message acknowledgedAt } } } }`, {}, DEMO_KEYS.ADMIN);
    const alert = alerts.adminAlerts.edges.map((e: any) => e.node).find((node: any) => node.endpointId === endpointId);
    expect(alert).toMatchObject({ kind: 'ENDPOINT_GONE', acknowledgedAt: null });
    expect((await t.gql(`{ adminAlerts(first: 5) { totalCount } }`, {}, DEMO_KEYS.PARTNER)).errors?.[0].extensions.code).toBe('FORBIDDEN');
    const acknowledged = await t.ok(`mutation($id: ID!) { acknowledgeAdminAlert(id: $id) { acknowledgedAt } }`, { id: alert.id }, DEMO_KEYS.ADMIN);
    expect(acknowledged.acknowledgeAdminAlert.acknowledgedAt).not.toBeNull();

    // While disabled: nothing new is enqueued (the contract's null) and nothing is sent.
    expect(await enqueue(endpointId, message({ orderingKey: 'gone-2' }))).toBeNull();
    gone = false;
    advance(HOUR);
    await dispatchAllDue();
    expect(r.requests).toHaveLength(1);

    const enabled = await t.ok(`mutation($id: ID!) { enableWebhookEndpoint(id: $id) { status disabledReason } }`, { id: endpointId }, DEMO_KEYS.PARTNER);
    expect(enabled.enableWebhookEndpoint).toEqual({ status: 'ACTIVE', disabledReason: null });
    await dispatchUntil(() => r.requests.length === 2);
    expect(r.requests[1].headers['webhook-id']).toBe(id);
    expect((await messageRow(id)).status).toBe('DELIVERED');
  });

  it('dead-letters a message after the last attempt; an admin replays it with the same webhook-id', async () => {
    let fail = true;
    const r = await receiver(() => ({ status: fail ? 500 : 204 }));
    const { id: endpointId } = await register(DEMO_KEYS.PARTNER, { url: r.url });
    const id = (await enqueue(endpointId, message({ orderingKey: 'dead' })))!;

    for (let attempt = 1; attempt <= MAX_DELIVERY_ATTEMPTS; attempt++) {
      await dispatchUntil(() => r.requests.length === attempt);
      // The longest delay is 16 h + 20% jitter.
      advance(20 * HOUR);
    }
    await dispatchAllDue();
    expect(r.requests).toHaveLength(MAX_DELIVERY_ATTEMPTS);
    expect(await messageRow(id)).toMatchObject({ status: 'DEAD', attempts: MAX_DELIVERY_ATTEMPTS, next_attempt_at: null });
    expect(new Set(r.requests.map((request) => request.headers['webhook-id']))).toEqual(new Set([id]));

    const dead = await t.ok(`{ deadLetters(first: 100) { edges { node { id status attempts endpoint { id } } } } }`, {}, DEMO_KEYS.ADMIN);
    expect(dead.deadLetters.edges.map((e: any) => e.node)).toContainEqual({ id, status: 'DEAD', attempts: MAX_DELIVERY_ATTEMPTS, endpoint: { id: endpointId } });
    expect((await t.gql(`{ deadLetters(first: 5) { totalCount } }`, {}, DEMO_KEYS.PARTNER)).errors?.[0].extensions.code).toBe('FORBIDDEN');

    fail = false;
    const replayed = await t.ok(`mutation($id: ID!) { replayDeadLetter(id: $id) { id status attempts } }`, { id }, DEMO_KEYS.ADMIN);
    expect(replayed.replayDeadLetter).toEqual({ id, status: 'PENDING', attempts: 0 });
    await dispatchUntil(() => r.requests.length === MAX_DELIVERY_ATTEMPTS + 1);
    expect(r.requests[MAX_DELIVERY_ATTEMPTS].headers['webhook-id']).toBe(id);
    expect(await messageRow(id)).toMatchObject({ status: 'DELIVERED', attempts: 1 });

    const again = await t.gql(`mutation($id: ID!) { replayDeadLetter(id: $id) { id } }`, { id }, DEMO_KEYS.ADMIN);
    expect(again.errors?.[0].extensions).toMatchObject({ code: 'DEAD_LETTER_NOT_DEAD', field: 'id' });
  });

  it('signs with both secrets during a rotation grace, and only the new one after it', async () => {
    const r = await receiver();
    const { id: endpointId, secret: oldSecret } = await register(DEMO_KEYS.PARTNER, { url: r.url });
    const rotated = await t.ok(
      `mutation($id: ID!) { rotateWebhookSecret(endpointId: $id, graceHours: 2) { secret endpoint { previousSecretExpiresAt } } }`,
      { id: endpointId },
      DEMO_KEYS.PARTNER,
    );
    const newSecret = rotated.rotateWebhookSecret.secret;
    expect(newSecret).toMatch(/^whsec_/);
    expect(newSecret).not.toBe(oldSecret);
    expect(new Date(rotated.rotateWebhookSecret.endpoint.previousSecretExpiresAt).getTime()).toBeGreaterThan(t.clock.now().getTime() + HOUR);

    await enqueue(endpointId, message({ orderingKey: 'rotation', subject: 'during' }));
    await dispatchUntil(() => r.requests.length === 1);
    expect(String(r.requests[0].headers['webhook-signature']).split(' ')).toHaveLength(2);
    expect(() => verify(newSecret, r.requests[0])).not.toThrow();
    expect(() => verify(oldSecret, r.requests[0])).not.toThrow();

    advance(2 * HOUR + 1_000);
    await enqueue(endpointId, message({ orderingKey: 'rotation', subject: 'after' }));
    await dispatchUntil(() => r.requests.length === 2);
    expect(String(r.requests[1].headers['webhook-signature']).split(' ')).toHaveLength(1);
    expect(() => verify(newSecret, r.requests[1])).not.toThrow();
    expect(() => verify(oldSecret, r.requests[1])).toThrow(/signature/i);
  });

  it('keeps webhook secrets encrypted at rest', async () => {
    const { id, secret } = await register(DEMO_KEYS.PARTNER, { url: 'http://127.0.0.1:9/never' });
    const [row] = await t.db.query(`SELECT secret FROM webhook_endpoint WHERE id = $1`, [id]);
    expect(row.secret).toMatch(/^v2\./);
    expect(row.secret).not.toContain(secret.slice('whsec_'.length, 20));
    await t.ok(`mutation($id: ID!) { removeWebhookEndpoint(id: $id) { id } }`, { id }, DEMO_KEYS.PARTNER);
  });
});

describe('enqueueing', () => {
  it('belongs to the caller transaction: a rolled-back change leaves no message', async () => {
    const { id: endpointId } = await register(DEMO_KEYS.PARTNER, { url: 'http://127.0.0.1:9/rollback' });
    await expect(
      t.db.transaction(async (manager) => {
        await outbox.enqueue(manager, endpointId, message({ orderingKey: 'rolled-back' }));
        throw new Error('the feature failed after enqueueing');
      }),
    ).rejects.toThrow('the feature failed');
    expect(await t.db.query(`SELECT 1 FROM outbox_message WHERE endpoint_id = $1`, [endpointId])).toHaveLength(0);
    await t.ok(`mutation($id: ID!) { removeWebhookEndpoint(id: $id) { id } }`, { id: endpointId }, DEMO_KEYS.PARTNER);
  });

  it('sends to every active endpoint of an owner whose topics match, once per deduplication key', async () => {
    const vacancies = await register(DEMO_KEYS.PARTNER_2, { url: 'http://127.0.0.1:9/vacancies', topics: ['jp.hokatsu.vacancy.'] });
    const tours = await register(DEMO_KEYS.PARTNER_2, { url: 'http://127.0.0.1:9/tours', topics: ['jp.hokatsu.tour.'] });
    const everything = await register(DEMO_KEYS.PARTNER_2, { url: 'http://127.0.0.1:9/all', topics: [] });
    const removed = await register(DEMO_KEYS.PARTNER_2, { url: 'http://127.0.0.1:9/removed', topics: [] });
    await t.ok(`mutation($id: ID!) { removeWebhookEndpoint(id: $id) { status } }`, { id: removed.id }, DEMO_KEYS.PARTNER_2);
    const partner2 = (await t.ok(`{ viewer { client { id } } }`, {}, DEMO_KEYS.PARTNER_2)).viewer.client.id;
    const mine = new Set([vacancies.id, tours.id, everything.id, removed.id]);

    const opened = message({ type: 'jp.hokatsu.vacancy.opened', deduplicationKey: 'vacancy-42' });
    const ids = await t.db.transaction((manager) => outbox.enqueueToOwner(manager, { kind: 'PARTNER', id: partner2 }, opened));
    const targets = await t.db.query(`SELECT endpoint_id FROM outbox_message WHERE id = ANY($1::uuid[])`, [ids]);
    expect(targets.map((row: any) => row.endpoint_id).filter((id: string) => mine.has(id)).sort()).toEqual([vacancies.id, everything.id].sort());
    expect(await t.db.transaction((manager) => outbox.enqueueToOwner(manager, { kind: 'PARTNER', id: partner2 }, opened))).toEqual([]);
    expect(await enqueue(vacancies.id, opened)).toBeNull();
    expect(await t.db.transaction((manager) => outbox.enqueueToOwner(manager, { kind: 'PARTNER', id: 'somebody-else' }, opened))).toEqual([]);
    expect(await enqueue(removed.id, message())).toBeNull();

    for (const endpoint of [vacancies, tours, everything]) {
      await t.ok(`mutation($id: ID!) { removeWebhookEndpoint(id: $id) { id } }`, { id: endpoint.id }, DEMO_KEYS.PARTNER_2);
    }
  });

  it('refuses a malformed message naming the field, enqueueing nothing', async () => {
    const { id: endpointId } = await register(DEMO_KEYS.PARTNER, { url: 'http://127.0.0.1:9/malformed' });
    await expect(enqueue(endpointId, message({ type: 'has spaces' }))).rejects.toMatchObject({ code: 'BAD_USER_INPUT', field: 'message.type' });
    await expect(enqueue(endpointId, message({ orderingKey: '' }))).rejects.toMatchObject({ code: 'BAD_USER_INPUT', field: 'message.orderingKey' });
    await expect(enqueue('00000000-0000-4000-8000-000000000000', message())).rejects.toMatchObject({ code: 'NOT_FOUND' });
    expect(await t.db.query(`SELECT 1 FROM outbox_message WHERE endpoint_id = $1`, [endpointId])).toHaveLength(0);
    await t.ok(`mutation($id: ID!) { removeWebhookEndpoint(id: $id) { id } }`, { id: endpointId }, DEMO_KEYS.PARTNER);
  });
});

describe('endpoints and access', () => {
  it('shows partners only their own endpoints and refuses to manage another partner’s', async () => {
    const { id } = await register(DEMO_KEYS.PARTNER, { url: 'https://partner-one.example.jp/hokatsu' });
    const own = await t.ok(ENDPOINTS, {}, DEMO_KEYS.PARTNER);
    expect(own.webhookEndpoints.edges.map((e: any) => e.node.id)).toContain(id);
    const other = await t.ok(ENDPOINTS, {}, DEMO_KEYS.PARTNER_2);
    expect(other.webhookEndpoints.edges.map((e: any) => e.node.id)).not.toContain(id);
    const admin = await t.ok(ENDPOINTS, {}, DEMO_KEYS.ADMIN);
    expect(admin.webhookEndpoints.edges.map((e: any) => e.node.id)).toContain(id);

    for (const [document, variables] of [
      [DELIVERIES, { endpointId: id }],
      [`mutation($id: ID!) { rotateWebhookSecret(endpointId: $id) { secret } }`, { id }],
      [`mutation($id: ID!) { removeWebhookEndpoint(id: $id) { id } }`, { id }],
      [`mutation($id: ID!) { enableWebhookEndpoint(id: $id) { id } }`, { id }],
    ] as const) {
      const r = await t.gql(document, variables, DEMO_KEYS.PARTNER_2);
      expect(r.errors?.[0].extensions.code).toBe('NOT_FOUND');
    }
    const [row] = await t.db.query(`SELECT status FROM webhook_endpoint WHERE id = $1`, [id]);
    expect(row.status).toBe('ACTIVE');
  });

  it('lets an operator register for its own facilities only, and an admin for a municipality the municipality then sees', async () => {
    const viewer = await t.ok(`{ viewer { facilityIds } }`, {}, DEMO_KEYS.OPERATOR);
    const facilityId = viewer.viewer.facilityIds[0];
    const operator = await t.ok(REGISTER, { input: { url: 'https://facility.example.jp/tours', topics: ['jp.hokatsu.tour.'], facilityId } }, DEMO_KEYS.OPERATOR);
    expect(operator.registerWebhookEndpoint.endpoint).toMatchObject({ ownerKind: 'FACILITY', ownerId: facilityId, status: 'ACTIVE' });

    const [outside] = await t.db.query(`SELECT id FROM facility WHERE NOT (id = ANY($1::uuid[])) LIMIT 1`, [viewer.viewer.facilityIds]);
    const refused = await t.gql(REGISTER, { input: { url: 'https://facility.example.jp/x', facilityId: outside.id } }, DEMO_KEYS.OPERATOR);
    expect(refused.errors?.[0].extensions).toMatchObject({ code: 'FORBIDDEN', field: 'input.facilityId' });

    const municipal = await t.ok(REGISTER, { input: { url: 'https://itabashi.example.lg.jp/hokatsu', municipalityCode: '131199' } }, DEMO_KEYS.ADMIN);
    expect(municipal.registerWebhookEndpoint.endpoint).toMatchObject({ ownerKind: 'MUNICIPALITY', ownerId: '131199' });
    const itabashi = await t.ok(ENDPOINTS, {}, DEMO_KEYS.MUNICIPALITY_ITABASHI);
    expect(itabashi.webhookEndpoints.edges.map((e: any) => e.node.id)).toContain(municipal.registerWebhookEndpoint.endpoint.id);
    for (const e of itabashi.webhookEndpoints.edges) expect(e.node).toMatchObject({ ownerKind: 'MUNICIPALITY', ownerId: '131199' });
    const adachi = await t.ok(ENDPOINTS, {}, DEMO_KEYS.MUNICIPALITY_ADACHI);
    expect(adachi.webhookEndpoints.edges.map((e: any) => e.node.id)).not.toContain(municipal.registerWebhookEndpoint.endpoint.id);
    const operatorSees = await t.ok(ENDPOINTS, {}, DEMO_KEYS.OPERATOR);
    for (const e of operatorSees.webhookEndpoints.edges) expect(viewer.viewer.facilityIds).toContain(e.node.ownerId);
    const forbidden = await t.gql(REGISTER, { input: { url: 'https://x.example.jp', municipalityCode: '131199' } }, DEMO_KEYS.MUNICIPALITY_ITABASHI);
    expect(forbidden.errors?.[0].extensions.code).toBe('FORBIDDEN');
  });

  it.each([
    [{ url: 'ftp://example.jp/hook' }, DEMO_KEYS.PARTNER, 'BAD_USER_INPUT', 'input.url'],
    [{ url: 'not a url' }, DEMO_KEYS.PARTNER, 'BAD_USER_INPUT', 'input.url'],
    [{ url: 'https://user:pass@example.jp/hook' }, DEMO_KEYS.PARTNER, 'BAD_USER_INPUT', 'input.url'],
    [{ url: 'https://example.jp/hook', topics: ['has space'] }, DEMO_KEYS.PARTNER, 'BAD_USER_INPUT', 'input.topics'],
    [{ url: 'https://example.jp/hook', facilityId: '00000000-0000-4000-8000-000000000000' }, DEMO_KEYS.PARTNER, 'BAD_USER_INPUT', 'input.facilityId'],
    [{ url: 'https://example.jp/hook' }, DEMO_KEYS.ADMIN, 'BAD_USER_INPUT', 'input.facilityId'],
    [{ url: 'https://example.jp/hook', municipalityCode: '131210' }, DEMO_KEYS.ADMIN, 'BAD_USER_INPUT', 'input.municipalityCode'],
    [{ url: 'https://example.jp/hook', facilityId: '00000000-0000-4000-8000-000000000000' }, DEMO_KEYS.ADMIN, 'NOT_FOUND', 'input.facilityId'],
  ])('refuses %j, creating nothing', async (input, key, code, field) => {
    const before = await t.db.query(`SELECT count(*)::int AS n FROM webhook_endpoint`);
    const r = await t.gql(REGISTER, { input }, key);
    expect(r.errors?.[0].extensions).toMatchObject({ code, field });
    expect(r.errors?.[0].extensions.messageJa).toBeTruthy();
    expect(await t.db.query(`SELECT count(*)::int AS n FROM webhook_endpoint`)).toEqual(before);
  });

  it('turns the pending messages of a removed endpoint into dead letters that cannot be replayed', async () => {
    const r = await receiver(() => ({ status: 500 }));
    const { id: endpointId } = await register(DEMO_KEYS.PARTNER, { url: r.url });
    const id = (await enqueue(endpointId, message({ orderingKey: 'removed' })))!;
    await dispatchUntil(() => r.requests.length === 1);

    const removed = await t.ok(`mutation($id: ID!) { removeWebhookEndpoint(id: $id) { status disabledReason } }`, { id: endpointId }, DEMO_KEYS.PARTNER);
    expect(removed.removeWebhookEndpoint.status).toBe('REMOVED');
    expect(await messageRow(id)).toMatchObject({ status: 'DEAD', next_attempt_at: null });
    expect((await messageRow(id)).last_error).toMatch(/^ENDPOINT_REMOVED/);
    const own = await t.ok(ENDPOINTS, {}, DEMO_KEYS.PARTNER);
    expect(own.webhookEndpoints.edges.map((e: any) => e.node.id)).not.toContain(endpointId);
    const history = await t.ok(DELIVERIES, { endpointId, status: 'DEAD' }, DEMO_KEYS.PARTNER);
    expect(history.webhookDeliveries.edges.map((e: any) => e.node.id)).toEqual([id]);

    const replay = await t.gql(`mutation($id: ID!) { replayDeadLetter(id: $id) { id } }`, { id }, DEMO_KEYS.ADMIN);
    expect(replay.errors?.[0].extensions.code).toBe('WEBHOOK_ENDPOINT_REMOVED');
    const enable = await t.gql(`mutation($id: ID!) { enableWebhookEndpoint(id: $id) { id } }`, { id: endpointId }, DEMO_KEYS.PARTNER);
    expect(enable.errors?.[0].extensions.code).toBe('WEBHOOK_ENDPOINT_REMOVED');
  });

  it('pages through deliveries newest first', async () => {
    const r = await receiver();
    const { id: endpointId } = await register(DEMO_KEYS.PARTNER, { url: r.url });
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push((await enqueue(endpointId, message({ orderingKey: `page-${i}` })))!);
    const PAGE = `query($endpointId: ID!, $after: String) { webhookDeliveries(endpointId: $endpointId, first: 2, after: $after) {
      totalCount pageInfo { hasNextPage endCursor } edges { node { id } } } }`;
    const seen: string[] = [];
    let after: string | null = null;
    for (;;) {
      const page: any = await t.ok(PAGE, { endpointId, after }, DEMO_KEYS.PARTNER);
      expect(page.webhookDeliveries.totalCount).toBe(5);
      seen.push(...page.webhookDeliveries.edges.map((e: any) => e.node.id));
      if (!page.webhookDeliveries.pageInfo.hasNextPage) break;
      after = page.webhookDeliveries.pageInfo.endCursor;
    }
    expect(seen).toEqual([...ids].reverse());
    const bad = await t.gql(PAGE, { endpointId, after: 'bm90LWEtY3Vyc29y' }, DEMO_KEYS.PARTNER);
    expect(bad.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'after' });
  });
});

/** A receiver that answers after a delay, to catch a delivery in flight. */
async function startSlowReceiver(delayMs: number): Promise<{ url: string; ids: string[]; close(): Promise<void> }> {
  const ids: string[] = [];
  const server: Server = createServer((req: IncomingMessage, res) => {
    req.resume();
    req.on('end', () => {
      ids.push(String(req.headers['webhook-id']));
      setTimeout(() => res.writeHead(204).end(), delayMs);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    ids,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

describeWithRealPostgres('several hubs on one database', () => {
  it('delivers each message exactly once with two dispatchers running at the same time, in order per key', async () => {
    const [one, two] = [await startTestHub(), await startTestHub()];
    // The main hub's clock has been moved on by the tests above; the workers must agree on "now".
    one.clock.set(t.clock.now());
    two.clock.set(t.clock.now());
    const r = await receiver();
    let ids: string[] = [];
    try {
      const { id: endpointId } = await register(DEMO_KEYS.PARTNER, { url: r.url });
      const enqueuer = one.hub.app.get(OutboxService);
      ids = await one.db.transaction(async (manager) => {
        const created: string[] = [];
        for (let i = 0; i < 60; i++) {
          // Every third message shares one key, so order is checked under contention too.
          const orderingKey = i % 3 === 0 ? 'shared' : `own-${i}`;
          created.push((await enqueuer.enqueue(manager, endpointId, message({ orderingKey, subject: `burst/${i}` })))!);
        }
        return created;
      });
      await eventually(async () => {
        const [{ n }] = await t.db.query(`SELECT count(*)::int AS n FROM outbox_message WHERE id = ANY($1::uuid[]) AND status = 'DELIVERED'`, [ids]);
        return n === ids.length;
      }, 30_000);
    } finally {
      // Closing waits for requests in flight, so a late duplicate would be counted below.
      await Promise.all([one.close(), two.close()]);
    }
    // The endpoint is the partner's: whatever else the hubs send that partner meanwhile (the scheduler
    // lapsing another file's offer at its minute) arrives too; count the burst.
    const burst = r.requests.filter((request) => String(JSON.parse(request.body).subject).startsWith('burst/'));
    const received = burst.map((request) => String(request.headers['webhook-id']));
    expect(received).toHaveLength(60);
    expect(new Set(received)).toEqual(new Set(ids));
    const shared = burst.map((request) => JSON.parse(request.body).subject as string).filter((subject) => Number(subject.split('/')[1]) % 3 === 0);
    expect(shared).toEqual(Array.from({ length: 20 }, (_, i) => `burst/${i * 3}`));
    const [{ n: attempts }] = await t.db.query(`SELECT count(*)::int AS n FROM delivery_attempt WHERE message_id = ANY($1::uuid[])`, [ids]);
    expect(attempts).toBe(60);
  });

  it('finishes a delivery that is in flight when the hub shuts down', async () => {
    const slow = await startSlowReceiver(300);
    const worker = await startTestHub();
    worker.clock.set(t.clock.now());
    try {
      const { id: endpointId } = await register(DEMO_KEYS.PARTNER, { url: slow.url });
      const id = (await worker.db.transaction((manager) => worker.hub.app.get(OutboxService).enqueue(manager, endpointId, message({ orderingKey: 'shutdown' }))))!;
      await eventually(async () => slow.ids.includes(id));
      await worker.close();
      expect(await messageRow(id)).toMatchObject({ status: 'DELIVERED', attempts: 1 });
    } finally {
      await slow.close();
    }
  });
});
