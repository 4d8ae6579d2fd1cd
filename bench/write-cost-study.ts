/**
 * Where the import's time goes in PostgreSQL, per figure (`npm run bench:write-study -- --from
 * hub_bench_<n>`, on a database a `bench:vacancy --keep` run left). Not a test and not part of CI:
 * it informs the storage model (BENCHMARKS.md).
 *
 * It copies the kept database (CREATE DATABASE … TEMPLATE), empties the vacancy tables, and then
 * writes the same 8,208 new figures (114 facilities × 12 months × 6 class ages, the size of the
 * largest municipality file of the national set) many times, each time in a transaction that is
 * rolled back, taking the variants in turn so that a busy host slows them all alike:
 *
 * - `the writer`: writeVacancyCells as the import runs it (one row per facility × intake month,
 *   both sides, every rule, history), and the same without its history rows;
 * - `bare rows`: the floor of this model, a prototype insert of the same rows with the facility and
 *   author checks, primary key and cardinality CHECKs but none of the writer's rules, with no
 *   history or one history row per facility × month.
 *
 * (Until 2026-12-02 the model was one row per figure; the study then compared it with the bare-row
 * prototype: 30.8 µs per figure against 4.4, BENCHMARKS.md. Those variants went with the old tables.)
 *
 * Each variant's statement is sent unprepared (planned every time: ~1 µs per figure for all alike,
 * which a prepared statement in the service does not pay). One backend, one core.
 */
import { Client } from 'pg';
import { VacancyFigureKind } from '../src/vacancies/vacancy-figure-kind';
import { VacancySide, VacancySource } from '../src/vacancies/vacancy-rules';
import { CellWrite, writeVacancyCells } from '../src/vacancies/vacancy-writer';
import { percentile } from './measure';

const FACILITIES = 114;
const MONTHS = Array.from({ length: 12 }, (_, i) => `2030-${String(i + 1).padStart(2, '0')}`);
const FIGURES = FACILITIES * MONTHS.length * 6;
const ROUNDS = Number(process.env.STUDY_ROUNDS ?? 15);

const GRID_TABLES = `
  CREATE TABLE study_grid (
    facility_id uuid NOT NULL REFERENCES facility(id) ON DELETE CASCADE,
    intake_month char(7) NOT NULL CHECK (hub_intake_month_ok(intake_month)),
    seats int[] NOT NULL CHECK (cardinality(seats) = 6 AND 0 <= ALL(seats)),
    side vacancy_side[] NOT NULL,
    operator_seats int[], operator_as_of timestamptz[], operator_set_by uuid[],
    municipality_seats int[] CHECK (cardinality(municipality_seats) = 6 AND 0 <= ALL(municipality_seats)),
    municipality_kind vacancy_figure_kind, municipality_as_of timestamptz, municipality_source vacancy_source,
    municipality_set_by uuid REFERENCES api_client(id),
    version int[] NOT NULL, updated_at timestamptz NOT NULL,
    PRIMARY KEY (facility_id, intake_month))`;
const GRID_HISTORY = `
  CREATE TABLE study_grid_history (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, facility_id uuid NOT NULL, intake_month char(7) NOT NULL,
    side vacancy_side NOT NULL, source vacancy_source NOT NULL, figure_kind vacancy_figure_kind NOT NULL, as_of timestamptz NOT NULL,
    old_seats int[], new_seats int[] NOT NULL, effective_old_seats int[], effective_new_seats int[] NOT NULL, opened boolean[] NOT NULL,
    set_by uuid, changed_at timestamptz NOT NULL)`;

/** The bare-row prototype: lock-and-probe, insert and (optionally) one history row per row; none of the writer's rules. */
function gridSql(history: 'none' | 'row'): string {
  const hist = {
    none: '',
    row: `, h AS (
      INSERT INTO study_grid_history (facility_id, intake_month, side, source, figure_kind, as_of, old_seats, new_seats, effective_old_seats, effective_new_seats, opened, set_by, changed_at)
      SELECT facility_id, intake_month, 'MUNICIPALITY', 'IMPORT', 'OPEN_SEATS', $9, NULL, seats, NULL, seats, ARRAY(SELECT s > 0 FROM unnest(seats) s), $10, now() FROM ins)`,
  }[history];
  return `
    WITH cur AS MATERIALIZED (
      SELECT i.*, c.ctid AS old_ctid, c.version AS old_version FROM (
        SELECT u.facility_id, u.intake_month, ARRAY[u.s0, u.s1, u.s2, u.s3, u.s4, u.s5] AS seats
          FROM unnest($1::uuid[], $2::char(7)[], $3::int[], $4::int[], $5::int[], $6::int[], $7::int[], $8::int[]) AS u(facility_id, intake_month, s0, s1, s2, s3, s4, s5)
         ORDER BY u.facility_id, u.intake_month COLLATE "C") i
      LEFT JOIN LATERAL (SELECT g.ctid, g.version FROM study_grid g WHERE g.facility_id = i.facility_id AND g.intake_month = i.intake_month FOR UPDATE) c ON true
    ), ins AS (
      INSERT INTO study_grid (facility_id, intake_month, seats, side, municipality_seats, municipality_kind, municipality_as_of, municipality_source, municipality_set_by, version, updated_at)
      SELECT facility_id, intake_month, seats, array_fill('MUNICIPALITY'::vacancy_side, ARRAY[6]), seats, 'OPEN_SEATS', $9, 'IMPORT', $10, array_fill(1, ARRAY[6]), now()
        FROM cur WHERE old_version IS NULL
      RETURNING facility_id, intake_month, seats
    )${hist}
    SELECT count(*)::int AS created FROM ins`;
}

