import { HubError } from '../../src/common/errors';
import {
  ApplicationStatus as S,
  ApplicationStatusState,
  APPLICATION_STATUS_JA,
  StatusActor as A,
  StatusEventType as E,
  TRANSITIONS,
  allowedEvents,
  applyStatusEvent,
  checkEventOrder,
  computeValidUntil,
  isActive,
  isTerminal,
  nextIntakeMonth,
  rolloverDue,
  rolloverTarget,
  samePayload,
  shouldExpire,
  shouldLapseOffer,
  toJapanDate,
} from '../../src/status/application-status';

const OFFER_PAYLOAD = {
  facilityId: 'fac-123',
  entryDate: '2026-10-01',
  respondBy: '2026-09-20',
  steps: [{ kind: 'INTERVIEW', dueDate: '2026-09-25' }, { kind: 'HEALTH_CHECK' }],
};
const OFFER = {
  facilityId: 'fac-123',
  entryDate: '2026-10-01',
  respondBy: '2026-09-20',
  steps: [{ kind: 'INTERVIEW' as const, dueDate: '2026-09-25' }, { kind: 'HEALTH_CHECK' as const, dueDate: null }],
};
const DURING_CYCLE = '2026-09-15T10:00:00+09:00';
const AFTER_RESPOND_BY = '2026-09-21T00:00:00+09:00';
const AFTER_VALIDITY = '2027-04-01T00:00:00+09:00';

function stateIn(status: S, extra: Partial<ApplicationStatusState> = {}): ApplicationStatusState {
  const hasOffer = [S.OFFERED, S.ACCEPTED, S.APPROVED].includes(status);
  return { status, intakeMonth: '2026-10', validUntil: '2027-03-31', ...(hasOffer ? { offer: OFFER } : {}), ...extra };
}

function thrown(fn: () => unknown): HubError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(HubError);
    return e as HubError;
  }
  throw new Error('expected a HubError');
}

