import { Client } from 'pg';
import { SchedulerReport, StatusScheduler } from '../../src/status/status.scheduler';
import { applicationInput, facilityTaking } from '../support/applications';
import { DEMO_KEYS, describeWithRealPostgres, eventually, startTestHub, TestHub } from '../support/hub';

/**
 * Several instances of the hub on one PostgreSQL database: the status scheduler's full run (once a
 * minute) runs once per minute across all of them, not once on each, and its runs never deadlock,
 * neither with each other nor with requests that lock applications in id order. PostgreSQL reports
 * a deadlock as 40P01 and counts it in pg_stat_database.deadlocks; both are checked.
 */
const ADACHI = '131211';
const SUBMIT = `mutation($input: SubmitApplicationInput!) { submitApplication(input: $input) { application { id } } }`;
const FEED = `query($after: String) { municipalityFeed(after: $after, first: 100) { entries { cursor applicationId } hasMore } }`;
const ACK = `mutation($c: String!) { acknowledgeMunicipalityFeed(cursor: $c) { deliveredApplicationIds } }`;
const RECORD = `mutation($input: RecordApplicationStatusInput!) { recordApplicationStatus(input: $input) { status } }`;
const RUN = `${process.pid}${Date.now()}`.slice(-8).replace(/\d/g, (d) => 'サシスセソタチツテト'[Number(d)]);

let a: TestHub;
let b: TestHub;
let facilityId: string;
let submitted = 0;

async function submit(via: TestHub): Promise<string> {
  submitted++;
  const r = await via.ok(SUBMIT, {
    input: applicationInput({
      idempotencyKey: `instances-${process.pid}-${Date.now()}-${submitted}`, kana: `スケジュール ${RUN}${String(submitted).replace(/\d/g, (d) => 'アイウエオカキクケコ'[Number(d)])}`,
      name: `足立 ${"アイウエオカキクケコサシスセソタチツテト"[submitted % 20]}子`, municipalityCode: ADACHI, address: '東京都足立区中央本町1-17-1', facilityId,
    }),
  }, DEMO_KEYS.PARTNER);
  return r.submitApplication.application.id;
}

/** 足立区 reads its feed page by page and acknowledges each page (DELIVERY_ACKNOWLEDGED for every application on it). */
async function acknowledgeFeed(via: TestHub) {
  let after: string | undefined;
  for (let page = 0; page < 20; page++) {
    const { municipalityFeed } = await via.ok(FEED, { after }, DEMO_KEYS.MUNICIPALITY_ADACHI);
    if (municipalityFeed.entries.length === 0) return;
    after = municipalityFeed.entries.at(-1).cursor;
    const r = await via.gql(ACK, { c: after }, DEMO_KEYS.MUNICIPALITY_ADACHI);
    // Another hub acknowledging the same page at once may already have moved the cursor past it.
    if (r.errors && r.errors[0].extensions.code !== 'CONFLICT' && r.errors[0].extensions.code !== 'BAD_USER_INPUT') throw new Error(JSON.stringify(r.errors));
    if (!municipalityFeed.hasMore) return;
  }
}

async function deadlocksSoFar(): Promise<number> {
  const c = new Client({ connectionString: process.env.HUB_TEST_DATABASE_URL });
  await c.connect();
  try {
    // A backend's counters reach pg_stat_database when it is idle or ends: wait until the hubs' connections are gone.
    await eventually(async () => (await c.query(`SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()`)).rows[0].n === 0, 20_000).catch(() => undefined);
    return (await c.query(`SELECT deadlocks::int AS n FROM pg_stat_database WHERE datname = current_database()`)).rows[0].n;
  } finally {
    await c.end();
  }
}

