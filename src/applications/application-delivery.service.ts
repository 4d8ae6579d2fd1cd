import { createHash } from 'node:crypto';
import { BeforeApplicationShutdown, Inject, Injectable, OnApplicationBootstrap } from '@nestjs/common';
import { stringify } from 'csv-stringify/sync';
import * as iconv from 'iconv-lite';
import { DataSource } from 'typeorm';
import { ApiRole } from '../auth/api-client.entity';
import type { AuthenticatedClient } from '../auth/current-client.decorator';
import { assertMunicipalityScope } from '../auth/scope';
import { CLOCK, Clock } from '../common/clock';
import { Errors, hubError } from '../common/errors';
import { KeyRing, parseKeyRing } from '../common/field-crypto';
import { RepeatingTask } from '../common/repeating-task';
import { rootLogger } from '../common/logger';
import { returnedRows } from '../common/sql';
import { AppConfig } from '../config/app-config';
import { WebhookDispatcher } from '../outbox/webhook-dispatcher';
import { WebhookEndpointService } from '../outbox/webhook-endpoint.service';
import { StatusActor } from '../status/application-status';
import { BATCH_COLUMNS, batchRow, FullApplicationDocument, fullApplicationDocument, possibleDuplicatesFor } from './application-document';
import { DeliveryMode } from './application.entity';
import { ApplicationErrorCode } from './applications.errors';
import { ApplicationsService, ReadContext } from './applications.service';
import { acknowledgeDelivery } from './delivery-acknowledgement';
import { decodeFeedCursor, encodeFeedCursor } from './feed-cursor';
import { ConfigureMunicipalityDeliveryInput } from './dto/configure-municipality-delivery.input';

/** Event types a municipality's endpoint subscribes to when the hub registers it. */
export const APPLICATION_TOPIC = 'jp.hokatsu.application.';
const PUSH_CONFIRM_BATCH = 500;
/**
 * The full sweep for 2xx-answered pushes runs once per this many worker intervals; in between only
 * the messages this process's dispatcher reported delivered are confirmed (cheap, by message id).
 * The sweep finds the rest (other instances' deliveries, a hint lost to a restart); it reads every
 * unacknowledged pushed recipient, which on a deadline day is thousands of rows.
 */
const FULL_SWEEP_EVERY_INTERVALS = 10;

export interface MunicipalityDeliverySetting {
  municipalityCode: string;
  mode: DeliveryMode;
  endpointId: string | null;
  endpointUrl: string | null;
  acceptsIncomplete: boolean;
  updatedAt: Date | null;
}

export interface FeedEntryView {
  cursor: string;
  kind: string;
  applicationId: string;
  createdAt: Date;
  document: FullApplicationDocument;
}

/**
 * The three ways a municipality takes applications, and the step that follows each: the deciding
 * municipality's acknowledgement moves the application to DELIVERED.
 * - PUSH: the outbox delivers; a poller here sees outbox messages marked DELIVERED (2xx) and
 *   acknowledges the recipient (the outbox needs no knowledge of applications).
 * - PULL: municipalityFeed / acknowledgeMunicipalityFeed.
 * - BATCH: the CSV download is the hand-over.
 */
