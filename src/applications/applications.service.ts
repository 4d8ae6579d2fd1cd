import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { ApiRole } from '../auth/api-client.entity';
import type { AuthenticatedClient } from '../auth/current-client.decorator';
import { AuditService } from '../audit/audit.service';
import { CLOCK, Clock } from '../common/clock';
import { Errors, HubError, hubError } from '../common/errors';
import { decryptForCaller, FieldCipher, KeyRing, parseKeyRing } from '../common/field-crypto';
import { requestFingerprint } from '../common/idempotency';
import { ConnectionShape, decodeCursor, toConnection } from '../common/pagination';
import { preparedQuery } from '../common/sql';
import { AppConfig } from '../config/app-config';
import { OutboxService } from '../outbox/outbox.service';
import { ApplicationStatus, isActive, StatusActor, toJapanDate } from '../status/application-status';
import {
  applicationNotice, ApplicationFacts, eventTypeFor, fullApplicationDocument, PersonalData, personalDataOf, PossibleDuplicate,
} from './application-document';
import { DeliveryMode } from './application.entity';
import { ApplicationView, PossibleDuplicateApplicationView, RecipientRoleEnum } from './application.types';
import { ApplicationErrorCode } from './applications.errors';
import { childKeyOf, childKeysUnderRing } from './child-key';
import { feedPayloadBinding, personalDataBinding } from './encrypted-fields';
import { SubmitApplicationInput } from './dto/submit-application.input';
import { ApplicationsFilter } from './dto/applications-filter.input';
import { CycleRow, CYCLES_JSON_SQL, ProcedureRow, PROCEDURES_JSON_SQL, proceduresFromRows, procedureYears } from './procedure-lookup';
import type { MunicipalityInfo, RoutingDecision } from './routing';
import { checkSubmission, FacilityFacts, SubmissionFacts, SubmissionVerdict } from './submission-rules';

/** Statuses counted by the one-active-application index (application_one_active_per_child). */
export const ACTIVE_STATUSES = Object.values(ApplicationStatus).filter(isActive);

/**
 * The active statuses written out in the SQL rather than passed as a parameter: only a literal list
 * lets PostgreSQL prove that the partial index application_one_active_per_child applies (with
 * `status = ANY($n)` it walks every application of the partner instead).
 */
const ACTIVE_STATUS_PREDICATE = `a.status IN (${ACTIVE_STATUSES.map((s) => `'${s}'`).join(', ')})`;

const UNIQUE_VIOLATION = '23505';

/**
 * How often a submission looks again when another submission for the same child, residence and month
 * was stored between its reading and its writing (child_intake_claim). Each round at least one of the
 * submissions in the race is stored, so this is the number of them that can meet at once.
 */
const MAX_CLAIM_ATTEMPTS = 10;

/** What the submission's statement wrote, to answer from without reading it back. */
interface StoredSubmission {
  id: string;
  recipients: Array<{ code: string; role: RecipientRoleEnum; reason: string; mode: DeliveryMode; messageId: string | null }>;
}

export interface ApplicationRow {
  id: string;
  partner_client_id: string;
  request_fingerprint: string;
  residence_municipality_code: string;
  move_in_municipality_code: string | null;
  move_in_date: string | null;
  intake_month: string;
  class_age: number;
  application_type: string;
  current_facility_id: string | null;
  status: ApplicationStatus;
  valid_until: string | null;
  primary_municipality_code: string;
  out_of_area: boolean;
  routing: RoutingDecision;
  incomplete: boolean;
  missing_documents: string[];
  personal_data: string;
  version: number;
  submitted_at: Date;
  updated_at: Date;
}

const APPLICATION_COLUMNS = `a.id, a.partner_client_id, a.request_fingerprint, a.residence_municipality_code, a.move_in_municipality_code,
  to_char(a.move_in_date, 'YYYY-MM-DD') AS move_in_date, a.intake_month, a.class_age, a.application_type, a.current_facility_id, a.status,
  to_char(a.valid_until, 'YYYY-MM-DD') AS valid_until, a.primary_municipality_code, a.out_of_area, a.routing, a.incomplete,
  a.missing_documents, a.personal_data, a.version, a.submitted_at, a.updated_at`;

export interface ReadContext {
  client: AuthenticatedClient;
  requestId: string | null;
}

/**
 * Submitting applications and reading them. Every check runs before the one write transaction;
 * the transaction stores the application, its wishes, recipients, first timeline entry and its
 * deliveries (outbox messages for PUSH, feed entries for PULL) together, or nothing.
 */
@Injectable()
export class ApplicationsService {
  private readonly keyRing: KeyRing;
  private readonly cipher: FieldCipher;

  constructor(
    private readonly db: DataSource,
    config: AppConfig,
    @Inject(CLOCK) private readonly clock: Clock,
    private readonly outbox: OutboxService,
    private readonly audit: AuditService,
  ) {
    this.keyRing = parseKeyRing(config.HUB_ENCRYPTION_KEYS, 'HUB_ENCRYPTION_KEYS');
    this.cipher = new FieldCipher(this.keyRing);
  }

  get fieldCipher(): FieldCipher {
    return this.cipher;
  }

