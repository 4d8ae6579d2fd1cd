/**
 * The application status state machine (申込ステータス), in one place.
 *
 * Like eVaka's ApplicationStateService, every transition is guarded by one function
 * (`applyStatusEvent`) reading one table (`TRANSITIONS`). This module is pure: no Nest, no database,
 * no clock. Time always arrives as a parameter (`event.at`, `now`, `today`).
 *
 * Dates and deadlines (`respondBy`, `fixDueDate`, `validUntil`, `entryDate`) are calendar dates
 * (`YYYY-MM-DD`) in Japan time and are inclusive: a family may still answer on `respondBy` until
 * 23:59:59 JST. Intake months are `YYYY-MM`.
 */
import { japanDateOf } from '../common/dates';
import { CommonCode, Errors, hubError } from '../common/errors';

// ---------------------------------------------------------------------------------------------
// Statuses, actors, events
// ---------------------------------------------------------------------------------------------

export enum ApplicationStatus {
  SUBMITTED = 'SUBMITTED',
  DELIVERED = 'DELIVERED',
  RECEIVED = 'RECEIVED',
  RETURNED = 'RETURNED',
  UNDER_ALLOCATION = 'UNDER_ALLOCATION',
  OFFERED = 'OFFERED',
  NOT_PLACED = 'NOT_PLACED',
  REJECTED = 'REJECTED',
  ACCEPTED = 'ACCEPTED',
  DECLINED = 'DECLINED',
  OFFER_LAPSED = 'OFFER_LAPSED',
  APPROVED = 'APPROVED',
  ENROLLED = 'ENROLLED',
  WITHDRAWN = 'WITHDRAWN',
  EXPIRED = 'EXPIRED',
}

export const APPLICATION_STATUS_JA: Record<ApplicationStatus, string> = {
  [ApplicationStatus.SUBMITTED]: '提出済',
  [ApplicationStatus.DELIVERED]: '送達済',
  [ApplicationStatus.RECEIVED]: '受理',
  [ApplicationStatus.RETURNED]: '差戻し',
  [ApplicationStatus.UNDER_ALLOCATION]: '利用調整中',
  [ApplicationStatus.OFFERED]: '内定',
  [ApplicationStatus.NOT_PLACED]: '保留',
  [ApplicationStatus.REJECTED]: '不承諾',
  [ApplicationStatus.ACCEPTED]: '内定承諾',
  [ApplicationStatus.DECLINED]: '内定辞退',
  [ApplicationStatus.OFFER_LAPSED]: '内定失効',
  [ApplicationStatus.APPROVED]: '利用承認',
  [ApplicationStatus.ENROLLED]: '入園',
  [ApplicationStatus.WITHDRAWN]: '取下げ',
  [ApplicationStatus.EXPIRED]: '失効',
};

export enum StatusActor {
  /** A partner app acting for the family. */
  PARTNER = 'PARTNER',
  /** The municipality the application is routed to (the service checks the routing). */
  MUNICIPALITY = 'MUNICIPALITY',
  /** The hub itself: delivery acknowledgements and scheduled jobs (lapse, rollover, expiry). */
  SYSTEM = 'SYSTEM',
  /** Platform operator correcting a municipality's record; never speaks for the family. */
  ADMIN = 'ADMIN',
}

export enum StatusEventType {
  DELIVERY_ACKNOWLEDGED = 'DELIVERY_ACKNOWLEDGED',
  RECEIVED = 'RECEIVED',
  RETURNED = 'RETURNED',
  DOCUMENT_ADDED = 'DOCUMENT_ADDED',
  ALLOCATION_STARTED = 'ALLOCATION_STARTED',
  OFFERED = 'OFFERED',
  NOT_PLACED = 'NOT_PLACED',
  REJECTED = 'REJECTED',
  OFFER_ACCEPTED = 'OFFER_ACCEPTED',
  OFFER_DECLINED = 'OFFER_DECLINED',
  OFFER_LAPSED = 'OFFER_LAPSED',
  APPROVED = 'APPROVED',
  ENROLLED = 'ENROLLED',
  WITHDRAWN = 'WITHDRAWN',
  EXPIRED = 'EXPIRED',
  ROLLED_OVER = 'ROLLED_OVER',
}

/** Codes this feature adds to the common ones (INVALID_TRANSITION etc.), for `extensions.code`. */
export const StatusErrorCode = {
  INVALID_TRANSITION: 'INVALID_TRANSITION',
  OFFER_RESPONSE_DEADLINE_PASSED: 'OFFER_RESPONSE_DEADLINE_PASSED',
  OFFER_RESPONSE_DEADLINE_NOT_PASSED: 'OFFER_RESPONSE_DEADLINE_NOT_PASSED',
  VALIDITY_NOT_ENDED: 'VALIDITY_NOT_ENDED',
  VALIDITY_ENDED: 'VALIDITY_ENDED',
} as const;

// ---------------------------------------------------------------------------------------------
// The transition table
// ---------------------------------------------------------------------------------------------

