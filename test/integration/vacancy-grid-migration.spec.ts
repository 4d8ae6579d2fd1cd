import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { ALL_MIGRATIONS } from '../../migrations';
import { VacancyGrid1764000010000 } from '../../migrations/1764000010000-vacancy-grid';
import { describeWithRealPostgres } from '../support/hub';

/**
 * Migration 1764000010000 moves every vacancy figure from one row per cell to one row per facility ×
 * intake month, and the history to one row per change. It must lose nothing: the per-cell views
 * show exactly what the tables held, and down() gives the tables back with the same data. Run on a
 * database of its own (real PostgreSQL), filled through the former tables.
 */
const BEFORE = ALL_MIGRATIONS.slice(0, ALL_MIGRATIONS.indexOf(VacancyGrid1764000010000));
const CELLS = `SELECT facility_id, intake_month, class_age, seats, figure_kind, as_of, side, source, set_by, operator_seats, operator_as_of, operator_set_by,
  municipality_seats, municipality_kind, municipality_as_of, municipality_source, municipality_set_by, version, updated_at
  FROM vacancy ORDER BY facility_id, intake_month, class_age`;
const HISTORY = `SELECT facility_id, intake_month, class_age, side, source, figure_kind, old_present, old_seats, new_seats, as_of, effective_old_seats,
  effective_new_seats, opened, version, set_by, changed_at FROM vacancy_history ORDER BY id`;