  /**
   * Round trips on the request path: one statement reads everything the checks need (an earlier
   * request under the key, the child's active applications, facilities, municipalities with their
   * delivery settings, procedures), then one statement stores it all; the answer is built from what
   * was written. A concurrent request under the same key is caught by the insert (ON CONFLICT on
   * the key) and answered as its replay.
   *
   * The same child (kana, birth date, residence) with a live application for the month from another
   * partner app: accepted, and both are flagged to the municipalities as possible duplicates
   * (application_possible_duplicate, `possibleDuplicateOfApplicationIds` in the documents); the
   * partner's answer is the same as for any other application. The store is conditional on the child's
   * claim row being unchanged since the read, so two partners submitting the same child at the same
   * moment cannot both miss each other: the later one stores nothing and reads again.
   */
  async submit(input: SubmitApplicationInput, ctx: ReadContext): Promise<{ application: ApplicationView; replayed: boolean }> {
    const { client } = ctx;
    // The key itself is not part of "the same input": the same request under another key is another request.
    const { idempotencyKey, ...request } = input;
    const fingerprint = requestFingerprint(request);
    const now = this.clock.now();
    const today = toJapanDate(now);
    const childKey = childKeyOf(input.child, this.keyRing.current);
    for (let attempt = 1; ; attempt++) {
      const loaded = await this.loadSubmission(client.id, input, today);
      if (loaded.earlierUnderKey) return this.replay(client.id, idempotencyKey, fingerprint, ctx);

      const verdict = checkSubmission(input, loaded.facts);
      const personal = personalDataOf(input);
      if (loaded.activeId) throw duplicateActive(input, loaded.activeId);

      const deliveries = new Map(verdict.routing.recipients.map((r) => [r.municipalityCode, loaded.deliveries.get(r.municipalityCode)!]));
      let stored: StoredSubmission | 'KEY_TAKEN' | 'CHILD_CLAIMED_MEANWHILE';
      try {
        stored = await this.store({
          input, client, fingerprint, childKey, claimVersion: loaded.claimVersion, possibleDuplicates: loaded.possibleDuplicates, verdict, personal, deliveries, now,
        });
      } catch (err) {
        const constraint = (err as { code?: string; constraint?: string }).code === UNIQUE_VIOLATION ? (err as { constraint?: string }).constraint : undefined;
        if (constraint === 'application_one_active_per_child') {
          // A concurrent request with the same key may have won the race: answer as a retry of it (or CONFLICT).
          const winner = await this.replayOf(client.id, idempotencyKey, fingerprint, ctx);
          if (winner) return winner;
          throw duplicateActive(input, await this.activeApplicationOf(client.id, input));
        }
        throw err;
      }
      // Nothing stored: a concurrent request under the same key committed first.
      if (stored === 'KEY_TAKEN') return this.replay(client.id, idempotencyKey, fingerprint, ctx);
      if (stored === 'CHILD_CLAIMED_MEANWHILE') {
        if (attempt < MAX_CLAIM_ATTEMPTS) continue;
        // Says nothing of what else was stored: to this partner, the other submissions do not exist.
        throw Errors.conflict('The application could not be stored because of concurrent changes; send the same request again (same idempotency key).',
          '同時に行われた変更のため申込みを保存できませんでした。同じリクエスト（同じ冪等キー）をもう一度送ってください。', {}, 'input');
      }
      return { application: this.viewOfSubmitted(input, verdict, personal, stored, now), replayed: false };
    }
  }

  /** One application, if the client may see it (partner: its own; municipality: routed to it; admin: all). Audited. */
  async findOne(id: string, ctx: ReadContext): Promise<ApplicationView> {
    const rows = await this.scopedQuery(ctx.client, { ids: [id] }, 1);
    // Not FORBIDDEN: whether an application someone else submitted exists is not the caller's business.
    if (rows.length === 0) throw Errors.notFound('Application', id, 'id');
    await this.recordReads(ctx, rows.map((r) => r.id));
    return (await this.views(rows, ctx.requestId))[0];
  }

  async list(filter: ApplicationsFilter, first: number, after: string | null | undefined, ctx: ReadContext): Promise<ConnectionShape<ApplicationView>> {
    const cursor = after ? (decodeCursor(after, 2) as [string, string]) : undefined;
    const total = await this.scopedCount(ctx.client, filter);
    const rows = await this.scopedQuery(ctx.client, { filter, cursor }, first + 1);
    await this.recordReads(ctx, rows.slice(0, first).map((r) => r.id));
    const views = await this.views(rows, ctx.requestId);
    return toConnection(views, first, !!after, total, (v) => [v.submittedAt.toISOString(), v.id]);
  }

  async rowsByIds(ids: readonly string[], manager: EntityManager = this.db.manager): Promise<ApplicationRow[]> {
    return manager.query(`SELECT ${APPLICATION_COLUMNS} FROM application a WHERE a.id = ANY($1)`, [ids]);
  }

  /** The application's personal data; DATA_INTEGRITY_ERROR (logged) when the stored value is not this application's or cannot be read. */
  decryptPersonal(row: Pick<ApplicationRow, 'id' | 'personal_data'>, requestId?: string | null): PersonalData {
    const subject = { field: 'personalData', en: `the personal data of application ${row.id}`, ja: `申込み ${row.id} の個人情報`, details: { applicationId: row.id } };
    return JSON.parse(decryptForCaller(this.cipher, row.personal_data, personalDataBinding(row.id), subject, requestId)) as PersonalData;
  }

  /** The encrypted personal data to store for an application (bound to it). */
  encryptPersonal(applicationId: string, personal: PersonalData): string {
    return this.cipher.encryptJson(personal, personalDataBinding(applicationId));
  }

