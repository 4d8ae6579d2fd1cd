import { Webhook } from 'standardwebhooks';
import { HubError } from '../../src/common/errors';
import { cloudEvent, generateWebhookSecret, signWebhook, verifyWebhook } from '../../src/webhooks/signing';

const NOW = new Date('2026-05-08T09:00:00.000Z');
const BODY = JSON.stringify({ type: 'jp.hokatsu-hub.application.submitted', data: { applicationId: 'app_1' } });
const fixedBytes = (fill: number) => (size: number) => Buffer.alloc(size, fill);
const OLD_SECRET = generateWebhookSecret(fixedBytes(1));
const NEW_SECRET = generateWebhookSecret(fixedBytes(2));
const OTHER_SECRET = generateWebhookSecret(fixedBytes(3));

function sign(secrets: string[], body = BODY, timestamp = NOW) {
  return signWebhook({ id: 'msg_2Lq', timestamp, body, secrets });
}

describe('generateWebhookSecret', () => {
  it('is whsec_ + base64 of 32 bytes', () => {
    const secret = generateWebhookSecret();
    expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]+=*$/);
    expect(Buffer.from(secret.slice('whsec_'.length), 'base64')).toHaveLength(32);
  });

  it('differs each time', () => {
    expect(generateWebhookSecret()).not.toBe(generateWebhookSecret());
  });
});

describe('signWebhook', () => {
  it('produces the three Standard Webhooks headers', () => {
    const headers = sign([NEW_SECRET]);
    expect(headers['webhook-id']).toBe('msg_2Lq');
    expect(headers['webhook-timestamp']).toBe(String(NOW.getTime() / 1000));
    expect(headers['webhook-signature']).toMatch(/^v1,[A-Za-z0-9+/]+=*$/);
  });

  it('holds one v1 signature per secret, space-separated', () => {
    const parts = sign([NEW_SECRET, OLD_SECRET])['webhook-signature'].split(' ');
    expect(parts).toHaveLength(2);
    expect(parts[0]).not.toBe(parts[1]);
  });

  it.each([
    ['no secrets', [] as string[], 'secrets'],
    ['a secret without the whsec_ prefix', ['c2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0'], 'secrets[0]'],
    ['a too short secret', ['whsec_c2hvcnQ='], 'secrets[0]'],
    ['a secret that is not base64', [NEW_SECRET, 'whsec_not base64!'], 'secrets[1]'],
  ])('rejects %s', (_label, secrets, field) => {
    expect(() => sign(secrets)).toThrow(expect.objectContaining({ code: 'WEBHOOK_SECRET_INVALID', field }));
  });

  it('rejects an empty id', () => {
    expect(() => signWebhook({ id: '', timestamp: NOW, body: BODY, secrets: [NEW_SECRET] })).toThrow(
      expect.objectContaining({ field: 'id' }),
    );
  });
});

