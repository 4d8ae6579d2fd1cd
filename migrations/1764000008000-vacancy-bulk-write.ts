import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Cheaper vacancy writes for the bulk import (issue 3): fewer foreign-key triggers per figure.
 *
 * - `vacancy.set_by` (the author of the winning side) becomes a STORED generated column: it is always
 *   the winner's own author, `operator_set_by` or `municipality_set_by`, both of which keep their
 *   foreign keys. So it needs no foreign key of its own (one trigger less per written cell), and it can
 *   no longer disagree with `side`. Writers stop writing it.
 * - `vacancy_history` loses its two foreign keys (facility_id, set_by). The history is an append-only
 *   record whose cell key and author are copied, in the same statement, from the vacancy row, where
 *   the foreign keys are checked; and an audit record must not block (nor be cascaded by) later
 *   deletions. Every CHECK and the append-only trigger stay.
 */
export class VacancyBulkWrite1764000008000 implements MigrationInterface {
  name = 'VacancyBulkWrite1764000008000';

  async up(q: QueryRunner): Promise<void> {
    // PostgreSQL 15 cannot turn a column into a generated one: drop it and add it again (the values
    // are the same: the writer always stored the winner's author).
    await q.query(`ALTER TABLE vacancy DROP COLUMN set_by`);
    await q.query(`
      ALTER TABLE vacancy ADD COLUMN set_by uuid
        GENERATED ALWAYS AS (CASE WHEN side = 'OPERATOR' THEN operator_set_by ELSE municipality_set_by END) STORED`);
    await q.query(`ALTER TABLE vacancy_history DROP CONSTRAINT vacancy_history_facility_id_fkey`);
    await q.query(`ALTER TABLE vacancy_history DROP CONSTRAINT vacancy_history_set_by_fkey`);
  }

  async down(q: QueryRunner): Promise<void> {
    // History rows of facilities or clients deleted since then make these fail: delete or keep them by hand first.
    await q.query(`ALTER TABLE vacancy_history ADD CONSTRAINT vacancy_history_set_by_fkey FOREIGN KEY (set_by) REFERENCES api_client(id)`);
    await q.query(`ALTER TABLE vacancy_history ADD CONSTRAINT vacancy_history_facility_id_fkey FOREIGN KEY (facility_id) REFERENCES facility(id)`);
    await q.query(`ALTER TABLE vacancy DROP COLUMN set_by`);
    await q.query(`ALTER TABLE vacancy ADD COLUMN set_by uuid REFERENCES api_client(id)`);
    await q.query(`UPDATE vacancy SET set_by = CASE WHEN side = 'OPERATOR' THEN operator_set_by ELSE municipality_set_by END`);
  }
}