  /** A feed entry's document; DATA_INTEGRITY_ERROR (logged) when the stored payload is not this entry's or cannot be read. */
  decryptFeedPayload<T>(entry: { applicationId: string; municipalityCode: string; kind: string; payload: string }, requestId?: string | null): T {
    const subject = {
      field: 'municipalityFeed.entries',
      en: `the ${entry.kind} entry of application ${entry.applicationId} in your feed`,
      ja: `フィードの申込み ${entry.applicationId} の ${entry.kind} エントリ`,
      details: { applicationId: entry.applicationId, kind: entry.kind },
    };
    return JSON.parse(decryptForCaller(this.cipher, entry.payload, feedPayloadBinding(entry.applicationId, entry.municipalityCode, entry.kind), subject, requestId)) as T;
  }

  /** The encrypted payload of a feed entry (bound to its application, municipality and kind). */
  encryptFeedPayload(applicationId: string, municipalityCode: string, kind: string, document: unknown): string {
    return this.cipher.encryptJson(document, feedPayloadBinding(applicationId, municipalityCode, kind));
  }

  /**
   * The possible duplicates recorded for each application (other partners' applications for the same
   * child, residence and intake month), oldest first, each with the municipalities it is routed to.
   */
  async possibleDuplicatesOf(ids: readonly string[], manager: EntityManager = this.db.manager): Promise<Map<string, PossibleDuplicate[]>> {
    const byApplication = new Map<string, PossibleDuplicate[]>(ids.map((id) => [id, []]));
    if (ids.length === 0) return byApplication;
    const rows: Array<{ application_id: string; id: string; municipality_codes: string[] }> = await manager.query(
      `SELECT p.application_id, p.duplicate_application_id AS id,
              ARRAY(SELECT r.municipality_code::text FROM application_recipient r WHERE r.application_id = p.duplicate_application_id) AS municipality_codes
         FROM application_possible_duplicate p JOIN application d ON d.id = p.duplicate_application_id
        WHERE p.application_id = ANY($1::uuid[]) ORDER BY p.application_id, d.submitted_at, d.id`,
      [ids],
    );
    for (const row of rows) byApplication.get(row.application_id)?.push({ applicationId: row.id, municipalityCodes: row.municipality_codes });
    return byApplication;
  }

  /** Facts for the documents: the row plus its wishes and (unless left out) possible duplicates. */
  async factsOf(rows: ApplicationRow[], manager: EntityManager = this.db.manager, options: { possibleDuplicates?: boolean } = {}): Promise<ApplicationFacts[]> {
    const wishes: Array<{ application_id: string; rank: number; facility_id: string; municipality_code: string; facility_name: string }> = rows.length
      ? await manager.query(
          `SELECT w.application_id, w.rank, w.facility_id, w.municipality_code, f.name AS facility_name
             FROM application_wish w JOIN facility f ON f.id = w.facility_id
            WHERE w.application_id = ANY($1) ORDER BY w.application_id, w.rank`,
          [rows.map((r) => r.id)],
        )
      : [];
    const duplicates = options.possibleDuplicates === false ? new Map<string, PossibleDuplicate[]>() : await this.possibleDuplicatesOf(rows.map((r) => r.id), manager);
    return rows.map((row) => ({
      ...factsFromRow(row),
      possibleDuplicates: duplicates.get(row.id) ?? [],
      wishes: wishes
        .filter((w) => w.application_id === row.id)
        .map((w) => ({ rank: w.rank, facilityId: w.facility_id, municipalityCode: w.municipality_code, facilityName: w.facility_name })),
    }));
  }

  /**
   * MUNICIPALITY (for an application routed to it) and ADMIN: the other live-at-the-time applications
   * for the same child, residence and intake month that came through other partner apps. A
   * municipality is told only of those routed to it too.
   */
  async possibleDuplicateApplications(id: string, ctx: ReadContext): Promise<PossibleDuplicateApplicationView[]> {
    const rows = await this.scopedQuery(ctx.client, { ids: [id] }, 1);
    if (rows.length === 0) throw Errors.notFound('Application', id, 'applicationId');
    const municipalityCode = ctx.client.role === ApiRole.MUNICIPALITY ? ctx.client.municipalityCode ?? null : null;
    const found: Array<{ id: string; status: ApplicationStatus; intake_month: string; submitted_at: Date; detected_at: Date }> = await this.db.query(
      `SELECT d.id, d.status, d.intake_month, d.submitted_at, p.detected_at
         FROM application_possible_duplicate p JOIN application d ON d.id = p.duplicate_application_id
        WHERE p.application_id = $1
          AND ($2::bpchar IS NULL OR EXISTS (SELECT 1 FROM application_recipient r WHERE r.application_id = d.id AND r.municipality_code = $2::bpchar))
        ORDER BY d.submitted_at, d.id`,
      [id, municipalityCode],
    );
    return found.map((d) => ({ applicationId: d.id, status: d.status, intakeMonth: d.intake_month, submittedAt: d.submitted_at, detectedAt: d.detected_at }));
  }

  async recordReads(ctx: ReadContext, ids: readonly string[], action = 'application.read', manager?: EntityManager): Promise<void> {
    await this.audit.record(ctx.client, { action, subjectType: 'application', subjectIds: ids }, this.clock.now(), ctx.requestId, manager);
  }

  // --- submission ----------------------------------------------------------------------------