describeWithRealPostgres('migration 1764000010000: cells → facility × month rows', () => {
  const name = `hub_migration_${Date.now()}_${process.pid}`;
  const server = new URL(process.env.HUB_TEST_DATABASE_URL!);
  server.pathname = '/postgres';
  const url = new URL(server);
  url.pathname = `/${name}`;
  let ds: DataSource;

  beforeAll(async () => {
    const admin = new Client({ connectionString: server.toString() });
    await admin.connect();
    await admin.query(`CREATE DATABASE ${name}`);
    await admin.end();
    ds = new DataSource({ type: 'postgres', url: url.toString(), migrations: BEFORE, migrationsTransactionMode: 'each', logging: false });
    await ds.initialize();
    await ds.runMigrations();
  });

  afterAll(async () => {
    await ds?.destroy();
    const admin = new Client({ connectionString: server.toString() });
    await admin.connect();
    await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await admin.end();
  });

  it('keeps every figure and history entry, and down() gives them back', async () => {
    await ds.query(`INSERT INTO municipality (code, prefecture_code, prefecture, name) VALUES ('131199', '13', '東京都', '板橋区')`);
    const [a, b] = (await ds.query(`
      INSERT INTO facility (municipality_code, kind, name, search_text, source, source_key, source_updated_at)
      VALUES ('131199', 'LICENSED_NURSERY', 'みなみ保育園', 'みなみ', 't', 'a', now()), ('131199', 'SMALL_SCALE', 'きた保育室', 'きた', 't', 'b', now())
      RETURNING id`)).map((r: { id: string }) => r.id);
    const [{ id: admin }] = await ds.query(`INSERT INTO api_client (name, role, key_hash, key_prefix) VALUES ('admin', 'ADMIN', repeat('a', 64), 'k') RETURNING id`);
    const [{ id: operator }] = await ds.query(`INSERT INTO api_client (name, role, key_hash, key_prefix) VALUES ('op', 'OPERATOR', repeat('b', 64), 'o') RETURNING id`);
    // Cells of every shape: the list only, "no class", the operator only, both sides either way, gaps between ages.
    await ds.query(
      `INSERT INTO vacancy (facility_id, intake_month, class_age, seats, figure_kind, as_of, side, source, operator_seats, operator_as_of, operator_set_by,
         municipality_seats, municipality_kind, municipality_as_of, municipality_source, municipality_set_by, version, updated_at) VALUES
       ($1, '2026-09', 0, 2, 'INTAKE_QUOTA', '2026-08-01T00:00+09', 'MUNICIPALITY', 'IMPORT', NULL, NULL, NULL, 2, 'INTAKE_QUOTA', '2026-08-01T00:00+09', 'IMPORT', $3, 1, '2026-08-02T10:00Z'),
       ($1, '2026-09', 1, NULL, 'INTAKE_QUOTA', '2026-08-01T00:00+09', 'MUNICIPALITY', 'IMPORT', NULL, NULL, NULL, NULL, 'INTAKE_QUOTA', '2026-08-01T00:00+09', 'IMPORT', $3, 1, '2026-08-02T10:00Z'),
       ($1, '2026-09', 3, 4, 'OPEN_SEATS', '2026-08-05T01:02:03.456Z', 'OPERATOR', 'OPERATOR', 4, '2026-08-05T01:02:03.456Z', $4, 1, 'INTAKE_QUOTA', '2026-08-01T00:00+09', 'MUNICIPALITY_FEED', $3, 3, '2026-08-05T01:02:03.456Z'),
       ($1, '2026-09', 5, 0, 'OPEN_SEATS', '2026-08-05T00:00Z', 'OPERATOR', 'OPERATOR', 0, '2026-08-05T00:00Z', $4, NULL, NULL, NULL, NULL, NULL, 1, '2026-08-05T00:00Z'),
       ($1, '2026-10', 2, 7, 'OPEN_SEATS', '2026-09-01T00:00+09', 'MUNICIPALITY', 'MUNICIPALITY_FEED', 9, '2026-08-20T00:00Z', $4, 7, 'OPEN_SEATS', '2026-09-01T00:00+09', 'MUNICIPALITY_FEED', NULL, 2, '2026-09-01T00:00Z'),
       ($2, '2026-09', 4, 1, 'INTAKE_QUOTA', '2026-08-01T00:00+09', 'MUNICIPALITY', 'IMPORT', NULL, NULL, NULL, 1, 'INTAKE_QUOTA', '2026-08-01T00:00+09', 'IMPORT', NULL, 1, '2026-08-02T10:00Z')`,
      [a, b, admin, operator],
    );
    await ds.query(
      `INSERT INTO vacancy_history (facility_id, intake_month, class_age, side, source, figure_kind, old_present, old_seats, new_seats, as_of,
         effective_old_seats, effective_new_seats, opened, version, set_by, changed_at) VALUES
       ($1, '2026-09', 0, 'MUNICIPALITY', 'IMPORT', 'INTAKE_QUOTA', false, NULL, 2, '2026-08-01T00:00+09', NULL, 2, true, 1, $3, '2026-08-02T10:00Z'),
       ($1, '2026-09', 3, 'OPERATOR', 'OPERATOR', 'OPEN_SEATS', true, 0, 4, '2026-08-05T01:02:03.456Z', 1, 4, false, 3, $4, '2026-08-05T01:02:03.456Z'),
       ($2, '2026-09', 4, 'MUNICIPALITY', 'IMPORT', 'INTAKE_QUOTA', false, NULL, 1, '2026-08-01T00:00+09', NULL, 1, true, 1, NULL, '2026-08-02T10:00Z')`,
      [a, b, admin, operator],
    );
    const cells = await ds.query(CELLS);
    const history = await ds.query(HISTORY);
    const historyIds = (await ds.query(`SELECT id::text FROM vacancy_history ORDER BY id`)).map((r: { id: string }) => r.id);

    await ds.destroy();
    ds = new DataSource({ type: 'postgres', url: url.toString(), migrations: [...BEFORE, VacancyGrid1764000010000], migrationsTransactionMode: 'each', logging: false });
    await ds.initialize();
    await ds.runMigrations();
    expect(await ds.query(`SELECT count(*)::int AS n FROM vacancy_grid`)).toEqual([{ n: 3 }]);
    expect(await ds.query(CELLS)).toEqual(cells);
    expect(await ds.query(HISTORY)).toEqual(history);
    // each former history row is a change of its own, under its former id
    expect((await ds.query(`SELECT change_id::text FROM vacancy_history ORDER BY id`)).map((r: { change_id: string }) => r.change_id)).toEqual(historyIds);
    // the rows hold the rules: a cell whose effective figure is not one of its sides is refused
    await expect(ds.query(`UPDATE vacancy_grid SET seats[4] = 5 WHERE facility_id = $1 AND intake_month = '2026-09'`, [a])).rejects.toThrow(/vacancy_grid_cells/);
    await expect(ds.query(`UPDATE vacancy_grid SET municipality_set_by[1] = gen_random_uuid() WHERE facility_id = $1 AND intake_month = '2026-09'`, [a])).rejects.toThrow(/not an api_client/);

    await ds.undoLastMigration({ transaction: 'each' });
    expect(await ds.query(CELLS)).toEqual(cells);
    expect(await ds.query(HISTORY)).toEqual(history);
  });
});