export interface Transition {
  from: readonly ApplicationStatus[];
  to: ApplicationStatus;
  actors: readonly StatusActor[];
}

const S = ApplicationStatus;
const A = StatusActor;

/**
 * ADMIN is listed wherever MUNICIPALITY is, so that the operator can correct a municipality's record
 * (e.g. a decision given by phone that the local system never sent). ADMIN never acts for the family
 * (accept, decline, add documents) nor for the scheduler: those decisions belong to someone else.
 */
const MUNICIPALITY_OR_ADMIN = [A.MUNICIPALITY, A.ADMIN] as const;

/** Everything before enrolment that is still alive: the family may withdraw from any of these. */
const WITHDRAWABLE = [
  S.SUBMITTED, S.DELIVERED, S.RECEIVED, S.RETURNED, S.UNDER_ALLOCATION,
  S.OFFERED, S.NOT_PLACED, S.ACCEPTED, S.APPROVED,
] as const;

/**
 * Statuses that end when the validity ends. An outstanding offer ends by OFFER_LAPSED instead (its own
 * deadline), and an accepted or approved place is no longer waiting for anything to expire.
 */
const EXPIRABLE = [S.SUBMITTED, S.DELIVERED, S.RECEIVED, S.RETURNED, S.UNDER_ALLOCATION, S.NOT_PLACED] as const;

export const TRANSITIONS: Readonly<Record<StatusEventType, Transition>> = {
  [StatusEventType.DELIVERY_ACKNOWLEDGED]: { from: [S.SUBMITTED], to: S.DELIVERED, actors: [A.SYSTEM] },
  [StatusEventType.RECEIVED]: { from: [S.DELIVERED], to: S.RECEIVED, actors: MUNICIPALITY_OR_ADMIN },
  // A received or not-placed application can still be returned: job seekers' proofs expire and must be renewed.
  [StatusEventType.RETURNED]: { from: [S.DELIVERED, S.RECEIVED, S.NOT_PLACED], to: S.RETURNED, actors: MUNICIPALITY_OR_ADMIN },
  // The added document goes back to the municipality as an update, so the journey restarts at SUBMITTED.
  [StatusEventType.DOCUMENT_ADDED]: { from: [S.RETURNED], to: S.SUBMITTED, actors: [A.PARTNER] },
  [StatusEventType.ALLOCATION_STARTED]: { from: [S.RECEIVED], to: S.UNDER_ALLOCATION, actors: MUNICIPALITY_OR_ADMIN },
  // Decisions are also accepted straight from RECEIVED: not every local system reports the start of allocation.
  [StatusEventType.OFFERED]: { from: [S.RECEIVED, S.UNDER_ALLOCATION], to: S.OFFERED, actors: MUNICIPALITY_OR_ADMIN },
  [StatusEventType.NOT_PLACED]: { from: [S.RECEIVED, S.UNDER_ALLOCATION], to: S.NOT_PLACED, actors: MUNICIPALITY_OR_ADMIN },
  // REJECTED (不承諾) is final here, e.g. no need for care. "Not placed this month but still valid"
  // is NOT_PLACED (保留), even where the municipality's letter is titled 不承諾通知.
  [StatusEventType.REJECTED]: { from: [S.RECEIVED, S.UNDER_ALLOCATION], to: S.REJECTED, actors: MUNICIPALITY_OR_ADMIN },
  [StatusEventType.OFFER_ACCEPTED]: { from: [S.OFFERED], to: S.ACCEPTED, actors: [A.PARTNER] },
  [StatusEventType.OFFER_DECLINED]: { from: [S.OFFERED], to: S.DECLINED, actors: [A.PARTNER] },
  [StatusEventType.OFFER_LAPSED]: { from: [S.OFFERED], to: S.OFFER_LAPSED, actors: [A.SYSTEM] },
  // Approval (利用承認) follows the interview and health check, which the municipality reports as done.
  [StatusEventType.APPROVED]: { from: [S.ACCEPTED], to: S.APPROVED, actors: MUNICIPALITY_OR_ADMIN },
  [StatusEventType.ENROLLED]: { from: [S.APPROVED], to: S.ENROLLED, actors: MUNICIPALITY_OR_ADMIN },
  // Families also withdraw at the municipality's counter, so the municipality may report a withdrawal too.
  [StatusEventType.WITHDRAWN]: { from: WITHDRAWABLE, to: S.WITHDRAWN, actors: [A.PARTNER, A.MUNICIPALITY, A.ADMIN] },
  [StatusEventType.EXPIRED]: { from: EXPIRABLE, to: S.EXPIRED, actors: [A.SYSTEM] },
  // Back to RECEIVED (accepted, awaiting the next allocation) rather than UNDER_ALLOCATION: the next
  // month's allocation has not started, and the municipality's ALLOCATION_STARTED / decision then
  // applies exactly as for a first-time application.
  [StatusEventType.ROLLED_OVER]: { from: [S.NOT_PLACED], to: S.RECEIVED, actors: [A.SYSTEM] },
};