  private async replayOf(partnerId: string, key: string, fingerprint: string, ctx: ReadContext) {
    const rows: ApplicationRow[] = await this.db.query(
      `SELECT ${APPLICATION_COLUMNS} FROM application a WHERE a.partner_client_id = $1 AND a.idempotency_key = $2`,
      [partnerId, key],
    );
    if (rows.length === 0) return null;
    if (rows[0].request_fingerprint !== fingerprint) {
      throw Errors.conflict(
        `input.idempotencyKey "${key}" was already used for a different application (${rows[0].id}); use a new key for a new request.`,
        `input.idempotencyKey「${key}」は別の申込み（${rows[0].id}）で使用済みです。新しいリクエストには新しいキーを使ってください。`,
        { applicationId: rows[0].id },
        'input.idempotencyKey',
      );
    }
    await this.recordReads(ctx, [rows[0].id]);
    return { application: (await this.views(rows, ctx.requestId))[0], replayed: true };
  }

  /** The answer to a request whose key is known to be taken (the row is committed and visible). */
  private async replay(partnerId: string, key: string, fingerprint: string, ctx: ReadContext) {
    const replayed = await this.replayOf(partnerId, key, fingerprint, ctx);
    if (!replayed) throw new Error(`application under idempotency key "${key}" vanished`);
    return replayed;
  }

  /**
   * Everything the checks need, in one statement (one snapshot): whether the key is taken, the
   * child's active application for the month (this partner's, and other partners' for the same
   * residence: possible duplicates), the version of the child's claim row, the facilities and
   * municipalities involved (with their delivery settings) and the deciding municipalities' procedures.
   */
  private async loadSubmission(partnerId: string, input: SubmitApplicationInput, today: string): Promise<{
    earlierUnderKey: boolean;
    activeId: string | null;
    possibleDuplicates: PossibleDuplicate[];
    /** child_intake_claim.version for the child (current key), residence and month; 0 when there is none. */
    claimVersion: number;
    facts: SubmissionFacts;
    deliveries: Map<string, { mode: DeliveryMode; endpointId: string | null }>;
  }> {
    const facilityIds = [...new Set([...input.wishes.map((w) => w.facilityId), ...(input.currentFacilityId ? [input.currentFacilityId] : [])])];
    const deciding = [...new Set([input.residenceMunicipalityCode, ...(input.moveIn ? [input.moveIn.municipalityCode] : [])])];
    // Every key of the ring: an application stored before a key rotation still counts.
    const childKeys = childKeysUnderRing(input.child, this.keyRing.all.values());
    const [row]: Array<{
      existing: Array<{ id: string; same_key: boolean }>;
      duplicates: Array<{ id: string; municipality_codes: string[] }>;
      claim_version: number | null;
      facilities: Array<FacilityFacts>;
      municipalities: Array<{ code: string; name: string; participates: boolean; accepts_direct_move_in: boolean; accepts_incomplete: boolean | null; mode: DeliveryMode | null; endpoint_id: string | null }>;
      procedures: ProcedureRow[];
      cycles: CycleRow[];
    }> = await preparedQuery(
      this.db,
      `SELECT
         (SELECT coalesce(json_agg(a), '[]') FROM (
            SELECT a.id, a.idempotency_key = $2 AS same_key FROM application a
             WHERE a.partner_client_id = $1
               AND (a.idempotency_key = $2 OR (a.intake_month = $3 AND a.child_key = ANY($4::text[]) AND ${ACTIVE_STATUS_PREDICATE}))
             ORDER BY a.idempotency_key = $2 DESC
             LIMIT 2) a) AS existing,
         (SELECT coalesce(json_agg(d ORDER BY d.submitted_at, d.id), '[]') FROM (
            SELECT a.id, a.submitted_at, ARRAY(SELECT r.municipality_code::text FROM application_recipient r WHERE r.application_id = a.id) AS municipality_codes
              FROM application a
             WHERE a.child_key = ANY($4::text[]) AND a.intake_month = $3 AND a.residence_municipality_code = $8
               AND a.partner_client_id <> $1 AND ${ACTIVE_STATUS_PREDICATE}
             LIMIT 50) d) AS duplicates,
         (SELECT c.version FROM child_intake_claim c
           WHERE c.child_key = ($4::text[])[1] AND c.residence_municipality_code = $8 AND c.intake_month = $3) AS claim_version,
         (SELECT coalesce(json_agg(f), '[]') FROM (
            SELECT f.id, f.name, f.municipality_code AS "municipalityCode", f.minimum_age_days AS "minimumAgeDays",
                   coalesce(array_agg(c.class_age ORDER BY c.class_age) FILTER (WHERE c.class_age IS NOT NULL), '{}') AS "classAgesTaken"
              FROM facility f LEFT JOIN facility_class_age c ON c.facility_id = f.id
             WHERE f.id = ANY($5::uuid[]) GROUP BY f.id) f) AS facilities,
         (SELECT coalesce(json_agg(m), '[]') FROM (
            SELECT m.code, m.name, m.participates, m.accepts_direct_move_in, d.accepts_incomplete, d.mode, d.endpoint_id
              FROM municipality m LEFT JOIN municipality_delivery d ON d.municipality_code = m.code
             WHERE m.code = ANY($6::bpchar[] || ARRAY(SELECT f.municipality_code FROM facility f WHERE f.id = ANY($5::uuid[])))) m) AS municipalities,
         (${PROCEDURES_JSON_SQL('$6::bpchar[]', '$7::int[]')}) AS procedures,
         (${CYCLES_JSON_SQL('$6::bpchar[]', '$7::int[]')}) AS cycles`,
      [partnerId, input.idempotencyKey, input.intakeMonth, childKeys, facilityIds, deciding, procedureYears(input.intakeMonth, today), input.residenceMunicipalityCode],
    );
    const known = new Set(row.municipalities.map((m) => m.code));
    return {
      earlierUnderKey: row.existing.some((a) => a.same_key),
      activeId: row.existing.find((a) => !a.same_key)?.id ?? null,
      possibleDuplicates: row.duplicates.map((d) => ({ applicationId: d.id, municipalityCodes: d.municipality_codes })),
      claimVersion: row.claim_version ?? 0,
      facts: {
        today,
        facilities: new Map(row.facilities.map((f) => [f.id, { ...f, classAgesTaken: f.classAgesTaken.map(Number) }])),
        municipalities: Object.fromEntries(
          row.municipalities.map((m): [string, MunicipalityInfo] => [
            m.code,
            { code: m.code, name: m.name, participates: m.participates, acceptsDirectMoveInApplications: m.accepts_direct_move_in },
          ]),
        ),
        procedures: proceduresFromRows(deciding.filter((c) => known.has(c)), input.intakeMonth, today, row.procedures, row.cycles),
        acceptsIncomplete: new Set(row.municipalities.filter((m) => m.accepts_incomplete).map((m) => m.code)),
      },
      // A municipality that has not chosen gets BATCH: nothing to configure, and its file is always there to download.
      deliveries: new Map(row.municipalities.map((m) => [m.code, { mode: m.mode ?? DeliveryMode.BATCH, endpointId: m.mode ? m.endpoint_id : null }])),
    };
  }

