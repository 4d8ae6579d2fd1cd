/**
 * When to try a webhook delivery again (pure: the clock and the randomness are parameters).
 *
 * Standard Webhooks recommends retrying with backoff for about three days; the same `webhook-id`
 * is sent on every attempt so that the receiver can de-duplicate.
 */
import { Errors } from '../common/errors';

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;

/**
 * Delay before attempt n+1, measured from the moment attempt n failed (index 0 = the first attempt).
 *
 * The first eight entries are the Standard Webhooks recommendation (immediately, 5 s, 5 min, 30 min,
 * 2 h, 5 h, 10 h, 10 h: about 27.6 h). The last three stretch the schedule to about three days
 * (27.6 h + 12 h + 16 h + 16 h ≈ 71.6 h) because municipalities' systems are often down over a whole
 * weekend; a Friday-evening failure then still gets attempts on Monday.
 */
export const RETRY_DELAYS_MS: readonly number[] = Object.freeze([
  0,
  5 * SECOND,
  5 * MINUTE,
  30 * MINUTE,
  2 * HOUR,
  5 * HOUR,
  10 * HOUR,
  10 * HOUR,
  12 * HOUR,
  16 * HOUR,
  16 * HOUR,
]);

/** Attempts in total, the first one included; after this many failures the message is dead-lettered. */
export const MAX_DELIVERY_ATTEMPTS = RETRY_DELAYS_MS.length;

/** ±20%: spreads retries so that endpoints recovering from an outage are not hit by every message at once. */
export const RETRY_JITTER_RATIO = 0.2;

/** A Retry-After header can postpone a retry, but never by more than this: a bad header must not park a message for good. */
export const RETRY_AFTER_CAP_MS = 24 * HOUR;

export interface NextAttemptInput {
  /** Attempts made so far (0 = none yet). */
  attempt: number;
  /** When the last attempt failed (or, for attempt 0, when the message was created). */
  now: Date;
  /** The receiver's HTTP Retry-After header, if any: delta-seconds or an HTTP-date. */
  retryAfter?: string | null;
  /** Uniform in [0, 1), like Math.random; injected so that tests are deterministic. */
  random: () => number;
}

/** When to make the next attempt, or null when the schedule is exhausted (→ dead letter). */
export function nextAttemptAt({ attempt, now, retryAfter, random }: NextAttemptInput): Date | null {
  if (!Number.isInteger(attempt) || attempt < 0) {
    throw Errors.badInput(
      'attempt',
      `attempt must be a whole number of attempts made so far (0 or more), got ${attempt}.`,
      `attempt には、これまでの試行回数（0以上の整数）を指定してください（指定値: ${attempt}）。`,
    );
  }
  if (!(now instanceof Date) || Number.isNaN(now.getTime())) {
    throw Errors.badInput('now', 'now must be a valid Date.', 'now には有効な日時を指定してください。');
  }
  if (attempt >= MAX_DELIVERY_ATTEMPTS) return null;

  const scheduledMs = withJitter(RETRY_DELAYS_MS[attempt], random);
  const requestedMs = parseRetryAfterMs(retryAfter, now);
  // Honour the receiver only when it asks for more patience than we planned, never for less.
  const delayMs = requestedMs === null ? scheduledMs : Math.max(scheduledMs, Math.min(requestedMs, RETRY_AFTER_CAP_MS));
  return new Date(now.getTime() + delayMs);
}

function withJitter(delayMs: number, random: () => number): number {
  if (delayMs === 0) return 0;
  // Clamp so that a misbehaving random source cannot produce a negative or runaway delay.
  const unit = Math.min(Math.max(random(), 0), 1);
  const factor = 1 + (unit * 2 - 1) * RETRY_JITTER_RATIO;
  return Math.round(delayMs * factor);
}

/**
 * Milliseconds the receiver asked us to wait, or null when the header is absent, unreadable or in
 * the past. A receiver's bad header is not our error, so it is ignored rather than thrown.
 */
export function parseRetryAfterMs(retryAfter: string | null | undefined, now: Date): number | null {
  const value = retryAfter?.trim();
  if (!value) return null;
  if (/^\d+$/.test(value)) return Number(value) * SECOND;
  // RFC 9110 HTTP-date; it must name a weekday or month, so plain numbers never reach Date.parse.
  if (!/[A-Za-z]/.test(value)) return null;
  const at = Date.parse(value);
  if (Number.isNaN(at)) return null;
  const delayMs = at - now.getTime();
  return delayMs > 0 ? delayMs : null;
}

/**
 * What a delivery attempt's outcome means:
 * - DELIVERED: any 2xx.
 * - GONE: 410, the receiver says the endpoint is gone for good; disable the endpoint and stop.
 * - REFUSED: the hub did not connect, because the receiver's address is not one it may deliver to
 *   (webhook-url.ts: a name that now resolves into the hub's own network). Permanent: no retry.
 * - RETRY: everything else. Standard Webhooks treats every non-2xx as a failure. Other 4xx are
 *   retried too because in practice they come from a receiver's misconfiguration (a rotated secret,
 *   a proxy, an expired certificate at a load balancer) that its operator fixes within the three-day
 *   window; giving up at once would lose an application. 3xx are failures as well: redirects are not
 *   followed, since the signed request must reach the registered URL.
 */
export type DeliveryClassification = 'DELIVERED' | 'RETRY' | 'GONE' | 'REFUSED';

export type DeliveryResponse = number | 'NETWORK_ERROR' | 'TIMEOUT' | 'TARGET_REFUSED';

export function classifyResponse(status: DeliveryResponse): DeliveryClassification {
  if (status === 'NETWORK_ERROR' || status === 'TIMEOUT') return 'RETRY';
  if (status === 'TARGET_REFUSED') return 'REFUSED';
  if (!Number.isInteger(status) || status < 100 || status > 599) {
    throw Errors.badInput(
      'status',
      `status must be an HTTP status code (100–599), 'NETWORK_ERROR', 'TIMEOUT' or 'TARGET_REFUSED', got ${String(status)}.`,
      `status には HTTP ステータスコード（100〜599）、'NETWORK_ERROR'、'TIMEOUT' または 'TARGET_REFUSED' を指定してください（指定値: ${String(status)}）。`,
    );
  }
  if (status >= 200 && status <= 299) return 'DELIVERED';
  if (status === 410) return 'GONE';
  return 'RETRY';
}
