import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Vacancy figures stored as ONE row per facility × intake month (issue 3, bulk import speed).
 *
 * With one row per figure, every figure paid for a heap tuple, its primary-key entry, three
 * foreign-key checks and a history row: ~31 µs of PostgreSQL CPU per figure on the 2-core hosts of
 * December 2026, which kept the national import under 100,000 figures/s whatever was tuned
 * (BENCHMARKS.md, `bench/write-cost-study.ts`). Here those costs are paid once per six figures.
 *
 * - `vacancy_grid`: per facility × intake month, every per-cell column of the former `vacancy` table
 *   as an array of six (index 1–6 = class age 0–5); `version[i]` NULL = no figure for that age (then
 *   every element i is NULL). The per-cell rules of the former table (one side at least, each side
 *   whole, the effective figure is one of the sides, counts >= 0) are one CHECK over the six cells.
 *   The facility is a foreign key; the authors (arrays) are checked by a statement trigger against
 *   api_client (rows of which are never deleted: clients are revoked).
 * - `vacancy_change`: the append-only history, one row per write of one side of one facility × month,
 *   with the changed class ages and their before/after in arrays.
 * - Views `vacancy` and `vacancy_history` show both with the former per-cell columns, so every reader
 *   (search, grids, open data, history) reads cells as before; only the writer knows the rows.
 * - The search-data notification moves to `vacancy_grid`.
 */
const CELL_COLUMNS: Array<[string, string]> = [
  ['seats', 'integer'], ['figure_kind', 'vacancy_figure_kind'], ['as_of', 'timestamptz'], ['side', 'vacancy_side'], ['source', 'vacancy_source'],
  ['operator_seats', 'integer'], ['operator_as_of', 'timestamptz'], ['operator_set_by', 'uuid'],
  ['municipality_seats', 'integer'], ['municipality_kind', 'vacancy_figure_kind'], ['municipality_as_of', 'timestamptz'],
  ['municipality_source', 'vacancy_source'], ['municipality_set_by', 'uuid'], ['version', 'integer'], ['updated_at', 'timestamptz'],
];
const CHANGE_ARRAYS: Array<[string, string]> = [
  ['old_present', 'boolean'], ['old_seats', 'integer'], ['new_seats', 'integer'], ['effective_old_seats', 'integer'],
  ['effective_new_seats', 'integer'], ['opened', 'boolean'], ['version', 'integer'],
];

/**
 * The rules of cell i (the former table's CHECKs), written out for each i: a plain expression is
 * evaluated in the row's CHECK at a fraction of the cost of a function called per row.
 */
function cellRules(i: number): string {
  const [version, seats, kind, asOf, side, source, opSeats, opAsOf, opSetBy, muSeats, muKind, muAsOf, muSource, muSetBy, updatedAt] = [
    'version', 'seats', 'figure_kind', 'as_of', 'side', 'source', 'operator_seats', 'operator_as_of', 'operator_set_by',
    'municipality_seats', 'municipality_kind', 'municipality_as_of', 'municipality_source', 'municipality_set_by', 'updated_at',
  ].map((c) => `${c}[${i}]`);
  return `(CASE WHEN ${version} IS NULL
    THEN num_nonnulls(${seats}, ${kind}, ${asOf}, ${side}, ${source}, ${opSeats}, ${opAsOf}, ${opSetBy}, ${muSeats}, ${muKind}, ${muAsOf}, ${muSource}, ${muSetBy}, ${updatedAt}) = 0
    ELSE ${version} >= 1 AND coalesce(${seats} >= 0, true) AND coalesce(${opSeats} >= 0, true) AND coalesce(${muSeats} >= 0, true)
      AND num_nulls(${kind}, ${asOf}, ${side}, ${source}, ${updatedAt}) = 0
      AND (${opAsOf} IS NOT NULL OR num_nonnulls(${opSeats}, ${opSetBy}) = 0)
      AND ((${muAsOf} IS NULL AND num_nonnulls(${muSeats}, ${muKind}, ${muSource}, ${muSetBy}) = 0)
           OR (${muAsOf} IS NOT NULL AND ${muKind} IS NOT NULL AND coalesce(${muSource} IN ('MUNICIPALITY_FEED', 'IMPORT'), false)))
      AND (${opAsOf} IS NOT NULL OR ${muAsOf} IS NOT NULL)
      AND coalesce((${side} = 'OPERATOR' AND ${source} = 'OPERATOR' AND ${opAsOf} = ${asOf} AND ${seats} IS NOT DISTINCT FROM ${opSeats})
           OR (${side} = 'MUNICIPALITY' AND ${source} = ${muSource} AND ${muAsOf} = ${asOf} AND ${seats} IS NOT DISTINCT FROM ${muSeats}), false)
    END)`;
}