  /** The child's active application for that intake month from this partner, if any. */
  private async activeApplicationOf(partnerId: string, input: SubmitApplicationInput): Promise<string | null> {
    // Every key of the ring: an application stored before a key rotation still counts.
    const keys = childKeysUnderRing(input.child, this.keyRing.all.values());
    const [existing]: Array<{ id: string }> = await this.db.query(
      `SELECT id FROM application a WHERE a.partner_client_id = $1 AND a.intake_month = $2 AND a.child_key = ANY($3) AND ${ACTIVE_STATUS_PREDICATE} LIMIT 1`,
      [partnerId, input.intakeMonth, keys],
    );
    return existing?.id ?? null;
  }

  /**
   * Everything of a new application in ONE statement (atomic by itself, no transaction round trips):
   * the child's claim, the application, its wishes, its first timeline entry, its possible-duplicate
   * pairs, its outbox messages (PUSH), its recipients and its feed entries (PULL, and PUSH to an
   * endpoint found disabled: the feed keeps the application so nothing is lost — hence a feed payload
   * is prepared for PUSH recipients too). Nothing is written when the key was taken meanwhile
   * (KEY_TAKEN), or when another submission for the same child, residence and month was stored since
   * `claimVersion` was read (CHILD_CLAIMED_MEANWHILE: its possible duplicates are not known).
   */
  private async store(
    args: {
      input: SubmitApplicationInput;
      client: AuthenticatedClient;
      fingerprint: string;
      childKey: string;
      claimVersion: number;
      possibleDuplicates: PossibleDuplicate[];
      verdict: SubmissionVerdict;
      personal: PersonalData;
      deliveries: Map<string, { mode: DeliveryMode; endpointId: string | null }>;
      now: Date;
    },
  ): Promise<StoredSubmission | 'KEY_TAKEN' | 'CHILD_CLAIMED_MEANWHILE'> {
    const { input, client, fingerprint, childKey, claimVersion, possibleDuplicates, verdict, personal, deliveries, now } = args;
    const { routing } = verdict;
    const id = randomUUID();
    const incompleteNote = verdict.incomplete ? ` Accepted with documents missing: ${verdict.missingDocuments.join(', ')}.` : '';
    const incompleteNoteJa = verdict.incomplete ? `書類不足（${verdict.missingDocuments.join('、')}）のまま受け付けました。` : '';
    const facts: ApplicationFacts = {
      ...factsFromRow({
        id, status: ApplicationStatus.SUBMITTED, intake_month: input.intakeMonth, class_age: verdict.classAge, application_type: input.applicationType,
        current_facility_id: input.currentFacilityId ?? null, residence_municipality_code: input.residenceMunicipalityCode,
        move_in_municipality_code: input.moveIn?.municipalityCode ?? null, move_in_date: input.moveIn?.moveInDate ?? null,
        primary_municipality_code: routing.primaryMunicipalityCode, out_of_area: routing.outOfArea, routing, incomplete: verdict.incomplete,
        missing_documents: verdict.missingDocuments, valid_until: verdict.validUntil, submitted_at: now,
      }),
      wishes: verdict.wishes,
      possibleDuplicates,
    };
    const deduplicationKey = (code: string) => `application:${id}:${code}:submitted`;
    const pushed = routing.recipients.filter((r) => deliveries.get(r.municipalityCode)!.mode === DeliveryMode.PUSH);
    const messages = this.outbox.encodeMessages(pushed.map((recipient) => ({
      endpointId: deliveries.get(recipient.municipalityCode)!.endpointId!,
      message: {
        type: eventTypeFor(recipient.role),
        subject: `applications/${id}`,
        orderingKey: id,
        data: { ...applicationNotice(facts, recipient.municipalityCode) },
        deduplicationKey: deduplicationKey(recipient.municipalityCode),
      },
    })));
    const recipients = routing.recipients.map((recipient) => {
      const mode = deliveries.get(recipient.municipalityCode)!.mode;
      return {
        code: recipient.municipalityCode, role: recipient.role, reason: recipient.reason, mode,
        dedup: mode === DeliveryMode.PUSH ? deduplicationKey(recipient.municipalityCode) : null,
        payload: mode === DeliveryMode.BATCH ? null : this.encryptFeedPayload(id, recipient.municipalityCode, recipient.role, fullApplicationDocument(facts, recipient.municipalityCode, personal)),
      };
    });
    // ON CONFLICT only on the key: the one-active-child index still raises, and the caller answers it.
    // The claim: raised from the version read, or nothing (no row) when another submission raised it first;
    // a submission racing this one waits for this row's lock and then finds the version moved.
    const written = await preparedQuery<{ claimed: number; code: string | null; mode: DeliveryMode | null; message_id: string | null }>(
      this.db,
      `WITH claim AS (
         INSERT INTO child_intake_claim AS c (child_key, residence_municipality_code, intake_month, version) VALUES ($4, $5, $8, 1)
         ON CONFLICT (child_key, residence_municipality_code, intake_month) DO UPDATE SET version = c.version + 1 WHERE c.version = $28::int
         RETURNING c.version),
       app AS (
         INSERT INTO application (id, partner_client_id, idempotency_key, request_fingerprint, child_key, residence_municipality_code,
           move_in_municipality_code, move_in_date, intake_month, class_age, application_type, current_facility_id, status, valid_until,
           primary_municipality_code, out_of_area, routing, incomplete, missing_documents, personal_data, submitted_at, updated_at)
         SELECT $25, $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, 'SUBMITTED', $12, $13, $14, $15, $16, $17, $18, $19, $19 FROM claim
         ON CONFLICT ON CONSTRAINT application_idempotency_key_unique DO NOTHING
         RETURNING id),
       duplicates AS (
         INSERT INTO application_possible_duplicate (application_id, duplicate_application_id, detected_at)
         SELECT pair.a, pair.b, $19 FROM app, unnest($29::uuid[]) AS d(id), LATERAL (VALUES (app.id, d.id), (d.id, app.id)) AS pair(a, b)
         ON CONFLICT DO NOTHING),
       wishes AS (
         INSERT INTO application_wish (application_id, rank, facility_id, municipality_code)
         SELECT app.id, x.rank, x."facilityId", x."municipalityCode" FROM app, jsonb_to_recordset($20::jsonb) AS x(rank int, "facilityId" uuid, "municipalityCode" char(6))),
       event AS (
         INSERT INTO application_event (application_id, seq, type, actor_kind, actor_id, from_status, to_status, details, message_en, message_ja, occurred_at)
         SELECT app.id, 1, 'SUBMITTED', 'PARTNER', $24, NULL, 'SUBMITTED', $21, $22, $23, $19 FROM app),
       messages AS (${this.outbox.enqueueManySql('$26', '$19', 'app')}),
       routed AS (
         SELECT x.code, x.role, x.reason, m.id AS message_id,
                CASE WHEN x.mode = 'PUSH' AND m.id IS NULL THEN 'PULL' ELSE x.mode END AS mode, x.payload
           FROM jsonb_to_recordset($27::jsonb) AS x(code char(6), role text, reason text, mode text, dedup text, payload text)
           LEFT JOIN messages m ON m.deduplication_key = x.dedup),
       recipients AS (
         INSERT INTO application_recipient (application_id, municipality_code, role, reason, delivery_mode, outbox_message_id)
         SELECT app.id, r.code, r.role::application_recipient_role, r.reason, r.mode::municipality_delivery_mode, r.message_id FROM app, routed r),
       feed AS (
         INSERT INTO municipality_feed_entry (municipality_code, application_id, kind, payload, created_at)
         SELECT r.code, app.id, r.role::municipality_feed_entry_kind, r.payload, $19 FROM app, routed r WHERE r.mode = 'PULL')
       SELECT c.claimed, w.code, w.mode, w.message_id
         FROM (SELECT count(*)::int AS claimed FROM claim) c
         LEFT JOIN (SELECT r.code, r.mode, r.message_id FROM app, routed r) w ON true`,
      [
        client.id, input.idempotencyKey, fingerprint, childKey, input.residenceMunicipalityCode,
        input.moveIn?.municipalityCode ?? null, input.moveIn?.moveInDate ?? null, input.intakeMonth, verdict.classAge, input.applicationType,
        input.currentFacilityId ?? null, verdict.validUntil, routing.primaryMunicipalityCode, routing.outOfArea, JSON.stringify(routing),
        verdict.incomplete, JSON.stringify(verdict.missingDocuments), this.encryptPersonal(id, personal), now,
        JSON.stringify(verdict.wishes),
        JSON.stringify({ recipients: routing.recipients, incomplete: verdict.incomplete, missingDocuments: verdict.missingDocuments }),
        `Submitted for intake ${input.intakeMonth}; sent to ${routing.primaryMunicipalityCode}.${incompleteNote}`,
        `${input.intakeMonth} 入所の申込みを提出し、${routing.primaryMunicipalityCode} に送りました。${incompleteNoteJa}`,
        client.id, id, messages, JSON.stringify(recipients), claimVersion, possibleDuplicates.map((d) => d.applicationId),
      ],
    );
    if (written[0].claimed === 0) return 'CHILD_CLAIMED_MEANWHILE';
    if (written[0].code === null) return 'KEY_TAKEN';
    const byCode = new Map(written.map((w) => [w.code, w]));
    return {
      id,
      recipients: routing.recipients.map((r) => ({
        code: r.municipalityCode, role: r.role as RecipientRoleEnum, reason: r.reason,
        mode: byCode.get(r.municipalityCode)!.mode!, messageId: byCode.get(r.municipalityCode)!.message_id,
      })),
    };
  }