describe('application status transitions', () => {
  // Written out by hand (not derived from TRANSITIONS) so that the table is checked, not restated.
  const allowed: Array<[E, S, S, A, Record<string, unknown>, string]> = [
    [E.DELIVERY_ACKNOWLEDGED, S.SUBMITTED, S.DELIVERED, A.SYSTEM, {}, DURING_CYCLE],
    [E.RECEIVED, S.DELIVERED, S.RECEIVED, A.MUNICIPALITY, {}, DURING_CYCLE],
    [E.RECEIVED, S.DELIVERED, S.RECEIVED, A.ADMIN, {}, DURING_CYCLE],
    [E.RETURNED, S.DELIVERED, S.RETURNED, A.MUNICIPALITY, { missingDocuments: ['就労証明書'], fixDueDate: '2026-09-05' }, DURING_CYCLE],
    [E.RETURNED, S.RECEIVED, S.RETURNED, A.MUNICIPALITY, { missingDocuments: ['就労証明書'], fixDueDate: '2026-09-05' }, DURING_CYCLE],
    [E.RETURNED, S.NOT_PLACED, S.RETURNED, A.MUNICIPALITY, { missingDocuments: ['求職活動申立書'], fixDueDate: '2026-12-05' }, DURING_CYCLE],
    [E.DOCUMENT_ADDED, S.RETURNED, S.SUBMITTED, A.PARTNER, { documents: ['就労証明書'] }, DURING_CYCLE],
    [E.ALLOCATION_STARTED, S.RECEIVED, S.UNDER_ALLOCATION, A.MUNICIPALITY, {}, DURING_CYCLE],
    [E.OFFERED, S.RECEIVED, S.OFFERED, A.MUNICIPALITY, OFFER_PAYLOAD, DURING_CYCLE],
    [E.OFFERED, S.UNDER_ALLOCATION, S.OFFERED, A.MUNICIPALITY, OFFER_PAYLOAD, DURING_CYCLE],
    [E.NOT_PLACED, S.RECEIVED, S.NOT_PLACED, A.MUNICIPALITY, {}, DURING_CYCLE],
    [E.NOT_PLACED, S.UNDER_ALLOCATION, S.NOT_PLACED, A.MUNICIPALITY, { reason: '指数不足' }, DURING_CYCLE],
    [E.REJECTED, S.RECEIVED, S.REJECTED, A.MUNICIPALITY, { reason: '保育の必要性の要件を満たさない' }, DURING_CYCLE],
    [E.REJECTED, S.UNDER_ALLOCATION, S.REJECTED, A.ADMIN, { reason: '保育の必要性の要件を満たさない' }, DURING_CYCLE],
    [E.OFFER_ACCEPTED, S.OFFERED, S.ACCEPTED, A.PARTNER, {}, DURING_CYCLE],
    [E.OFFER_DECLINED, S.OFFERED, S.DECLINED, A.PARTNER, {}, DURING_CYCLE],
    [E.OFFER_LAPSED, S.OFFERED, S.OFFER_LAPSED, A.SYSTEM, {}, AFTER_RESPOND_BY],
    [E.APPROVED, S.ACCEPTED, S.APPROVED, A.MUNICIPALITY, {}, DURING_CYCLE],
    [E.ENROLLED, S.APPROVED, S.ENROLLED, A.MUNICIPALITY, {}, DURING_CYCLE],
    ...[S.SUBMITTED, S.DELIVERED, S.RECEIVED, S.RETURNED, S.UNDER_ALLOCATION, S.OFFERED, S.NOT_PLACED, S.ACCEPTED, S.APPROVED]
      .map((from): [E, S, S, A, Record<string, unknown>, string] => [E.WITHDRAWN, from, S.WITHDRAWN, A.PARTNER, {}, DURING_CYCLE]),
    [E.WITHDRAWN, S.RECEIVED, S.WITHDRAWN, A.MUNICIPALITY, { reason: '窓口で取下げ' }, DURING_CYCLE],
    ...[S.SUBMITTED, S.DELIVERED, S.RECEIVED, S.RETURNED, S.UNDER_ALLOCATION, S.NOT_PLACED]
      .map((from): [E, S, S, A, Record<string, unknown>, string] => [E.EXPIRED, from, S.EXPIRED, A.SYSTEM, {}, AFTER_VALIDITY]),
    [E.ROLLED_OVER, S.NOT_PLACED, S.RECEIVED, A.SYSTEM, {}, DURING_CYCLE],
  ];

  it.each(allowed)('%s: %s → %s by %s', (type, from, to, actor, payload, at) => {
    const result = applyStatusEvent(stateIn(from), { type, actor, at, payload });
    expect(result.status).toBe(to);
    expect(result.timelineEntry).toMatchObject({ fromStatus: from, toStatus: to, type, actor, at: new Date(at).toISOString() });
    expect(result.timelineEntry.detailsEn).not.toBe('');
    expect(result.timelineEntry.detailsJa).toMatch(/[ぁ-んァ-ン一-龥]/);
  });

  it('the hand-written table covers every (event, from-status) pair of TRANSITIONS', () => {
    const covered = new Set(allowed.map(([type, from]) => `${type}:${from}`));
    const declared = Object.entries(TRANSITIONS).flatMap(([type, t]) => t.from.map((from) => `${type}:${from}`));
    expect(declared.filter((pair) => !covered.has(pair))).toEqual([]);
    expect([...covered].filter((pair) => !declared.includes(pair))).toEqual([]);
  });

  it.each<[string, S, E, A]>([
    ['offered → enrolled without acceptance', S.OFFERED, E.ENROLLED, A.MUNICIPALITY],
    ['offered → approved without acceptance', S.OFFERED, E.APPROVED, A.MUNICIPALITY],
    ['rejected → accepted', S.REJECTED, E.OFFER_ACCEPTED, A.PARTNER],
    ['enrolled → withdrawn', S.ENROLLED, E.WITHDRAWN, A.PARTNER],
    ['submitted → received before delivery', S.SUBMITTED, E.RECEIVED, A.MUNICIPALITY],
    ['received → offer accepted', S.RECEIVED, E.OFFER_ACCEPTED, A.PARTNER],
    ['not placed → rolled over twice without allocation', S.RECEIVED, E.ROLLED_OVER, A.SYSTEM],
    ['offered → expired (the offer lapses instead)', S.OFFERED, E.EXPIRED, A.SYSTEM],
    ['accepted → expired', S.ACCEPTED, E.EXPIRED, A.SYSTEM],
    ['declined → accepted', S.DECLINED, E.OFFER_ACCEPTED, A.PARTNER],
    ...Object.values(E).map((type): [string, S, E, A] => [`withdrawn → ${type}`, S.WITHDRAWN, type, TRANSITIONS[type].actors[0]]),
    ...Object.values(E).map((type): [string, S, E, A] => [`expired → ${type}`, S.EXPIRED, type, TRANSITIONS[type].actors[0]]),
  ])('refuses %s with INVALID_TRANSITION', (_name, from, type, actor) => {
    const error = thrown(() => applyStatusEvent(stateIn(from), { type, actor, at: DURING_CYCLE, payload: {} }));
    expect(error.code).toBe('INVALID_TRANSITION');
    expect(error.details).toEqual({ from, event: type, allowedFrom: [...TRANSITIONS[type].from] });
    expect(error.messageJa).not.toBe('');
  });

  it.each<[string, S, E, A]>([
    ['partner sending RECEIVED', S.DELIVERED, E.RECEIVED, A.PARTNER],
    ['partner sending OFFERED', S.UNDER_ALLOCATION, E.OFFERED, A.PARTNER],
    ['municipality accepting an offer', S.OFFERED, E.OFFER_ACCEPTED, A.MUNICIPALITY],
    ['admin accepting an offer for the family', S.OFFERED, E.OFFER_ACCEPTED, A.ADMIN],
    ['municipality declining an offer', S.OFFERED, E.OFFER_DECLINED, A.MUNICIPALITY],
    ['municipality acknowledging delivery', S.SUBMITTED, E.DELIVERY_ACKNOWLEDGED, A.MUNICIPALITY],
    ['partner expiring an application', S.NOT_PLACED, E.EXPIRED, A.PARTNER],
    ['municipality adding a document', S.RETURNED, E.DOCUMENT_ADDED, A.MUNICIPALITY],
    ['system withdrawing', S.RECEIVED, E.WITHDRAWN, A.SYSTEM],
    // The actor is checked before the status, so a wrong actor learns nothing about the state.
    ['partner sending ENROLLED to a withdrawn application', S.WITHDRAWN, E.ENROLLED, A.PARTNER],
  ])('refuses %s with FORBIDDEN', (_name, from, type, actor) => {
    const error = thrown(() => applyStatusEvent(stateIn(from), { type, actor, at: DURING_CYCLE, payload: OFFER_PAYLOAD }));
    expect(error.code).toBe('FORBIDDEN');
    expect(error.details).toMatchObject({ event: type, actor });
  });
});

