/**
 * Signing webhook deliveries per the Standard Webhooks specification, over its own library
 * (`standardwebhooks`), and the CloudEvents 1.0 envelope the deliveries carry.
 *
 * Receivers verify with any Standard Webhooks library (`new Webhook(secret).verify(body, headers)`)
 * or with `verifyWebhook` below, which is the same check with the clock passed in.
 */
import { randomBytes as nodeRandomBytes, timingSafeEqual } from 'node:crypto';
import { Webhook } from 'standardwebhooks';
import { Errors, hubError } from '../common/errors';

export const WEBHOOK_SECRET_PREFIX = 'whsec_';

/** The specification's default: a receiver rejects messages signed more than 5 minutes away from its clock (replay protection). */
export const WEBHOOK_TIMESTAMP_TOLERANCE_SECONDS = 5 * 60;

export const WebhookErrorCode = {
  WEBHOOK_SECRET_INVALID: 'WEBHOOK_SECRET_INVALID',
  WEBHOOK_SIGNATURE_INVALID: 'WEBHOOK_SIGNATURE_INVALID',
  WEBHOOK_TIMESTAMP_OUT_OF_TOLERANCE: 'WEBHOOK_TIMESTAMP_OUT_OF_TOLERANCE',
} as const;

export interface WebhookHeaders {
  'webhook-id': string;
  /** Unix seconds. */
  'webhook-timestamp': string;
  /** One `v1,<base64>` per signing secret, separated by spaces. */
  'webhook-signature': string;
}

/** A new endpoint secret: 'whsec_' + base64 of 32 random bytes (the specification allows 24–64). */
export function generateWebhookSecret(randomBytes: (size: number) => Buffer = nodeRandomBytes): string {
  return WEBHOOK_SECRET_PREFIX + randomBytes(32).toString('base64');
}

/**
 * Signs one delivery attempt. `secrets` holds every secret the endpoint currently accepts — during
 * a rotation both the new and the old one — so that a receiver still on either secret verifies it.
 * `id` must stay the same across retries; `timestamp` is the moment of this attempt.
 */
export function signWebhook(input: { id: string; timestamp: Date; body: string; secrets: string[] }): WebhookHeaders {
  const { id, timestamp, body, secrets } = input;
  if (!id) {
    throw Errors.badInput('id', 'The webhook id is empty; give the message id, which stays the same across retries.', 'Webhook の id が空です。再送でも変わらないメッセージ ID を指定してください。');
  }
  if (secrets.length === 0) {
    throw hubError(
      WebhookErrorCode.WEBHOOK_SECRET_INVALID,
      'The endpoint has no signing secret; generate one before delivering to it.',
      'エンドポイントに署名用シークレットがありません。配信前にシークレットを発行してください。',
      { field: 'secrets' },
    );
  }
  const signatures = secrets.map((secret, index) => webhookFor(secret, `secrets[${index}]`).sign(id, timestamp, body));
  return {
    'webhook-id': id,
    'webhook-timestamp': String(Math.floor(timestamp.getTime() / 1000)),
    'webhook-signature': signatures.join(' '),
  };
}

/**
 * Checks a received webhook, throwing a HubError when the headers are missing, the timestamp is
 * outside the tolerance of `now`, or no `v1` signature matches `secret`. The library's own
 * `Webhook.verify` does the same against the system clock; taking `now` keeps this testable.
 */