  /** The answer to a new submission, from what was just written (as views() would read it back). */
  private viewOfSubmitted(input: SubmitApplicationInput, verdict: SubmissionVerdict, personal: PersonalData, stored: StoredSubmission, now: Date): ApplicationView {
    const row: ApplicationRow = {
      id: stored.id, partner_client_id: '', request_fingerprint: '', residence_municipality_code: input.residenceMunicipalityCode,
      move_in_municipality_code: input.moveIn?.municipalityCode ?? null, move_in_date: input.moveIn?.moveInDate ?? null,
      intake_month: input.intakeMonth, class_age: verdict.classAge, application_type: input.applicationType,
      current_facility_id: input.currentFacilityId ?? null, status: ApplicationStatus.SUBMITTED, valid_until: verdict.validUntil,
      primary_municipality_code: verdict.routing.primaryMunicipalityCode, out_of_area: verdict.routing.outOfArea,
      // As stored and read back: through JSON.
      routing: JSON.parse(JSON.stringify(verdict.routing)), incomplete: verdict.incomplete,
      missing_documents: [...verdict.missingDocuments], personal_data: '', version: 1, submitted_at: now, updated_at: now,
    };
    return toView(
      row,
      [...verdict.wishes].sort((a, b) => a.rank - b.rank),
      stored.recipients.map((r) => ({ municipality_code: r.code, role: r.role, reason: r.reason, delivery_mode: r.mode, delivered_at: null, acknowledged_at: null })),
      JSON.parse(JSON.stringify(personal)) as PersonalData,
    );
  }