const TERMINAL: ReadonlySet<ApplicationStatus> = new Set([
  S.REJECTED, S.DECLINED, S.OFFER_LAPSED, S.ENROLLED, S.WITHDRAWN, S.EXPIRED,
]);

/** No event leaves a terminal status. */
export function isTerminal(status: ApplicationStatus): boolean {
  return TERMINAL.has(status);
}

/**
 * Counts for "one active application per child and intake month": everything still in the journey.
 * ENROLLED is not active: the journey is over, and a later transfer (転園) is a new application.
 */
export function isActive(status: ApplicationStatus): boolean {
  return !isTerminal(status);
}

/** Events that may follow `status`, optionally only those `actor` may send. */
export function allowedEvents(status: ApplicationStatus, actor?: StatusActor): StatusEventType[] {
  return (Object.keys(TRANSITIONS) as StatusEventType[]).filter((type) => {
    const t = TRANSITIONS[type];
    return t.from.includes(status) && (actor === undefined || t.actors.includes(actor));
  });
}

// ---------------------------------------------------------------------------------------------
// State, events, timeline
// ---------------------------------------------------------------------------------------------

export type OfferStepKind = 'INTERVIEW' | 'HEALTH_CHECK' | 'OTHER';

export interface OfferStep {
  kind: OfferStepKind;
  /** By when the family must have done it, if the municipality says. */
  dueDate: string | null;
  note?: string;
}

/** 内定: what the family needs to act on it. */
export interface Offer {
  facilityId: string;
  entryDate: string;
  respondBy: string;
  steps: OfferStep[];
}

/** 差戻し: what is missing and by when. */
export interface ReturnNotice {
  missingDocuments: string[];
  fixDueDate: string;
}

export interface ApplicationStatusState {
  status: ApplicationStatus;
  /** `YYYY-MM`; advances on ROLLED_OVER. */
  intakeMonth: string;
  /** Last valid day (`YYYY-MM-DD`, inclusive); null while unknown, and then it never expires. */
  validUntil: string | null;
  /** Set by OFFERED and kept afterwards, so the accepted facility and entry date stay visible. */
  offer?: Offer;
  /** Set by RETURNED, cleared by DOCUMENT_ADDED. */
  returnNotice?: ReturnNotice;
}

/**
 * Payload fields per event (validated at run time, since they arrive from outside):
 * - RETURNED: missingDocuments: string[] (non-empty), fixDueDate: YYYY-MM-DD
 * - DOCUMENT_ADDED: documents: string[] (non-empty)
 * - OFFERED: facilityId, entryDate, respondBy (<= entryDate), steps: {kind, dueDate?, note?}[]
 * - REJECTED: reason
 * - ROLLED_OVER: noIntakeMonths?: string[] (see nextIntakeMonth)
 * - NOT_PLACED, OFFER_DECLINED, WITHDRAWN: reason? (optional)
 */
export interface StatusEvent {
  type: StatusEventType;
  actor: StatusActor;
  at: Date | string;
  payload?: Record<string, unknown>;
}

export interface TimelineEntry {
  fromStatus: ApplicationStatus;
  toStatus: ApplicationStatus;
  type: StatusEventType;
  actor: StatusActor;
  /** ISO 8601 instant. */
  at: string;
  detailsEn: string;
  detailsJa: string;
  /** The validated payload, for storage and webhooks. */
  data: Record<string, unknown>;
}

export interface StatusTransitionResult extends ApplicationStatusState {
  timelineEntry: TimelineEntry;
}

// ---------------------------------------------------------------------------------------------
// The one guarded transition
// ---------------------------------------------------------------------------------------------

/**
 * Applies one event to an application's status, or throws:
 * FORBIDDEN (actor may not send this event; checked first so a wrong actor learns nothing about the
 * state), INVALID_TRANSITION (not from this status), BAD_USER_INPUT (payload field missing or malformed,
 * named as `payload.<field>`), OFFER_RESPONSE_DEADLINE_PASSED, OFFER_RESPONSE_DEADLINE_NOT_PASSED,
 * VALIDITY_NOT_ENDED, VALIDITY_ENDED (time guards).
 */