export function verifyWebhook(
  secret: string,
  headers: Record<string, string | undefined>,
  body: string,
  options: { now: Date; toleranceSeconds?: number },
): void {
  const lowerCased = Object.fromEntries(Object.entries(headers).map(([name, value]) => [name.toLowerCase(), value]));
  const id = lowerCased['webhook-id'];
  const timestampHeader = lowerCased['webhook-timestamp'];
  const signatureHeader = lowerCased['webhook-signature'];
  for (const [name, value] of [
    ['webhook-id', id],
    ['webhook-timestamp', timestampHeader],
    ['webhook-signature', signatureHeader],
  ] as const) {
    if (!value) {
      throw hubError(
        WebhookErrorCode.WEBHOOK_SIGNATURE_INVALID,
        `The ${name} header is missing.`,
        `${name} ヘッダーがありません。`,
        { field: name },
      );
    }
  }

  const timestampSeconds = /^\d+$/.test(timestampHeader!) ? Number(timestampHeader) : NaN;
  const tolerance = options.toleranceSeconds ?? WEBHOOK_TIMESTAMP_TOLERANCE_SECONDS;
  const nowSeconds = Math.floor(options.now.getTime() / 1000);
  if (Number.isNaN(timestampSeconds) || Math.abs(nowSeconds - timestampSeconds) > tolerance) {
    throw hubError(
      WebhookErrorCode.WEBHOOK_TIMESTAMP_OUT_OF_TOLERANCE,
      `The webhook-timestamp header (${timestampHeader}) is not within ${tolerance} seconds of now; the message may be replayed.`,
      `webhook-timestamp ヘッダー（${timestampHeader}）が現在時刻から ${tolerance} 秒以上ずれています。再送攻撃の可能性があります。`,
      { field: 'webhook-timestamp', details: { timestamp: timestampHeader, nowSeconds, toleranceSeconds: tolerance } },
    );
  }

  const expected = Buffer.from(webhookFor(secret, 'secret').sign(id!, new Date(timestampSeconds * 1000), body));
  const matches = signatureHeader!
    .split(' ')
    .filter((candidate) => candidate.startsWith('v1,'))
    .some((candidate) => {
      const given = Buffer.from(candidate);
      return given.length === expected.length && timingSafeEqual(given, expected);
    });
  if (!matches) {
    throw hubError(
      WebhookErrorCode.WEBHOOK_SIGNATURE_INVALID,
      'No v1 signature in the webhook-signature header matches the secret; the body or headers were changed, or the secret is wrong.',
      'webhook-signature ヘッダーにシークレットと一致する v1 署名がありません。本文やヘッダーが改変されたか、シークレットが誤っています。',
      { field: 'webhook-signature' },
    );
  }
}

function webhookFor(secret: string, field: string): Webhook {
  // The library silently accepts any base64-ish string; an endpoint secret must be exactly our format.
  const key = secret.startsWith(WEBHOOK_SECRET_PREFIX) ? secret.slice(WEBHOOK_SECRET_PREFIX.length) : '';
  const bytes = /^[A-Za-z0-9+/]+={0,2}$/.test(key) ? Buffer.from(key, 'base64').length : 0;
  if (bytes < 24 || bytes > 64) {
    throw hubError(
      WebhookErrorCode.WEBHOOK_SECRET_INVALID,
      `The ${field} is not a webhook secret: expected 'whsec_' followed by base64 of 24 to 64 bytes.`,
      `${field} は Webhook シークレットの形式ではありません。'whsec_' の後に 24〜64 バイトの base64 が必要です。`,
      { field },
    );
  }
  return new Webhook(secret);
}

/** A CloudEvents 1.0 event in JSON structured mode. */
export interface CloudEvent<T> {
  specversion: '1.0';
  id: string;
  /** URI-reference of the producer, e.g. '/municipalities/131199'. */
  source: string;
  /** Reverse-DNS event type, e.g. 'jp.hokatsu-hub.application.submitted'. */
  type: string;
  subject: string;
  /** RFC 3339. */
  time: string;
  datacontenttype: 'application/json';
  data: T;
}

export function cloudEvent<T>(input: { id: string; source: string; type: string; subject: string; time: Date; data: T }): CloudEvent<T> {
  for (const field of ['id', 'source', 'type'] as const) {
    if (!input[field]) {
      throw Errors.badInput(field, `CloudEvents requires a non-empty ${field}.`, `CloudEvents では ${field} を空にできません。`);
    }
  }
  return {
    specversion: '1.0',
    id: input.id,
    source: input.source,
    type: input.type,
    subject: input.subject,
    time: input.time.toISOString(),
    datacontenttype: 'application/json',
    data: input.data,
  };
}
