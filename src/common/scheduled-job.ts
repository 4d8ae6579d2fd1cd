import { hostname } from 'node:os';
import type { EntityManager } from 'typeorm';

/**
 * Scheduled jobs that must run once per period however many instances of the hub run them (the
 * status scheduler's minute). Each instance's timer tries every period; a try is one transaction that
 *
 * 1. takes the job's transaction-level advisory lock without waiting (`pg_try_advisory_xact_lock`):
 *    while another instance runs the job, this one does not queue behind it holding a connection;
 * 2. claims the period by inserting (job, period_start) into `scheduled_job_run`: the primary key
 *    lets one insert per period through, whoever comes first, also one that comes after the first
 *    run committed (a lock alone would let every instance run the job once a minute, one after the
 *    other);
 * 3. runs the job and commits together with the claim: a run that fails rolls its claim back, so the
 *    period is tried again at the next round.
 *
 * Why this and not @nestjs/schedule: the hub's workers already run on RepeatingTask (no overlap,
 * stop waits for the round in progress, one interval setting for tests), and neither library nor
 * timer makes a job run once across instances; the database does that here, in the job's transaction.
 */

/** Which process ran a period, for the operator looking at scheduled_job_run. */
export const INSTANCE_NAME = `${hostname()}:${process.pid}`;

/** How long the record of past periods is kept. */
const KEEP_RUNS = '7 days';

export type ClaimOutcome = 'CLAIMED' | 'BUSY' | 'DONE';

/** The start of the period `now` falls in, periods of `periodMs` counted from the epoch (minutes start on the minute). */
export function periodStart(now: Date, periodMs: number): Date {
  return new Date(Math.floor(now.getTime() / periodMs) * periodMs);
}

/** Step 1 alone (for work that must not overlap but has no period, e.g. a sweep). */
export async function tryJobLock(m: EntityManager, lockKey: number): Promise<boolean> {
  const [{ locked }] = await m.query(`SELECT pg_try_advisory_xact_lock($1) AS locked`, [lockKey]);
  return locked === true;
}

/**
 * Steps 1 and 2, in the caller's transaction: 'CLAIMED' (run the job now), 'BUSY' (another instance
 * is running it: try again at the next round) or 'DONE' (this period has run already).
 */
export async function claimPeriod(m: EntityManager, job: string, lockKey: number, period: Date): Promise<ClaimOutcome> {
  if (!(await tryJobLock(m, lockKey))) return 'BUSY';
  const claimed: unknown[] = await m.query(
    `INSERT INTO scheduled_job_run (job, period_start, instance) VALUES ($1, $2, $3) ON CONFLICT (job, period_start) DO NOTHING RETURNING 1`,
    [job, period, INSTANCE_NAME],
  );
  if (claimed.length === 0) return 'DONE';
  await m.query(`DELETE FROM scheduled_job_run WHERE job = $1 AND period_start < $2::timestamptz - $3::interval`, [job, period, KEEP_RUNS]);
  return 'CLAIMED';
}

/** What the claimed run did, next to its claim (same transaction). */
export async function recordRun(m: EntityManager, job: string, period: Date, report: object): Promise<void> {
  await m.query(`UPDATE scheduled_job_run SET report = $3 WHERE job = $1 AND period_start = $2`, [job, period, JSON.stringify(report)]);
}
