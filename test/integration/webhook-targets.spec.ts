import { createServer, Server } from 'node:net';
import { AddressInfo } from 'node:net';
import { OutboxService } from '../../src/outbox/outbox.service';
import { WebhookDispatcher } from '../../src/outbox/webhook-dispatcher';
import { systemResolver, WebhookTargetGuard } from '../../src/outbox/webhook-target-guard';
import { DEMO_KEYS, startTestHub, TestHub } from '../support/hub';

/**
 * Webhook and municipality delivery URLs must be https to public addresses, checked at registration
 * and again when connecting. This hub runs as production does (HUB_PRIVATE_WEBHOOK_TARGETS=none);
 * the other test files use the default outside production (loopback receivers over http).
 *
 * Its clock stands in 2001, so its dispatcher rounds claim only this file's messages (other files'
 * messages on the shared database are due decades later).
 */
let t: TestHub;
let guard: WebhookTargetGuard;
const RUN = `${process.pid}-${Date.now()}`;
const REGISTER = `mutation($input: RegisterWebhookEndpointInput!) { registerWebhookEndpoint(input: $input) { endpoint { id url status } } }`;

beforeAll(async () => {
  t = await startTestHub({ HUB_WORKERS: 'false', HUB_PRIVATE_WEBHOOK_TARGETS: 'none' });
  t.clock.set(new Date('2001-01-01T00:00:00Z'));
  guard = t.hub.app.get(WebhookTargetGuard);
});
afterEach(() => guard.useResolver(systemResolver));
afterAll(() => t?.close());

async function endpointsWithUrl(url: string): Promise<number> {
  const [{ n }] = await t.db.query(`SELECT count(*)::int AS n FROM webhook_endpoint WHERE url LIKE $1`, [`${url}%`]);
  return n;
}

