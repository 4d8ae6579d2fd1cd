import { BeforeApplicationShutdown, Inject, Injectable, OnApplicationBootstrap } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { Agent, fetch } from 'undici';
import { CLOCK, Clock } from '../common/clock';
import { FieldCipher } from '../common/field-crypto';
import { rootLogger } from '../common/logger';
import { returnedRows } from '../common/sql';
import { AppConfig } from '../config/app-config';
import { DeliveryResponse } from '../webhooks/retry-schedule';
import { cloudEvent, signWebhook } from '../webhooks/signing';
import { DeliveryOutcome, outcomeOfAttempt } from './delivery-outcome';
import { WEBHOOK_SECRET_CIPHER, webhookSecretBinding } from './webhook-secret-cipher';
import { WebhookTargetGuard, WebhookTargetRefused } from './webhook-target-guard';

/**
 * At most this many HTTP requests in flight per process: a slow receiver must not exhaust sockets.
 * Requests hold no database connection (results are recorded in batches), so this is about sockets
 * and memory only; delivery is I/O bound.
 */
export const MAX_PARALLEL_DELIVERIES = 64;
/** With a backlog, the worker claims again as soon as this many slots are free, instead of waiting for a whole round. */
const CLAIM_WHEN_FREE = 8;
/** Results recorded in one statement at most. */
const RECORD_BATCH = 500;
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
  /** Not contacted: the receiver's address is not one the hub delivers to (dead-lettered, endpoint disabled). */
  targetsRefused: number;
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

interface PendingRecord {
  message: ClaimedMessage;
  result: AttemptResult;
  resolve: (outcome: DeliveryOutcome) => void;
  reject: (err: unknown) => void;
}

/**
 * Delivers the outbox: claims due messages in a short transaction (FOR UPDATE SKIP LOCKED plus a
 * lease, so several instances never deliver one message in parallel and a dead instance's claims
 * expire), POSTs them outside any transaction, then records the attempts: results that arrive while
 * a recording is under way are recorded together by the next one, in one statement.
 *
 * Strict order per (endpoint, ordering key): a message is not claimed while an earlier message with
 * the same key is still PENDING, so a failing message holds back its successors (until it is
 * delivered or dead-lettered) but not other keys.
 *
 * Fair per endpoint: a claim takes the due messages of every endpoint in turn (each endpoint's
 * oldest first), so a healthy endpoint is not queued behind a failing one's retries. With a
 * backlog the worker claims again as soon as a few requests are done, not after a whole round.
 */
