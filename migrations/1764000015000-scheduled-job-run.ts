import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * One row per scheduled job and period that ran (src/common/scheduled-job.ts): the primary key is what
 * makes a job run once per period across any number of instances. The instance that claims a period
 * inserts its row in the job's own transaction, so a run that fails leaves the period unclaimed for
 * the next try; rows older than a week are deleted by the jobs themselves.
 */
export class ScheduledJobRun1764000015000 implements MigrationInterface {
  name = 'ScheduledJobRun1764000015000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE scheduled_job_run (
        job text NOT NULL,
        period_start timestamptz NOT NULL,
        instance text NOT NULL,
        started_at timestamptz NOT NULL DEFAULT now(),
        report jsonb,
        PRIMARY KEY (job, period_start),
        CONSTRAINT scheduled_job_run_job_named CHECK (job <> '')
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE scheduled_job_run`);
  }
}