describe('offer response deadline', () => {
  it.each<[string, E, string, string | null]>([
    ['accept on the response date, late evening JST', E.OFFER_ACCEPTED, '2026-09-20T23:59:59+09:00', null],
    ['accept after the response date', E.OFFER_ACCEPTED, '2026-09-21T00:00:00+09:00', 'OFFER_RESPONSE_DEADLINE_PASSED'],
    ['accept at 15:00 UTC on the 20th (= 00:00 JST on the 21st)', E.OFFER_ACCEPTED, '2026-09-20T15:00:00Z', 'OFFER_RESPONSE_DEADLINE_PASSED'],
    ['decline after the response date', E.OFFER_DECLINED, '2026-09-22T09:00:00+09:00', 'OFFER_RESPONSE_DEADLINE_PASSED'],
    ['lapse on the response date', E.OFFER_LAPSED, '2026-09-20T12:00:00+09:00', 'OFFER_RESPONSE_DEADLINE_NOT_PASSED'],
    ['lapse the day after', E.OFFER_LAPSED, '2026-09-21T00:00:01+09:00', null],
  ])('%s', (_name, type, at, expectedCode) => {
    const actor = type === E.OFFER_LAPSED ? A.SYSTEM : A.PARTNER;
    const apply = () => applyStatusEvent(stateIn(S.OFFERED), { type, actor, at: new Date(at) });
    if (expectedCode) expect(thrown(apply).code).toBe(expectedCode);
    else expect(apply().status).toBe(TRANSITIONS[type].to);
  });

  it.each<[string, boolean]>([
    ['2026-09-20T23:59:59+09:00', false],
    ['2026-09-21T00:00:00+09:00', true],
  ])('shouldLapseOffer at %s is %s', (now, expected) => {
    expect(shouldLapseOffer(stateIn(S.OFFERED), new Date(now))).toBe(expected);
    expect(shouldLapseOffer(stateIn(S.ACCEPTED), new Date(now))).toBe(false);
  });

  it('keeps the offer after acceptance, so the facility and entry date stay visible', () => {
    const accepted = applyStatusEvent(stateIn(S.OFFERED), { type: E.OFFER_ACCEPTED, actor: A.PARTNER, at: DURING_CYCLE });
    expect(accepted.offer).toEqual(OFFER);
  });
});