  // --- reading -------------------------------------------------------------------------------

  private scopeCondition(client: AuthenticatedClient, params: unknown[]): string {
    if (client.role === ApiRole.ADMIN) return 'true';
    if (client.role === ApiRole.PARTNER) {
      params.push(client.id);
      return `a.partner_client_id = $${params.length}`;
    }
    if (client.role === ApiRole.MUNICIPALITY && client.municipalityCode) {
      params.push(client.municipalityCode);
      return `EXISTS (SELECT 1 FROM application_recipient r WHERE r.application_id = a.id AND r.municipality_code = $${params.length})`;
    }
    return 'false';
  }

  private filterConditions(filter: ApplicationsFilter | undefined, params: unknown[]): string[] {
    const where: string[] = [];
    if (!filter) return where;
    if (filter.statuses?.length) {
      params.push(filter.statuses);
      where.push(`a.status = ANY($${params.length}::application_status[])`);
    }
    if (filter.intakeMonth) {
      params.push(filter.intakeMonth);
      where.push(`a.intake_month = $${params.length}`);
    }
    if (filter.municipalityCode) {
      params.push(filter.municipalityCode);
      where.push(`EXISTS (SELECT 1 FROM application_recipient r2 WHERE r2.application_id = a.id AND r2.municipality_code = $${params.length})`);
    }
    return where;
  }

  private async scopedCount(client: AuthenticatedClient, filter: ApplicationsFilter | undefined): Promise<number> {
    const params: unknown[] = [];
    const where = [this.scopeCondition(client, params), ...this.filterConditions(filter, params)];
    const [{ count }] = await this.db.query(`SELECT count(*)::int AS count FROM application a WHERE ${where.join(' AND ')}`, params);
    return count;
  }

  private async scopedQuery(
    client: AuthenticatedClient,
    q: { ids?: string[]; filter?: ApplicationsFilter; cursor?: [string, string] },
    limit: number,
  ): Promise<ApplicationRow[]> {
    const params: unknown[] = [];
    const where = [this.scopeCondition(client, params), ...this.filterConditions(q.filter, params)];
    if (q.ids) {
      params.push(q.ids);
      where.push(`a.id = ANY($${params.length}::uuid[])`);
    }
    if (q.cursor) {
      params.push(q.cursor[0], q.cursor[1]);
      where.push(`(a.submitted_at, a.id) < ($${params.length - 1}::timestamptz, $${params.length}::uuid)`);
    }
    params.push(limit);
    return this.db.query(
      `SELECT ${APPLICATION_COLUMNS} FROM application a WHERE ${where.join(' AND ')} ORDER BY a.submitted_at DESC, a.id DESC LIMIT $${params.length}`,
      params,
    );
  }

  /**
   * Rows → GraphQL views: two set-based queries (wishes, recipients) for the whole page. A row whose
   * personal data cannot be read still has a view: only its personalData field fails (see
   * ApplicationsResolver.personalData), so the rest of the page and the row's other fields still answer.
   */
  async views(rows: ApplicationRow[], requestId?: string | null): Promise<ApplicationView[]> {
    if (rows.length === 0) return [];
    const ids = rows.map((r) => r.id);
    const [facts, recipients] = await Promise.all([
      // Views are also the partners': possible duplicates are the municipalities' (possibleDuplicateApplications).
      this.factsOf(rows, this.db.manager, { possibleDuplicates: false }),
      this.db.query(
        `SELECT application_id, municipality_code, role, reason, delivery_mode, delivered_at, acknowledged_at
           FROM application_recipient WHERE application_id = ANY($1)`,
        [ids],
      ) as Promise<Array<{ application_id: string; municipality_code: string; role: RecipientRoleEnum; reason: string; delivery_mode: DeliveryMode; delivered_at: Date | null; acknowledged_at: Date | null }>>,
    ]);
    return rows.map((row, index) => {
      let personal: PersonalData | HubError;
      try {
        personal = this.decryptPersonal(row, requestId);
      } catch (err) {
        if (!(err instanceof HubError)) throw err;
        personal = err;
      }
      return toView(row, facts[index].wishes, recipients.filter((r) => r.application_id === row.id), personal);
    });
  }