export class VacancyGrid1764000010000 implements MigrationInterface {
  name = 'VacancyGrid1764000010000';

  async up(q: QueryRunner): Promise<void> {
    const arrays = CELL_COLUMNS.map(([c, t]) => `${c} ${t}[] NOT NULL`).join(',\n        ');
    await q.query(`
      CREATE TABLE vacancy_grid (
        facility_id  uuid NOT NULL REFERENCES facility(id) ON DELETE CASCADE,
        intake_month char(7) NOT NULL CHECK (hub_intake_month_ok(intake_month)),
        ${arrays},
        PRIMARY KEY (facility_id, intake_month),
        CONSTRAINT vacancy_grid_cells CHECK (
          ${CELL_COLUMNS.map(([c]) => `cardinality(${c}) = 6`).join(' AND ')}
          AND ${[1, 2, 3, 4, 5, 6].map(cellRules).join('\n          AND ')})
      )`);
    // No index but the key: a search probes (facility, month) from the facilities it walks in name
    // order, also for a whole month without a municipality, and every index costs each written row.
    await q.query(`
      INSERT INTO vacancy_grid (facility_id, intake_month, ${CELL_COLUMNS.map(([c]) => c).join(', ')})
      SELECT k.facility_id, k.intake_month, ${CELL_COLUMNS.map(([c]) => `array_agg(v.${c} ORDER BY a.age)`).join(', ')}
        FROM (SELECT DISTINCT facility_id, intake_month FROM vacancy) k
        CROSS JOIN generate_series(0, 5) AS a(age)
        LEFT JOIN vacancy v ON v.facility_id = k.facility_id AND v.intake_month = k.intake_month AND v.class_age = a.age
       GROUP BY k.facility_id, k.intake_month`);

    await q.query(`
      CREATE TABLE vacancy_change (
        id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        facility_id  uuid NOT NULL,
        intake_month char(7) NOT NULL CHECK (hub_intake_month_ok(intake_month)),
        side         vacancy_side NOT NULL,
        source       vacancy_source NOT NULL,
        figure_kind  vacancy_figure_kind NOT NULL,
        as_of        timestamptz NOT NULL,
        set_by       uuid,
        changed_at   timestamptz NOT NULL,
        -- the class ages this write changed, ascending, and per age (same positions) before → after
        class_ages   smallint[] NOT NULL,
        ${CHANGE_ARRAYS.map(([c, t]) => `${c} ${t}[] NOT NULL`).join(',\n        ')},
        CONSTRAINT vacancy_change_cells CHECK (
          cardinality(class_ages) BETWEEN 1 AND 6 AND 0 <= ALL(class_ages) AND 5 >= ALL(class_ages)
          AND ${CHANGE_ARRAYS.map(([c]) => `cardinality(${c}) = cardinality(class_ages)`).join(' AND ')}
          AND 0 <= ALL(new_seats) AND 1 <= ALL(version))
      )`);
    await q.query(`CREATE INDEX vacancy_change_cell_idx ON vacancy_change (facility_id, intake_month, id)`);
    await q.query(`
      CREATE TRIGGER vacancy_change_append_only BEFORE UPDATE OR DELETE ON vacancy_change
      FOR EACH ROW EXECUTE FUNCTION hub_vacancy_history_append_only()`);
    // Each former history row becomes a change of one class age, keeping its id.
    await q.query(`
      INSERT INTO vacancy_change (id, facility_id, intake_month, side, source, figure_kind, as_of, set_by, changed_at, class_ages, ${CHANGE_ARRAYS.map(([c]) => c).join(', ')})
      OVERRIDING SYSTEM VALUE
      SELECT id, facility_id, intake_month, side, source, figure_kind, as_of, set_by, changed_at, ARRAY[class_age],
             ARRAY[old_present], ARRAY[old_seats], ARRAY[new_seats], ARRAY[effective_old_seats], ARRAY[effective_new_seats], ARRAY[opened], ARRAY[version]
        FROM vacancy_history`);
    await q.query(`SELECT setval(pg_get_serial_sequence('vacancy_change', 'id'), greatest((SELECT max(id) FROM vacancy_change), 1))`);

    await q.query(`DROP TABLE vacancy_history`);
    await q.query(`DROP TABLE vacancy`);
    await this.views(q);

    // The authors of both sides exist (the arrays cannot carry foreign keys): checked once per statement.
    await q.query(`
      CREATE FUNCTION hub_vacancy_grid_authors_exist() RETURNS trigger LANGUAGE plpgsql AS $$
      DECLARE missing uuid;
      BEGIN
        SELECT a.id INTO missing
          FROM (SELECT DISTINCT x.id FROM written w, unnest(w.operator_set_by || w.municipality_set_by) AS x(id) WHERE x.id IS NOT NULL) a
         WHERE NOT EXISTS (SELECT 1 FROM api_client c WHERE c.id = a.id) LIMIT 1;
        IF missing IS NOT NULL THEN
          RAISE EXCEPTION 'vacancy_grid names an author that is not an api_client: %', missing USING ERRCODE = 'foreign_key_violation', CONSTRAINT = 'vacancy_grid_authors';
        END IF;
        RETURN NULL;
      END $$`);
    await q.query(`CREATE TRIGGER vacancy_grid_authors_on_insert AFTER INSERT ON vacancy_grid REFERENCING NEW TABLE AS written FOR EACH STATEMENT EXECUTE FUNCTION hub_vacancy_grid_authors_exist()`);
    await q.query(`CREATE TRIGGER vacancy_grid_authors_on_update AFTER UPDATE ON vacancy_grid REFERENCING NEW TABLE AS written FOR EACH STATEMENT EXECUTE FUNCTION hub_vacancy_grid_authors_exist()`);
    await q.query(`
      CREATE TRIGGER vacancy_grid_search_data_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON vacancy_grid
      FOR EACH STATEMENT EXECUTE FUNCTION hub_notify_search_data_changed()`);
  }