describe('verifyWebhook', () => {
  it.each([
    ['a single secret', [NEW_SECRET], NEW_SECRET],
    ['rotation: receiver still on the old secret', [NEW_SECRET, OLD_SECRET], OLD_SECRET],
    ['rotation: receiver already on the new secret', [NEW_SECRET, OLD_SECRET], NEW_SECRET],
  ])('accepts %s', (_label, signingSecrets, receiverSecret) => {
    expect(() => verifyWebhook(receiverSecret, { ...sign(signingSecrets) }, BODY, { now: NOW })).not.toThrow();
  });

  it('accepts headers in any letter case', () => {
    const headers = sign([NEW_SECRET]);
    const upper = Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toUpperCase(), v]));
    expect(() => verifyWebhook(NEW_SECRET, upper, BODY, { now: NOW })).not.toThrow();
  });

  it.each([
    ['a tampered body', () => [NEW_SECRET, { ...sign([NEW_SECRET]) }, BODY.replace('app_1', 'app_2')], 'WEBHOOK_SIGNATURE_INVALID', 'webhook-signature'],
    ['a changed id', () => [NEW_SECRET, { ...sign([NEW_SECRET]), 'webhook-id': 'msg_other' }, BODY], 'WEBHOOK_SIGNATURE_INVALID', 'webhook-signature'],
    ['the wrong secret', () => [OTHER_SECRET, { ...sign([NEW_SECRET, OLD_SECRET]) }, BODY], 'WEBHOOK_SIGNATURE_INVALID', 'webhook-signature'],
    ['a timestamp moved within tolerance', () => [NEW_SECRET, { ...sign([NEW_SECRET]), 'webhook-timestamp': String(NOW.getTime() / 1000 + 1) }, BODY], 'WEBHOOK_SIGNATURE_INVALID', 'webhook-signature'],
    ['a missing signature header', () => [NEW_SECRET, { ...sign([NEW_SECRET]), 'webhook-signature': undefined }, BODY], 'WEBHOOK_SIGNATURE_INVALID', 'webhook-signature'],
    ['a v2 signature only', () => [NEW_SECRET, { ...sign([NEW_SECRET]), 'webhook-signature': sign([NEW_SECRET])['webhook-signature'].replace('v1,', 'v2,') }, BODY], 'WEBHOOK_SIGNATURE_INVALID', 'webhook-signature'],
    ['a message signed 6 minutes ago', () => [NEW_SECRET, { ...sign([NEW_SECRET], BODY, new Date(NOW.getTime() - 6 * 60_000)) }, BODY], 'WEBHOOK_TIMESTAMP_OUT_OF_TOLERANCE', 'webhook-timestamp'],
    ['a message signed 6 minutes ahead', () => [NEW_SECRET, { ...sign([NEW_SECRET], BODY, new Date(NOW.getTime() + 6 * 60_000)) }, BODY], 'WEBHOOK_TIMESTAMP_OUT_OF_TOLERANCE', 'webhook-timestamp'],
    ['a timestamp that is not a number', () => [NEW_SECRET, { ...sign([NEW_SECRET]), 'webhook-timestamp': 'yesterday' }, BODY], 'WEBHOOK_TIMESTAMP_OUT_OF_TOLERANCE', 'webhook-timestamp'],
  ] as const)('rejects %s', (_label, args, code, field) => {
    const [secret, headers, body] = args() as [string, Record<string, string | undefined>, string];
    let thrown: unknown;
    try {
      verifyWebhook(secret, headers, body, { now: NOW });
    } catch (e) {
      thrown = e;
    }
    expect(thrown).toBeInstanceOf(HubError);
    expect(thrown).toMatchObject({ code, field });
  });

  it('accepts a message 4 minutes old', () => {
    const headers = sign([NEW_SECRET], BODY, new Date(NOW.getTime() - 4 * 60_000));
    expect(() => verifyWebhook(NEW_SECRET, { ...headers }, BODY, { now: NOW })).not.toThrow();
  });
});

describe('interoperability with the standardwebhooks library', () => {
  // The library checks the timestamp against the real clock, so this test signs at the real time.
  it.each([
    ['the only secret', [NEW_SECRET], NEW_SECRET],
    ['the old secret during rotation', [NEW_SECRET, OLD_SECRET], OLD_SECRET],
    ['the new secret during rotation', [NEW_SECRET, OLD_SECRET], NEW_SECRET],
  ])('Webhook.verify accepts our headers with %s', (_label, signingSecrets, receiverSecret) => {
    const headers = sign(signingSecrets, BODY, new Date());
    expect(new Webhook(receiverSecret).verify(BODY, { ...headers })).toEqual(JSON.parse(BODY));
  });

  it('Webhook.verify rejects a tampered body', () => {
    const headers = sign([NEW_SECRET], BODY, new Date());
    expect(() => new Webhook(NEW_SECRET).verify(BODY + ' ', { ...headers })).toThrow('No matching signature found');
  });

  it('our verifyWebhook accepts what the library signs', () => {
    const signature = new Webhook(NEW_SECRET).sign('msg_lib', NOW, BODY);
    const headers = { 'webhook-id': 'msg_lib', 'webhook-timestamp': String(NOW.getTime() / 1000), 'webhook-signature': signature };
    expect(() => verifyWebhook(NEW_SECRET, headers, BODY, { now: NOW })).not.toThrow();
  });
});

describe('cloudEvent', () => {
  it('builds a CloudEvents 1.0 JSON object', () => {
    const event = cloudEvent({
      id: 'evt_1',
      source: '/municipalities/131199',
      type: 'jp.hokatsu-hub.application.submitted',
      subject: 'applications/app_1',
      time: NOW,
      data: { applicationId: 'app_1' },
    });
    expect(event).toEqual({
      specversion: '1.0',
      id: 'evt_1',
      source: '/municipalities/131199',
      type: 'jp.hokatsu-hub.application.submitted',
      subject: 'applications/app_1',
      time: '2026-05-08T09:00:00.000Z',
      datacontenttype: 'application/json',
      data: { applicationId: 'app_1' },
    });
  });

  it.each(['id', 'source', 'type'] as const)('requires a non-empty %s', (field) => {
    const input = { id: 'evt_1', source: '/hub', type: 't', subject: 's', time: NOW, data: {}, [field]: '' };
    expect(() => cloudEvent(input)).toThrow(expect.objectContaining({ field }));
  });
});