describe('payload validation', () => {
  it.each<[E, S, Record<string, unknown>, string]>([
    [E.OFFERED, S.UNDER_ALLOCATION, { ...OFFER_PAYLOAD, respondBy: undefined }, 'payload.respondBy'],
    [E.OFFERED, S.UNDER_ALLOCATION, { ...OFFER_PAYLOAD, facilityId: '' }, 'payload.facilityId'],
    [E.OFFERED, S.UNDER_ALLOCATION, { ...OFFER_PAYLOAD, entryDate: '2026-02-30' }, 'payload.entryDate'],
    [E.OFFERED, S.UNDER_ALLOCATION, { ...OFFER_PAYLOAD, respondBy: '2026-10-02' }, 'payload.respondBy'],
    [E.OFFERED, S.UNDER_ALLOCATION, { ...OFFER_PAYLOAD, steps: undefined }, 'payload.steps'],
    [E.OFFERED, S.UNDER_ALLOCATION, { ...OFFER_PAYLOAD, steps: [{ kind: 'TOUR' }] }, 'payload.steps[0].kind'],
    [E.OFFERED, S.UNDER_ALLOCATION, { ...OFFER_PAYLOAD, steps: [{ kind: 'INTERVIEW', dueDate: 'soon' }] }, 'payload.steps[0].dueDate'],
    [E.RETURNED, S.DELIVERED, { fixDueDate: '2026-09-05' }, 'payload.missingDocuments'],
    [E.RETURNED, S.DELIVERED, { missingDocuments: [], fixDueDate: '2026-09-05' }, 'payload.missingDocuments'],
    [E.RETURNED, S.DELIVERED, { missingDocuments: ['就労証明書'] }, 'payload.fixDueDate'],
    [E.REJECTED, S.UNDER_ALLOCATION, {}, 'payload.reason'],
    [E.DOCUMENT_ADDED, S.RETURNED, {}, 'payload.documents'],
    [E.ROLLED_OVER, S.NOT_PLACED, { noIntakeMonths: ['February'] }, 'payload.noIntakeMonths'],
  ])('%s from %s with %j names %s', (type, from, payload, field) => {
    const actor = TRANSITIONS[type].actors[0];
    const error = thrown(() => applyStatusEvent(stateIn(from), { type, actor, at: DURING_CYCLE, payload }));
    expect([error.code, error.field]).toEqual(['BAD_USER_INPUT', field]);
    expect(error.message).toContain(field);
    expect(error.messageJa).toContain(field);
  });

  it('refuses an unreadable event time', () => {
    const error = thrown(() => applyStatusEvent(stateIn(S.SUBMITTED), { type: E.DELIVERY_ACKNOWLEDGED, actor: A.SYSTEM, at: 'yesterday' }));
    expect([error.code, error.field]).toEqual(['BAD_USER_INPUT', 'at']);
  });

  it('records what is missing and by when, and clears it when the document is added', () => {
    const returned = applyStatusEvent(stateIn(S.DELIVERED), {
      type: E.RETURNED, actor: A.MUNICIPALITY, at: DURING_CYCLE,
      payload: { missingDocuments: ['就労証明書', '家庭状況書'], fixDueDate: '2026-09-05' },
    });
    expect(returned.returnNotice).toEqual({ missingDocuments: ['就労証明書', '家庭状況書'], fixDueDate: '2026-09-05' });
    expect(returned.timelineEntry.detailsJa).toContain('2026年9月5日');
    const { timelineEntry: _ignored, ...returnedState } = returned;
    const resubmitted = applyStatusEvent(returnedState, {
      type: E.DOCUMENT_ADDED, actor: A.PARTNER, at: DURING_CYCLE, payload: { documents: ['就労証明書'] },
    });
    expect(resubmitted.status).toBe(S.SUBMITTED);
    expect(resubmitted).not.toHaveProperty('returnNotice');
  });
});

