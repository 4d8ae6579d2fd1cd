import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Tells every hub instance that search data changed, so the in-memory search results
 * (src/vacancies/search-cache.ts) are dropped: a STATEMENT-level trigger on `vacancy` and on
 * `facility` (the two tables vacancySearch reads) sends NOTIFY hub_search_data_changed. NOTIFY is
 * transactional (delivered at commit, never for a rolled-back change) and identical notices of one
 * transaction are sent once, so a bulk import costs one notice per statement at most. Every writer
 * is covered, including the command line, other instances and SQL typed by hand.
 */
export class SearchChangeNotices1764000009000 implements MigrationInterface {
  name = 'SearchChangeNotices1764000009000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE FUNCTION hub_notify_search_data_changed() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN PERFORM pg_notify('hub_search_data_changed', ''); RETURN NULL; END $$`);
    for (const table of ['vacancy', 'facility']) {
      await q.query(`
        CREATE TRIGGER ${table}_search_data_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON ${table}
        FOR EACH STATEMENT EXECUTE FUNCTION hub_notify_search_data_changed()`);
    }
  }

  async down(q: QueryRunner): Promise<void> {
    for (const table of ['vacancy', 'facility']) await q.query(`DROP TRIGGER IF EXISTS ${table}_search_data_changed ON ${table}`);
    await q.query(`DROP FUNCTION IF EXISTS hub_notify_search_data_changed()`);
  }
}
