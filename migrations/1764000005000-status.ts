import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Application status (issue 6): notifications sent to partners (for 閲覧率, the share actually seen),
 * deadline reminders sent once each, and the indexes the status scheduler and the measures read.
 *
 * Invariants held here rather than in code:
 * - a notification IS one outbox message (its id is the webhook-id the partner received), sent to one partner;
 * - it is opened at most once (opened_at set once; the service never moves it);
 * - a reminder is sent once per dedupe key, whatever the number of scheduler instances.
 */
export class Status1764000005000 implements MigrationInterface {
  name = 'Status1764000005000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TYPE notification_kind AS ENUM ('STATUS_CHANGE','REMINDER','VACANCY_ALERT')`);
    await q.query(`
      CREATE TABLE notification (
        id                uuid PRIMARY KEY REFERENCES outbox_message(id) ON DELETE CASCADE,
        partner_client_id uuid NOT NULL REFERENCES api_client(id),
        kind              notification_kind NOT NULL,
        application_id    uuid REFERENCES application(id) ON DELETE CASCADE,
        municipality_code char(6) REFERENCES municipality(code),
        sent_at           timestamptz NOT NULL,
        opened_at         timestamptz,
        CONSTRAINT notification_status_change_has_application CHECK (kind <> 'STATUS_CHANGE' OR application_id IS NOT NULL),
        CONSTRAINT notification_opened_after_sent CHECK (opened_at IS NULL OR opened_at >= sent_at)
      )`);
    await q.query(`CREATE INDEX notification_partner_kind_idx ON notification (partner_client_id, kind)`);
    await q.query(`CREATE INDEX notification_municipality_idx ON notification (municipality_code, kind) WHERE municipality_code IS NOT NULL`);

    await q.query(`CREATE TYPE status_reminder_kind AS ENUM ('OFFER_RESPONSE_DUE','RETURN_FIX_DUE','INTAKE_DEADLINE')`);
    await q.query(`
      CREATE TABLE status_reminder (
        id                bigserial PRIMARY KEY,
        dedupe_key        text NOT NULL CHECK (length(dedupe_key) BETWEEN 1 AND 200),
        kind              status_reminder_kind NOT NULL,
        partner_client_id uuid NOT NULL REFERENCES api_client(id),
        application_id    uuid REFERENCES application(id) ON DELETE CASCADE,
        vacancy_watch_id  uuid REFERENCES vacancy_watch(id) ON DELETE CASCADE,
        due_date          date NOT NULL,
        sent_at           timestamptz NOT NULL,
        CONSTRAINT status_reminder_dedupe_once UNIQUE (dedupe_key),
        CONSTRAINT status_reminder_subject CHECK (
          (kind = 'INTAKE_DEADLINE') = (vacancy_watch_id IS NOT NULL)
          AND (kind = 'INTAKE_DEADLINE') = (application_id IS NULL))
      )`);

    // Every timeline entry up to this seq has been sent to the partner as a webhook. Entries written
    // elsewhere (the applications feature's DELIVERY_ACKNOWLEDGED) are caught up from here, in seq order.
    await q.query(`ALTER TABLE application ADD COLUMN notified_seq integer NOT NULL DEFAULT 0 CHECK (notified_seq >= 0)`);
    await q.query(`CREATE INDEX application_event_recorded_idx ON application_event (recorded_at)`);
    // Vacancy alerts to partners become notifications (for 閲覧率) without the vacancies feature knowing.
    await q.query(`CREATE INDEX outbox_message_vacancy_created_idx ON outbox_message (created_at) WHERE type LIKE 'jp.hokatsu.vacancy.%'`);

    // The scheduler looks for offers to lapse, not-placed applications to roll over and valid ones to expire.
    await q.query(`
      CREATE INDEX application_status_due_idx ON application (status, intake_month)
      WHERE status IN ('OFFERED','NOT_PLACED','RETURNED','SUBMITTED','DELIVERED','RECEIVED','UNDER_ALLOCATION')`);
    // Measures read the timeline by event type (first delivery, receipt, decision per application).
    await q.query(`CREATE INDEX application_event_type_idx ON application_event (type, application_id, occurred_at)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX IF EXISTS outbox_message_vacancy_created_idx`);
    await q.query(`DROP INDEX IF EXISTS application_event_recorded_idx`);
    await q.query(`ALTER TABLE application DROP COLUMN IF EXISTS notified_seq`);
    await q.query(`DROP INDEX IF EXISTS application_event_type_idx`);
    await q.query(`DROP INDEX IF EXISTS application_status_due_idx`);
    await q.query(`DROP TABLE IF EXISTS status_reminder`);
    await q.query(`DROP TABLE IF EXISTS notification`);
    await q.query(`DROP TYPE IF EXISTS status_reminder_kind`);
    await q.query(`DROP TYPE IF EXISTS notification_kind`);
  }
}