describe('not placed: monthly rollover until validity ends', () => {
  it('rolls into each next intake month (skipping months without intake), then expires', () => {
    // 荒川区-like calendar: no February or March intake. Validity: 6 months from October → 2027-03-31.
    const noIntakeMonths = ['02', '03'];
    let state: ApplicationStatusState = {
      status: S.RECEIVED, intakeMonth: '2026-10', validUntil: computeValidUntil('2026-10', { kind: 'MONTHS', months: 6 }),
    };
    const visited: string[] = [];
    const timeline: string[] = [];
    const step = (type: E, actor: A, at: string, payload?: Record<string, unknown>) => {
      const { timelineEntry, ...next } = applyStatusEvent(state, { type, actor, at, payload });
      timeline.push(`${timelineEntry.type}:${next.intakeMonth}`);
      state = next;
    };

    for (;;) {
      visited.push(state.intakeMonth);
      step(E.NOT_PLACED, A.MUNICIPALITY, `${state.intakeMonth}-01T09:00:00+09:00`);
      const target = rolloverTarget(state, noIntakeMonths);
      if (!target) break;
      step(E.ROLLED_OVER, A.SYSTEM, `${state.intakeMonth}-20T03:00:00+09:00`, { noIntakeMonths });
      expect(state).toMatchObject({ status: S.RECEIVED, intakeMonth: target });
    }

    expect(visited).toEqual(['2026-10', '2026-11', '2026-12', '2027-01']);
    expect(state.status).toBe(S.NOT_PLACED);
    // April is past 2027-03-31: the system may not roll over, and waits for the validity to end.
    expect(thrown(() => applyStatusEvent(state, { type: E.ROLLED_OVER, actor: A.SYSTEM, at: '2027-01-20T03:00:00+09:00', payload: { noIntakeMonths } })).code)
      .toBe('VALIDITY_ENDED');
    expect(shouldExpire(state, '2027-03-31')).toBe(false);
    expect(thrown(() => applyStatusEvent(state, { type: E.EXPIRED, actor: A.SYSTEM, at: '2027-03-31T23:00:00+09:00' })).code)
      .toBe('VALIDITY_NOT_ENDED');
    expect(shouldExpire(state, '2027-04-01')).toBe(true);
    step(E.EXPIRED, A.SYSTEM, '2027-04-01T00:05:00+09:00');
    expect(state.status).toBe(S.EXPIRED);
    // Each month is a visible event on the timeline.
    expect(timeline.filter((t) => t.startsWith('ROLLED_OVER'))).toEqual(['ROLLED_OVER:2026-11', 'ROLLED_OVER:2026-12', 'ROLLED_OVER:2027-01']);
  });

  it('rolls over without limit while validity is unknown', () => {
    expect(rolloverTarget(stateIn(S.NOT_PLACED, { validUntil: null, intakeMonth: '2027-12' }))).toBe('2028-01');
    expect(shouldExpire(stateIn(S.NOT_PLACED, { validUntil: null }), '2099-01-01')).toBe(false);
  });

  it('says in the rollover entry which month it came from and goes to', () => {
    const result = applyStatusEvent(stateIn(S.NOT_PLACED, { intakeMonth: '2027-01' }), {
      type: E.ROLLED_OVER, actor: A.SYSTEM, at: DURING_CYCLE, payload: { noIntakeMonths: ['02'] },
    });
    expect(result.intakeMonth).toBe('2027-03');
    expect(result.timelineEntry.data).toEqual({ previousIntakeMonth: '2027-01', intakeMonth: '2027-03' });
    expect(result.timelineEntry.detailsJa).toContain('2027年3月');
  });

  it.each<[S, string, boolean]>([
    [S.NOT_PLACED, '2027-04-01', true],
    [S.RECEIVED, '2027-04-01T00:00:00+09:00', true],
    [S.RECEIVED, '2027-03-31T14:59:59Z', false], // 23:59:59 JST on the last valid day
    [S.OFFERED, '2027-04-01', false], // the offer lapses on its own deadline
    [S.ACCEPTED, '2027-04-01', false],
    [S.WITHDRAWN, '2027-04-01', false],
  ])('shouldExpire(%s, %s) is %s', (status, today, expected) => {
    expect(shouldExpire(stateIn(status), today)).toBe(expected);
  });
});