@Injectable()
export class WebhookDispatcher implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly log = rootLogger.child({ context: 'WebhookDispatcher' });
  private timer: NodeJS.Timeout | undefined;
  private stopping = false;
  /** Messages whose HTTP request this process is making right now; never claimed twice here, even when a test moves the clock past their lease. */
  private readonly inFlight = new Set<string>();
  private readonly runs = new Set<Promise<DispatchReport>>();
  private readonly toRecord: PendingRecord[] = [];
  private recording: Promise<void> | undefined;
  private readonly deliveredListeners = new Set<(messageIds: string[]) => void>();
  /** Resolved when a request in flight ends (the worker waits on it when every slot is busy). */
  private slotFreed: { promise: Promise<void>; resolve: () => void } = deferred();
  /**
   * The HTTP client of every delivery: each connection it opens resolves the receiver's name through
   * the target guard, which judges every address and hands those very addresses to the socket.
   */
  private readonly agent: Agent;

  constructor(
    private readonly db: DataSource,
    private readonly config: AppConfig,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(WEBHOOK_SECRET_CIPHER) private readonly cipher: FieldCipher,
    private readonly targets: WebhookTargetGuard,
  ) {
    this.agent = new Agent({ connect: { lookup: targets.lookup } });
  }

  onApplicationBootstrap() {
    if (this.config.HUB_WORKERS) this.scheduleTick(this.config.HUB_WORKER_INTERVAL_MS);
  }

  /** Stops claiming and waits for the requests in flight, so that each is recorded (or left to its lease). */
  async beforeApplicationShutdown() {
    this.stopping = true;
    if (this.timer) clearTimeout(this.timer);
    this.slotFreed.resolve();
    await Promise.allSettled([...this.runs]);
    await this.agent.close().catch(() => undefined);
  }

  /**
   * Tells `listener` the ids of messages this process has just recorded as DELIVERED: a hint that
   * lets a feature follow up at once instead of polling for it. Only a hint (other instances'
   * deliveries and a crash between recording and the call are not told), so keep a slower sweep.
   */
  onDelivered(listener: (messageIds: string[]) => void): () => void {
    this.deliveredListeners.add(listener);
    return () => this.deliveredListeners.delete(listener);
  }

  /** One round: claim what is due (up to the free parallel slots), deliver it, record it. For the worker, tests and benchmarks. */
  async runOnce(): Promise<DispatchReport> {
    return (await this.startRound()).done;
  }

  /** Claims, then starts the deliveries; `done` settles once each is recorded. */
  private async startRound(): Promise<{ claimed: number; slots: number; done: Promise<DispatchReport> }> {
    const slots = MAX_PARALLEL_DELIVERIES - this.inFlight.size;
    const empty: DispatchReport = { claimed: 0, delivered: 0, retrying: 0, dead: 0, endpointsGone: 0, targetsRefused: 0 };
    if (this.stopping || slots <= 0) return { claimed: 0, slots, done: Promise.resolve(empty) };
    // Tracked from the claim on, so that shutdown waits for a claim under way and its deliveries.
    const claiming = this.claim(slots);
    const done = claiming.then((claimed) => this.deliverAll(claimed));
    this.runs.add(done);
    void done.finally(() => this.runs.delete(done)).catch(() => undefined);
    const claimed = await claiming;
    return { claimed: claimed.length, slots, done };
  }

  private scheduleTick(delayMs: number) {
    if (this.stopping) return;
    this.timer = setTimeout(() => void this.tick(), delayMs);
  }

  private async tick() {
    let busy = false;
    try {
      const round = await this.startRound();
      // Every slot taken (now or already): there is a backlog, claim again once a few requests are done.
      busy = round.slots <= 0 || (round.claimed > 0 && round.claimed >= round.slots);
    } catch (err) {
      // The database may be briefly unreachable; the next tick tries again, claims are protected by their lease.
      this.log.error({ err }, 'webhook dispatch round failed');
    }
    if (busy) {
      while (!this.stopping && MAX_PARALLEL_DELIVERIES - this.inFlight.size < CLAIM_WHEN_FREE) await this.slotFreed.promise;
      this.scheduleTick(0);
    } else {
      this.scheduleTick(this.config.HUB_WORKER_INTERVAL_MS);
    }
  }

  private async deliverAll(claimed: ClaimedMessage[]): Promise<DispatchReport> {
    const report: DispatchReport = { claimed: claimed.length, delivered: 0, retrying: 0, dead: 0, endpointsGone: 0, targetsRefused: 0 };
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
          const freed = this.slotFreed;
          this.slotFreed = deferred();
          freed.resolve();
        }
      }),
    );
    for (const outcome of outcomes) {
      if (outcome?.kind === 'DELIVERED') report.delivered++;
      else if (outcome?.kind === 'RETRY') report.retrying++;
      else if (outcome?.kind === 'DEAD') report.dead++;
      else if (outcome?.kind === 'ENDPOINT_GONE') report.endpointsGone++;
      else if (outcome?.kind === 'TARGET_REFUSED') report.targetsRefused++;
    }
    return report;
  }

  private claim(limit: number): Promise<ClaimedMessage[]> {
    const now = this.clock.now();
    const leaseUntil = new Date(now.getTime() + CLAIM_LEASE_MS);
    return this.db.transaction(async (manager) => {
      const claimed = returnedRows<Omit<ClaimedMessage, 'url' | 'secret' | 'previous_secret' | 'previous_secret_expires_at'>>(
        await manager.query(
          // Per ACTIVE endpoint its oldest due messages (outbox_message_endpoint_due_idx), then round-robin
          // across endpoints: each endpoint's first, then each one's second, …
          `WITH due AS (
             SELECT c.id FROM webhook_endpoint e
             CROSS JOIN LATERAL (
               SELECT l.id, l.next_attempt_at, l.seq, row_number() OVER (ORDER BY l.next_attempt_at, l.seq) AS turn
                 FROM (SELECT m.id, m.next_attempt_at, m.seq FROM outbox_message m
                        WHERE m.endpoint_id = e.id AND m.status = 'PENDING' AND m.next_attempt_at <= $1
                          AND (m.lease_until IS NULL OR m.lease_until <= $1)
                          AND NOT (m.id = ANY($3::uuid[]))
                          AND NOT EXISTS (
                            SELECT 1 FROM outbox_message earlier
                             WHERE earlier.endpoint_id = m.endpoint_id AND earlier.ordering_key = m.ordering_key
                               AND earlier.status = 'PENDING' AND earlier.seq < m.seq)
                        ORDER BY m.next_attempt_at, m.seq
                        LIMIT $2
                        FOR UPDATE OF m SKIP LOCKED) l) c
              WHERE e.status = 'ACTIVE'
              ORDER BY c.turn, c.next_attempt_at, c.seq
              LIMIT $2)
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
    // The URL's own rules again (scheme, an address as the host): HUB_PRIVATE_WEBHOOK_TARGETS may have
    // changed since registration. Names are judged when the socket resolves them (targets.lookup).
    const refusal = this.targets.refusalBeforeDelivery(message.url);
    if (refusal) return finish({ response: 'TARGET_REFUSED', statusCode: null, retryAfter: null, error: `TARGET_REFUSED: ${refusal}`.slice(0, ERROR_BODY_CHARS) });
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
        dispatcher: this.agent,
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
      const refused = refusedTarget(err);
      if (refused) {
        return finish({ response: 'TARGET_REFUSED', statusCode: null, retryAfter: null, error: `TARGET_REFUSED: ${refused.message}`.slice(0, ERROR_BODY_CHARS) });
      }
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
    const secrets = [this.cipher.decrypt(message.secret, webhookSecretBinding(message.endpoint_id))];
    if (message.previous_secret && message.previous_secret_expires_at && new Date(message.previous_secret_expires_at) > now) {
      secrets.push(this.cipher.decrypt(message.previous_secret, webhookSecretBinding(message.endpoint_id, 'previous_secret')));
    }
    return secrets;
  }

  /** Queues the attempt for the next batch recording; resolves once it is recorded. */
  private record(message: ClaimedMessage, result: AttemptResult): Promise<DeliveryOutcome> {
    return new Promise<DeliveryOutcome>((resolve, reject) => {
      this.toRecord.push({ message, result, resolve, reject });
      this.recordQueued();
    });
  }

  /** One recording at a time; whatever queued up meanwhile goes into the next one. */
  private recordQueued() {
    if (this.recording) return;
    this.recording = (async () => {
      while (this.toRecord.length > 0) {
        const batch = this.toRecord.splice(0, RECORD_BATCH);
        try {
          const outcomes = await this.recordBatch(batch);
          batch.forEach((item, i) => item.resolve(outcomes[i]));
        } catch (err) {
          batch.forEach((item) => item.reject(err));
        }
      }
    })().finally(() => {
      this.recording = undefined;
      if (this.toRecord.length > 0) this.recordQueued();
    });
  }

  /**
   * Records the attempts and moves the messages on, in one statement (one transaction with the
   * endpoint's disabling when a receiver answered 410).
   */
  private async recordBatch(batch: ReadonlyArray<Pick<PendingRecord, 'message' | 'result'>>): Promise<DeliveryOutcome[]> {
    const now = this.clock.now();
    const outcomes = batch.map(({ message, result }) =>
      outcomeOfAttempt({ response: result.response, attemptsMade: message.attempts, now, retryAfter: result.retryAfter, random: Math.random }));
    const rows = batch.map(({ message, result }, i) => ({
      id: message.id,
      attempt_no: message.attempts,
      at: result.startedAt.toISOString(),
      status_code: result.statusCode,
      error: result.error,
      duration_ms: result.durationMs,
      kind: outcomes[i].kind,
      next_at: outcomes[i].kind === 'RETRY' ? (outcomes[i] as { at: Date }).at.toISOString() : null,
    }));
    const gone = batch.filter((_, i) => outcomes[i].kind === 'ENDPOINT_GONE').map(({ message }) => message);
    const refused = batch.filter((_, i) => outcomes[i].kind === 'TARGET_REFUSED');
    const write = async (manager: EntityManager) => {
      // Failures only move a message while this claim still owns it (attempts = this attempt's number);
      // a 2xx always counts, even if the lease ran out meanwhile, because the receiver has the message.
      // ENDPOINT_GONE: the message stays PENDING and due, to go out once the endpoint is enabled again.
      await manager.query(
        `WITH x AS (
           SELECT * FROM jsonb_to_recordset($1::jsonb)
             AS x(id uuid, attempt_no int, at timestamptz, status_code int, error text, duration_ms int, kind text, next_at timestamptz)),
         attempts AS (
           INSERT INTO delivery_attempt (message_id, attempt_no, at, status_code, error, duration_ms)
           SELECT id, attempt_no, at, status_code, error, duration_ms FROM x)
         UPDATE outbox_message m SET
           status = CASE x.kind WHEN 'DELIVERED' THEN 'DELIVERED' WHEN 'DEAD' THEN 'DEAD' WHEN 'TARGET_REFUSED' THEN 'DEAD' ELSE 'PENDING' END::outbox_message_status,
           delivered_at = CASE WHEN x.kind = 'DELIVERED' THEN $2::timestamptz END,
           next_attempt_at = CASE x.kind WHEN 'RETRY' THEN x.next_at WHEN 'ENDPOINT_GONE' THEN $2::timestamptz END,
           lease_until = NULL, last_status_code = x.status_code, last_error = x.error
          FROM x
         WHERE m.id = x.id
           AND CASE WHEN x.kind = 'DELIVERED' THEN m.status <> 'DELIVERED' ELSE m.status = 'PENDING' AND m.attempts = x.attempt_no END`,
        [JSON.stringify(rows), now],
      );
      for (const message of gone) await this.disableGoneEndpoint(manager, message, now);
      for (const { message, result } of refused) await this.disableRefusedEndpoint(manager, message, result.error ?? 'TARGET_REFUSED', now);
    };
    if (gone.length > 0 || refused.length > 0) await this.db.transaction(write);
    else await write(this.db.manager);
    const delivered = batch.filter((_, i) => outcomes[i].kind === 'DELIVERED').map(({ message }) => message.id);
    if (delivered.length > 0) {
      for (const listener of this.deliveredListeners) {
        try {
          listener(delivered);
        } catch (err) {
          this.log.error({ err }, 'a delivered-message listener failed');
        }
      }
    }
    batch.forEach(({ message }, i) => {
      if (outcomes[i].kind === 'DEAD') this.log.warn({ messageId: message.id, endpointId: message.endpoint_id, attempts: message.attempts }, 'webhook message dead-lettered');
    });
    return outcomes;
  }

  private async disableGoneEndpoint(manager: EntityManager, message: ClaimedMessage, now: Date): Promise<void> {
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
  }

  /**
   * A receiver the hub may not contact (its name resolves into the hub's own network): its message is
   * already dead (replayable once fixed); the endpoint is disabled so the rest wait instead of dying one
   * by one, and the operator is told once.
   */
  private async disableRefusedEndpoint(manager: EntityManager, message: ClaimedMessage, reason: string, now: Date): Promise<void> {
    const disabled = returnedRows<{ id: string }>(
      await manager.query(
        `UPDATE webhook_endpoint SET status = 'DISABLED', disabled_reason = $2, updated_at = $3 WHERE id = $1 AND status = 'ACTIVE' RETURNING id`,
        [message.endpoint_id, `Not contacted at ${now.toISOString()}: ${reason}`, now],
      ),
    );
    this.log.warn({ endpointId: message.endpoint_id, messageId: message.id, reason }, 'webhook target refused: message dead-lettered');
    if (disabled.length > 0) {
      await manager.query(`INSERT INTO admin_alert (kind, message, endpoint_id, created_at) VALUES ('TARGET_REFUSED', $1, $2, $3)`, [
        `Webhook endpoint ${message.endpoint_id} (${message.url}) was not contacted and was disabled: ${reason}. Message ${message.id} is a dead letter; replay it once the endpoint is fixed and enabled. / 配信先のアドレスが許可されていないため接続せず、Webhook エンドポイントを無効化しました。メッセージはデッドレターになりました。修正して有効化した後に再送してください。`,
        message.endpoint_id,
        now,
      ]);
    }
  }
}

/** The guard's refusal, wherever fetch put it (the socket's error is the cause of fetch's TypeError). */
function refusedTarget(err: unknown): WebhookTargetRefused | null {
  let current: unknown = err;
  for (let depth = 0; depth < 5 && current; depth++) {
    if (current instanceof WebhookTargetRefused) return current;
    current = (current as { cause?: unknown }).cause;
  }
  return null;
}

function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
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
