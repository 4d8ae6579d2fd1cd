import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * One child, several partner apps (issue 15, item 9). A municipality treats a child as one applicant;
 * the one-active-application rule (application_one_active_per_child) holds per partner only. The hub
 * accepts the second partner's application and tells the municipality (only) that both are possibly
 * the same child: README "One child through several partner apps".
 *
 * - child_intake_claim: one row per child (child_key, the keyed hash), residence municipality and
 *   intake month, whose version every submission for them raises in the statement that stores it, on
 *   the condition that it is still the version read before (src/applications/applications.service.ts).
 *   Two partners submitting the same child at the same moment: the second waits for the first's row
 *   lock, finds the version moved, stores nothing and looks again, so it sees the first application.
 * - application_possible_duplicate: the pairs found (both directions), what the municipality sees.
 * - an index for "the child's active applications for the month, whichever partner".
 */
export class PossibleDuplicateChild1764000013000 implements MigrationInterface {
  name = 'PossibleDuplicateChild1764000013000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE child_intake_claim (
        child_key                   text NOT NULL CHECK (child_key ~ '^[A-Za-z0-9_-]{1,32}:[0-9a-f]{64}$'),
        residence_municipality_code char(6) NOT NULL REFERENCES municipality(code),
        intake_month                char(7) NOT NULL CHECK (intake_month ~ '^[0-9]{4}-(0[1-9]|1[0-2])$'),
        version                     integer NOT NULL CHECK (version >= 1),
        PRIMARY KEY (child_key, residence_municipality_code, intake_month)
      )`);
    await q.query(`
      CREATE TABLE application_possible_duplicate (
        application_id           uuid NOT NULL REFERENCES application(id) ON DELETE CASCADE,
        duplicate_application_id uuid NOT NULL REFERENCES application(id) ON DELETE CASCADE,
        detected_at              timestamptz NOT NULL,
        PRIMARY KEY (application_id, duplicate_application_id),
        CONSTRAINT application_possible_duplicate_not_itself CHECK (application_id <> duplicate_application_id)
      )`);
    // Active = not terminal (isActive in src/status/application-status.ts), as application_one_active_per_child.
    await q.query(`
      CREATE INDEX application_active_child_month_idx ON application (child_key, intake_month, residence_municipality_code)
      WHERE status IN ('SUBMITTED','DELIVERED','RECEIVED','RETURNED','UNDER_ALLOCATION','OFFERED','NOT_PLACED','ACCEPTED','APPROVED')`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX application_active_child_month_idx`);
    await q.query(`DROP TABLE application_possible_duplicate`);
    await q.query(`DROP TABLE child_intake_claim`);
  }
}