export function applyStatusEvent(state: ApplicationStatusState, event: StatusEvent): StatusTransitionResult {
  const transition = TRANSITIONS[event.type];
  if (!transition) {
    throw Errors.badInput('type', `Unknown status event "${event.type}".`, `不明なステータスイベント「${event.type}」です。`);
  }
  if (!transition.actors.includes(event.actor)) {
    throw hubError(
      CommonCode.FORBIDDEN,
      `${event.actor} may not send ${event.type}; only ${transition.actors.join(', ')} may.`,
      `${event.actor} は ${event.type} を送信できません（送信できるのは ${transition.actors.join('、')} のみです）。`,
      { field: 'type', details: { event: event.type, actor: event.actor, allowedActors: [...transition.actors] } },
    );
  }
  if (!transition.from.includes(state.status)) {
    throw hubError(
      StatusErrorCode.INVALID_TRANSITION,
      `${event.type} cannot happen to an application that is ${state.status}; it needs one of: ${transition.from.join(', ') || 'none'}.`,
      `「${APPLICATION_STATUS_JA[state.status]}」の申込に ${event.type} は適用できません（適用できる状態：${transition.from.map((s) => APPLICATION_STATUS_JA[s]).join('、')}）。`,
      { field: 'type', details: { from: state.status, event: event.type, allowedFrom: [...transition.from] } },
    );
  }
  const at = parseInstant(event.at);
  const payload = event.payload ?? {};
  const outcome = EFFECTS[event.type](state, payload, at);
  const next: ApplicationStatusState = { ...state, ...outcome.state, status: transition.to };
  // Keep the state free of `returnNotice: undefined`, so stored JSON and test equality stay clean.
  if (next.returnNotice === undefined) delete next.returnNotice;
  return {
    ...next,
    timelineEntry: {
      fromStatus: state.status,
      toStatus: transition.to,
      type: event.type,
      actor: event.actor,
      at: at.toISOString(),
      detailsEn: outcome.en,
      detailsJa: outcome.ja,
      data: outcome.data,
    },
  };
}

interface Effect {
  state?: Partial<ApplicationStatusState>;
  en: string;
  ja: string;
  data: Record<string, unknown>;
}

type EffectFn = (state: ApplicationStatusState, payload: Record<string, unknown>, at: Date) => Effect;

