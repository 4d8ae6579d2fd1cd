import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Encrypted values bound to their table, column and row (src/common/field-crypto.ts): new values are
 * 'v2.' tokens, and 'v1.' tokens (unbound, written before) stay readable until `reencrypt-fields`
 * rewrites them. The checks that every stored value is a token accept both versions, and only those.
 */
export class BoundFieldTokens1764000014000 implements MigrationInterface {
  name = 'BoundFieldTokens1764000014000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE application DROP CONSTRAINT application_personal_data_check`);
    await q.query(`ALTER TABLE application ADD CONSTRAINT application_personal_data_check CHECK (personal_data ~ '^v[12]\\.')`);
    await q.query(`ALTER TABLE municipality_feed_entry DROP CONSTRAINT municipality_feed_entry_payload_check`);
    await q.query(`ALTER TABLE municipality_feed_entry ADD CONSTRAINT municipality_feed_entry_payload_check CHECK (payload ~ '^v[12]\\.')`);
  }

  /** Only possible while no bound value is stored (an older hub could not read them anyway). */
  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE application DROP CONSTRAINT application_personal_data_check`);
    await q.query(`ALTER TABLE application ADD CONSTRAINT application_personal_data_check CHECK (personal_data LIKE 'v1.%')`);
    await q.query(`ALTER TABLE municipality_feed_entry DROP CONSTRAINT municipality_feed_entry_payload_check`);
    await q.query(`ALTER TABLE municipality_feed_entry ADD CONSTRAINT municipality_feed_entry_payload_check CHECK (payload LIKE 'v1.%')`);
  }
}