describe('rolloverDue', () => {
  it.each<[S, string, string, string | null, string[]]>([
    [S.NOT_PLACED, '2026-10', '2026-09-30', null, []], // the October allocation may still place the child
    [S.NOT_PLACED, '2026-10', '2026-09-30T15:00:00Z', '2026-11', []], // 00:00 JST on 1 October
    [S.NOT_PLACED, '2026-10', '2026-10-01', '2026-11', []],
    [S.NOT_PLACED, '2026-10', '2026-12-15', '2026-11', []], // late: one month per event, each visible
    [S.NOT_PLACED, '2027-01', '2027-01-01', '2027-03', ['02']], // no February intake
    [S.NOT_PLACED, '2027-03', '2027-03-01', null, []], // April is past the validity (2027-03-31)
    [S.RECEIVED, '2026-10', '2026-10-01', null, []],
  ])('%s for %s on %s rolls into %s (no intake %j)', (status, intakeMonth, today, expected, noIntake) => {
    expect(rolloverDue(stateIn(status, { intakeMonth }), today, noIntake)).toBe(expected);
  });
});

describe('samePayload', () => {
  it.each<[Record<string, unknown>, Record<string, unknown>, boolean]>([
    [{ a: 1, b: [1, 2] }, { b: [1, 2], a: 1 }, true],
    [{ steps: [{ kind: 'INTERVIEW', dueDate: null }] }, { steps: [{ kind: 'INTERVIEW' }] }, true],
    [{ reason: 'x' }, { reason: 'y' }, false],
    [{ b: [1, 2] }, { b: [2, 1] }, false],
    [{}, { reason: undefined }, true],
  ])('%j vs %j is %s', (a, b, expected) => {
    expect(samePayload(a, b)).toBe(expected);
  });
});