/** Per event: validate the payload, apply the time guards, describe it for the family's timeline. */
const EFFECTS: Record<StatusEventType, EffectFn> = {
  DELIVERY_ACKNOWLEDGED: () => ({
    en: "The municipality's system acknowledged receipt of the application.",
    ja: '自治体のシステムが申込の受信を確認しました。',
    data: {},
  }),
  RECEIVED: (s) => ({
    en: `The municipality accepted the application for allocation (intake ${s.intakeMonth}).`,
    ja: `自治体が申込を受理しました（${monthJa(s.intakeMonth)}入園）。`,
    data: {},
  }),
  RETURNED: (_s, p) => {
    const missingDocuments = requireStringList(p, 'missingDocuments');
    const fixDueDate = requireDate(p, 'fixDueDate');
    return {
      state: { returnNotice: { missingDocuments, fixDueDate } },
      en: `Returned as incomplete. Missing: ${missingDocuments.join(', ')}. Add them by ${fixDueDate}.`,
      ja: `書類不足のため差し戻されました。不足書類：${missingDocuments.join('、')}。${dateJa(fixDueDate)}までに追加してください。`,
      data: { missingDocuments, fixDueDate },
    };
  },
  DOCUMENT_ADDED: (_s, p) => {
    const documents = requireStringList(p, 'documents');
    return {
      state: { returnNotice: undefined },
      en: `Added ${documents.join(', ')}; the application goes back to the municipality.`,
      ja: `${documents.join('、')}を追加しました。申込を自治体へ再提出します。`,
      data: { documents },
    };
  },
  ALLOCATION_STARTED: (s) => ({
    en: `Allocation for intake ${s.intakeMonth} has started.`,
    ja: `${monthJa(s.intakeMonth)}入園の利用調整が始まりました。`,
    data: {},
  }),
  OFFERED: (_s, p) => {
    const offer = requireOffer(p);
    const stepsEn = offer.steps.map((st) => STEP_EN[st.kind] + (st.dueDate ? ` by ${st.dueDate}` : '')).join(', ');
    const stepsJa = offer.steps.map((st) => STEP_JA[st.kind] + (st.dueDate ? `（${dateJa(st.dueDate)}まで）` : '')).join('、');
    return {
      state: { offer, returnNotice: undefined },
      en: `Offered a place at facility ${offer.facilityId} from ${offer.entryDate}. Respond by ${offer.respondBy}.`
        + (stepsEn ? ` Next: ${stepsEn}.` : ''),
      ja: `施設 ${offer.facilityId} に${dateJa(offer.entryDate)}からの内定が出ました。${dateJa(offer.respondBy)}までに回答してください。`
        + (stepsJa ? `次の手続き：${stepsJa}。` : ''),
      data: { ...offer },
    };
  },
  NOT_PLACED: (s, p) => {
    const reason = optionalString(p, 'reason');
    const validity = s.validUntil
      ? { en: ` The application stays valid until ${s.validUntil} and enters the next month's allocation automatically.`,
          ja: `申込は${dateJa(s.validUntil)}まで有効で、翌月以降の利用調整に自動で引き継がれます。` }
      : { en: ' The application stays valid and enters the next month\'s allocation automatically.',
          ja: '申込は引き続き有効で、翌月以降の利用調整に自動で引き継がれます。' };
    return {
      en: `Not placed for intake ${s.intakeMonth}.${reason ? ` Reason: ${reason}.` : ''}${validity.en}`,
      ja: `${monthJa(s.intakeMonth)}入園は保留となりました。${reason ? `理由：${reason}。` : ''}${validity.ja}`,
      data: reason ? { reason } : {},
    };
  },
  REJECTED: (_s, p) => {
    const reason = requireString(p, 'reason');
    return {
      en: `The application was rejected. Reason: ${reason}.`,
      ja: `申込は不承諾となりました。理由：${reason}。`,
      data: { reason },
    };
  },
  OFFER_ACCEPTED: (s, _p, at) => {
    const offer = requireCurrentOffer(s);
    assertBeforeRespondBy(offer, at);
    return {
      en: `The family accepted the offer at facility ${offer.facilityId}.`,
      ja: `施設 ${offer.facilityId} の内定を承諾しました。`,
      data: {},
    };
  },
  OFFER_DECLINED: (s, p, at) => {
    const offer = requireCurrentOffer(s);
    assertBeforeRespondBy(offer, at);
    const reason = optionalString(p, 'reason');
    return {
      en: `The family declined the offer at facility ${offer.facilityId}.`,
      ja: `施設 ${offer.facilityId} の内定を辞退しました。`,
      data: reason ? { reason } : {},
    };
  },
  OFFER_LAPSED: (s, _p, at) => {
    const offer = requireCurrentOffer(s);
    if (!(toJapanDate(at) > offer.respondBy)) {
      throw hubError(
        StatusErrorCode.OFFER_RESPONSE_DEADLINE_NOT_PASSED,
        `The offer can only lapse after its response date ${offer.respondBy}.`,
        `内定は回答期限（${dateJa(offer.respondBy)}）を過ぎるまで失効しません。`,
        { details: { respondBy: offer.respondBy, at: at.toISOString() } },
      );
    }
    return {
      en: `The offer lapsed: no answer by ${offer.respondBy}.`,
      ja: `回答期限（${dateJa(offer.respondBy)}）までに回答がなかったため、内定は失効しました。`,
      data: {},
    };
  },
  APPROVED: (s) => ({
    en: `Use of the facility was approved${s.offer ? ` (facility ${s.offer.facilityId}, from ${s.offer.entryDate})` : ''}.`,
    ja: `利用が承認されました${s.offer ? `（施設 ${s.offer.facilityId}、${dateJa(s.offer.entryDate)}から）` : ''}。`,
    data: {},
  }),
  ENROLLED: (s) => ({
    en: `The child is enrolled${s.offer ? ` at facility ${s.offer.facilityId}` : ''}.`,
    ja: `入園しました${s.offer ? `（施設 ${s.offer.facilityId}）` : ''}。`,
    data: {},
  }),
  WITHDRAWN: (_s, p) => {
    const reason = optionalString(p, 'reason');
    return {
      en: `The application was withdrawn.${reason ? ` Reason: ${reason}.` : ''}`,
      ja: `申込を取り下げました。${reason ? `理由：${reason}。` : ''}`,
      data: reason ? { reason } : {},
    };
  },
  EXPIRED: (s, _p, at) => {
    if (s.validUntil === null || !(toJapanDate(at) > s.validUntil)) {
      throw hubError(
        StatusErrorCode.VALIDITY_NOT_ENDED,
        s.validUntil === null
          ? 'The application has no validity end date, so it cannot expire.'
          : `The application is valid until ${s.validUntil}; it cannot expire before then.`,
        s.validUntil === null
          ? '申込に有効期限がないため、失効させられません。'
          : `申込は${dateJa(s.validUntil)}まで有効なため、失効させられません。`,
        { details: { validUntil: s.validUntil, at: at.toISOString() } },
      );
    }
    return {
      en: `The application expired: it was valid until ${s.validUntil}.`,
      ja: `有効期限（${dateJa(s.validUntil)}）を過ぎたため、申込は失効しました。`,
      data: {},
    };
  },
  ROLLED_OVER: (s, p) => {
    const noIntakeMonths = optionalMonthList(p, 'noIntakeMonths');
    const target = nextIntakeMonth(s.intakeMonth, noIntakeMonths);
    if (!isMonthWithinValidity(target, s.validUntil)) {
      throw hubError(
        StatusErrorCode.VALIDITY_ENDED,
        `The next intake month ${target} is after the validity end ${s.validUntil}; let the application expire instead.`,
        `次の入園月（${monthJa(target)}）は有効期限（${dateJa(s.validUntil!)}）の後のため、引き継げません。`,
        { details: { intakeMonth: s.intakeMonth, nextIntakeMonth: target, validUntil: s.validUntil } },
      );
    }
    return {
      state: { intakeMonth: target },
      en: `Not placed for intake ${s.intakeMonth}; the application now waits for the allocation for intake ${target}.`,
      ja: `${monthJa(s.intakeMonth)}入園は保留のため、${monthJa(target)}入園の利用調整に引き継がれました。`,
      data: { previousIntakeMonth: s.intakeMonth, intakeMonth: target },
    };
  },
};

const STEP_EN: Record<OfferStepKind, string> = { INTERVIEW: 'interview', HEALTH_CHECK: 'health check', OTHER: 'other step' };
const STEP_JA: Record<OfferStepKind, string> = { INTERVIEW: '面接', HEALTH_CHECK: '健康診断', OTHER: 'その他の手続き' };

