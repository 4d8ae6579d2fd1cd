import { BeforeApplicationShutdown, Inject, Injectable, OnApplicationBootstrap } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { CLOCK, Clock } from '../common/clock';
import { FieldCipher } from '../common/field-crypto';
import { rootLogger } from '../common/logger';
import { returnedRows } from '../common/sql';
import { AppConfig } from '../config/app-config';
import { DeliveryResponse } from '../webhooks/retry-schedule';
import { cloudEvent, signWebhook } from '../webhooks/signing';
import { DeliveryOutcome, outcomeOfAttempt } from './delivery-outcome';
import { WEBHOOK_SECRET_CIPHER } from './webhook-secret-cipher';

/** At most this many HTTP requests in flight per process: a slow receiver must not exhaust sockets or the pool. */
export const MAX_PARALLEL_DELIVERIES = 16;
/** A receiver answers within this or the attempt counts as failed (TIMEOUT). */
export const DELIVERY_TIMEOUT_MS = 10_000;
/**
 * How long a claim keeps other instances away from a message. Longer than the request timeout plus
 * the time to record the result, so that only a process that died (or hung) loses its claims.
 */
export const CLAIM_LEASE_MS = 60_000;
export const DEFAULT_EVENT_SOURCE = 'urn:hokatsu-hub';
/** Enough of an error response to diagnose it, never a receiver's whole page. */
const ERROR_BODY_CHARS = 300;

export interface DispatchReport {
  claimed: number;
  delivered: number;
  retrying: number;
  dead: number;
  endpointsGone: number;
}

interface ClaimedMessage {
  id: string;
  endpoint_id: string;
  type: string;
  subject: string;
  data: Record<string, unknown>;
  created_at: Date;
  /** The number of this attempt (attempts are counted at claim time, so it also identifies the claim). */
  attempts: number;
  url: string;
  secret: string;
  previous_secret: string | null;
  previous_secret_expires_at: Date | null;
}

interface AttemptResult {
  startedAt: Date;
  response: DeliveryResponse;
  statusCode: number | null;
  retryAfter: string | null;
  error: string | null;
  durationMs: number;
}

/**
 * Delivers the outbox: claims due messages in a short transaction (FOR UPDATE SKIP LOCKED plus a
 * lease, so several instances never deliver one message in parallel and a dead instance's claims
 * expire), POSTs them outside any transaction, then records each attempt in another short one.
 *
 * Strict order per (endpoint, ordering key): a message is not claimed while an earlier message with
 * the same key is still PENDING, so a failing message holds back its successors (until it is
 * delivered or dead-lettered) but not other keys.
 */
