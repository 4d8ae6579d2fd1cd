import { ApiRole } from '../../src/auth/api-client.entity';
import { HubError } from '../../src/common/errors';
import { outcomeOfAttempt } from '../../src/outbox/delivery-outcome';
import { canManageEndpoint, ownerForRegistration, visibleOwners } from '../../src/outbox/endpoint-access';
import { assertValidMessage, subscribesTo } from '../../src/outbox/outbox-message.rules';
import { addressVerdict, checkWebhookUrl, parsePrivateTargets, PUBLIC_ONLY, webhookTargetPolicy } from '../../src/outbox/webhook-url';
import { MAX_DELIVERY_ATTEMPTS } from '../../src/webhooks/retry-schedule';

const NOW = new Date('2026-05-08T09:00:00.000Z');
const noJitter = () => 0.5;

function caught(fn: () => unknown): HubError {
  try {
    fn();
  } catch (err) {
    return err as HubError;
  }
  throw new Error('expected a HubError');
}

describe('outcomeOfAttempt', () => {
  it.each([
    [200, 1, 'DELIVERED'],
    [204, 5, 'DELIVERED'],
    [299, MAX_DELIVERY_ATTEMPTS, 'DELIVERED'],
    [410, 1, 'ENDPOINT_GONE'],
    [410, MAX_DELIVERY_ATTEMPTS, 'ENDPOINT_GONE'],
    [500, 1, 'RETRY'],
    [404, 1, 'RETRY'],
    [301, 1, 'RETRY'],
    ['TIMEOUT', 3, 'RETRY'],
    ['NETWORK_ERROR', MAX_DELIVERY_ATTEMPTS - 1, 'RETRY'],
    [500, MAX_DELIVERY_ATTEMPTS, 'DEAD'],
    ['TIMEOUT', MAX_DELIVERY_ATTEMPTS, 'DEAD'],
    ['TARGET_REFUSED', 1, 'TARGET_REFUSED'],
    ['TARGET_REFUSED', MAX_DELIVERY_ATTEMPTS, 'TARGET_REFUSED'],
  ] as const)('%s after attempt %i → %s', (response, attemptsMade, kind) => {
    expect(outcomeOfAttempt({ response, attemptsMade, now: NOW, random: noJitter }).kind).toBe(kind);
  });

  it.each([
    [1, null, 5_000],
    [2, null, 5 * 60_000],
    [1, '120', 120_000],
    [2, '1', 5 * 60_000],
  ])('after attempt %i with Retry-After %p waits %i ms', (attemptsMade, retryAfter, delayMs) => {
    const outcome = outcomeOfAttempt({ response: 503, attemptsMade, now: NOW, retryAfter, random: noJitter });
    expect(outcome).toEqual({ kind: 'RETRY', at: new Date(NOW.getTime() + delayMs) });
  });
});

describe('subscribesTo', () => {
  it.each([
    [[], 'jp.hokatsu.vacancy.opened', true],
    [['jp.hokatsu.vacancy.'], 'jp.hokatsu.vacancy.opened', true],
    [['jp.hokatsu.tour.', 'jp.hokatsu.vacancy.'], 'jp.hokatsu.vacancy.opened', true],
    [['jp.hokatsu.tour.'], 'jp.hokatsu.vacancy.opened', false],
    [['jp.hokatsu.vacancy.opened.extra'], 'jp.hokatsu.vacancy.opened', false],
    [['jp.hokatsu.application'], 'jp.hokatsu.application.submitted', true],
  ])('topics %j and type %s → %p', (topics, type, expected) => {
    expect(subscribesTo(topics, type)).toBe(expected);
  });
});

describe('assertValidMessage', () => {
  const valid = { type: 'jp.hokatsu.tour.booked', subject: 'tours/1', orderingKey: 'tour-1', data: { a: 1 } };
  it('accepts a well-formed message', () => {
    expect(() => assertValidMessage(valid)).not.toThrow();
    expect(() => assertValidMessage({ ...valid, deduplicationKey: 'x' })).not.toThrow();
  });
  it.each([
    [{ type: '' }, 'message.type'],
    [{ type: 'has space' }, 'message.type'],
    [{ type: '.leading-dot' }, 'message.type'],
    [{ orderingKey: '' }, 'message.orderingKey'],
    [{ orderingKey: 'k'.repeat(201) }, 'message.orderingKey'],
    [{ subject: 's'.repeat(501) }, 'message.subject'],
    [{ data: null }, 'message.data'],
    [{ data: [1, 2] }, 'message.data'],
    [{ deduplicationKey: '' }, 'message.deduplicationKey'],
  ])('refuses %j naming %s', (change, field) => {
    const error = caught(() => assertValidMessage({ ...valid, ...(change as object) } as never));
    expect(error).toBeInstanceOf(HubError);
    expect(error).toMatchObject({ code: 'BAD_USER_INPUT', field });
    expect(error.messageJa).toBeTruthy();
  });
});