function requireCurrentOffer(state: ApplicationStatusState): Offer {
  // OFFERED always records an offer; a state without one was built wrongly by the caller.
  if (!state.offer) {
    throw hubError(CommonCode.INTERNAL, 'The offered application has no offer details.', '内定中の申込に内定内容がありません。',
      { field: 'offer' });
  }
  return state.offer;
}

function assertBeforeRespondBy(offer: Offer, at: Date): void {
  if (toJapanDate(at) > offer.respondBy) {
    throw hubError(
      StatusErrorCode.OFFER_RESPONSE_DEADLINE_PASSED,
      `The response date ${offer.respondBy} has passed; the offer can no longer be accepted or declined.`,
      `回答期限（${dateJa(offer.respondBy)}）を過ぎたため、内定を承諾・辞退できません。`,
      { field: 'at', details: { respondBy: offer.respondBy, at: at.toISOString() } },
    );
  }
}

// ---------------------------------------------------------------------------------------------
// Scheduler helpers: validity, rollover, lapse
// ---------------------------------------------------------------------------------------------

/** 板橋区: a number of intake months (counting the first); elsewhere until the fiscal year's March intake. */
export type ValidityPolicy = { kind: 'MONTHS'; months: number } | { kind: 'END_OF_FISCAL_YEAR' };

/**
 * Last valid day of an application first made for `intakeMonth`.
 * MONTHS n covers n intake months including the first: 2026-10 with 6 months → 2027-03-31.
 * END_OF_FISCAL_YEAR covers up to the March intake of the fiscal year (April–March): 2026-10 → 2027-03-31,
 * 2027-03 → 2027-03-31, 2027-04 → 2028-03-31.
 */
export function computeValidUntil(intakeMonth: string, policy: ValidityPolicy): string {
  const { year, month } = parseMonth(intakeMonth, 'intakeMonth');
  if (policy.kind === 'MONTHS') {
    if (!Number.isInteger(policy.months) || policy.months < 1) {
      throw Errors.badInput('policy.months', 'The validity must be a whole number of months, at least 1.',
        '有効期間は1以上の整数（か月）で指定してください。', { months: policy.months });
    }
    return lastDayOfMonth(addMonths(year, month, policy.months - 1));
  }
  const fiscalYear = month >= 4 ? year : year - 1;
  return `${fiscalYear + 1}-03-31`;
}

/**
 * The intake month after `intakeMonth`, skipping months without intake. `noIntakeMonths` entries are
 * either `MM` (every year, e.g. 荒川区 has no '02' or '03' intake) or `YYYY-MM` (one particular month).
 */
export function nextIntakeMonth(intakeMonth: string, noIntakeMonths: readonly string[] = []): string {
  const { year, month } = parseMonth(intakeMonth, 'intakeMonth');
  const skipped = new Set(noIntakeMonths);
  for (let step = 1; step <= 24; step++) {
    const candidate = addMonths(year, month, step);
    if (!skipped.has(candidate) && !skipped.has(candidate.slice(5))) return candidate;
  }
  throw Errors.badInput('noIntakeMonths', 'Every month is marked as having no intake.',
    'すべての月が入園なしとして指定されています。', { noIntakeMonths: [...noIntakeMonths] });
}

/**
 * Where a NOT_PLACED application goes next: the next intake month if it is still within validity
 * (send ROLLED_OVER), otherwise null (the application waits as NOT_PLACED until shouldExpire).
 */
export function rolloverTarget(state: ApplicationStatusState, noIntakeMonths: readonly string[] = []): string | null {
  if (state.status !== S.NOT_PLACED) return null;
  const target = nextIntakeMonth(state.intakeMonth, noIntakeMonths);
  return isMonthWithinValidity(target, state.validUntil) ? target : null;
}

/**
 * When the scheduler rolls a NOT_PLACED application over: once the month it was not placed for has
 * begun (its entry day, the 1st, in Japan time), that month's allocation is over and the application
 * waits for the next one. Until then the family sees 保留 for the month they asked about. Returns the
 * month to roll into, or null (not yet, or the next intake month is past the validity: it expires).
 */
export function rolloverDue(state: ApplicationStatusState, today: Date | string, noIntakeMonths: readonly string[] = []): string | null {
  if (state.status !== S.NOT_PLACED || toJapanDate(today) < `${state.intakeMonth}-01`) return null;
  return rolloverTarget(state, noIntakeMonths);
}

/** True when the scheduler should send EXPIRED: the last valid day is before `today` (Japan time). */
export function shouldExpire(state: ApplicationStatusState, today: Date | string): boolean {
  return TRANSITIONS.EXPIRED.from.includes(state.status)
    && state.validUntil !== null
    && toJapanDate(today) > state.validUntil;
}

/** True when the scheduler should send OFFER_LAPSED: the response date is over (Japan time). */
export function shouldLapseOffer(state: ApplicationStatusState, now: Date | string): boolean {
  return state.status === S.OFFERED && state.offer !== undefined && toJapanDate(now) > state.offer.respondBy;
}