type Variant = { name: string; run: (c: Client, cells: CellWrite[], setBy: string) => Promise<unknown> };

async function main() {
  const from = process.argv[process.argv.indexOf('--from') + 1];
  if (!process.argv.includes('--from') || !/^hub_bench_\d+$/.test(from ?? '')) throw new Error('usage: write-cost-study --from hub_bench_<n> (a database kept by bench:vacancy --keep)');
  const server = new URL(process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres');
  const study = `hub_write_study_${Date.now()}`;
  const admin = new Client({ connectionString: server.toString() });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${study} TEMPLATE ${from}`);
  server.pathname = `/${study}`;
  const c = new Client({ connectionString: server.toString() });
  try {
    await c.connect();
    await c.query(`TRUNCATE vacancy_grid`);
    await c.query(GRID_TABLES);
    await c.query(GRID_HISTORY);
    await c.query(`CREATE INDEX ON study_grid_history (facility_id, intake_month, id)`);
    await c.query(`VACUUM ANALYZE`);
    const [{ id: setBy }] = (await c.query(`SELECT id FROM api_client ORDER BY created_at LIMIT 1`)).rows;
    const facilities: string[] = (await c.query(`SELECT id FROM facility ORDER BY id LIMIT $1`, [FACILITIES])).rows.map((r) => r.id);
    const cells: CellWrite[] = [];
    facilities.forEach((facilityId, f) => MONTHS.forEach((intakeMonth) => { for (let a = 0; a < 6; a++) cells.push({ facilityId, intakeMonth, classAge: a, seats: (f + a) % 4 }); }));

    // The hub's writer through a manager that sends each statement unprepared, optionally rewritten.
    const writer = (rewrite: (sql: string) => string = (s) => s) => (db: Client, cs: CellWrite[], by: string) =>
      writeVacancyCells({ query: (sql: string, p: unknown[]) => db.query(rewrite(sql), p).then((r) => r.rows) } as never,
        { side: VacancySide.MUNICIPALITY, source: VacancySource.IMPORT, figureKind: VacancyFigureKind.OPEN_SEATS, asOf: new Date('2030-01-01'), setBy: by, cells: cs }, new Date());
    const withoutHistory = (sql: string) => {
      const out = sql.replace(/, hist AS \([\s\S]*?\n {4}\)\n/, '\n');
      if (out === sql) throw new Error('the writer statement changed shape: update the study');
      return out;
    };
    const grid = (history: 'none' | 'row') => async (db: Client, cs: CellWrite[], by: string) => {
      const rows = cs.filter((x) => x.classAge === 0);
      const seats = (age: number) => `{${cs.filter((x) => x.classAge === age).map((x) => x.seats).join(',')}}`;
      const [{ created }] = (await db.query(gridSql(history), [`{${rows.map((x) => x.facilityId).join(',')}}`, `{${rows.map((x) => x.intakeMonth).join(',')}}`,
        seats(0), seats(1), seats(2), seats(3), seats(4), seats(5), '2030-01-01', by])).rows;
      if (created * 6 !== cs.length) throw new Error(`grid wrote ${created} rows`);
    };
    const variants: Variant[] = [
      { name: 'the writer', run: writer() },
      { name: 'the writer without history', run: writer(withoutHistory) },
      { name: 'bare rows, no history', run: grid('none') },
      { name: 'bare rows, history per row', run: grid('row') },
    ];
    const times = new Map<string, number[]>(variants.map((v) => [v.name, []]));
    for (let round = 0; round < ROUNDS + 1; round++) {
      for (const v of variants) {
        await c.query('BEGIN');
        const t0 = performance.now();
        await v.run(c, cells, setBy);
        const ms = performance.now() - t0;
        await c.query('ROLLBACK');
        if (round > 0) times.get(v.name)!.push(ms); // round 0 warms caches
      }
    }
    for (const list of times.values()) list.sort((a, b) => a - b);
    const base = percentile(times.get(variants[0].name)!, 50);
    console.log(`${FIGURES} new figures per write, ${ROUNDS} rounds, median per variant (one backend):`);
    for (const v of variants) {
      const med = percentile(times.get(v.name)!, 50);
      console.log(`  ${v.name.padEnd(38)} ${med.toFixed(0).padStart(5)} ms  ${((med * 1000) / FIGURES).toFixed(1).padStart(5)} µs/figure  ${(base / med).toFixed(2)}× the writer`);
    }
  } finally {
    await c.end().catch(() => undefined);
    await admin.query(`DROP DATABASE IF EXISTS ${study}`);
    await admin.end();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