@Injectable()
export class ApplicationDeliveryService implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly log = rootLogger.child({ context: 'ApplicationDelivery' });
  private loop: RepeatingTask | undefined;
  /** Messages the dispatcher here reported delivered, to confirm on the next round. */
  private deliveredHints: string[] = [];
  /** performance.now() of the last full sweep (not the hub's clock, which tests move). */
  private lastSweepAt = -Infinity;
  /** For the feed cursors (feed-cursor.ts): made with the current key, read with any. */
  private readonly keyRing: KeyRing;

  constructor(
    private readonly db: DataSource,
    private readonly config: AppConfig,
    @Inject(CLOCK) private readonly clock: Clock,
    private readonly applications: ApplicationsService,
    private readonly endpoints: WebhookEndpointService,
    private readonly dispatcher: WebhookDispatcher,
  ) {
    this.keyRing = parseKeyRing(config.HUB_ENCRYPTION_KEYS, 'HUB_ENCRYPTION_KEYS');
  }

  // --- configuration (ADMIN) -----------------------------------------------------------------

  async setting(code: string): Promise<MunicipalityDeliverySetting> {
    const [row]: Array<{ mode: DeliveryMode; endpoint_id: string | null; url: string | null; accepts_incomplete: boolean; updated_at: Date }> = await this.db.query(
      `SELECT d.mode, d.endpoint_id, e.url, d.accepts_incomplete, d.updated_at
         FROM municipality_delivery d LEFT JOIN webhook_endpoint e ON e.id = d.endpoint_id WHERE d.municipality_code = $1`,
      [code],
    );
    if (!row) return { municipalityCode: code, mode: DeliveryMode.BATCH, endpointId: null, endpointUrl: null, acceptsIncomplete: false, updatedAt: null };
    return { municipalityCode: code, mode: row.mode, endpointId: row.endpoint_id, endpointUrl: row.url, acceptsIncomplete: row.accepts_incomplete, updatedAt: row.updated_at };
  }

  /**
   * PUSH registers the municipality's endpoint through the outbox (the secret is in the answer, once)
   * unless it already pushes to that URL; a new URL gets a new endpoint, and the old one keeps
   * delivering what was queued for it (remove it with removeWebhookEndpoint once drained).
   * Rotate the secret with rotateWebhookSecret(endpointId).
   */
  async configure(input: ConfigureMunicipalityDeliveryInput, client: AuthenticatedClient): Promise<{ setting: MunicipalityDeliverySetting; signingSecret: string | null }> {
    const [municipality]: Array<{ participates: boolean }> = await this.db.query(`SELECT participates FROM municipality WHERE code = $1`, [input.municipalityCode]);
    if (!municipality) throw Errors.notFound('Municipality', input.municipalityCode, 'input.municipalityCode');
    if (input.mode === DeliveryMode.PUSH && !input.endpointUrl) {
      throw Errors.badInput('input.endpointUrl', 'input.endpointUrl is required for PUSH: the URL the municipality receives signed deliveries on.',
        'PUSH の場合は input.endpointUrl（署名付き配信を受け取るURL）が必須です。');
    }
    if (input.mode !== DeliveryMode.PUSH && input.endpointUrl) {
      throw Errors.badInput('input.endpointUrl', 'input.endpointUrl is only for PUSH; leave it out for PULL and BATCH.',
        'input.endpointUrl は PUSH の場合だけ指定します。PULL・BATCH では指定しないでください。');
    }
    const current = await this.setting(input.municipalityCode);
    let endpointId: string | null = null;
    let signingSecret: string | null = null;
    if (input.mode === DeliveryMode.PUSH) {
      const [active]: Array<{ id: string }> = current.endpointId
        ? await this.db.query(`SELECT id FROM webhook_endpoint WHERE id = $1 AND url = $2 AND status = 'ACTIVE'`, [current.endpointId, input.endpointUrl])
        : [];
      if (active) {
        endpointId = active.id;
      } else {
        const registered = await this.endpoints.register(client, { url: input.endpointUrl!, topics: [APPLICATION_TOPIC], municipalityCode: input.municipalityCode }, 'input.endpointUrl');
        endpointId = registered.endpoint.id;
        signingSecret = registered.secret;
      }
    }
    await this.db.query(
      `INSERT INTO municipality_delivery (municipality_code, mode, endpoint_id, accepts_incomplete, updated_by, updated_at)
       VALUES ($1, $2, $3, $4, $5, $6)
       ON CONFLICT (municipality_code) DO UPDATE SET mode = EXCLUDED.mode, endpoint_id = EXCLUDED.endpoint_id,
         accepts_incomplete = EXCLUDED.accepts_incomplete, updated_by = EXCLUDED.updated_by, updated_at = EXCLUDED.updated_at`,
      [input.municipalityCode, input.mode, endpointId, input.acceptsIncomplete ?? current.acceptsIncomplete, client.id, this.clock.now()],
    );
    return { setting: await this.setting(input.municipalityCode), signingSecret };
  }

  // --- PULL ----------------------------------------------------------------------------------

  /**
   * Entries after `after` (default: after the acknowledged position), oldest first. Each application
   * read is audited. Cursors are opaque and the caller's own (feed-cursor.ts).
   */
  async feed(ctx: ReadContext, after: string | null | undefined, first: number): Promise<{ entries: FeedEntryView[]; acknowledgedCursor: string; hasMore: boolean }> {
    const code = municipalityOf(ctx.client);
    const acknowledged = await this.acknowledgedPosition(code);
    const from = after == null ? acknowledged : this.positionOf(code, after, 'after');
    // ORDER BY the column, not the text alias "id": in text order '100' < '99', and a page skipped entries.
    const rows: Array<{ id: string; kind: string; application_id: string; payload: string; created_at: Date }> = await this.db.query(
      `SELECT id::text AS id, kind, application_id, payload, created_at FROM municipality_feed_entry
        WHERE municipality_code = $1 AND id > $2 ORDER BY municipality_feed_entry.id LIMIT $3`,
      [code, from.toString(), first + 1],
    );
    const page = rows.slice(0, first);
    await this.applications.recordReads(ctx, page.map((r) => r.application_id), 'application.feed.read');
    // As of reading: an entry stored before a later partner's submission of the same child names it too.
    const duplicates = await this.applications.possibleDuplicatesOf(page.map((r) => r.application_id));
    return {
      entries: page.map((r) => ({
        cursor: encodeFeedCursor(this.keyRing, code, BigInt(r.id)),
        kind: r.kind,
        applicationId: r.application_id,
        createdAt: r.created_at,
        document: {
          ...this.applications.decryptFeedPayload<FullApplicationDocument>({ applicationId: r.application_id, municipalityCode: code, kind: r.kind, payload: r.payload }, ctx.requestId),
          possibleDuplicateOfApplicationIds: possibleDuplicatesFor({ possibleDuplicates: duplicates.get(r.application_id) ?? [] }, code),
        },
      })),
      acknowledgedCursor: encodeFeedCursor(this.keyRing, code, acknowledged),
      hasMore: rows.length > first,
    };
  }

  /**
   * Everything up to `cursor` is in the municipality's system: its recipients are acknowledged and
   * the applications it decides on move to DELIVERED. Acknowledging an older cursor again changes nothing.
   */
  async acknowledgeFeed(client: AuthenticatedClient, cursor: string): Promise<{ acknowledgedCursor: string; deliveredApplicationIds: string[] }> {
    const code = municipalityOf(client);
    const position = this.positionOf(code, cursor, 'cursor');
    const now = this.clock.now();
    return this.db.transaction(async (m) => {
      // Only a cursor the hub made for this municipality gets here; beyond its last entry it can only
      // be after entries were deleted. Refused without naming the last position.
      const [{ beyond }] = await m.query(
        `SELECT NOT EXISTS (SELECT 1 FROM municipality_feed_entry WHERE municipality_code = $1 AND id >= $2) AND $2::bigint > 0 AS beyond`,
        [code, position.toString()],
      );
      if (beyond) throw cursorUnknown('cursor');
      // Lock the municipality's cursor row so two acknowledgements in parallel take turns.
      await m.query(
        `INSERT INTO municipality_feed_cursor (municipality_code, acknowledged_cursor, acknowledged_by, updated_at) VALUES ($1, 0, $2, $3)
         ON CONFLICT (municipality_code) DO NOTHING`,
        [code, client.id, now],
      );
      const [{ previous }] = await m.query(`SELECT acknowledged_cursor::text AS previous FROM municipality_feed_cursor WHERE municipality_code = $1 FOR UPDATE`, [code]);
      if (position <= BigInt(previous)) return { acknowledgedCursor: encodeFeedCursor(this.keyRing, code, BigInt(previous)), deliveredApplicationIds: [] };
      await m.query(`UPDATE municipality_feed_cursor SET acknowledged_cursor = $2, acknowledged_by = $3, updated_at = $4 WHERE municipality_code = $1`, [code, position.toString(), client.id, now]);
      const acknowledged = returnedRows<{ application_id: string; role: string }>(await m.query(
        `UPDATE application_recipient r SET delivered_at = coalesce(r.delivered_at, $4), acknowledged_at = $4
          WHERE r.municipality_code = $1 AND r.acknowledged_at IS NULL
            AND r.application_id IN (SELECT f.application_id FROM municipality_feed_entry f WHERE f.municipality_code = $1 AND f.id > $2 AND f.id <= $3)
         RETURNING r.application_id, r.role`,
        [code, previous, position.toString(), now],
      ));
      const delivered = await acknowledgeDelivery(
        m,
        acknowledged.filter((r) => r.role === 'APPLICATION').map((r) => r.application_id),
        { actor: StatusActor.MUNICIPALITY, actorId: client.id, details: { channel: DeliveryMode.PULL, cursor } },
        now,
      );
      return { acknowledgedCursor: encodeFeedCursor(this.keyRing, code, position), deliveredApplicationIds: delivered };
    });
  }

  private async acknowledgedPosition(code: string): Promise<bigint> {
    const [row] = await this.db.query(`SELECT acknowledged_cursor::text AS position FROM municipality_feed_cursor WHERE municipality_code = $1`, [code]);
    return BigInt(row?.position ?? '0');
  }

  /** The feed position a cursor names, if the hub made it for this municipality; refusals say nothing about any position. */
  private positionOf(code: string, cursor: string, field: 'after' | 'cursor'): bigint {
    const decoded = decodeFeedCursor(this.keyRing, code, cursor);
    if ('position' in decoded) return decoded.position;
    if (decoded.problem === 'MALFORMED') {
      throw Errors.badInput(field, `"${field}" must be a cursor your feed returned ("fc1_…", as given by municipalityFeed).`,
        `「${field}」にはフィードが返したカーソル（"fc1_…"、municipalityFeed が返したもの）を指定してください。`);
    }
    throw cursorUnknown(field);
  }

  // --- BATCH ---------------------------------------------------------------------------------

  /**
   * The CSV of every application routed to `code` for `intakeMonth` (both roles), oldest first, in
   * BATCH_COLUMNS order, UTF-8 with a BOM (or Shift_JIS on request). Downloading it is the hand-over
   * for BATCH recipients: they are acknowledged, and those the municipality decides on move to DELIVERED.
   */
  async batchFile(ctx: ReadContext, code: string, intakeMonth: string, encoding: 'utf-8' | 'shift_jis'): Promise<{ body: Buffer; fileName: string; rowCount: number }> {
    assertMunicipalityScope(ctx.client, code, 'code');
    if (!/^\d{4}-(0[1-9]|1[0-2])$/.test(intakeMonth)) {
      throw Errors.badInput('intakeMonth', `intakeMonth must be YYYY-MM; got "${intakeMonth}".`, `intakeMonth は YYYY-MM 形式で指定してください（指定値: "${intakeMonth}"）。`);
    }
    const ids: Array<{ id: string }> = await this.db.query(
      `SELECT a.id FROM application a JOIN application_recipient r ON r.application_id = a.id AND r.municipality_code = $1
        WHERE a.intake_month = $2 ORDER BY a.submitted_at, a.id`,
      [code, intakeMonth],
    );
    const rows = await this.applications.rowsByIds(ids.map((r) => r.id));
    const order = new Map(ids.map((r, i) => [r.id, i]));
    rows.sort((a, b) => order.get(a.id)! - order.get(b.id)!);
    const facts = await this.applications.factsOf(rows);
    const names = new Map(facts.flatMap((f) => f.wishes.map((w) => [w.facilityId, w.facilityName ?? ''] as [string, string])));
    const records = rows.map((row, i) => batchRow(fullApplicationDocument(facts[i], code, this.applications.decryptPersonal(row, ctx.requestId)), names));
    const text = stringify([[...BATCH_COLUMNS], ...records], { record_delimiter: '\r\n' });
    const body = encoding === 'shift_jis' ? iconv.encode(text, 'Shift_JIS') : Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(text, 'utf8')]);
    const now = this.clock.now();
    await this.db.transaction(async (m) => {
      await m.query(
        `INSERT INTO batch_file (municipality_code, intake_month, row_count, sha256, downloaded_by, generated_at) VALUES ($1, $2, $3, $4, $5, $6)`,
        [code, intakeMonth, records.length, createHash('sha256').update(body).digest('hex'), ctx.client.id, now],
      );
      await this.applications.recordReads(ctx, rows.map((r) => r.id), 'application.batch.read', m);
      // Only the municipality's own download hands the file over; an admin looking at it does not.
      if (ctx.client.role !== ApiRole.MUNICIPALITY || rows.length === 0) return;
      const acknowledged = returnedRows<{ application_id: string; role: string }>(await m.query(
        `UPDATE application_recipient SET delivered_at = coalesce(delivered_at, $3), acknowledged_at = $3
          WHERE municipality_code = $1 AND delivery_mode = 'BATCH' AND acknowledged_at IS NULL AND application_id = ANY($2)
         RETURNING application_id, role`,
        [code, rows.map((r) => r.id), now],
      ));
      await acknowledgeDelivery(
        m,
        acknowledged.filter((r) => r.role === 'APPLICATION').map((r) => r.application_id),
        { actor: StatusActor.MUNICIPALITY, actorId: ctx.client.id, details: { channel: DeliveryMode.BATCH, intakeMonth } },
        now,
      );
    });
    const suffix = encoding === 'shift_jis' ? '-sjis' : '';
    return { body, fileName: `applications-${code}-${intakeMonth}${suffix}.csv`, rowCount: records.length };
  }

  // --- PUSH confirmation -----------------------------------------------------------------------

  onApplicationBootstrap() {
    if (!this.config.HUB_WORKERS) return;
    const loop = (this.loop = new RepeatingTask('confirming pushed applications', this.config.HUB_WORKER_INTERVAL_MS, () => this.confirmRound(), this.log));
    this.dispatcher.onDelivered((ids) => {
      this.deliveredHints.push(...ids);
      // Confirm promptly: the next round now rather than after a whole interval.
      loop.wake();
    });
    loop.start();
  }

  async beforeApplicationShutdown() {
    await this.loop?.stop();
  }

  /** The hinted messages, and once per FULL_SWEEP_EVERY_INTERVALS intervals the full sweep. True when there is more to do at once. */
  private async confirmRound(): Promise<boolean> {
    let more = false;
    if (this.deliveredHints.length > 0) {
      const ids = this.deliveredHints.splice(0, PUSH_CONFIRM_BATCH);
      await this.confirmPushDeliveries(ids);
      more = this.deliveredHints.length > 0;
    }
    if (performance.now() - this.lastSweepAt >= FULL_SWEEP_EVERY_INTERVALS * this.config.HUB_WORKER_INTERVAL_MS) {
      this.lastSweepAt = performance.now();
      more = (await this.confirmPushDeliveries()) >= PUSH_CONFIRM_BATCH || more;
    }
    return more;
  }

  /**
   * Recipients whose outbox message the receiver answered with 2xx (only those of `messageIds`, when
   * given): acknowledge them, and move the
   * applications their municipality decides on to DELIVERED. SKIP LOCKED lets several instances
   * run this at once without handling a recipient twice. Returns how many recipients it confirmed.
   */
  async confirmPushDeliveries(messageIds?: readonly string[]): Promise<number> {
    const now = this.clock.now();
    return this.db.transaction(async (m) => {
      const confirmed = returnedRows<{ application_id: string; role: string }>(await m.query(
        `WITH done AS (
           SELECT r.application_id, r.municipality_code, o.delivered_at
             FROM application_recipient r JOIN outbox_message o ON o.id = r.outbox_message_id
            WHERE r.outbox_message_id IS NOT NULL AND r.acknowledged_at IS NULL AND o.status = 'DELIVERED'
              ${messageIds ? 'AND r.outbox_message_id = ANY($2::uuid[])' : ''}
            LIMIT $1
            FOR UPDATE OF r SKIP LOCKED)
         UPDATE application_recipient r SET delivered_at = done.delivered_at, acknowledged_at = done.delivered_at
           FROM done WHERE r.application_id = done.application_id AND r.municipality_code = done.municipality_code
         RETURNING r.application_id, r.role`,
        messageIds ? [PUSH_CONFIRM_BATCH, messageIds] : [PUSH_CONFIRM_BATCH],
      ));
      await acknowledgeDelivery(
        m,
        confirmed.filter((r) => r.role === 'APPLICATION').map((r) => r.application_id),
        { actor: StatusActor.SYSTEM, actorId: null, details: { channel: DeliveryMode.PUSH } },
        now,
      );
      return confirmed.length;
    });
  }
}

function cursorUnknown(field: 'after' | 'cursor') {
  return hubError(
    ApplicationErrorCode.FEED_CURSOR_UNKNOWN,
    `"${field}" is not a cursor of your feed; use only cursors municipalityFeed returned to you (or leave "after" out to continue after your acknowledged position).`,
    `「${field}」はあなたのフィードのカーソルではありません。municipalityFeed が返したカーソルだけを使ってください（「after」を省略すると確認応答済みの位置の次から読めます）。`,
    { field },
  );
}

function municipalityOf(client: AuthenticatedClient): string {
  if (client.role !== ApiRole.MUNICIPALITY || !client.municipalityCode) {
    throw Errors.forbidden('Only a municipality reads and acknowledges its own feed.', 'フィードを読み取り・確認応答できるのは自治体自身だけです。');
  }
  return client.municipalityCode;
}
