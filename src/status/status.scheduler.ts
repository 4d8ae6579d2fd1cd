import { BeforeApplicationShutdown, Inject, Injectable, OnApplicationBootstrap } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { CLOCK, Clock } from '../common/clock';
import { RepeatingTask } from '../common/repeating-task';
import { claimPeriod, periodStart, recordRun, tryJobLock } from '../common/scheduled-job';
import { rootLogger } from '../common/logger';
import { AppConfig } from '../config/app-config';
import {
  rolloverDue, shouldExpire, shouldLapseOffer, StatusActor, StatusEventType,
  toJapanDate,
} from './application-status';
import { StatusNotifier } from './status-notifier';
import { REMINDER_EVENT_PREFIX } from './status.errors';
import { NotificationKind, StatusReminderKind } from './status.entities';
import { ApplicationRow, stateOf, StatusService } from './status.service';

/** pg_try_advisory_xact_lock key: one scheduler run or catch-up at a time across every instance of the hub. */
export const STATUS_SCHEDULER_LOCK = 7_140_006;
/** The full run's name in scheduled_job_run: it runs once per HUB_SCHEDULER_PERIOD_MS (a minute) across all instances. */
export const STATUS_SCHEDULER_JOB = 'status-scheduler';
/** How far back the full run (once a minute) looks for timeline entries not yet sent to partners. */
export const CATCH_UP_WINDOW = '7 days';
/**
 * How far back the quick catch-up (every worker interval) looks: it runs twice a second, so reading
 * seven days of timeline each time would cost in proportion to a week's traffic, all day long.
 */
export const QUICK_CATCH_UP_WINDOW = '2 minutes';
/** At most this many applications per job and run, so one run stays a short transaction. */
const BATCH = 200;
/** How far ahead each reminder is sent (days before the due date, Japan time). */
export const REMINDER_LEAD_DAYS: Record<StatusReminderKind, number> = {
  OFFER_RESPONSE_DUE: 2,
  RETURN_FIX_DUE: 3,
  INTAKE_DEADLINE: 3,
};

export interface SchedulerReport {
  /** False when this run did nothing: see `skipped`. */
  ran: boolean;
  /** BUSY: another run held the job's lock; DONE: the period (of a timed run) had run already. */
  skipped?: 'BUSY' | 'DONE';
  /** The period a timed run claimed (scheduled_job_run), as an ISO time; none for an explicit runOnce(). */
  period?: string;
  lapsed: number;
  rolledOver: number;
  expired: number;
  reminders: number;
  /** Timeline entries sent to partners that another feature had written (delivery acknowledgements). */
  caughtUp: number;
  failed: number;
}

type DueRow = Omit<ApplicationRow, 'version'>;
/** A condition on `application a` with its parameters ($1…). */
interface DueCondition {
  where: string;
  params: unknown[];
}

/**
 * The hub's own status events and reminders, on a timer (when HUB_WORKERS is on) and through
 * `runOnce()` for tests and the command line. Each run is one transaction that first takes a
 * transaction-scoped advisory lock: another instance (or an overlapping run) finds it taken and
 * does nothing. The timer's full run also claims its minute in scheduled_job_run
 * (src/common/scheduled-job.ts), so it runs once per minute across all instances, not once on each.
 *
 * A run locks every application it may change up front, in id order, in one statement, and changes
 * only those: a transaction that locks applications in the same order (the delivery acknowledgement
 * does) waits for it instead of deadlocking with it. Within a run each application is changed under
 * a savepoint, so one bad row is logged and skipped rather than blocking the rest. Reminders are
 * "once each" by a UNIQUE key, so even without the lock (or after a crash and restart) none is sent
 * twice. Time is the injected clock.
 */