function isMonthWithinValidity(intakeMonth: string, validUntil: string | null): boolean {
  return validUntil === null || `${intakeMonth}-01` <= validUntil;
}

// ---------------------------------------------------------------------------------------------
// Municipality events that arrive out of order
// ---------------------------------------------------------------------------------------------

export interface IncomingMunicipalityEvent {
  type: StatusEventType;
  /** The status the municipality believes the application is in when it sends this event. */
  expectedStatus: ApplicationStatus;
  /** The intake month it decides on; tells a stale decision for last month apart after a rollover. */
  expectedIntakeMonth?: string;
  payload?: Record<string, unknown>;
}

export interface LastAppliedEvent {
  type: StatusEventType;
  data: Record<string, unknown>;
}

/**
 * Ordering policy, kept deliberately simple: a municipality's event names the status it applies to
 * (`expectedStatus`, and optionally `expectedIntakeMonth`).
 * - It matches the current state → 'APPLY' (then applyStatusEvent checks the transition itself).
 * - It is an exact repeat of the last applied event (same type, same payload, and the application is in
 *   that event's target status) → 'DUPLICATE': the service answers success and records nothing.
 * - Anything else → CONFLICT: the municipality's view is stale or ahead; it must re-read the status and
 *   resend. Nothing is reordered or queued by the hub.
 */
export function checkEventOrder(
  state: ApplicationStatusState,
  incoming: IncomingMunicipalityEvent,
  lastApplied?: LastAppliedEvent,
): 'APPLY' | 'DUPLICATE' {
  const intakeMatches = incoming.expectedIntakeMonth === undefined || incoming.expectedIntakeMonth === state.intakeMonth;
  if (incoming.expectedStatus === state.status && intakeMatches) return 'APPLY';
  if (
    lastApplied
    && lastApplied.type === incoming.type
    && TRANSITIONS[incoming.type]?.to === state.status
    && canonicalJson(lastApplied.data) === canonicalJson(incoming.payload ?? {})
  ) {
    return 'DUPLICATE';
  }
  throw Errors.conflict(
    `${incoming.type} expects the application to be ${incoming.expectedStatus}${incoming.expectedIntakeMonth ? ` for intake ${incoming.expectedIntakeMonth}` : ''}, `
      + `but it is ${state.status} for intake ${state.intakeMonth}. Read the current status and send again.`,
    `${incoming.type} は申込が「${APPLICATION_STATUS_JA[incoming.expectedStatus] ?? incoming.expectedStatus}」であることを前提としていますが、`
      + `現在は「${APPLICATION_STATUS_JA[state.status]}」（${monthJa(state.intakeMonth)}入園）です。現在の状態を確認して再送してください。`,
    {
      event: incoming.type,
      expectedStatus: incoming.expectedStatus,
      expectedIntakeMonth: incoming.expectedIntakeMonth ?? null,
      currentStatus: state.status,
      currentIntakeMonth: state.intakeMonth,
    },
    'expectedStatus',
  );
}

/**
 * True when two event payloads say the same thing (key order, omitted optional fields and nulls aside),
 * e.g. a municipality's resend of an event against the validated details stored on the timeline.
 */
export function samePayload(a: Record<string, unknown>, b: Record<string, unknown>): boolean {
  return canonicalJson(a) === canonicalJson(b);
}

/**
 * JSON with sorted keys and without null or undefined fields, so that a resent payload equals the
 * validated one stored on the timeline (where an omitted optional field is recorded as null).
 */
function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value && typeof value === 'object' && !(value instanceof Date)) {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined && v !== null)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value instanceof Date ? value.toISOString() : value);
}

// ---------------------------------------------------------------------------------------------
// Dates and payload validation
// ---------------------------------------------------------------------------------------------

const DATE_RE = /^\d{4}-\d{2}-\d{2}$/;
const MONTH_RE = /^(\d{4})-(\d{2})$/;

/** The calendar date in Japan (`YYYY-MM-DD`) of an instant; a plain date string is returned as is. */
export function toJapanDate(value: Date | string): string {
  if (typeof value === 'string' && DATE_RE.test(value)) return value;
  return japanDateOf(parseInstant(value));
}

function parseInstant(value: Date | string): Date {
  const date = value instanceof Date ? value : new Date(value);
  if (Number.isNaN(date.getTime())) {
    throw Errors.badInput('at', `"${String(value)}" is not a valid date and time.`, `「${String(value)}」は正しい日時ではありません。`);
  }
  return date;
}

function parseMonth(value: string, field: string): { year: number; month: number } {
  const match = MONTH_RE.exec(value);
  const month = match ? Number(match[2]) : 0;
  if (!match || month < 1 || month > 12) {
    throw Errors.badInput(field, `${field} must be a month as YYYY-MM, got "${value}".`,
      `${field} は YYYY-MM 形式の年月で指定してください（受信値：「${value}」）。`);
  }
  return { year: Number(match[1]), month };
}

