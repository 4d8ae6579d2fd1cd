import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The rate limit counted once for all processes and replicas (src/common/shared-rate-limit-storage.ts):
 * one row per client (the limiter's key) and window, to which every process adds its hits. UNLOGGED:
 * the counts matter for the current minute only, so they are not worth a WAL write each; after a crash
 * PostgreSQL empties the table and every client starts its minute afresh. Rows of ended windows are
 * deleted by the processes (window_end).
 */
export class SharedRateLimit1764000012000 implements MigrationInterface {
  name = 'SharedRateLimit1764000012000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE UNLOGGED TABLE rate_limit_window (
        key text NOT NULL,
        window_start timestamptz NOT NULL,
        window_end timestamptz NOT NULL,
        hits integer NOT NULL,
        PRIMARY KEY (key, window_start),
        CONSTRAINT rate_limit_window_valid CHECK (window_end > window_start AND hits >= 0)
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE rate_limit_window`);
  }
}