const DEV = webhookTargetPolicy(false, 'loopback');
const LISTED = webhookTargetPolicy(true, '10.20.0.0/16, fd12:3456::/48, 127.0.0.1, 169.254.0.0/16, 100.64.0.0/10, fd00:ec2::/32');
const POLICIES = { PUBLIC_ONLY, DEV, LISTED } as const;

describe('checkWebhookUrl: the URL itself', () => {
  it.each([
    ['https://partner.example.jp/hooks', 'PUBLIC_ONLY', 'https://partner.example.jp/hooks', 'partner.example.jp'],
    ['https://partner.example.jp/hooks?x=1', 'PUBLIC_ONLY', 'https://partner.example.jp/hooks?x=1', 'partner.example.jp'],
    ['HTTPS://Example.JP', 'PUBLIC_ONLY', 'https://example.jp/', 'example.jp'],
    ['https://8.8.8.8/hook', 'PUBLIC_ONLY', 'https://8.8.8.8/hook', null],
    ['https://[2606:4700::1111]/hook', 'PUBLIC_ONLY', 'https://[2606:4700::1111]/hook', null],
    ['https://[::ffff:8.8.8.8]/hook', 'PUBLIC_ONLY', 'https://[::ffff:808:808]/hook', null],
    ['http://127.0.0.1:8080/hook', 'DEV', 'http://127.0.0.1:8080/hook', null],
    ['https://[::1]/hook', 'DEV', 'https://[::1]/hook', null],
    ['http://localhost:3000/hook', 'DEV', 'http://localhost:3000/hook', 'localhost'],
    ['http://partner.example.jp/hook', 'DEV', 'http://partner.example.jp/hook', 'partner.example.jp'],
    ['https://10.20.3.4/hook', 'LISTED', 'https://10.20.3.4/hook', null],
    ['https://[fd12:3456::1]/hook', 'LISTED', 'https://[fd12:3456::1]/hook', null],
  ] as const)('accepts %s (%s)', (url, policy, normalised, hostname) => {
    expect(checkWebhookUrl(url, POLICIES[policy])).toEqual({ url: normalised, hostname });
  });

  it.each([
    ['', 'DEV'],
    ['not a url', 'DEV'],
    ['ftp://example.jp/x', 'DEV'],
    ['javascript:alert(1)', 'DEV'],
    ['http://example.jp/hook', 'PUBLIC_ONLY'],
    ['http://127.0.0.1/hook', 'PUBLIC_ONLY'],
    ['http://10.20.3.4/hook', 'LISTED'],
    ['https://user:secret@example.jp/hook', 'DEV'],
    ['https://example.jp/hook#part', 'DEV'],
    [`https://example.jp/${'x'.repeat(2000)}`, 'DEV'],
    ['https://127.0.0.1/hook', 'PUBLIC_ONLY'],
    ['https://127.1/hook', 'PUBLIC_ONLY'],
    ['https://2130706433/hook', 'PUBLIC_ONLY'],
    ['https://0x7f.0.0.1/hook', 'PUBLIC_ONLY'],
    ['https://localhost/hook', 'PUBLIC_ONLY'],
    ['https://api.localhost/hook', 'PUBLIC_ONLY'],
    ['https://10.1.2.3/hook', 'PUBLIC_ONLY'],
    ['https://10.1.2.3/hook', 'LISTED'],
    ['https://172.16.0.1/hook', 'PUBLIC_ONLY'],
    ['https://192.168.1.1/hook', 'PUBLIC_ONLY'],
    ['https://100.64.0.1/hook', 'PUBLIC_ONLY'],
    ['https://169.254.169.254/latest/meta-data/', 'PUBLIC_ONLY'],
    ['https://169.254.169.254/latest/meta-data/', 'LISTED'],
    ['https://100.100.100.200/latest/meta-data/', 'LISTED'],
    ['https://[fd00:ec2::254]/latest/meta-data/', 'LISTED'],
    ['https://0.0.0.0/hook', 'DEV'],
    ['https://[::]/hook', 'DEV'],
    ['https://224.0.0.1/hook', 'PUBLIC_ONLY'],
    ['https://255.255.255.255/hook', 'PUBLIC_ONLY'],
    ['https://[::1]/hook', 'PUBLIC_ONLY'],
    ['https://[::ffff:10.0.0.1]/hook', 'PUBLIC_ONLY'],
    ['https://[::ffff:127.0.0.1]/hook', 'PUBLIC_ONLY'],
    ['https://[::10.0.0.1]/hook', 'PUBLIC_ONLY'],
    ['https://[64:ff9b::a00:1]/hook', 'PUBLIC_ONLY'],
    ['https://[fe80::1]/hook', 'LISTED'],
    ['https://[fd12:3456::1]/hook', 'PUBLIC_ONLY'],
    ['https://[2001:db8::1]/hook', 'PUBLIC_ONLY'],
  ] as const)('refuses %s (%s) with BAD_USER_INPUT naming the field', (url, policy) => {
    const error = caught(() => checkWebhookUrl(url, POLICIES[policy], 'input.endpointUrl'));
    expect(error).toBeInstanceOf(HubError);
    expect(error).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.endpointUrl' });
    expect(error.message).toContain('input.endpointUrl');
    expect(error.messageJa).toContain('input.endpointUrl');
  });
});