function addMonths(year: number, month: number, count: number): string {
  const index = year * 12 + (month - 1) + count;
  return `${String(Math.floor(index / 12)).padStart(4, '0')}-${String((index % 12) + 1).padStart(2, '0')}`;
}

function lastDayOfMonth(yearMonth: string): string {
  const { year, month } = parseMonth(yearMonth, 'month');
  const day = new Date(Date.UTC(year, month, 0)).getUTCDate();
  return `${yearMonth}-${String(day).padStart(2, '0')}`;
}

function isRealDate(value: string): boolean {
  if (!DATE_RE.test(value)) return false;
  const date = new Date(`${value}T00:00:00Z`);
  return !Number.isNaN(date.getTime()) && date.toISOString().slice(0, 10) === value;
}

function monthJa(yearMonth: string): string {
  const match = MONTH_RE.exec(yearMonth);
  return match ? `${match[1]}年${Number(match[2])}月` : yearMonth;
}

function dateJa(date: string): string {
  const [y, m, d] = date.split('-');
  return `${y}年${Number(m)}月${Number(d)}日`;
}

function missing(field: string, en: string, ja: string): never {
  throw Errors.badInput(`payload.${field}`, `payload.${field} ${en}`, `payload.${field} ${ja}`);
}

function requireString(p: Record<string, unknown>, field: string): string {
  const value = p[field];
  if (typeof value !== 'string' || value.trim() === '') missing(field, 'is required (a non-empty string).', 'は必須です（空でない文字列）。');
  return value.trim();
}

function optionalString(p: Record<string, unknown>, field: string): string | undefined {
  if (p[field] === undefined || p[field] === null) return undefined;
  return requireString(p, field);
}

function requireDate(p: Record<string, unknown>, field: string): string {
  const value = p[field];
  if (typeof value !== 'string' || !isRealDate(value)) missing(field, 'is required as a date YYYY-MM-DD.', 'は YYYY-MM-DD 形式の日付で指定してください。');
  return value;
}

function requireStringList(p: Record<string, unknown>, field: string): string[] {
  const value = p[field];
  if (!Array.isArray(value) || value.length === 0 || value.some((v) => typeof v !== 'string' || v.trim() === '')) {
    missing(field, 'is required as a non-empty list of names.', 'は1件以上の名称のリストで指定してください。');
  }
  return (value as string[]).map((v) => v.trim());
}

function optionalMonthList(p: Record<string, unknown>, field: string): string[] {
  const value = p[field];
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value) || value.some((v) => typeof v !== 'string' || !/^(\d{4}-)?(0[1-9]|1[0-2])$/.test(v))) {
    missing(field, 'must be a list of months as MM or YYYY-MM.', 'は MM または YYYY-MM 形式の月のリストで指定してください。');
  }
  return value as string[];
}

const STEP_KINDS: readonly OfferStepKind[] = ['INTERVIEW', 'HEALTH_CHECK', 'OTHER'];

function requireOffer(p: Record<string, unknown>): Offer {
  const facilityId = requireString(p, 'facilityId');
  const entryDate = requireDate(p, 'entryDate');
  const respondBy = requireDate(p, 'respondBy');
  if (respondBy > entryDate) {
    throw Errors.badInput('payload.respondBy', `payload.respondBy (${respondBy}) must not be after payload.entryDate (${entryDate}).`,
      `payload.respondBy（${respondBy}）は payload.entryDate（${entryDate}）より後にできません。`);
  }
  if (!Array.isArray(p.steps)) missing('steps', 'is required as a list (interview, health check…); send [] if there are none.',
    'は手続き（面接・健康診断など）のリストで指定してください。ない場合は [] を送ってください。');
  const steps = (p.steps as unknown[]).map((raw, i): OfferStep => {
    const step = (raw ?? {}) as Record<string, unknown>;
    if (!STEP_KINDS.includes(step.kind as OfferStepKind)) {
      missing(`steps[${i}].kind`, `must be one of ${STEP_KINDS.join(', ')}.`, `は ${STEP_KINDS.join('、')} のいずれかで指定してください。`);
    }
    const dueDate = step.dueDate === undefined || step.dueDate === null ? null : requireDateAt(step, 'dueDate', `steps[${i}].dueDate`);
    const note = step.note === undefined || step.note === null ? undefined : requireStringAt(step, 'note', `steps[${i}].note`);
    return { kind: step.kind as OfferStepKind, dueDate, ...(note ? { note } : {}) };
  });
  return { facilityId, entryDate, respondBy, steps };
}

function requireDateAt(obj: Record<string, unknown>, key: string, field: string): string {
  const value = obj[key];
  if (typeof value !== 'string' || !isRealDate(value)) missing(field, 'must be a date YYYY-MM-DD.', 'は YYYY-MM-DD 形式の日付で指定してください。');
  return value;
}

function requireStringAt(obj: Record<string, unknown>, key: string, field: string): string {
  const value = obj[key];
  if (typeof value !== 'string' || value.trim() === '') missing(field, 'must be a non-empty string.', 'は空でない文字列で指定してください。');
  return value.trim();
}