describe('registration, with private targets closed (production)', () => {
  it.each([
    'http://partner.example.jp/hook',
    'http://127.0.0.1:9/hook',
    'https://127.0.0.1/hook',
    'https://10.1.2.3/hook',
    'https://169.254.169.254/latest/meta-data/',
    'https://[::1]/hook',
    'https://[::ffff:10.0.0.1]/hook',
    'https://localhost/hook',
  ])('refuses %s with BAD_USER_INPUT naming input.url, storing nothing', async (url) => {
    const r = await t.gql(REGISTER, { input: { url: `${url}?run=${RUN}` } }, DEMO_KEYS.PARTNER);
    expect(r.data).toBeNull();
    expect(r.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.url' });
    expect(r.errors?.[0].message).toContain('input.url');
    expect(await endpointsWithUrl(new URL(`${url}?run=${RUN}`).toString())).toBe(0);
  });

  it('refuses a host name that resolves to a private address now, without naming the address', async () => {
    guard.useResolver(async (hostname) => (hostname === 'intranet.partner.test' ? [{ address: '10.9.8.7', family: 4 }] : systemResolver(hostname)));
    const r = await t.gql(REGISTER, { input: { url: `https://intranet.partner.test/hook?run=${RUN}` } }, DEMO_KEYS.PARTNER);
    expect(r.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.url' });
    expect(JSON.stringify(r.errors)).not.toContain('10.9.8.7');
  });

  it('refuses a municipality delivery URL the same way, naming input.endpointUrl', async () => {
    const CONFIGURE = `mutation($input: ConfigureMunicipalityDeliveryInput!) { configureMunicipalityDelivery(input: $input) { setting { mode } } }`;
    const before = await t.ok(`{ municipalityDelivery(municipalityCode: "131211") { mode endpointUrl } }`, {}, DEMO_KEYS.ADMIN);
    for (const endpointUrl of ['https://169.254.169.254/latest/meta-data/', 'http://adachi.example.lg.jp/hub', 'https://[fd00::1]/hub']) {
      const r = await t.gql(CONFIGURE, { input: { municipalityCode: '131211', mode: 'PUSH', endpointUrl } }, DEMO_KEYS.ADMIN);
      expect(r.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.endpointUrl' });
    }
    expect(await t.ok(`{ municipalityDelivery(municipalityCode: "131211") { mode endpointUrl } }`, {}, DEMO_KEYS.ADMIN)).toEqual(before);
  });

  it('accepts https to a public host, also one that does not resolve yet (it is checked again at delivery)', async () => {
    const r = await t.ok(REGISTER, { input: { url: `https://partner-one.example.jp/hokatsu?run=${RUN}` } }, DEMO_KEYS.PARTNER);
    expect(r.registerWebhookEndpoint.endpoint.status).toBe('ACTIVE');
    await t.ok(`mutation($id: ID!) { removeWebhookEndpoint(id: $id) { id } }`, { id: r.registerWebhookEndpoint.endpoint.id }, DEMO_KEYS.PARTNER);
  });
});

describe('delivery: the address connected to is the address checked', () => {
  let server: Server;
  let connections = 0;
  beforeAll(async () => {
    // A bare TCP listener: it counts every connection, whatever protocol the hub would speak.
    server = createServer((socket) => {
      connections++;
      socket.destroy();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('a name that resolved to a public address at registration and to loopback at delivery is not contacted: dead letter, endpoint disabled, admin alert', async () => {
    let answer = '93.184.216.34';
    guard.useResolver(async (hostname) => (hostname === 'rebind.partner.test' ? [{ address: answer, family: 4 }] : systemResolver(hostname)));
    const port = (server.address() as AddressInfo).port;
    const registered = await t.ok(REGISTER, { input: { url: `https://rebind.partner.test:${port}/hook?run=${RUN}` } }, DEMO_KEYS.PARTNER);
    const endpointId: string = registered.registerWebhookEndpoint.endpoint.id;

    // DNS rebinding: the same name now answers the hub's own machine.
    answer = '127.0.0.1';
    // Two messages in order: the second waits behind the first.
    const [messageId, later] = await t.db.transaction(async (m) => [
      await t.hub.app.get(OutboxService).enqueue(m, endpointId, { type: 'jp.hokatsu.test.rebind', subject: 'tests/rebind', orderingKey: 'rebind', data: { n: 1 } }),
      await t.hub.app.get(OutboxService).enqueue(m, endpointId, { type: 'jp.hokatsu.test.rebind', subject: 'tests/rebind', orderingKey: 'rebind', data: { n: 2 } }),
    ]);
    const dispatcher = t.hub.app.get(WebhookDispatcher);
    const report = await dispatcher.runOnce();
    expect(report).toMatchObject({ claimed: 1, targetsRefused: 1, delivered: 0 });

    expect(connections).toBe(0);
    const [message] = await t.db.query(`SELECT status, attempts, last_error, next_attempt_at FROM outbox_message WHERE id = $1`, [messageId]);
    expect(message).toMatchObject({ status: 'DEAD', attempts: 1, next_attempt_at: null });
    expect(message.last_error).toMatch(/^TARGET_REFUSED: rebind\.partner\.test resolves to 127\.0\.0\.1, a loopback address/);
    const [endpoint] = await t.db.query(`SELECT status, disabled_reason FROM webhook_endpoint WHERE id = $1`, [endpointId]);
    expect(endpoint.status).toBe('DISABLED');
    expect(endpoint.disabled_reason).toContain('127.0.0.1');
    const alerts = await t.db.query(`SELECT kind, message FROM admin_alert WHERE endpoint_id = $1`, [endpointId]);
    expect(alerts).toEqual([{ kind: 'TARGET_REFUSED', message: expect.stringContaining(messageId!) }]);
    // the endpoint's owner sees it as a dead delivery, with the reason
    const dead = await t.ok(`query($id: ID!) { webhookDeliveries(endpointId: $id, status: DEAD, first: 10) { edges { node { id lastError } } } }`, { id: endpointId }, DEMO_KEYS.PARTNER);
    expect(dead.webhookDeliveries.edges).toEqual([{ node: { id: messageId, lastError: expect.stringMatching(/^TARGET_REFUSED/) } }]);

    // the endpoint's other messages wait (not dead, not sent) until it is fixed and enabled again
    expect((await dispatcher.runOnce()).claimed).toBe(0);
    const [waiting] = await t.db.query(`SELECT status FROM outbox_message WHERE id = $1`, [later]);
    expect(waiting.status).toBe('PENDING');
    expect(connections).toBe(0);
    await t.ok(`mutation($id: ID!) { removeWebhookEndpoint(id: $id) { id } }`, { id: endpointId }, DEMO_KEYS.PARTNER);
  });
});