  async timelines(ids: readonly string[]) {
    return this.db.query(
      `SELECT application_id AS "applicationId", seq, type, actor_kind AS actor, from_status AS "fromStatus", to_status AS "toStatus",
              message_en AS "messageEn", message_ja AS "messageJa", occurred_at AS "occurredAt"
         FROM application_event WHERE application_id = ANY($1) ORDER BY application_id, seq`,
      [ids],
    ) as Promise<Array<{ applicationId: string; seq: number; type: string; actor: StatusActor; fromStatus: ApplicationStatus | null; toStatus: ApplicationStatus; messageEn: string; messageJa: string; occurredAt: Date }>>;
  }
}

type RecipientRow = { municipality_code: string; role: RecipientRoleEnum; reason: string; delivery_mode: DeliveryMode; delivered_at: Date | null; acknowledged_at: Date | null };

function toView(row: ApplicationRow, wishes: Array<{ rank: number; facilityId: string; municipalityCode: string }>, recipients: RecipientRow[], personal: PersonalData | HubError): ApplicationView {
  // Recipients in the routing decision's order: primary first.
  const order = row.routing.recipients.map((r) => r.municipalityCode);
  const own = [...recipients].sort((a, b) => order.indexOf(a.municipality_code) - order.indexOf(b.municipality_code));
  return {
    id: row.id,
    status: row.status,
    intakeMonth: row.intake_month,
    classAge: row.class_age,
    applicationType: row.application_type as ApplicationView['applicationType'],
    currentFacilityId: row.current_facility_id,
    residenceMunicipalityCode: row.residence_municipality_code,
    moveInMunicipalityCode: row.move_in_municipality_code,
    moveInDate: row.move_in_date,
    routing: {
      primaryMunicipalityCode: row.primary_municipality_code,
      outOfArea: row.out_of_area,
      recipients: own.map((r) => ({
        municipalityCode: r.municipality_code, role: r.role, reason: r.reason, deliveryMode: r.delivery_mode,
        deliveredAt: r.delivered_at, acknowledgedAt: r.acknowledged_at,
      })),
      reasons: row.routing.reasons,
    },
    wishes: wishes.map((w) => ({ rank: w.rank, facilityId: w.facilityId, municipalityCode: w.municipalityCode })),
    incomplete: row.incomplete,
    missingDocuments: row.missing_documents as ApplicationView['missingDocuments'],
    validUntil: row.valid_until,
    personalData: personal instanceof HubError ? personal : {
      child: { ...personal.child, sex: personal.child.sex as never, healthNotes: personal.child.healthNotes ?? null },
      household: { address: personal.household.address, phone: personal.household.phone ?? null, memberCount: personal.household.memberCount },
      guardians: personal.guardians.map((g) => ({
        name: g.name, kana: g.kana, relationship: g.relationship as never, careReason: g.careReason as never,
        employment: g.employment ?? null, expectedDeliveryDate: g.expectedDeliveryDate ?? null, reasonDetails: g.reasonDetails ?? null,
      })),
      siblings: personal.siblings.map((s) => ({ ...s, applicationId: s.applicationId ?? null })),
      siblingsAcceptSplit: personal.siblingsAcceptSplit,
      documents: personal.documents.map((d) => ({
        kind: d.kind as never, reference: d.reference ?? null,
        attachmentContentType: d.attachment?.contentType ?? null, attachmentBase64: d.attachment?.base64 ?? null,
      })),
    },
    submittedAt: row.submitted_at,
    updatedAt: row.updated_at,
    version: row.version,
  };
}

function factsFromRow(row: Omit<ApplicationRow, 'partner_client_id' | 'request_fingerprint' | 'personal_data' | 'version' | 'updated_at'> | (Pick<ApplicationRow, 'id' | 'status' | 'intake_month' | 'class_age' | 'application_type' | 'current_facility_id' | 'residence_municipality_code' | 'move_in_municipality_code' | 'move_in_date' | 'primary_municipality_code' | 'out_of_area' | 'routing' | 'incomplete' | 'missing_documents' | 'valid_until' | 'submitted_at'>)): Omit<ApplicationFacts, 'wishes' | 'possibleDuplicates'> {
  return {
    id: row.id,
    status: row.status,
    intakeMonth: row.intake_month,
    classAge: row.class_age,
    applicationType: row.application_type,
    currentFacilityId: row.current_facility_id,
    residenceMunicipalityCode: row.residence_municipality_code,
    moveInMunicipalityCode: row.move_in_municipality_code,
    moveInDate: row.move_in_date,
    primaryMunicipalityCode: row.primary_municipality_code,
    outOfArea: row.out_of_area,
    routing: row.routing,
    incomplete: row.incomplete,
    missingDocuments: row.missing_documents,
    validUntil: row.valid_until,
    submittedAt: row.submitted_at,
  };
}

function duplicateActive(input: SubmitApplicationInput, existingId: string | null) {
  return hubError(
    ApplicationErrorCode.DUPLICATE_ACTIVE_APPLICATION,
    `input.child: this child already has an active application for intake ${input.intakeMonth} from your app${existingId ? ` (${existingId})` : ''}; change its wishes or withdraw it instead of applying again.`,
    `input.child: このお子さまには ${input.intakeMonth} 入所の有効な申込みがすでにあります${existingId ? `（${existingId}）` : ''}。再度申し込む代わりに、希望の変更または取下げを行ってください。`,
    { field: 'input.child', details: { intakeMonth: input.intakeMonth, applicationId: existingId } },
  );
}