@Injectable()
export class WebhookDispatcher implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly log = rootLogger.child({ context: 'WebhookDispatcher' });
  private timer: NodeJS.Timeout | undefined;
  private stopping = false;
  /** Messages whose HTTP request this process is making right now; never claimed twice here, even when a test moves the clock past their lease. */
  private readonly inFlight = new Set<string>();
  private readonly runs = new Set<Promise<DispatchReport>>();

  constructor(
    private readonly db: DataSource,
    private readonly config: AppConfig,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(WEBHOOK_SECRET_CIPHER) private readonly cipher: FieldCipher,
  ) {}

  onApplicationBootstrap() {
    if (this.config.HUB_WORKERS) this.scheduleTick(this.config.HUB_WORKER_INTERVAL_MS);
  }

  /** Stops claiming and waits for the requests in flight, so that each is recorded (or left to its lease). */
  async beforeApplicationShutdown() {
    this.stopping = true;
    if (this.timer) clearTimeout(this.timer);
    await Promise.allSettled([...this.runs]);
  }

  /** One round: claim what is due (up to the free parallel slots), deliver it, record it. For the worker, tests and benchmarks. */
  runOnce(): Promise<DispatchReport> {
    const run = this.dispatchDue();
    this.runs.add(run);
    void run.finally(() => this.runs.delete(run)).catch(() => undefined);
    return run;
  }

  private scheduleTick(delayMs: number) {
    if (this.stopping) return;
    this.timer = setTimeout(() => void this.tick(), delayMs);
  }

  private async tick() {
    let report: DispatchReport | undefined;
    try {
      report = await this.runOnce();
    } catch (err) {
      // The database may be briefly unreachable; the next tick tries again, claims are protected by their lease.
      this.log.error({ err }, 'webhook dispatch round failed');
    }
    // A full round suggests a backlog: go again at once instead of waiting an interval.
    const backlog = report !== undefined && report.claimed > 0 && report.claimed >= MAX_PARALLEL_DELIVERIES;
    this.scheduleTick(backlog ? 0 : this.config.HUB_WORKER_INTERVAL_MS);
  }

  private async dispatchDue(): Promise<DispatchReport> {
    const report: DispatchReport = { claimed: 0, delivered: 0, retrying: 0, dead: 0, endpointsGone: 0 };
    const slots = MAX_PARALLEL_DELIVERIES - this.inFlight.size;
    if (this.stopping || slots <= 0) return report;
    const claimed = await this.claim(slots);
    report.claimed = claimed.length;
    claimed.forEach((message) => this.inFlight.add(message.id));
    const outcomes = await Promise.all(
      claimed.map(async (message) => {
        try {
          const result = await this.attempt(message);
          return await this.record(message, result);
        } catch (err) {
          // Recording failed (database gone?): the lease expires and the message is tried again — at least once.
          this.log.error({ err, messageId: message.id }, 'could not record a webhook delivery attempt');
          return null;
        } finally {
          this.inFlight.delete(message.id);
        }
      }),
    );
    for (const outcome of outcomes) {
      if (outcome?.kind === 'DELIVERED') report.delivered++;
      else if (outcome?.kind === 'RETRY') report.retrying++;
      else if (outcome?.kind === 'DEAD') report.dead++;
      else if (outcome?.kind === 'ENDPOINT_GONE') report.endpointsGone++;
    }
    return report;
  }

  private claim(limit: number): Promise<ClaimedMessage[]> {
    const now = this.clock.now();
    const leaseUntil = new Date(now.getTime() + CLAIM_LEASE_MS);
    return this.db.transaction(async (manager) => {
      const claimed = returnedRows<Omit<ClaimedMessage, 'url' | 'secret' | 'previous_secret' | 'previous_secret_expires_at'>>(
        await manager.query(
          `WITH due AS (
             SELECT m.id FROM outbox_message m
              WHERE m.status = 'PENDING' AND m.next_attempt_at <= $1
                AND (m.lease_until IS NULL OR m.lease_until <= $1)
                AND NOT (m.id = ANY($3::uuid[]))
                AND EXISTS (SELECT 1 FROM webhook_endpoint e WHERE e.id = m.endpoint_id AND e.status = 'ACTIVE')
                AND NOT EXISTS (
                  SELECT 1 FROM outbox_message earlier
                   WHERE earlier.endpoint_id = m.endpoint_id AND earlier.ordering_key = m.ordering_key
                     AND earlier.status = 'PENDING' AND earlier.seq < m.seq)
              ORDER BY m.next_attempt_at, m.seq
              LIMIT $2
              FOR UPDATE OF m SKIP LOCKED)
           UPDATE outbox_message m SET lease_until = $4, attempts = m.attempts + 1
             FROM due WHERE m.id = due.id
           RETURNING m.id, m.endpoint_id, m.type, m.subject, m.data, m.created_at, m.attempts`,
          [now, limit, [...this.inFlight], leaseUntil],
        ),
      );
      if (claimed.length === 0) return [];
      const endpoints: Array<Pick<ClaimedMessage, 'url' | 'secret' | 'previous_secret' | 'previous_secret_expires_at'> & { id: string }> = await manager.query(
        `SELECT id, url, secret, previous_secret, previous_secret_expires_at FROM webhook_endpoint WHERE id = ANY($1::uuid[])`,
        [[...new Set(claimed.map((message) => message.endpoint_id))]],
      );
      const endpointById = new Map(endpoints.map((endpoint) => [endpoint.id, endpoint]));
      return claimed.map((message) => {
        const { id: _endpointId, ...endpoint } = endpointById.get(message.endpoint_id)!;
        return { ...message, ...endpoint };
      });
    });
  }

  /** The HTTP request, outside any transaction. Never throws: every failure is an attempt result. */
  private async attempt(message: ClaimedMessage): Promise<AttemptResult> {
    const startedAt = this.clock.now();
    const started = performance.now();
    const finish = (result: Omit<AttemptResult, 'startedAt' | 'durationMs'>): AttemptResult => ({
      ...result,
      startedAt,
      durationMs: Math.max(0, Math.round(performance.now() - started)),
    });
    let body: string;
    let headers: Record<string, string>;
    try {
      const event = cloudEvent({
        id: message.id,
        source: this.config.HUB_PUBLIC_URL ?? DEFAULT_EVENT_SOURCE,
        type: message.type,
        subject: message.subject,
        time: new Date(message.created_at),
        data: message.data,
      });
      body = JSON.stringify(event);
      const signed = signWebhook({ id: message.id, timestamp: startedAt, body, secrets: this.signingSecrets(message, startedAt) });
      headers = { ...signed, 'content-type': 'application/json', 'user-agent': 'hokatsu-hub-webhooks/1' };
    } catch (err) {
      // An unreadable secret (key dropped from the ring) is an operator's problem; keep retrying so nothing is lost meanwhile.
      this.log.error({ err, messageId: message.id, endpointId: message.endpoint_id }, 'could not sign a webhook delivery');
      return finish({ response: 'NETWORK_ERROR', statusCode: null, retryAfter: null, error: `SIGNING_FAILED: ${(err as Error).message}`.slice(0, ERROR_BODY_CHARS) });
    }
    try {
      const response = await fetch(message.url, {
        method: 'POST',
        headers,
        body,
        // The signature is for the registered URL; a redirect is a failed attempt, not a new destination.
        redirect: 'manual',
        signal: AbortSignal.timeout(DELIVERY_TIMEOUT_MS),
      });
      const text = await readCapped(response, ERROR_BODY_CHARS);
      const ok = response.status >= 200 && response.status <= 299;
      return finish({
        response: response.status,
        statusCode: response.status,
        retryAfter: response.headers.get('retry-after'),
        error: ok ? null : `HTTP ${response.status}${text ? `: ${text}` : ''}`,
      });
    } catch (err) {
      const timedOut = (err as Error).name === 'TimeoutError' || (err as Error).name === 'AbortError';
      const cause = (err as { cause?: { code?: string; message?: string } }).cause;
      return finish({
        response: timedOut ? 'TIMEOUT' : 'NETWORK_ERROR',
        statusCode: null,
        retryAfter: null,
        error: timedOut ? `TIMEOUT after ${DELIVERY_TIMEOUT_MS} ms` : `NETWORK_ERROR: ${cause?.code ?? cause?.message ?? (err as Error).message}`.slice(0, ERROR_BODY_CHARS),
      });
    }
  }

  /** The current secret, and during a rotation's grace also the previous one, so receivers on either verify. */
  private signingSecrets(message: ClaimedMessage, now: Date): string[] {
    const secrets = [this.cipher.decrypt(message.secret, 'webhook_endpoint.secret')];
    if (message.previous_secret && message.previous_secret_expires_at && new Date(message.previous_secret_expires_at) > now) {
      secrets.push(this.cipher.decrypt(message.previous_secret, 'webhook_endpoint.previous_secret'));
    }
    return secrets;
  }

  /** Records the attempt and moves the message on, in one short transaction. */
  private async record(message: ClaimedMessage, result: AttemptResult): Promise<DeliveryOutcome> {
    const now = this.clock.now();
    const outcome = outcomeOfAttempt({ response: result.response, attemptsMade: message.attempts, now, retryAfter: result.retryAfter, random: Math.random });
    await this.db.transaction(async (manager) => {
      await manager.query(
        `INSERT INTO delivery_attempt (message_id, attempt_no, at, status_code, error, duration_ms) VALUES ($1, $2, $3, $4, $5, $6)`,
        [message.id, message.attempts, result.startedAt, result.statusCode, result.error, result.durationMs],
      );
      // Failures only move the message while this claim still owns it (attempts = this attempt's number);
      // a 2xx always counts, even if the lease ran out meanwhile, because the receiver has the message.
      const ownClaim = `id = $1 AND status = 'PENDING' AND attempts = $2`;
      switch (outcome.kind) {
        case 'DELIVERED':
          await manager.query(
            `UPDATE outbox_message SET status = 'DELIVERED', delivered_at = $2, next_attempt_at = NULL, lease_until = NULL, last_status_code = $3, last_error = NULL
              WHERE id = $1 AND status <> 'DELIVERED'`,
            [message.id, now, result.statusCode],
          );
          break;
        case 'RETRY':
          await manager.query(
            `UPDATE outbox_message SET next_attempt_at = $3, lease_until = NULL, last_status_code = $4, last_error = $5 WHERE ${ownClaim}`,
            [message.id, message.attempts, outcome.at, result.statusCode, result.error],
          );
          break;
        case 'DEAD':
          await manager.query(
            `UPDATE outbox_message SET status = 'DEAD', next_attempt_at = NULL, lease_until = NULL, last_status_code = $3, last_error = $4 WHERE ${ownClaim}`,
            [message.id, message.attempts, result.statusCode, result.error],
          );
          this.log.warn({ messageId: message.id, endpointId: message.endpoint_id, attempts: message.attempts }, 'webhook message dead-lettered');
          break;
        case 'ENDPOINT_GONE': {
          // The message stays PENDING and due: it goes out as soon as an admin or the owner enables the endpoint again.
          await manager.query(`UPDATE outbox_message SET next_attempt_at = $3, lease_until = NULL, last_status_code = 410, last_error = $4 WHERE ${ownClaim}`, [
            message.id,
            message.attempts,
            now,
            result.error,
          ]);
          const disabled = returnedRows<{ id: string }>(
            await manager.query(
              `UPDATE webhook_endpoint SET status = 'DISABLED', disabled_reason = $2, updated_at = $3 WHERE id = $1 AND status = 'ACTIVE' RETURNING id`,
              [message.endpoint_id, `The receiver answered 410 Gone at ${now.toISOString()}.`, now],
            ),
          );
          if (disabled.length > 0) {
            await manager.query(`INSERT INTO admin_alert (kind, message, endpoint_id, created_at) VALUES ('ENDPOINT_GONE', $1, $2, $3)`, [
              `Webhook endpoint ${message.endpoint_id} (${message.url}) answered 410 Gone and was disabled; its messages wait until it is enabled again. / Webhook エンドポイントが 410 Gone を返したため無効化しました。再度有効にするまでメッセージは保留されます。`,
              message.endpoint_id,
              now,
            ]);
            this.log.warn({ endpointId: message.endpoint_id }, 'webhook endpoint answered 410 Gone and was disabled');
          }
          break;
        }
      }
    });
    return outcome;
  }
}

/** Reads at most `limit` characters of a response body and releases the connection. */
async function readCapped(response: Response, limit: number): Promise<string> {
  if (!response.body) return '';
  const reader = response.body.getReader();
  const decoder = new TextDecoder();
  let text = '';
  try {
    while (text.length < limit) {
      const { done, value } = await reader.read();
      if (done) break;
      text += decoder.decode(value, { stream: true });
    }
  } catch {
    // A body cut off by the receiver does not change the status we already have.
  } finally {
    await reader.cancel().catch(() => undefined);
  }
  return text.slice(0, limit).trim();
}
