import { ApiRole } from '../../src/auth/api-client.entity';
import { HubError } from '../../src/common/errors';
import { outcomeOfAttempt } from '../../src/outbox/delivery-outcome';
import { canManageEndpoint, ownerForRegistration, visibleOwners } from '../../src/outbox/endpoint-access';
import { assertValidMessage, subscribesTo } from '../../src/outbox/outbox-message.rules';
import { assertWebhookUrl, isInternalHost } from '../../src/outbox/webhook-url';
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

describe('assertWebhookUrl', () => {
  it.each([
    ['https://partner.example.jp/hooks', false, 'https://partner.example.jp/hooks'],
    ['https://partner.example.jp/hooks?x=1', true, 'https://partner.example.jp/hooks?x=1'],
    ['http://127.0.0.1:8080/hook', false, 'http://127.0.0.1:8080/hook'],
    ['HTTPS://Example.JP', true, 'https://example.jp/'],
  ])('accepts %s (production: %p)', (url, production, normalised) => {
    expect(assertWebhookUrl(url, { production })).toBe(normalised);
  });

  it.each([
    ['', false],
    ['not a url', false],
    ['ftp://example.jp/x', false],
    ['javascript:alert(1)', false],
    ['http://example.jp/hook', true],
    ['https://user:secret@example.jp/hook', false],
    ['https://example.jp/hook#part', false],
    ['https://127.0.0.1/hook', true],
    ['https://localhost/hook', true],
    ['https://10.1.2.3/hook', true],
    ['https://169.254.169.254/latest/meta-data', true],
    ['https://[::1]/hook', true],
    ['https://[::ffff:127.0.0.1]/hook', true],
    [`https://example.jp/${'x'.repeat(2000)}`, false],
  ])('refuses %s (production: %p) naming input.url', (url, production) => {
    expect(caught(() => assertWebhookUrl(url, { production }))).toMatchObject({ code: 'WEBHOOK_URL_INVALID', field: 'input.url' });
  });

  it.each([
    ['192.168.0.1', true],
    ['172.16.0.1', true],
    ['172.32.0.1', false],
    ['100.64.0.1', true],
    ['8.8.8.8', false],
    ['fd00::1', true],
    ['fe80::1', true],
    ['2001:db8::1', false],
    ['api.example.jp', false],
    ['foo.localhost', true],
  ])('isInternalHost(%s) → %p', (host, expected) => {
    expect(isInternalHost(host)).toBe(expected);
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