@Injectable()
export class StatusScheduler implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly log = rootLogger.child({ context: 'StatusScheduler' });
  private loop: RepeatingTask | undefined;
  /** The last period of the process's own time in which this process tried the full run (and found it run, by itself or another instance). */
  private lastTried: number | undefined;
  private chain: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly db: DataSource,
    private readonly config: AppConfig,
    private readonly status: StatusService,
    private readonly notifier: StatusNotifier,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  onApplicationBootstrap() {
    if (!this.config.HUB_WORKERS) return;
    this.loop = new RepeatingTask('status scheduler run', this.config.HUB_WORKER_INTERVAL_MS, () => this.timedRound(), this.log);
    this.loop.start();
  }

  async beforeApplicationShutdown() {
    await this.loop?.stop();
  }

  /**
   * Catching up partner webhooks is cheap and should be quick; deadlines once a period across all
   * instances. Each instance tries once per period of real time (a minute starting on the minute),
   * and the period it claims is the hub clock's, which is the same in production; in tests the
   * injected clock jumps, and a jump alone starts no run (tests call runOnce when they want one).
   */
  private async timedRound() {
    const periodMs = this.config.HUB_SCHEDULER_PERIOD_MS;
    const now = Math.floor(Date.now() / periodMs);
    if (now !== this.lastTried) {
      const report = await this.runForPeriod(periodStart(this.clock.now(), periodMs));
      // BUSY: another instance runs the job right now (perhaps for this very period): look again next round.
      if (report.skipped !== 'BUSY') this.lastTried = now;
    } else {
      await this.catchUpNotifications();
    }
  }

  /** One full run now, whatever ran before (tests, tools): lapse, roll over, expire, remind, catch up notifications. */
  runOnce(): Promise<SchedulerReport> {
    return this.exclusive(() => this.run());
  }

  /** The timer's full run: only if no instance has run `period` yet (scheduled_job_run). */
  runForPeriod(period: Date): Promise<SchedulerReport> {
    return this.exclusive(() => this.run(period));
  }

  /**
   * Sends partners the timeline entries other features wrote (e.g. DELIVERED) in the last
   * QUICK_CATCH_UP_WINDOW: this runs every worker interval, so it reads only recent entries; the
   * minute's full run (runOnce) looks back CATCH_UP_WINDOW and takes whatever this one missed (an
   * entry committed late, or an application that was busy). Needs no advisory lock: each
   * application is caught up under its row lock and every message has a dedupe key.
   */
  catchUpNotifications(): Promise<number> {
    return this.exclusive(() =>
      this.db.transaction(async (m) => {
        // Another instance's catch-up or full run is at it: nothing to add now.
        if (!(await tryJobLock(m, STATUS_SCHEDULER_LOCK))) return 0;
        const ids = await this.lockApplications(m, [this.catchUpCandidates(QUICK_CATCH_UP_WINDOW)]);
        return this.catchUpIn(m, QUICK_CATCH_UP_WINDOW, ids);
      }),
    );
  }

  /** Runs of this process never overlap (the timer's and a caller's); other instances are kept out by the advisory lock. */
  private exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.chain.then(fn, fn);
    this.chain = run.catch(() => undefined);
    return run;
  }

  private async run(period?: Date): Promise<SchedulerReport> {
    const report: SchedulerReport = { ran: false, lapsed: 0, rolledOver: 0, expired: 0, reminders: 0, caughtUp: 0, failed: 0 };
    if (period) report.period = period.toISOString();
    await this.db.transaction(async (m) => {
      const claim = period ? await claimPeriod(m, STATUS_SCHEDULER_JOB, STATUS_SCHEDULER_LOCK, period) : (await tryJobLock(m, STATUS_SCHEDULER_LOCK)) ? 'CLAIMED' : 'BUSY';
      if (claim !== 'CLAIMED') {
        report.skipped = claim;
        return;
      }
      report.ran = true;
      const now = this.clock.now();
      const today = toJapanDate(now);
      const due = this.dueConditions(now, today);
      // Every application this run may change, locked now in id order; the steps below touch no other.
      const locked = await this.lockApplications(m, [due.lapse, due.rollOver, due.expire, this.catchUpCandidates(CATCH_UP_WINDOW)]);
      await this.lapseOffers(m, now, due.lapse, locked, report);
      await this.rollOver(m, today, now, due.rollOver, locked, report);
      await this.expire(m, today, due.expire, locked, report);
      await this.remindOffers(m, today, report);
      await this.remindReturns(m, today, report);
      await this.remindIntakeDeadlines(m, today, report);
      await this.recordVacancyAlerts(m);
      report.caughtUp += await this.catchUpIn(m, CATCH_UP_WINDOW, locked);
      if (period) await recordRun(m, STATUS_SCHEDULER_JOB, period, report);
    });
    if (report.ran) this.log.debug({ report }, 'status scheduler run');
    return report;
  }

  /** Which applications each step of a run changes (conditions on `application a`, with their parameters). */
  private dueConditions(now: Date, today: string) {
    return {
      lapse: { where: `a.status = 'OFFERED' AND (a.offer->>'respondBy') < $1`, params: [toJapanDate(now)] },
      rollOver: { where: `a.status = 'NOT_PLACED' AND a.intake_month <= $1`, params: [today.slice(0, 7)] },
      expire: { where: `a.status IN ('SUBMITTED','DELIVERED','RECEIVED','RETURNED','UNDER_ALLOCATION','NOT_PLACED') AND a.valid_until < $1::date`, params: [today] },
    } satisfies Record<string, DueCondition>;
  }

  /**
   * Applications with timeline entries recorded within the window (by the database's own time, on
   * application_event_recorded_idx) that the partner has not been sent; older ones are caught up by
   * the application's next change.
   */
  private catchUpCandidates(window: string): DueCondition {
    return {
      // Uncorrelated, so the recent entries (application_event_recorded_idx) drive it, not a walk over every application.
      where: `a.id IN (SELECT e.application_id FROM application_event e JOIN application x ON x.id = e.application_id
                        WHERE e.recorded_at > now() - $1::interval AND e.seq > x.notified_seq AND e.type <> 'SUBMITTED')`,
      params: [window],
    };
  }

  /**
   * Locks, in one statement and in id order, up to BATCH applications of each condition, and returns
   * their ids. Locking in one order is what keeps two runs (or a run and a request that locks several
   * applications in id order) from deadlocking: an earlier version locked them one by one, step by
   * step, in the order a query happened to return them, and two instances deadlocked (40P01).
   */
  private async lockApplications(m: EntityManager, conditions: DueCondition[]): Promise<string[]> {
    const params: unknown[] = [];
    const parts = conditions.map((c) => {
      const where = c.where.replace(/\$(\d+)/g, (_, n: string) => `$${Number(n) + params.length}`);
      params.push(...c.params);
      return `(SELECT a.id FROM application a WHERE ${where} ORDER BY a.id LIMIT ${BATCH})`;
    });
    const rows: Array<{ id: string }> = await m.query(
      `SELECT id FROM application WHERE id IN (${parts.join(' UNION ')}) ORDER BY id FOR UPDATE`,
      params,
    );
    return rows.map((r) => r.id);
  }

  private async catchUpIn(m: EntityManager, window: string, locked: string[]): Promise<number> {
    const { where, params } = this.catchUpCandidates(window);
    const rows: Array<{ id: string }> = await m.query(
      `SELECT a.id FROM application a WHERE a.id = ANY($${params.length + 1}) AND ${where} ORDER BY a.id`,
      [...params, locked],
    );
    let sent = 0;
    for (const { id } of rows) sent += await this.notifier.catchUp(m, id);
    return sent;
  }

  private async lapseOffers(m: EntityManager, now: Date, due: DueCondition, locked: string[], report: SchedulerReport) {
    const rows = await this.due(m, due, locked);
    for (const row of rows) {
      if (!shouldLapseOffer(stateOf(row), now)) continue;
      if (await this.systemEvent(m, row.id, { type: StatusEventType.OFFER_LAPSED }, report)) report.lapsed++;
    }
  }

  private async rollOver(m: EntityManager, today: string, now: Date, due: DueCondition, locked: string[], report: SchedulerReport) {
    const rows = await this.due(m, due, locked);
    const noIntake = await this.noIntakeMonths(m, [...new Set(rows.map((r) => r.primary_municipality_code))], now);
    for (const row of rows) {
      const months = noIntake.get(row.primary_municipality_code) ?? [];
      if (!rolloverDue(stateOf(row), today, months)) continue;
      if (await this.systemEvent(m, row.id, { type: StatusEventType.ROLLED_OVER, payload: { noIntakeMonths: months } }, report)) report.rolledOver++;
    }
  }

  private async expire(m: EntityManager, today: string, due: DueCondition, locked: string[], report: SchedulerReport) {
    const rows = await this.due(m, due, locked);
    for (const row of rows) {
      if (!shouldExpire(stateOf(row), today)) continue;
      if (await this.systemEvent(m, row.id, { type: StatusEventType.EXPIRED }, report)) report.expired++;
    }
  }

  private async remindOffers(m: EntityManager, today: string, report: SchedulerReport) {
    const rows = await this.due(m, { where: `a.status = 'OFFERED' AND (a.offer->>'respondBy') BETWEEN $1 AND to_char($1::date + $2::int, 'YYYY-MM-DD')`,
      params: [today, REMINDER_LEAD_DAYS.OFFER_RESPONSE_DUE] });
    for (const row of rows) {
      const offer = row.offer!;
      report.reminders += await this.remind(m, {
        kind: StatusReminderKind.OFFER_RESPONSE_DUE,
        dedupeKey: `offer-response:${row.id}:${offer.respondBy}`,
        partnerClientId: row.partner_client_id,
        applicationId: row.id,
        municipalityCode: row.primary_municipality_code,
        dueDate: offer.respondBy,
        data: {
          applicationId: row.id, dueDate: offer.respondBy, facilityId: offer.facilityId, entryDate: offer.entryDate,
          message: {
            en: `Answer the offer (内定) at facility ${offer.facilityId} by ${offer.respondBy}, or it lapses.`,
            ja: `施設 ${offer.facilityId} の内定への回答期限は ${offer.respondBy} です。期限を過ぎると内定は失効します。`,
          },
        },
      });
    }
  }

  private async remindReturns(m: EntityManager, today: string, report: SchedulerReport) {
    const rows = await this.due(m, { where: `a.status = 'RETURNED' AND (a.return_notice->>'fixDueDate') BETWEEN $1 AND to_char($1::date + $2::int, 'YYYY-MM-DD')`,
      params: [today, REMINDER_LEAD_DAYS.RETURN_FIX_DUE] });
    for (const row of rows) {
      const notice = row.return_notice!;
      report.reminders += await this.remind(m, {
        kind: StatusReminderKind.RETURN_FIX_DUE,
        dedupeKey: `return-fix:${row.id}:${notice.fixDueDate}`,
        partnerClientId: row.partner_client_id,
        applicationId: row.id,
        municipalityCode: row.primary_municipality_code,
        dueDate: notice.fixDueDate,
        data: {
          applicationId: row.id, dueDate: notice.fixDueDate, missingDocuments: notice.missingDocuments,
          message: {
            en: `Add the missing documents (${notice.missingDocuments.join(', ')}) by ${notice.fixDueDate}.`,
            ja: `不足書類（${notice.missingDocuments.join('、')}）を ${notice.fixDueDate} までに追加してください。`,
          },
        },
      });
    }
  }

  /**
   * A family watching an intake month (vacancy watch) is told when that month's application deadline
   * (締切) of the watched municipality — or of each watched facility's municipality — is near. The
   * deadline comes from the municipality's intake calendar in force; without one, nothing is sent.
   */
  private async remindIntakeDeadlines(m: EntityManager, today: string, report: SchedulerReport) {
    const rows: Array<{ watch_id: string; partner_id: string; parent_reference: string; endpoint_id: string; intake_month: string; municipality_code: string; closes_on: string }> = await m.query(
      `WITH watched AS (
         SELECT w.id, w.partner_id, w.parent_reference, w.endpoint_id, w.intake_month, w.municipality_code AS code FROM vacancy_watch w
          WHERE w.municipality_code IS NOT NULL AND w.intake_month >= $3
         UNION
         SELECT w.id, w.partner_id, w.parent_reference, w.endpoint_id, w.intake_month, f.municipality_code FROM vacancy_watch w
           JOIN facility f ON f.id = ANY(w.facility_ids) WHERE w.facility_ids IS NOT NULL AND w.intake_month >= $3),
       procedure AS (
         SELECT DISTINCT ON (municipality_code, fiscal_year) id, municipality_code FROM intake_procedure
          WHERE valid_from <= $4 ORDER BY municipality_code, fiscal_year, version DESC)
       SELECT w.id AS watch_id, w.partner_id, w.parent_reference, w.endpoint_id, w.intake_month, w.code AS municipality_code,
              to_char(c.closes_on, 'YYYY-MM-DD') AS closes_on
         FROM watched w JOIN procedure p ON p.municipality_code = w.code
         JOIN intake_cycle c ON c.procedure_id = p.id AND c.intake_month = w.intake_month
        WHERE c.has_intake AND c.closes_on BETWEEN $1::date AND $1::date + $2::int
        ORDER BY c.closes_on, w.id LIMIT ${BATCH}`,
      [today, REMINDER_LEAD_DAYS.INTAKE_DEADLINE, today.slice(0, 7), this.clock.now()],
    );
    for (const row of rows) {
      report.reminders += await this.remind(m, {
        kind: StatusReminderKind.INTAKE_DEADLINE,
        dedupeKey: `intake-deadline:${row.watch_id}:${row.municipality_code}:${row.intake_month}`,
        partnerClientId: row.partner_id,
        endpointId: row.endpoint_id,
        vacancyWatchId: row.watch_id,
        municipalityCode: row.municipality_code,
        dueDate: row.closes_on,
        data: {
          vacancyWatchId: row.watch_id, parentReference: row.parent_reference, municipalityCode: row.municipality_code,
          intakeMonth: row.intake_month, dueDate: row.closes_on,
          message: {
            en: `Applications for intake ${row.intake_month} in ${row.municipality_code} close on ${row.closes_on}.`,
            ja: `${row.municipality_code} の ${row.intake_month} 入所の申込締切は ${row.closes_on} です。`,
          },
        },
      });
    }
  }

  /** Vacancy alerts the vacancies feature sent to partners become notifications, so their 閲覧率 is measured too. */
  private async recordVacancyAlerts(m: EntityManager) {
    await m.query(
      `INSERT INTO notification (id, partner_client_id, kind, sent_at)
       SELECT o.id, e.owner_id::uuid, 'VACANCY_ALERT', o.created_at
         FROM outbox_message o JOIN webhook_endpoint e ON e.id = o.endpoint_id AND e.owner_kind = 'PARTNER'
        WHERE o.type LIKE 'jp.hokatsu.vacancy.%' AND o.created_at > $1::timestamptz - interval '7 days'
          AND NOT EXISTS (SELECT 1 FROM notification n WHERE n.id = o.id)
       ON CONFLICT (id) DO NOTHING`,
      [this.clock.now()],
    );
  }

  /** Sends one reminder unless its dedupe key was already used; returns 1 when it was sent now. */
  private async remind(m: EntityManager, r: {
    kind: StatusReminderKind; dedupeKey: string; partnerClientId: string; applicationId?: string; vacancyWatchId?: string; endpointId?: string;
    municipalityCode: string; dueDate: string; data: Record<string, unknown>;
  }): Promise<number> {
    const inserted: Array<{ id: string }> = await m.query(
      `INSERT INTO status_reminder (dedupe_key, kind, partner_client_id, application_id, vacancy_watch_id, due_date, sent_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (dedupe_key) DO NOTHING RETURNING id`,
      [r.dedupeKey, r.kind, r.partnerClientId, r.applicationId ?? null, r.vacancyWatchId ?? null, r.dueDate, this.clock.now()],
    );
    if (inserted.length === 0) return 0;
    const type = `${REMINDER_EVENT_PREFIX}${r.kind.toLowerCase()}`;
    await this.notifier.send(m, { kind: 'PARTNER', partnerClientId: r.partnerClientId, endpointId: r.endpointId }, NotificationKind.REMINDER, {
      type,
      subject: r.applicationId ? `applications/${r.applicationId}` : `vacancy-watches/${r.vacancyWatchId}`,
      // Reminders about an application queue behind its status changes, so "respond by" never overtakes "offered".
      orderingKey: r.applicationId ?? `vacancy-watch:${r.vacancyWatchId}`,
      deduplicationKey: `reminder:${r.dedupeKey}`,
      data: { reminder: r.kind, ...r.data },
    }, { applicationId: r.applicationId ?? null, municipalityCode: r.municipalityCode });
    return 1;
  }

  /** The applications matching `due` (only among `locked`, when given: the steps that change them). */
  private async due(m: EntityManager, due: DueCondition, locked?: string[]): Promise<DueRow[]> {
    return m.query(
      `SELECT a.id, a.status, a.intake_month, to_char(a.valid_until, 'YYYY-MM-DD') AS valid_until, a.offer, a.return_notice,
              a.primary_municipality_code, a.partner_client_id
         FROM application a WHERE ${due.where}${locked ? ` AND a.id = ANY($${due.params.length + 1})` : ''} ORDER BY a.id LIMIT ${BATCH}`,
      locked ? [...due.params, locked] : due.params,
    );
  }

  /** Months without intake (YYYY-MM) from the intake calendars in force, per municipality; none where no calendar is published. */
  private async noIntakeMonths(m: EntityManager, codes: string[], now: Date): Promise<Map<string, string[]>> {
    if (codes.length === 0) return new Map();
    const rows: Array<{ municipality_code: string; months: string[] }> = await m.query(
      `WITH procedure AS (
         SELECT DISTINCT ON (municipality_code, fiscal_year) id, municipality_code FROM intake_procedure
          WHERE municipality_code = ANY($1) AND valid_from <= $2 ORDER BY municipality_code, fiscal_year, version DESC)
       SELECT p.municipality_code, array_agg(c.intake_month ORDER BY c.intake_month) AS months
         FROM procedure p JOIN intake_cycle c ON c.procedure_id = p.id AND NOT c.has_intake
        GROUP BY p.municipality_code`,
      [codes, now],
    );
    return new Map(rows.map((r) => [r.municipality_code, r.months]));
  }

  /** One hub event under a savepoint: a failure is logged and leaves the rest of the run intact. */
  private async systemEvent(m: EntityManager, applicationId: string, request: { type: StatusEventType; payload?: Record<string, unknown> }, report: SchedulerReport): Promise<boolean> {
    await m.query('SAVEPOINT status_item');
    try {
      await this.status.applyIn(m, applicationId, request, { kind: StatusActor.SYSTEM, clientId: null });
      await m.query('RELEASE SAVEPOINT status_item');
      return true;
    } catch (err) {
      await m.query('ROLLBACK TO SAVEPOINT status_item');
      report.failed++;
      this.log.warn({ err, applicationId, event: request.type }, 'scheduled status event failed');
      return false;
    }
  }
}