  /** The per-cell views, with the former tables' columns. */
  private async views(q: QueryRunner) {
    const cell = (c: string) => `g.${c}[a.i] AS ${c}`;
    await q.query(`
      CREATE VIEW vacancy AS
      SELECT g.facility_id, g.intake_month, (a.i - 1)::smallint AS class_age,
             ${CELL_COLUMNS.map(([c]) => cell(c)).join(', ')},
             CASE WHEN g.side[a.i] = 'OPERATOR' THEN g.operator_set_by[a.i] ELSE g.municipality_set_by[a.i] END AS set_by
        FROM vacancy_grid g CROSS JOIN generate_series(1, 6) AS a(i)
       WHERE g.version[a.i] IS NOT NULL`);
    // A cell change's id: the change's id × 8 + the class age (unique, newest first by id).
    await q.query(`
      CREATE VIEW vacancy_history AS
      SELECT c.id * 8 + c.class_ages[a.i] AS id, c.id AS change_id, c.facility_id, c.intake_month, c.class_ages[a.i] AS class_age,
             c.side, c.source, c.figure_kind, ${CHANGE_ARRAYS.map(([x]) => `c.${x}[a.i] AS ${x}`).join(', ')}, c.as_of, c.set_by, c.changed_at
        FROM vacancy_change c CROSS JOIN generate_subscripts(c.class_ages, 1) AS a(i)`);
  }

