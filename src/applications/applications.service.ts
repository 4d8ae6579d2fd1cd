import { Inject, Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { ApiRole } from '../auth/api-client.entity';
import type { AuthenticatedClient } from '../auth/current-client.decorator';
import { AuditService } from '../audit/audit.service';
import { CLOCK, Clock } from '../common/clock';
import { Errors, hubError } from '../common/errors';
import { FieldCipher, KeyRing, parseKeyRing } from '../common/field-crypto';
import { requestFingerprint } from '../common/idempotency';
import { ConnectionShape, decodeCursor, toConnection } from '../common/pagination';
import { AppConfig } from '../config/app-config';
import { OutboxService } from '../outbox/outbox.service';
import { ApplicationStatus, isActive, StatusActor, toJapanDate } from '../status/application-status';
import {
  applicationNotice, ApplicationFacts, eventTypeFor, fullApplicationDocument, PersonalData, personalDataOf,
} from './application-document';
import { DeliveryMode } from './application.entity';
import { ApplicationView, RecipientRoleEnum } from './application.types';
import { ApplicationErrorCode } from './applications.errors';
import { childKeyOf, childKeysUnderRing } from './child-key';
import { SubmitApplicationInput } from './dto/submit-application.input';
import { ApplicationsFilter } from './dto/applications-filter.input';
import { PROCEDURE_LOOKUP, ProcedureLookup } from './procedure-tokens';
import type { MunicipalityInfo, RoutingDecision } from './routing';
import { checkSubmission, FacilityFacts, SubmissionVerdict } from './submission-rules';

/** Statuses counted by the one-active-application index (application_one_active_per_child). */
export const ACTIVE_STATUSES = Object.values(ApplicationStatus).filter(isActive);

const UNIQUE_VIOLATION = '23505';

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
    @Inject(PROCEDURE_LOOKUP) private readonly procedures: ProcedureLookup,
  ) {
    this.keyRing = parseKeyRing(config.HUB_ENCRYPTION_KEYS, 'HUB_ENCRYPTION_KEYS');
    this.cipher = new FieldCipher(this.keyRing);
  }

  get fieldCipher(): FieldCipher {
    return this.cipher;
  }

  async submit(input: SubmitApplicationInput, ctx: ReadContext): Promise<{ application: ApplicationView; replayed: boolean }> {
    const { client } = ctx;
    // The key itself is not part of "the same input": the same request under another key is another request.
    const { idempotencyKey, ...request } = input;
    const fingerprint = requestFingerprint(request);
    const replay = await this.replayOf(client.id, idempotencyKey, fingerprint, ctx);
    if (replay) return replay;

    const now = this.clock.now();
    const today = toJapanDate(now);
    const verdict = checkSubmission(input, await this.loadFacts(input, today, now));
    const personal = personalDataOf(input);
    const activeId = await this.activeApplicationOf(client.id, input);
    if (activeId) {
      // It may be this very request, committed by a concurrent retry since the first look.
      const raced = await this.replayOf(client.id, idempotencyKey, fingerprint, ctx);
      if (raced) return raced;
      throw duplicateActive(input, activeId);
    }

    const deliveries = await this.deliverySettings(verdict.routing.recipients.map((r) => r.municipalityCode));
    let applicationId: string;
    try {
      applicationId = await this.db.transaction((m) => this.store(m, { input, client, fingerprint, verdict, personal, deliveries, now }));
    } catch (err) {
      const constraint = (err as { code?: string; constraint?: string }).code === UNIQUE_VIOLATION ? (err as { constraint?: string }).constraint : undefined;
      if (constraint === 'application_idempotency_key_unique' || constraint === 'application_one_active_per_child') {
        // A concurrent request with the same key won the race: answer as a retry of it (or CONFLICT).
        const winner = await this.replayOf(client.id, idempotencyKey, fingerprint, ctx);
        if (winner) return winner;
        if (constraint === 'application_one_active_per_child') throw duplicateActive(input, await this.activeApplicationOf(client.id, input));
      }
      throw err;
    }
    const [row] = await this.rowsByIds([applicationId]);
    return { application: (await this.views([row]))[0], replayed: false };
  }

  /** One application, if the client may see it (partner: its own; municipality: routed to it; admin: all). Audited. */
  async findOne(id: string, ctx: ReadContext): Promise<ApplicationView> {
    const rows = await this.scopedQuery(ctx.client, { ids: [id] }, 1);
    // Not FORBIDDEN: whether an application someone else submitted exists is not the caller's business.
    if (rows.length === 0) throw Errors.notFound('Application', id, 'id');
    await this.recordReads(ctx, rows.map((r) => r.id));
    return (await this.views(rows))[0];
  }

  async list(filter: ApplicationsFilter, first: number, after: string | null | undefined, ctx: ReadContext): Promise<ConnectionShape<ApplicationView>> {
    const cursor = after ? (decodeCursor(after, 2) as [string, string]) : undefined;
    const total = await this.scopedCount(ctx.client, filter);
    const rows = await this.scopedQuery(ctx.client, { filter, cursor }, first + 1);
    await this.recordReads(ctx, rows.slice(0, first).map((r) => r.id));
    const views = await this.views(rows);
    return toConnection(views, first, !!after, total, (v) => [v.submittedAt.toISOString(), v.id]);
  }

  async rowsByIds(ids: readonly string[], manager: EntityManager = this.db.manager): Promise<ApplicationRow[]> {
    return manager.query(`SELECT ${APPLICATION_COLUMNS} FROM application a WHERE a.id = ANY($1)`, [ids]);
  }

  decryptPersonal(row: Pick<ApplicationRow, 'personal_data'>): PersonalData {
    return this.cipher.decryptJson<PersonalData>(row.personal_data, 'application.personal_data');
  }

  /** Facts for the documents: the row plus its wishes. */
  async factsOf(rows: ApplicationRow[], manager: EntityManager = this.db.manager): Promise<ApplicationFacts[]> {
    const wishes: Array<{ application_id: string; rank: number; facility_id: string; municipality_code: string; facility_name: string }> = rows.length
      ? await manager.query(
          `SELECT w.application_id, w.rank, w.facility_id, w.municipality_code, f.name AS facility_name
             FROM application_wish w JOIN facility f ON f.id = w.facility_id
            WHERE w.application_id = ANY($1) ORDER BY w.application_id, w.rank`,
          [rows.map((r) => r.id)],
        )
      : [];
    return rows.map((row) => ({
      ...factsFromRow(row),
      wishes: wishes
        .filter((w) => w.application_id === row.id)
        .map((w) => ({ rank: w.rank, facilityId: w.facility_id, municipalityCode: w.municipality_code, facilityName: w.facility_name })),
    }));
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
    return { application: (await this.views(rows))[0], replayed: true };
  }

  private async loadFacts(input: SubmitApplicationInput, today: string, now: Date) {
    const facilityIds = [...new Set([...input.wishes.map((w) => w.facilityId), ...(input.currentFacilityId ? [input.currentFacilityId] : [])])];
    const facilities: Array<FacilityFacts & { classAgesTaken: number[] }> = await this.db.query(
      `SELECT f.id, f.name, f.municipality_code AS "municipalityCode", f.minimum_age_days AS "minimumAgeDays",
              coalesce(array_agg(c.class_age ORDER BY c.class_age) FILTER (WHERE c.class_age IS NOT NULL), '{}') AS "classAgesTaken"
         FROM facility f LEFT JOIN facility_class_age c ON c.facility_id = f.id
        WHERE f.id = ANY($1) GROUP BY f.id`,
      [facilityIds],
    );
    const deciding = [input.residenceMunicipalityCode, ...(input.moveIn ? [input.moveIn.municipalityCode] : [])];
    const codes = [...new Set([...deciding, ...facilities.map((f) => f.municipalityCode)])];
    const municipalities: Array<{ code: string; name: string; participates: boolean; accepts_direct_move_in: boolean; accepts_incomplete: boolean | null }> =
      await this.db.query(
        `SELECT m.code, m.name, m.participates, m.accepts_direct_move_in, d.accepts_incomplete
           FROM municipality m LEFT JOIN municipality_delivery d ON d.municipality_code = m.code WHERE m.code = ANY($1)`,
        [codes],
      );
    const known = municipalities.map((m) => m.code);
    return {
      today,
      facilities: new Map(facilities.map((f) => [f.id, { ...f, classAgesTaken: f.classAgesTaken.map(Number) }])),
      municipalities: Object.fromEntries(
        municipalities.map((m): [string, MunicipalityInfo] => [
          m.code,
          { code: m.code, name: m.name, participates: m.participates, acceptsDirectMoveInApplications: m.accepts_direct_move_in },
        ]),
      ),
      procedures: await this.procedures.proceduresFor(this.db.manager, deciding.filter((c) => known.includes(c)), input.intakeMonth, today, now),
      acceptsIncomplete: new Set(municipalities.filter((m) => m.accepts_incomplete).map((m) => m.code)),
    };
  }

  /** The child's active application for that intake month from this partner, if any. */
  private async activeApplicationOf(partnerId: string, input: SubmitApplicationInput): Promise<string | null> {
    // Every key of the ring: an application stored before a key rotation still counts.
    const keys = childKeysUnderRing(input.child, this.keyRing.all.values());
    const [existing]: Array<{ id: string }> = await this.db.query(
      `SELECT id FROM application WHERE partner_client_id = $1 AND intake_month = $2 AND child_key = ANY($3) AND status = ANY($4::application_status[]) LIMIT 1`,
      [partnerId, input.intakeMonth, keys, ACTIVE_STATUSES],
    );
    return existing?.id ?? null;
  }

  private async deliverySettings(codes: string[]): Promise<Map<string, { mode: DeliveryMode; endpointId: string | null }>> {
    const rows: Array<{ municipality_code: string; mode: DeliveryMode; endpoint_id: string | null }> = await this.db.query(
      `SELECT municipality_code, mode, endpoint_id FROM municipality_delivery WHERE municipality_code = ANY($1)`,
      [codes],
    );
    // A municipality that has not chosen gets BATCH: nothing to configure, and its file is always there to download.
    return new Map(codes.map((code) => {
      const row = rows.find((r) => r.municipality_code === code);
      return [code, { mode: row?.mode ?? DeliveryMode.BATCH, endpointId: row?.endpoint_id ?? null }];
    }));
  }

  private async store(
    m: EntityManager,
    args: {
      input: SubmitApplicationInput;
      client: AuthenticatedClient;
      fingerprint: string;
      verdict: SubmissionVerdict;
      personal: PersonalData;
      deliveries: Map<string, { mode: DeliveryMode; endpointId: string | null }>;
      now: Date;
    },
  ): Promise<string> {
    const { input, client, fingerprint, verdict, personal, deliveries, now } = args;
    const { routing } = verdict;
    const [{ id }]: Array<{ id: string }> = await m.query(
      `INSERT INTO application (partner_client_id, idempotency_key, request_fingerprint, child_key, residence_municipality_code,
         move_in_municipality_code, move_in_date, intake_month, class_age, application_type, current_facility_id, status, valid_until,
         primary_municipality_code, out_of_area, routing, incomplete, missing_documents, personal_data, submitted_at, updated_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, 'SUBMITTED', $12, $13, $14, $15, $16, $17, $18, $19, $19)
       RETURNING id`,
      [
        client.id, input.idempotencyKey, fingerprint, childKeyOf(input.child, this.keyRing.current), input.residenceMunicipalityCode,
        input.moveIn?.municipalityCode ?? null, input.moveIn?.moveInDate ?? null, input.intakeMonth, verdict.classAge, input.applicationType,
        input.currentFacilityId ?? null, verdict.validUntil, routing.primaryMunicipalityCode, routing.outOfArea, JSON.stringify(routing),
        verdict.incomplete, JSON.stringify(verdict.missingDocuments), this.cipher.encryptJson(personal), now,
      ],
    );
    await m.query(
      `INSERT INTO application_wish (application_id, rank, facility_id, municipality_code)
       SELECT $1, x.rank, x."facilityId", x."municipalityCode" FROM jsonb_to_recordset($2::jsonb) AS x(rank int, "facilityId" uuid, "municipalityCode" char(6))`,
      [id, JSON.stringify(verdict.wishes)],
    );
    const incompleteNote = verdict.incomplete ? ` Accepted with documents missing: ${verdict.missingDocuments.join(', ')}.` : '';
    const incompleteNoteJa = verdict.incomplete ? `書類不足（${verdict.missingDocuments.join('、')}）のまま受け付けました。` : '';
    await m.query(
      `INSERT INTO application_event (application_id, seq, type, actor_kind, actor_id, from_status, to_status, details, message_en, message_ja, occurred_at)
       VALUES ($1, 1, 'SUBMITTED', 'PARTNER', $2, NULL, 'SUBMITTED', $3, $4, $5, $6)`,
      [
        id, client.id, JSON.stringify({ recipients: routing.recipients, incomplete: verdict.incomplete, missingDocuments: verdict.missingDocuments }),
        `Submitted for intake ${input.intakeMonth}; sent to ${routing.primaryMunicipalityCode}.${incompleteNote}`,
        `${input.intakeMonth} 入所の申込みを提出し、${routing.primaryMunicipalityCode} に送りました。${incompleteNoteJa}`,
        now,
      ],
    );

    const facts: ApplicationFacts = {
      ...factsFromRow({
        id, status: ApplicationStatus.SUBMITTED, intake_month: input.intakeMonth, class_age: verdict.classAge, application_type: input.applicationType,
        current_facility_id: input.currentFacilityId ?? null, residence_municipality_code: input.residenceMunicipalityCode,
        move_in_municipality_code: input.moveIn?.municipalityCode ?? null, move_in_date: input.moveIn?.moveInDate ?? null,
        primary_municipality_code: routing.primaryMunicipalityCode, out_of_area: routing.outOfArea, routing, incomplete: verdict.incomplete,
        missing_documents: verdict.missingDocuments, valid_until: verdict.validUntil, submitted_at: now,
      }),
      wishes: verdict.wishes,
    };
    const recipients: Array<{ code: string; role: string; reason: string; mode: DeliveryMode; messageId: string | null }> = [];
    const feedEntries: Array<{ code: string; kind: string; payload: string }> = [];
    for (const recipient of routing.recipients) {
      const delivery = deliveries.get(recipient.municipalityCode)!;
      let mode = delivery.mode;
      let messageId: string | null = null;
      if (mode === DeliveryMode.PUSH && delivery.endpointId) {
        messageId = await this.outbox.enqueue(m, delivery.endpointId, {
          type: eventTypeFor(recipient.role),
          subject: `applications/${id}`,
          orderingKey: id,
          data: { ...applicationNotice(facts, recipient.municipalityCode) },
          deduplicationKey: `application:${id}:${recipient.municipalityCode}:submitted`,
        });
        // A disabled endpoint (e.g. after 410 Gone) takes no messages: the feed keeps the application so nothing is lost.
        if (!messageId) mode = DeliveryMode.PULL;
      }
      if (mode === DeliveryMode.PULL) {
        feedEntries.push({
          code: recipient.municipalityCode,
          kind: recipient.role,
          payload: this.cipher.encryptJson(fullApplicationDocument(facts, recipient.municipalityCode, personal)),
        });
      }
      recipients.push({ code: recipient.municipalityCode, role: recipient.role, reason: recipient.reason, mode, messageId });
    }
    await m.query(
      `INSERT INTO application_recipient (application_id, municipality_code, role, reason, delivery_mode, outbox_message_id)
       SELECT $1, x.code, x.role::application_recipient_role, x.reason, x.mode::municipality_delivery_mode, x."messageId"
         FROM jsonb_to_recordset($2::jsonb) AS x(code char(6), role text, reason text, mode text, "messageId" uuid)`,
      [id, JSON.stringify(recipients)],
    );
    if (feedEntries.length) {
      await m.query(
        `INSERT INTO municipality_feed_entry (municipality_code, application_id, kind, payload, created_at)
         SELECT x.code, $1, x.kind::municipality_feed_entry_kind, x.payload, $3 FROM jsonb_to_recordset($2::jsonb) AS x(code char(6), kind text, payload text)`,
        [id, JSON.stringify(feedEntries), now],
      );
    }
    return id;
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

  /** Rows → GraphQL views: two set-based queries (wishes, recipients) for the whole page. */
  async views(rows: ApplicationRow[]): Promise<ApplicationView[]> {
    if (rows.length === 0) return [];
    const ids = rows.map((r) => r.id);
    const [facts, recipients] = await Promise.all([
      this.factsOf(rows),
      this.db.query(
        `SELECT application_id, municipality_code, role, reason, delivery_mode, delivered_at, acknowledged_at
           FROM application_recipient WHERE application_id = ANY($1)`,
        [ids],
      ) as Promise<Array<{ application_id: string; municipality_code: string; role: RecipientRoleEnum; reason: string; delivery_mode: DeliveryMode; delivered_at: Date | null; acknowledged_at: Date | null }>>,
    ]);
    return rows.map((row, index) => {
      const personal = this.decryptPersonal(row);
      // Recipients in the routing decision's order: primary first.
      const order = row.routing.recipients.map((r) => r.municipalityCode);
      const own = recipients
        .filter((r) => r.application_id === row.id)
        .sort((a, b) => order.indexOf(a.municipality_code) - order.indexOf(b.municipality_code));
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
        wishes: facts[index].wishes.map((w) => ({ rank: w.rank, facilityId: w.facilityId, municipalityCode: w.municipalityCode })),
        incomplete: row.incomplete,
        missingDocuments: row.missing_documents as ApplicationView['missingDocuments'],
        validUntil: row.valid_until,
        personalData: {
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

function factsFromRow(row: Omit<ApplicationRow, 'partner_client_id' | 'request_fingerprint' | 'personal_data' | 'version' | 'updated_at'> | (Pick<ApplicationRow, 'id' | 'status' | 'intake_month' | 'class_age' | 'application_type' | 'current_facility_id' | 'residence_municipality_code' | 'move_in_municipality_code' | 'move_in_date' | 'primary_municipality_code' | 'out_of_area' | 'routing' | 'incomplete' | 'missing_documents' | 'valid_until' | 'submitted_at'>)): Omit<ApplicationFacts, 'wishes'> {
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
