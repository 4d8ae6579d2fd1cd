import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Indexes for the deadline-day burst (issue 5).
 *
 * - The dispatcher claims per endpoint (each endpoint's oldest due messages, then round-robin across
 *   endpoints, so a healthy endpoint is not queued behind a failing one's retries): it needs the due
 *   PENDING messages of one endpoint in (next_attempt_at, seq) order.
 *
 * (The duplicate-child check needs no new index: it spells out the active statuses so that the
 * partial unique index application_one_active_per_child applies.)
 */
export class SubmissionPerformance1764000007000 implements MigrationInterface {
  name = 'SubmissionPerformance1764000007000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE INDEX outbox_message_endpoint_due_idx ON outbox_message (endpoint_id, next_attempt_at, seq) WHERE status = 'PENDING'`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX IF EXISTS outbox_message_endpoint_due_idx`);
  }
}