describe('nextIntakeMonth', () => {
  it.each<[string, string[], string]>([
    ['2026-10', [], '2026-11'],
    ['2026-12', [], '2027-01'],
    ['2027-01', ['02', '03'], '2027-04'],
    ['2027-01', ['2027-02'], '2027-03'],
    ['2028-01', ['2027-02'], '2028-02'],
    ['2026-12', ['01', '2027-02'], '2027-03'],
  ])('after %s skipping %j is %s', (month, skipped, expected) => {
    expect(nextIntakeMonth(month, skipped)).toBe(expected);
  });

  it.each([['2026-13'], ['202610'], ['2026-1']])('refuses the malformed month %s', (month) => {
    expect(thrown(() => nextIntakeMonth(month)).code).toBe('BAD_USER_INPUT');
  });

  it('refuses a calendar with no intake at all', () => {
    const everyMonth = ['01', '02', '03', '04', '05', '06', '07', '08', '09', '10', '11', '12'];
    expect(thrown(() => nextIntakeMonth('2026-10', everyMonth)).field).toBe('noIntakeMonths');
  });
});

describe('computeValidUntil', () => {
  it.each<[string, Parameters<typeof computeValidUntil>[1], string]>([
    ['2026-10', { kind: 'MONTHS', months: 6 }, '2027-03-31'], // 板橋区: 6 intake months including the first
    ['2026-09', { kind: 'MONTHS', months: 6 }, '2027-02-28'],
    ['2027-09', { kind: 'MONTHS', months: 6 }, '2028-02-29'], // leap year
    ['2026-10', { kind: 'MONTHS', months: 1 }, '2026-10-31'],
    ['2026-10', { kind: 'END_OF_FISCAL_YEAR' }, '2027-03-31'],
    ['2027-01', { kind: 'END_OF_FISCAL_YEAR' }, '2027-03-31'],
    ['2027-03', { kind: 'END_OF_FISCAL_YEAR' }, '2027-03-31'],
    ['2027-04', { kind: 'END_OF_FISCAL_YEAR' }, '2028-03-31'],
  ])('%s with %j → %s', (intakeMonth, policy, expected) => {
    expect(computeValidUntil(intakeMonth, policy)).toBe(expected);
  });

  it.each([[0], [-1], [1.5]])('refuses %s months', (months) => {
    expect(thrown(() => computeValidUntil('2026-10', { kind: 'MONTHS', months })).field).toBe('policy.months');
  });
});

describe('status classification', () => {
  it.each<[S, boolean]>([
    [S.SUBMITTED, true], [S.DELIVERED, true], [S.RECEIVED, true], [S.RETURNED, true], [S.UNDER_ALLOCATION, true],
    [S.OFFERED, true], [S.NOT_PLACED, true], [S.ACCEPTED, true], [S.APPROVED, true],
    [S.REJECTED, false], [S.DECLINED, false], [S.OFFER_LAPSED, false], [S.ENROLLED, false], [S.WITHDRAWN, false], [S.EXPIRED, false],
  ])('%s is active: %s', (status, active) => {
    expect(isActive(status)).toBe(active);
    expect(isTerminal(status)).toBe(!active);
    // Terminal means no way out, and the table agrees.
    expect(allowedEvents(status).length === 0).toBe(!active);
  });

  it.each<[S, A | undefined, E[]]>([
    [S.OFFERED, A.PARTNER, [E.OFFER_ACCEPTED, E.OFFER_DECLINED, E.WITHDRAWN]],
    [S.OFFERED, A.SYSTEM, [E.OFFER_LAPSED]],
    [S.NOT_PLACED, A.SYSTEM, [E.EXPIRED, E.ROLLED_OVER]],
    [S.RECEIVED, A.MUNICIPALITY, [E.RETURNED, E.ALLOCATION_STARTED, E.OFFERED, E.NOT_PLACED, E.REJECTED, E.WITHDRAWN]],
    [S.APPROVED, undefined, [E.ENROLLED, E.WITHDRAWN]],
  ])('allowedEvents(%s, %s)', (status, actor, expected) => {
    expect(allowedEvents(status, actor).sort()).toEqual([...expected].sort());
  });

  it('has a Japanese label for every status', () => {
    expect(Object.values(S).filter((s) => !APPLICATION_STATUS_JA[s])).toEqual([]);
    expect(APPLICATION_STATUS_JA[S.NOT_PLACED]).toBe('保留');
  });

  it.each<[string, string]>([
    ['2026-09-20T15:00:00Z', '2026-09-21'],
    ['2026-09-20T14:59:59Z', '2026-09-20'],
    ['2026-09-20', '2026-09-20'],
  ])('toJapanDate(%s) is %s', (value, expected) => {
    expect(toJapanDate(value)).toBe(expected);
  });
});