describe('addressVerdict: which addresses the hub may connect to', () => {
  it.each([
    ['8.8.8.8', 'PUBLIC_ONLY', true],
    ['2606:4700::1111', 'PUBLIC_ONLY', true],
    ['::ffff:8.8.8.8', 'PUBLIC_ONLY', true],
    ['127.0.0.1', 'PUBLIC_ONLY', 'loopback'],
    ['127.0.0.1', 'DEV', true],
    ['127.9.9.9', 'DEV', true],
    ['::1', 'DEV', true],
    ['::ffff:127.0.0.1', 'DEV', true],
    ['10.0.0.1', 'DEV', 'private'],
    ['10.20.0.1', 'LISTED', true],
    ['10.21.0.1', 'LISTED', 'private'],
    ['::ffff:10.20.0.1', 'LISTED', true],
    ['169.254.169.254', 'LISTED', 'linkLocal'],
    ['169.254.170.2', 'LISTED', 'linkLocal'],
    ['fe80::1', 'LISTED', 'linkLocal'],
    ['100.64.0.1', 'LISTED', true],
    ['100.100.100.200', 'LISTED', 'metadata'],
    ['fd00:ec2::254', 'LISTED', 'metadata'],
    ['fd00:ec2::253', 'LISTED', true],
    ['fd12:3456::9', 'PUBLIC_ONLY', 'uniqueLocal'],
    ['0.0.0.0', 'DEV', 'unspecified'],
    ['::', 'DEV', 'unspecified'],
    ['239.1.1.1', 'PUBLIC_ONLY', 'multicast'],
    ['ff02::1', 'PUBLIC_ONLY', 'multicast'],
    ['::a00:1', 'PUBLIC_ONLY', 'ipv4Compatible'],
    ['64:ff9b::a00:1', 'PUBLIC_ONLY', 'rfc6052'],
    ['2002:a00:1::1', 'PUBLIC_ONLY', '6to4'],
    ['192.0.2.1', 'PUBLIC_ONLY', 'reserved'],
    ['not an address', 'DEV', 'invalid'],
  ] as const)('%s (%s) → %p', (address, policy, expected) => {
    const verdict = addressVerdict(address, POLICIES[policy]);
    if (expected === true) return expect(verdict).toEqual({ allowed: true });
    expect(verdict).toMatchObject({ allowed: false, range: expected, en: expect.any(String), ja: expect.any(String) });
  });
});