  async down(q: QueryRunner): Promise<void> {
    // Back to one row per cell, the shape of migrations 1764000002000 and …8000, with the same data
    // (history ids become the cell ids the view showed).
    await q.query(`CREATE TEMP TABLE vacancy_cells_down AS SELECT * FROM vacancy`);
    await q.query(`CREATE TEMP TABLE vacancy_history_down AS SELECT * FROM vacancy_history`);
    await q.query(`DROP VIEW vacancy_history`);
    await q.query(`DROP VIEW vacancy`);
    await q.query(`DROP TABLE vacancy_change`);
    await q.query(`DROP TABLE vacancy_grid`);
    await q.query(`DROP FUNCTION hub_vacancy_grid_authors_exist()`);
    await q.query(`
      CREATE TABLE vacancy (
        facility_id uuid NOT NULL REFERENCES facility(id) ON DELETE CASCADE,
        intake_month char(7) NOT NULL CHECK (hub_intake_month_ok(intake_month)),
        class_age smallint NOT NULL CHECK (class_age BETWEEN 0 AND 5),
        seats integer CHECK (seats >= 0), figure_kind vacancy_figure_kind NOT NULL, as_of timestamptz NOT NULL, side vacancy_side NOT NULL, source vacancy_source NOT NULL,
        operator_seats integer CHECK (operator_seats >= 0), operator_as_of timestamptz, operator_set_by uuid REFERENCES api_client(id),
        municipality_seats integer CHECK (municipality_seats >= 0), municipality_kind vacancy_figure_kind, municipality_as_of timestamptz,
        municipality_source vacancy_source, municipality_set_by uuid REFERENCES api_client(id),
        version integer NOT NULL CHECK (version >= 1), updated_at timestamptz NOT NULL,
        set_by uuid GENERATED ALWAYS AS (CASE WHEN side = 'OPERATOR' THEN operator_set_by ELSE municipality_set_by END) STORED,
        PRIMARY KEY (facility_id, intake_month, class_age),
        CONSTRAINT vacancy_operator_side CHECK (operator_as_of IS NOT NULL OR (operator_seats IS NULL AND operator_set_by IS NULL)),
        CONSTRAINT vacancy_municipality_side CHECK (
          (municipality_as_of IS NULL AND municipality_seats IS NULL AND municipality_kind IS NULL AND municipality_source IS NULL AND municipality_set_by IS NULL)
          OR (municipality_as_of IS NOT NULL AND municipality_kind IS NOT NULL AND municipality_source IN ('MUNICIPALITY_FEED','IMPORT'))),
        CONSTRAINT vacancy_some_side CHECK (operator_as_of IS NOT NULL OR municipality_as_of IS NOT NULL),
        CONSTRAINT vacancy_effective_is_a_side CHECK (
          (side = 'OPERATOR' AND source = 'OPERATOR' AND operator_as_of = as_of AND seats IS NOT DISTINCT FROM operator_seats)
          OR (side = 'MUNICIPALITY' AND source = municipality_source AND municipality_as_of = as_of AND seats IS NOT DISTINCT FROM municipality_seats)))`);
    await q.query(`CREATE INDEX vacancy_open_idx ON vacancy (intake_month, class_age, facility_id) WHERE seats > 0`);
    const cells = CELL_COLUMNS.map(([c]) => c).join(', ');
    await q.query(`INSERT INTO vacancy (facility_id, intake_month, class_age, ${cells}) SELECT facility_id, intake_month, class_age, ${cells} FROM vacancy_cells_down`);
    await q.query(`
      CREATE TABLE vacancy_history (
        id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, facility_id uuid NOT NULL,
        intake_month char(7) NOT NULL CHECK (hub_intake_month_ok(intake_month)), class_age smallint NOT NULL CHECK (class_age BETWEEN 0 AND 5),
        side vacancy_side NOT NULL, source vacancy_source NOT NULL, figure_kind vacancy_figure_kind NOT NULL,
        old_present boolean NOT NULL, old_seats integer, new_seats integer CHECK (new_seats >= 0), as_of timestamptz NOT NULL,
        effective_old_seats integer, effective_new_seats integer, opened boolean NOT NULL, version integer NOT NULL, set_by uuid, changed_at timestamptz NOT NULL,
        CONSTRAINT vacancy_history_old CHECK (old_present OR old_seats IS NULL))`);
    await q.query(`CREATE INDEX vacancy_history_cell_idx ON vacancy_history (facility_id, intake_month, class_age, id)`);
    const history = 'id, facility_id, intake_month, class_age, side, source, figure_kind, old_present, old_seats, new_seats, as_of, effective_old_seats, effective_new_seats, opened, version, set_by, changed_at';
    await q.query(`INSERT INTO vacancy_history (${history}) OVERRIDING SYSTEM VALUE SELECT ${history} FROM vacancy_history_down`);
    await q.query(`SELECT setval(pg_get_serial_sequence('vacancy_history', 'id'), greatest((SELECT max(id) FROM vacancy_history), 1))`);
    await q.query(`CREATE TRIGGER vacancy_history_append_only BEFORE UPDATE OR DELETE ON vacancy_history FOR EACH ROW EXECUTE FUNCTION hub_vacancy_history_append_only()`);
    await q.query(`
      CREATE TRIGGER vacancy_search_data_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON vacancy
      FOR EACH STATEMENT EXECUTE FUNCTION hub_notify_search_data_changed()`);
    await q.query(`DROP TABLE vacancy_cells_down`);
    await q.query(`DROP TABLE vacancy_history_down`);
  }
}