describe('municipality events arriving out of order', () => {
  const offeredPayload = OFFER_PAYLOAD;

  it('applies an event whose expected status matches', () => {
    expect(checkEventOrder(stateIn(S.UNDER_ALLOCATION), { type: E.OFFERED, expectedStatus: S.UNDER_ALLOCATION, payload: offeredPayload }))
      .toBe('APPLY');
  });

  it('treats an exact repeat of the last applied event as a duplicate', () => {
    const applied = applyStatusEvent(stateIn(S.UNDER_ALLOCATION), { type: E.OFFERED, actor: A.MUNICIPALITY, at: DURING_CYCLE, payload: offeredPayload });
    const { timelineEntry, ...state } = applied;
    expect(checkEventOrder(state, { type: E.OFFERED, expectedStatus: S.UNDER_ALLOCATION, payload: offeredPayload }, timelineEntry))
      .toBe('DUPLICATE');
    // Same content, keys in another order and the optional dueDate spelled out as null.
    const resent = { steps: [{ kind: 'INTERVIEW', dueDate: '2026-09-25' }, { kind: 'HEALTH_CHECK', dueDate: null }], respondBy: '2026-09-20', entryDate: '2026-10-01', facilityId: 'fac-123' };
    expect(checkEventOrder(state, { type: E.OFFERED, expectedStatus: S.UNDER_ALLOCATION, payload: resent }, timelineEntry)).toBe('DUPLICATE');
    // A repeat of an older event is not a duplicate of the last one.
    expect(() => checkEventOrder(state, { type: E.ALLOCATION_STARTED, expectedStatus: S.RECEIVED }, timelineEntry)).toThrow(HubError);
  });

  it.each<[string, ApplicationStatusState, Parameters<typeof checkEventOrder>[1]]>([
    ['a decision for an application the family has withdrawn', stateIn(S.WITHDRAWN),
      { type: E.OFFERED, expectedStatus: S.UNDER_ALLOCATION, payload: offeredPayload }],
    ['an offer whose content differs from the one already applied', stateIn(S.OFFERED),
      { type: E.OFFERED, expectedStatus: S.UNDER_ALLOCATION, payload: { ...offeredPayload, facilityId: 'fac-999' } }],
    ['an ENROLLED that overtook its APPROVED', stateIn(S.ACCEPTED), { type: E.ENROLLED, expectedStatus: S.APPROVED }],
    ["last month's decision arriving after the rollover", stateIn(S.RECEIVED, { intakeMonth: '2026-11' }),
      { type: E.NOT_PLACED, expectedStatus: S.RECEIVED, expectedIntakeMonth: '2026-10' }],
  ])('refuses %s with CONFLICT', (_name, state, incoming) => {
    const lastApplied = state.status === S.OFFERED ? { type: E.OFFERED, data: { ...OFFER } } : undefined;
    const error = thrown(() => checkEventOrder(state, incoming, lastApplied));
    expect(error.code).toBe('CONFLICT');
    expect(error.details).toMatchObject({ event: incoming.type, expectedStatus: incoming.expectedStatus, currentStatus: state.status });
  });
});
