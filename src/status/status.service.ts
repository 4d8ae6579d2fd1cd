import { Inject, Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { ApiRole } from '../auth/api-client.entity';
import type { AuthenticatedClient } from '../auth/current-client.decorator';
import { CLOCK, Clock } from '../common/clock';
import { Errors, hubError } from '../common/errors';
import { returnedRows } from '../common/sql';
import {
  applyStatusEvent, ApplicationStatus, ApplicationStatusState, checkEventOrder, Offer, ReturnNotice, samePayload, StatusActor,
  StatusErrorCode, StatusEventType,
} from './application-status';
import type { RecordApplicationStatusInput } from './dto/record-application-status.input';
import type { AddedDocumentInput } from './dto/add-application-document.input';
import { StatusNotifier } from './status-notifier';
import type { ApplicationStatusChange } from './status.types';
import { MunicipalityUpdateSender, MUNICIPALITY_UPDATE_SENDER } from './municipality-update';

/** Who sends an event: the kind the state machine checks, and the API client recorded on the timeline. */
export interface StatusActorRef {
  kind: StatusActor;
  /** api_client.id; null for the hub's own (SYSTEM) events. */
  clientId: string | null;
  /** For MUNICIPALITY: the client's municipality code. */
  municipalityCode?: string | null;
}

export interface StatusChangeRequest {
  type: StatusEventType;
  payload?: Record<string, unknown>;
  /** Default: now. Business time for the state machine's guards is always now for partners and the hub. */
  occurredAt?: Date;
  /** The municipality's own event id: the same id is applied once. */
  municipalityEventId?: string;
  /** The status the sender believes the application is in (out-of-order protection). */
  expectedStatus?: ApplicationStatus;
  expectedIntakeMonth?: string;
  /** DOCUMENT_ADDED: what goes to the municipality as an update. */
  addedDocuments?: Array<{ kind: string; reference: string }>;
}

/** The application columns the status journey reads (also the scheduler's due rows). */
export interface ApplicationRow {
  id: string;
  status: ApplicationStatus;
  intake_month: string;
  valid_until: string | null;
  offer: Offer | null;
  return_notice: ReturnNotice | null;
  version: number;
  partner_client_id: string;
  primary_municipality_code: string;
}

/** Payload fields each municipality event takes; anything else sent with it is refused, not silently dropped. */
const PAYLOAD_FIELDS: Partial<Record<StatusEventType, ReadonlyArray<keyof RecordApplicationStatusInput>>> = {
  RETURNED: ['missingDocuments', 'fixDueDate'],
  OFFERED: ['facilityId', 'entryDate', 'respondBy', 'steps'],
  NOT_PLACED: ['reason'],
  REJECTED: ['reason'],
  WITHDRAWN: ['reason'],
};
const ALL_PAYLOAD_FIELDS = ['missingDocuments', 'fixDueDate', 'facilityId', 'entryDate', 'respondBy', 'steps', 'reason'] as const;

/** A municipality's clock may be a little ahead of ours; beyond this an occurredAt "in the future" is refused. */
const FUTURE_TOLERANCE_MS = 5 * 60_000;

/**
 * The application's status journey after delivery: every change goes through `applyIn`, one
 * transaction that locks the application, checks who may act, deduplicates and orders municipality
 * events, applies the state machine, stores the result and its timeline entry, and enqueues the
 * partner's webhook (and the municipality's update, for an added document).
 */
@Injectable()
export class StatusService {
  constructor(
    private readonly db: DataSource,
    private readonly notifier: StatusNotifier,
    @Inject(MUNICIPALITY_UPDATE_SENDER) private readonly updates: MunicipalityUpdateSender,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  apply(applicationId: string, request: StatusChangeRequest, actor: StatusActorRef): Promise<ApplicationStatusChange> {
    return this.db.transaction((m) => this.applyIn(m, applicationId, request, actor));
  }

  /** The one path of every status change; runs in the caller's transaction (the scheduler's, for SYSTEM events). */
  async applyIn(m: EntityManager, applicationId: string, request: StatusChangeRequest, actor: StatusActorRef): Promise<ApplicationStatusChange> {
    const app = await this.lockApplication(m, applicationId, actor);
    const now = this.clock.now();
    const occurredAt = request.occurredAt ?? now;
    if (occurredAt.getTime() > now.getTime() + FUTURE_TOLERANCE_MS) {
      throw Errors.badInput('input.occurredAt', `occurredAt ${occurredAt.toISOString()} is in the future.`,
        `occurredAt（${occurredAt.toISOString()}）が未来の日時です。`);
    }
    const state = stateOf(app);
    // Whoever sends it, a municipality event is recorded under the deciding municipality's name, so its ids are one namespace.
    const source = request.municipalityEventId ? app.primary_municipality_code : null;
    if (request.municipalityEventId) {
      const [previous]: Array<{ application_id: string; type: string; details: Record<string, unknown> }> = await m.query(
        `SELECT application_id, type, details FROM application_event WHERE source_municipality_code = $1 AND external_event_id = $2`,
        [source, request.municipalityEventId],
      );
      if (previous) {
        if (previous.application_id === applicationId && previous.type === request.type && samePayload(previous.details, request.payload ?? {})) {
          return view(app, state, true, null);
        }
        throw Errors.conflict(
          `Municipality event id "${request.municipalityEventId}" was already used for ${previous.application_id === applicationId ? `a different ${previous.type} event` : 'another application'}; `
            + 'each event needs its own id, and a resend must repeat the original exactly.',
          `自治体イベントID「${request.municipalityEventId}」は${previous.application_id === applicationId ? `別の内容の ${previous.type} イベント` : '別の申込'}で使用済みです。`
            + 'イベントごとに別のIDを使い、再送は元の内容のまま送ってください。',
          { municipalityEventId: request.municipalityEventId, usedForType: previous.type },
          'input.municipalityEventId',
        );
      }
    }
    if (request.expectedStatus) {
      const [last]: Array<{ type: StatusEventType; details: Record<string, unknown> }> = await m.query(
        `SELECT type, details FROM application_event WHERE application_id = $1 ORDER BY seq DESC LIMIT 1`,
        [applicationId],
      );
      const order = checkEventOrder(
        state,
        { type: request.type, expectedStatus: request.expectedStatus, expectedIntakeMonth: request.expectedIntakeMonth, payload: request.payload },
        last ? { type: last.type, data: last.details } : undefined,
      );
      if (order === 'DUPLICATE') return view(app, state, true, null);
    }
    if (actor.kind === StatusActor.PARTNER && app.status === ApplicationStatus.OFFER_LAPSED
      && (request.type === StatusEventType.OFFER_ACCEPTED || request.type === StatusEventType.OFFER_DECLINED)) {
      // The scheduler got there first; to the family this is the same answer as a moment earlier.
      const respondBy = app.offer?.respondBy ?? '';
      throw hubError(StatusErrorCode.OFFER_RESPONSE_DEADLINE_PASSED,
        `The response date ${respondBy} has passed and the offer has lapsed; it can no longer be accepted or declined.`,
        `回答期限（${respondBy}）を過ぎ、内定は失効しました。承諾・辞退はできません。`,
        { field: 'applicationId', details: { respondBy } });
    }

    // Partners and the hub act now: the response-date guard must not trust a time the caller chose.
    const at = actor.kind === StatusActor.MUNICIPALITY || actor.kind === StatusActor.ADMIN ? occurredAt : now;
    const result = applyStatusEvent(state, { type: request.type, actor: actor.kind, at, payload: request.payload });
    const { timelineEntry, ...next } = result;

    const [{ version }]: Array<{ version: number }> = await m.query(
      `UPDATE application SET status = $2, intake_month = $3, valid_until = $4, offer = $5::jsonb, return_notice = $6::jsonb,
              version = version + 1, updated_at = $7
        WHERE id = $1 RETURNING version`,
      [applicationId, next.status, next.intakeMonth, next.validUntil, next.offer ? JSON.stringify(next.offer) : null,
        next.returnNotice ? JSON.stringify(next.returnNotice) : null, now],
    ).then((r) => returnedRows<{ version: number }>(r));
    const [{ seq }]: Array<{ seq: number }> = await m.query(
      `INSERT INTO application_event (application_id, seq, type, actor_kind, actor_id, from_status, to_status, details, message_en, message_ja,
                                      external_event_id, source_municipality_code, occurred_at)
       SELECT $1, coalesce(max(seq), 0) + 1, $2, $3, $4, $5, $6, $7::jsonb, $8, $9, $10, $11, $12 FROM application_event WHERE application_id = $1
       RETURNING seq`,
      [applicationId, timelineEntry.type, actor.kind, actor.kind === StatusActor.SYSTEM ? null : actor.clientId, timelineEntry.fromStatus,
        timelineEntry.toStatus, JSON.stringify(timelineEntry.data), timelineEntry.detailsEn, timelineEntry.detailsJa,
        request.municipalityEventId ?? null, source, at],
    ).catch((err: { code?: string; constraint?: string }) => {
      if (err.code === '23505' && err.constraint === 'application_event_external_once') {
        throw Errors.conflict(`Municipality event id "${request.municipalityEventId}" is already being used; send it again to get its result.`,
          `自治体イベントID「${request.municipalityEventId}」は使用中です。再送して結果を確認してください。`, {}, 'input.municipalityEventId');
      }
      throw err;
    });
    if (request.type === StatusEventType.DOCUMENT_ADDED) {
      await this.updates.sendUpdate(m, applicationId, { reason: 'DOCUMENT_ADDED', documents: request.addedDocuments ?? [], seq });
    }
    await this.notifier.catchUp(m, applicationId);
    return view({ ...app, version }, next, false, seq);
  }

  /** recordApplicationStatus: a municipality (or an admin correcting its record) reports a change. */
  record(input: RecordApplicationStatusInput, client: AuthenticatedClient): Promise<ApplicationStatusChange> {
    const fields = PAYLOAD_FIELDS[input.type as unknown as StatusEventType] ?? [];
    const payload: Record<string, unknown> = {};
    for (const field of ALL_PAYLOAD_FIELDS) {
      const value = input[field];
      if (value === undefined || value === null) continue;
      if (!fields.includes(field)) {
        throw Errors.badInput(`input.${field}`, `input.${field} is not used with ${input.type}; leave it out.`,
          `input.${field} は ${input.type} では使いません。指定しないでください。`);
      }
      payload[field] = field === 'steps' ? (value as unknown as Array<Record<string, unknown>>).map((s) => ({ ...s })) : value;
    }
    return this.apply(input.applicationId, {
      type: input.type as unknown as StatusEventType,
      payload,
      occurredAt: input.occurredAt,
      municipalityEventId: input.municipalityEventId,
      expectedStatus: input.expectedStatus,
      expectedIntakeMonth: input.expectedIntakeMonth,
    }, actorOf(client));
  }

  acceptOffer(applicationId: string, client: AuthenticatedClient) {
    return this.apply(applicationId, { type: StatusEventType.OFFER_ACCEPTED }, actorOf(client));
  }

  declineOffer(applicationId: string, reason: string | undefined, client: AuthenticatedClient) {
    return this.apply(applicationId, { type: StatusEventType.OFFER_DECLINED, payload: reason ? { reason } : {} }, actorOf(client));
  }

  withdraw(applicationId: string, reason: string | undefined, client: AuthenticatedClient) {
    return this.apply(applicationId, { type: StatusEventType.WITHDRAWN, payload: reason ? { reason } : {} }, actorOf(client));
  }

  addDocument(applicationId: string, document: AddedDocumentInput, client: AuthenticatedClient) {
    return this.apply(applicationId, {
      type: StatusEventType.DOCUMENT_ADDED,
      payload: { documents: [document.kind] },
      addedDocuments: [{ kind: document.kind, reference: document.reference }],
    }, actorOf(client));
  }

  /**
   * Locks the application and checks the actor may act on it. An application the caller may not see
   * at all is NOT_FOUND (its existence is not revealed); a municipality that only received a
   * forwarded notice (管外) sees it but may not decide: FORBIDDEN, naming who decides.
   */
  private async lockApplication(m: EntityManager, applicationId: string, actor: StatusActorRef): Promise<ApplicationRow> {
    assertUuid(applicationId, 'applicationId');
    const [app]: ApplicationRow[] = await m.query(
      `SELECT id, status, intake_month, to_char(valid_until, 'YYYY-MM-DD') AS valid_until, offer, return_notice, version,
              partner_client_id, primary_municipality_code
         FROM application WHERE id = $1 FOR UPDATE`,
      [applicationId],
    );
    const notFound = () => Errors.notFound('Application', applicationId, 'applicationId');
    if (!app) throw notFound();
    if (actor.kind === StatusActor.PARTNER && app.partner_client_id !== actor.clientId) throw notFound();
    if (actor.kind === StatusActor.MUNICIPALITY && app.primary_municipality_code !== actor.municipalityCode) {
      const [recipient] = await m.query(
        `SELECT role FROM application_recipient WHERE application_id = $1 AND municipality_code = $2`,
        [applicationId, actor.municipalityCode],
      );
      if (!recipient) throw notFound();
      throw Errors.forbidden(
        `Municipality ${actor.municipalityCode} received this application as a forwarded notice only; `
          + `municipality ${app.primary_municipality_code} receives and decides on it, and reports its status.`,
        `自治体 ${actor.municipalityCode} はこの申込を回送通知として受け取っただけです。受付・決定とステータスの報告は自治体 ${app.primary_municipality_code} が行います。`,
        'input.applicationId',
      );
    }
    return app;
  }
}

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function assertUuid(value: string, field: string): void {
  if (!UUID_RE.test(value)) throw Errors.badInput(field, `${field} must be an id (UUID); got "${value}".`, `${field} はID（UUID）で指定してください（指定値：「${value}」）。`);
}

export function actorOf(client: AuthenticatedClient): StatusActorRef {
  const kind = client.role === ApiRole.PARTNER ? StatusActor.PARTNER
    : client.role === ApiRole.MUNICIPALITY ? StatusActor.MUNICIPALITY
      : client.role === ApiRole.ADMIN ? StatusActor.ADMIN : null;
  if (!kind) {
    throw Errors.forbidden(`Role ${client.role} does not take part in the application journey.`, `役割 ${client.role} は申込の手続きに関与できません。`);
  }
  return { kind, clientId: client.id, municipalityCode: client.municipalityCode };
}

/** The state machine's view of an application row (used by the service and the scheduler). */
export function stateOf(app: Pick<ApplicationRow, 'status' | 'intake_month' | 'valid_until' | 'offer' | 'return_notice'>): ApplicationStatusState {
  return {
    status: app.status,
    intakeMonth: app.intake_month,
    validUntil: app.valid_until,
    ...(app.offer ? { offer: app.offer } : {}),
    ...(app.return_notice ? { returnNotice: app.return_notice } : {}),
  };
}

function view(app: Pick<ApplicationRow, 'id' | 'version'>, state: ApplicationStatusState, duplicate: boolean, seq: number | null): ApplicationStatusChange {
  return {
    applicationId: app.id,
    status: state.status,
    intakeMonth: state.intakeMonth,
    validUntil: state.validUntil,
    version: app.version,
    offer: state.offer ? { ...state.offer, steps: state.offer.steps.map((s) => ({ ...s, dueDate: s.dueDate ?? null })) } : null,
    returnNotice: state.returnNotice ?? null,
    duplicate,
    seq,
  };
}