describeWithRealPostgres('the status scheduler on two instances', () => {
  beforeAll(async () => {
    a = await startTestHub({ HUB_WORKERS: 'false' });
    a.clock.set(new Date('2026-09-20T10:00:00+09:00'));
    facilityId = await facilityTaking(a.db, ADACHI, 1, 2);
    await a.ok(`mutation { configureMunicipalityDelivery(input: { municipalityCode: "${ADACHI}", mode: PULL }) { setting { mode } } }`, {}, DEMO_KEYS.ADMIN);
  });
  afterAll(() => a?.close());

  it('locks the applications of a run in id order: a transaction locking them in that order waits instead of deadlocking', async () => {
    // Y has a timeline entry to send to the partner (the run's catch-up), X an offer to lapse; Y's id is the smaller.
    const ids = [await submit(a), await submit(a)].sort();
    const [y, x] = ids;
    await acknowledgeFeed(a);
    const record = (type: string, eventId: string, extra: Record<string, unknown>) =>
      a.ok(RECORD, { input: { applicationId: x, type, municipalityEventId: `${eventId}-${x}`, ...extra } }, DEMO_KEYS.MUNICIPALITY_ADACHI);
    await record('RECEIVED', 'lock-order-1', { expectedStatus: 'DELIVERED' });
    await record('OFFERED', 'lock-order-2', { expectedStatus: 'RECEIVED', facilityId, entryDate: '2026-11-01', respondBy: '2026-09-25', steps: [] });
    await a.db.query(`UPDATE application SET notified_seq = 0 WHERE id = $1`, [y]); // as if the acknowledgement had not been sent yet
    a.clock.set(new Date('2026-09-27T10:00:00+09:00'));

    const other = new Client({ connectionString: process.env.HUB_TEST_DATABASE_URL });
    await other.connect();
    try {
      await other.query('BEGIN');
      await other.query(`SELECT 1 FROM application WHERE id = $1 FOR UPDATE`, [y]);
      const [{ pid }] = (await other.query(`SELECT pg_backend_pid() AS pid`)).rows;
      const run = a.hub.app.get(StatusScheduler).runOnce();
      // The run now waits for Y …
      await eventually(async () => (await a.db.query(`SELECT count(*)::int AS n FROM pg_stat_activity WHERE $1 = ANY(pg_blocking_pids(pid))`, [pid]))[0].n > 0);
      // … and holds nothing that comes after it: X, the larger id, is free for the other transaction.
      await other.query(`SELECT 1 FROM application WHERE id = $1 FOR UPDATE`, [x]);
      await other.query('COMMIT');
      const report = await run;
      expect(report).toMatchObject({ ran: true, failed: 0 });
      expect(report.lapsed).toBeGreaterThanOrEqual(1);
      expect(report.caughtUp).toBeGreaterThanOrEqual(1);
    } finally {
      await other.query('ROLLBACK').catch(() => undefined);
      await other.end();
    }
    expect((await a.db.query(`SELECT status FROM application WHERE id = $1`, [x]))[0].status).toBe('OFFER_LAPSED');
    expect((await a.db.query(`SELECT notified_seq FROM application WHERE id = $1`, [y]))[0].notified_seq).toBeGreaterThan(0);
  });

  it('under load, runs the periodic job once per period across both instances, with no deadlock', async () => {
    await a.close();
    const deadlocksBefore = await deadlocksSoFar();
    // Two replicas with their timers on (a round every 50 ms) and a period of 2 s instead of a minute.
    const env = { HUB_SCHEDULER_PERIOD_MS: '2000' };
    a = await startTestHub(env);
    b = await startTestHub(env);
    const at = new Date('2026-09-21T03:17:00+09:00');
    a.clock.set(at);
    b.clock.set(at);
    const reports = new Map<TestHub, SchedulerReport[]>([[a, []], [b, []]]);
    const failures: unknown[] = [];
    for (const hub of [a, b]) {
      const scheduler = hub.hub.app.get(StatusScheduler);
      const timed = scheduler.runForPeriod.bind(scheduler);
      scheduler.runForPeriod = (period: Date) => timed(period).then((r) => (reports.get(hub)!.push(r), r), (err) => (failures.push(err), Promise.reject(err)));
      const catchUp = scheduler.catchUpNotifications.bind(scheduler);
      scheduler.catchUpNotifications = () => catchUp().catch((err) => (failures.push(err), Promise.reject(err)));
    }
    // Load while the timers race for each period: submissions through both, acknowledgements of the
    // whole feed from both (each locks its applications in id order and writes timeline entries to
    // catch up), and explicit runs and catch-ups on both.
    const until = Date.now() + 11_000;
    while (Date.now() < until) {
      await Promise.all([
        submit(a), submit(b), acknowledgeFeed(a), acknowledgeFeed(b),
        ...[a, b].flatMap((hub) => [hub.hub.app.get(StatusScheduler).runOnce(), hub.hub.app.get(StatusScheduler).catchUpNotifications()]),
      ]);
    }
    await Promise.all([acknowledgeFeed(b), acknowledgeFeed(a)]);
    await b.close();
    await a.close();

    const all = [a, b].flatMap((hub) => reports.get(hub)!);
    const periods = [...new Set(all.map((r) => r.period!))].sort();
    const ran = periods.map((p) => all.filter((r) => r.period === p && r.ran).length);
    expect(ran.filter((n) => n === 1).length).toBeGreaterThanOrEqual(4);
    expect(ran.every((n) => n <= 1)).toBe(true);
    // Both instances tried the periods; the one that came second found the period done (or busy and then done).
    expect(reports.get(a)!.some((r) => r.skipped === 'DONE') || reports.get(b)!.some((r) => r.skipped === 'DONE')).toBe(true);
    expect(failures).toEqual([]);
    const client = new Client({ connectionString: process.env.HUB_TEST_DATABASE_URL });
    await client.connect();
    const recorded = (await client.query(`SELECT period_start FROM scheduled_job_run WHERE job = 'status-scheduler' AND period_start = ANY($1::timestamptz[]) ORDER BY 1`,
      [periods.filter((_, i) => ran[i] === 1)])).rows;
    await client.end();
    expect(recorded.map((r) => r.period_start.toISOString())).toEqual(periods.filter((_, i) => ran[i] === 1));
    expect((await deadlocksSoFar()) - deadlocksBefore).toBe(0);
    a = await startTestHub({ HUB_WORKERS: 'false' });
  }, 120_000);
});