describe('HUB_PRIVATE_WEBHOOK_TARGETS', () => {
  it.each([
    ['none', 0],
    ['loopback', 2],
    ['loopback, 10.20.0.0/16', 3],
    ['192.168.10.5', 1],
    ['fd12:3456::/48,10.0.0.0/8', 2],
  ])('reads %p', (value, count) => {
    expect(parsePrivateTargets(value)).toHaveLength(count);
  });

  it.each(['', 'all', 'true', '10.0.0.0/33', '::/129', '10.0.0.0/8/1', '010.1.1.1', '10.1', 'loopback,,10.0.0.0/8', 'none, loopback'])('refuses %p', (value) => {
    expect(parsePrivateTargets(value)).toBeUndefined();
  });

  it('allows http only outside production, and only when some local targets are allowed', () => {
    expect(webhookTargetPolicy(false, 'loopback').allowHttp).toBe(true);
    expect(webhookTargetPolicy(false, 'none').allowHttp).toBe(false);
    expect(webhookTargetPolicy(true, 'loopback').allowHttp).toBe(false);
  });
});

describe('endpoint access', () => {
  const partner = { id: 'p1', role: ApiRole.PARTNER, municipalityCode: null, facilityIds: [] };
  const operator = { id: 'o1', role: ApiRole.OPERATOR, municipalityCode: null, facilityIds: ['f1', 'f2'] };
  const municipality = { id: 'm1', role: ApiRole.MUNICIPALITY, municipalityCode: '131199', facilityIds: [] };
  const admin = { id: 'a1', role: ApiRole.ADMIN, municipalityCode: null, facilityIds: [] };

  it.each([
    [partner, { ownerKind: 'PARTNER', ownerId: 'p1' }, true],
    [partner, { ownerKind: 'PARTNER', ownerId: 'p2' }, false],
    [partner, { ownerKind: 'FACILITY', ownerId: 'p1' }, false],
    [operator, { ownerKind: 'FACILITY', ownerId: 'f2' }, true],
    [operator, { ownerKind: 'FACILITY', ownerId: 'f3' }, false],
    [operator, { ownerKind: 'PARTNER', ownerId: 'o1' }, false],
    [municipality, { ownerKind: 'MUNICIPALITY', ownerId: '131199' }, true],
    [municipality, { ownerKind: 'MUNICIPALITY', ownerId: '131211' }, false],
    [admin, { ownerKind: 'MUNICIPALITY', ownerId: '131211' }, true],
    [admin, { ownerKind: 'PARTNER', ownerId: 'p2' }, true],
  ] as const)('%o manages %o: %p', (client, endpoint, expected) => {
    expect(canManageEndpoint(client, endpoint)).toBe(expected);
  });

  it('lists the owners each role sees', () => {
    expect(visibleOwners(admin)).toBeNull();
    expect(visibleOwners(partner)).toEqual([{ kind: 'PARTNER', id: 'p1' }]);
    expect(visibleOwners(operator)).toEqual([{ kind: 'FACILITY', id: 'f1' }, { kind: 'FACILITY', id: 'f2' }]);
    expect(visibleOwners(municipality)).toEqual([{ kind: 'MUNICIPALITY', id: '131199' }]);
  });

  it.each([
    [partner, {}, { kind: 'PARTNER', id: 'p1' }],
    [operator, { facilityId: 'f1' }, { kind: 'FACILITY', id: 'f1' }],
    [admin, { facilityId: 'f9' }, { kind: 'FACILITY', id: 'f9' }],
    [admin, { municipalityCode: '131199' }, { kind: 'MUNICIPALITY', id: '131199' }],
  ] as const)('%o registering %o owns as %o', (client, input, owner) => {
    expect(ownerForRegistration(client, input)).toEqual(owner);
  });

  it.each([
    [partner, { facilityId: 'f1' }, 'BAD_USER_INPUT', 'input.facilityId'],
    [partner, { municipalityCode: '131199' }, 'BAD_USER_INPUT', 'input.municipalityCode'],
    [operator, {}, 'BAD_USER_INPUT', 'input.facilityId'],
    [operator, { facilityId: 'f3' }, 'FORBIDDEN', 'input.facilityId'],
    [operator, { municipalityCode: '131199' }, 'FORBIDDEN', 'input.municipalityCode'],
    [admin, {}, 'BAD_USER_INPUT', 'input.facilityId'],
    [admin, { facilityId: 'f1', municipalityCode: '131199' }, 'BAD_USER_INPUT', 'input.facilityId'],
    [municipality, { municipalityCode: '131199' }, 'FORBIDDEN', undefined],
  ] as const)('%o registering %o is refused with %s', (client, input, code, field) => {
    expect(caught(() => ownerForRegistration(client, input))).toMatchObject({ code, field });
  });
});
