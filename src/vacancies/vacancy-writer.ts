import { EntityManager } from 'typeorm';
import { preparedQuery } from '../common/sql';
import { VacancyFigureKind } from './vacancy-figure-kind';
import { chooseVacancySideSql, opensSeatsSql, VacancySide, VacancySource } from './vacancy-rules';

/** One cell to set on one side. seats null = no class of this age. */
export interface CellWrite {
  facilityId: string;
  intakeMonth: string;
  classAge: number;
  seats: number | null;
  /** Optimistic concurrency (operators): the cell version the caller read; 0 = "there was no figure". */
  expectedVersion?: number;
}

/** Cells written by one actor in one go: the same side, meaning, date and author for all. */
export interface CellWriteBatch {
  side: VacancySide;
  source: VacancySource;
  figureKind: VacancyFigureKind;
  asOf: Date;
  setBy: string | null;
  cells: CellWrite[];
}

/** A change that made seats appear (0 / none → > 0) in what parents see; watches are told about these. */
export interface OpenedChange {
  historyId: string;
  facilityId: string;
  intakeMonth: string;
  classAge: number;
  seats: number;
  previousSeats: number | null;
  figureKind: VacancyFigureKind;
  asOf: Date;
  source: VacancySource;
}

export interface CellWriteResult {
  created: number;
  updated: number;
  unchanged: number;
  opened: OpenedChange[];
}

/** Thrown inside the transaction when a cell is not at the version the caller expected; the caller turns it into CONFLICT. */
export class StaleVacancyVersion extends Error {
  constructor(readonly cells: { facilityId: string; intakeMonth: string; classAge: number; expectedVersion: number | null; actualVersion: number }[]) {
    super('stale vacancy version');
  }
}

/** The stored row of a cell (snake_case, as selected). */
export interface VacancyRow {
  facility_id: string;
  intake_month: string;
  class_age: number;
  seats: number | null;
  figure_kind: VacancyFigureKind;
  as_of: Date;
  side: VacancySide;
  source: VacancySource;
  /** generated: the author of the winning side (operator_set_by or municipality_set_by) */
  set_by: string | null;
  operator_seats: number | null;
  operator_as_of: Date | null;
  operator_set_by: string | null;
  municipality_seats: number | null;
  municipality_kind: VacancyFigureKind | null;
  municipality_as_of: Date | null;
  municipality_source: VacancySource | null;
  municipality_set_by: string | null;
  version: number;
  updated_at: Date;
}

export const CELL_CHUNK = 10_000;

/**
 * Writes one side of many cells, set-based: ONE statement per chunk of 10,000 cells (whatever the
 * count), inside the caller's transaction, with no per-cell work in TypeScript:
 *
 * 1. lock the cells that exist (FOR UPDATE, in key order so concurrent writers never deadlock) and
 *    read them as they are now;
 * 2. with `expectedVersion` on the cells (operators), any cell at another version means nothing is
 *    written and StaleVacancyVersion is raised;
 * 3. skip cells whose side is unchanged (same seats, meaning, date, source and author), so a
 *    re-import changes nothing, not even versions;
 * 4. compute each changed cell's effective figure with the rule `chooseVacancySide` (its SQL form,
 *    chooseVacancySideSql, kept next to the pure function in vacancy-rules.ts); INSERT the cells that
 *    had no row (in key order), UPDATE the ones that had one, guarded by `version = read version`.
 *    A cell inserted by a concurrent transaction after our read makes our INSERT fail with
 *    unique_violation on vacancy_pkey: that is raised as StaleVacancyVersion too (the transaction is
 *    aborted by then; callers read the current figures after their rollback, or retry);
 * 5. append one history row per written cell, from the same statement (from the RETURNING rows).
 *
 * The history ids are drawn from the identity's sequence (vacancy_history_id_seq) in the statement,
 * so that the openings it returns carry them without joining the inserted history rows back.
 *
 * The statement is prepared once per connection, so its generic plan may be made while vacancy is
 * still empty and then serve it at millions of rows: every access to vacancy is therefore a
 * parameterised probe that no estimate can turn into a scan (a LATERAL lookup by key; the UPDATE by
 * the ctid of the row locked in step 1, which no one else can change while we hold the lock).
 */
export async function writeVacancyCells(manager: EntityManager, batch: CellWriteBatch, now: Date, onChunk?: (done: number) => void): Promise<CellWriteResult> {
  const result: CellWriteResult = { created: 0, updated: 0, unchanged: 0, opened: [] };
  for (let i = 0; i < batch.cells.length; i += CELL_CHUNK) {
    await writeChunk(manager, batch, batch.cells.slice(i, i + CELL_CHUNK), now, result);
    onChunk?.(Math.min(i + CELL_CHUNK, batch.cells.length));
  }
  return result;
}

const KEY = 'facility_id, intake_month, class_age';
const COLUMNS = `seats, figure_kind, as_of, side, source, operator_seats, operator_as_of, operator_set_by,
  municipality_seats, municipality_kind, municipality_as_of, municipality_source, municipality_set_by, version, updated_at`;

/**
 * The statement of writeChunk for one side. `mine` are the columns of the side being written,
 * `theirs` the other side's, kept as they are. Parameters: $1–$5 the cells (facility, month, age,
 * seats, expected version or NULL), $6 figure kind, $7 as-of, $8 source, $9 author, $10 now.
 * `checkVersions`: some cell carries an expected version (operators); imports carry none.
 */
function writeSql(side: VacancySide, checkVersions: boolean): string {
  const operator = side === VacancySide.OPERATOR;
  const p = operator ? 'operator' : 'municipality';
  // The columns after the write: the incoming figure on our side, the stored one on the other.
  const op = operator
    ? `i.seats AS op_seats, $7::timestamptz AS op_as_of, $9::uuid AS op_set_by`
    : `c.operator_seats AS op_seats, c.operator_as_of AS op_as_of, c.operator_set_by AS op_set_by`;
  const mu = operator
    ? `c.municipality_seats AS mu_seats, c.municipality_kind AS mu_kind, c.municipality_as_of AS mu_as_of, c.municipality_source AS mu_source, c.municipality_set_by AS mu_set_by`
    : `i.seats AS mu_seats, $6::vacancy_figure_kind AS mu_kind, $7::timestamptz AS mu_as_of, $8::vacancy_source AS mu_source, $9::uuid AS mu_set_by`;
  // "This side says the same as before": sameSide of the former TypeScript writer.
  const sameSide = operator
    ? `c.operator_as_of IS NOT NULL AND c.operator_seats IS NOT DISTINCT FROM i.seats AND c.operator_as_of = $7::timestamptz AND c.operator_set_by IS NOT DISTINCT FROM $9::uuid`
    : `c.municipality_as_of IS NOT NULL AND c.municipality_seats IS NOT DISTINCT FROM i.seats AND c.municipality_kind = $6::vacancy_figure_kind
       AND c.municipality_as_of = $7::timestamptz AND c.municipality_source = $8::vacancy_source AND c.municipality_set_by IS NOT DISTINCT FROM $9::uuid`;
  const win = (o: string, m: string) => `CASE WHEN n.side = 'OPERATOR' THEN ${o} ELSE ${m} END`;
  // The new row's columns (COLUMNS order), from a changed row n of cur.
  const values = `${win('n.op_seats', 'n.mu_seats')}, ${win(`'OPEN_SEATS'::vacancy_figure_kind`, 'n.mu_kind')}, ${win('n.op_as_of', 'n.mu_as_of')}, n.side,
    ${win(`'OPERATOR'::vacancy_source`, 'n.mu_source')}, n.op_seats, n.op_as_of, n.op_set_by, n.mu_seats, n.mu_kind, n.mu_as_of, n.mu_source, n.mu_set_by`;
  const key = (a: string, b: string) => `(${a}.facility_id, ${a}.intake_month, ${a}.class_age) = (${b}.facility_id, ${b}.intake_month, ${b}.class_age)`;
  const notStale = checkVersions ? ' AND NOT EXISTS (SELECT 1 FROM stale)' : '';
  return `
    WITH cur AS MATERIALIZED (
      -- every cell as it is now and as it will be: one probe of the primary key per cell, locking the
      -- rows that exist in key order (the order of i)
      SELECT x.*, ${chooseVacancySideSql('x.op_as_of', 'x.mu_as_of')} AS side FROM (
        SELECT i.*, c.ctid AS old_ctid, c.version AS old_version, c.seats AS effective_old, c.${p}_as_of IS NOT NULL AS old_present, c.${p}_seats AS old_seats,
               ${op}, ${mu}, NOT coalesce(${sameSide}, false) AS changes
          FROM (SELECT * FROM unnest($1::uuid[], $2::char(7)[], $3::smallint[], $4::int[], $5::int[]) AS u(facility_id, intake_month, class_age, seats, expected_version)
                 ORDER BY facility_id, intake_month COLLATE "C", class_age) i
          LEFT JOIN LATERAL (
            SELECT v.ctid, v.* FROM vacancy v WHERE v.facility_id = i.facility_id AND v.intake_month = i.intake_month AND v.class_age = i.class_age FOR UPDATE
          ) c ON true) x
    )${checkVersions ? `, stale AS MATERIALIZED (
      SELECT facility_id, intake_month, class_age, expected_version, coalesce(old_version, 0) AS actual_version
        FROM cur WHERE expected_version IS NOT NULL AND expected_version <> coalesce(old_version, 0)
    )` : ''}, ins AS (
      INSERT INTO vacancy (${KEY}, ${COLUMNS})
      SELECT n.facility_id, n.intake_month, n.class_age, ${values}, 1, $10::timestamptz
        FROM cur n WHERE n.changes AND n.old_version IS NULL${notStale}
      RETURNING ${KEY}, seats, figure_kind, as_of, source, version, ${p}_seats
    ), upd AS (
      UPDATE vacancy v SET (${COLUMNS}) = ROW(${values}, n.old_version + 1, $10::timestamptz)
        FROM cur n WHERE n.changes AND n.old_version IS NOT NULL${notStale} AND v.ctid = n.old_ctid AND v.version = n.old_version
      RETURNING v.facility_id, v.intake_month, v.class_age, v.seats, v.figure_kind, v.as_of, v.source, v.version, v.${p}_seats, n.old_present, n.old_seats, n.effective_old
    ), w AS MATERIALIZED (
      -- every written cell with its history id, drawn here so that the openings need no join with the history rows
      SELECT nextval('vacancy_history_id_seq'::regclass) AS history_id, ${KEY}, seats, figure_kind, as_of, source, version, ${p}_seats AS new_seats,
             false AS old_present, NULL::int AS old_seats, NULL::int AS effective_old FROM ins
      UNION ALL
      SELECT nextval('vacancy_history_id_seq'::regclass), ${KEY}, seats, figure_kind, as_of, source, version, ${p}_seats, old_present, old_seats, effective_old FROM upd
    ), h AS (
      INSERT INTO vacancy_history (id, facility_id, intake_month, class_age, side, source, figure_kind, old_present, old_seats, new_seats, as_of,
        effective_old_seats, effective_new_seats, opened, version, set_by, changed_at) OVERRIDING SYSTEM VALUE
      SELECT w.history_id, w.facility_id, w.intake_month, w.class_age, '${side}'::vacancy_side, $8::vacancy_source, $6::vacancy_figure_kind, w.old_present, w.old_seats, w.new_seats,
             $7::timestamptz, w.effective_old, w.seats, ${opensSeatsSql('w.effective_old', 'w.seats')}, w.version, $9::uuid, $10::timestamptz
        FROM w
    )
    SELECT (SELECT count(*)::int FROM ins) AS created,
           (SELECT count(*)::int FROM upd) AS updated,
           -- the version guard never misses while the rows are locked: a safety net, computed only when it did
           CASE WHEN (SELECT count(*) FROM upd) < (SELECT count(*) FROM cur WHERE changes AND old_version IS NOT NULL) THEN
             (SELECT json_agg(json_build_object('facilityId', n.facility_id, 'intakeMonth', trim(n.intake_month), 'classAge', n.class_age))
                FROM cur n WHERE n.changes AND n.old_version IS NOT NULL AND NOT EXISTS (SELECT 1 FROM upd w WHERE ${key('w', 'n')})) END AS lost,
           ${checkVersions ? `(SELECT json_agg(json_build_object('facilityId', facility_id, 'intakeMonth', trim(intake_month), 'classAge', class_age, 'expectedVersion', expected_version, 'actualVersion', actual_version)) FROM stale)` : 'NULL::json'} AS stale,
           -- only openings some watch looks at (same month and class age): the others concern nobody
           (SELECT json_agg(json_build_object('historyId', w.history_id::text, 'facilityId', w.facility_id, 'intakeMonth', trim(w.intake_month), 'classAge', w.class_age,
                   'seats', w.seats, 'previousSeats', w.effective_old, 'figureKind', w.figure_kind, 'asOf', w.as_of, 'source', w.source))
              FROM w WHERE ${opensSeatsSql('w.effective_old', 'w.seats')}
               AND EXISTS (SELECT 1 FROM vacancy_watch vw WHERE vw.intake_month = w.intake_month AND vw.class_age = w.class_age)) AS opened`;
}
const WRITE_SQL = new Map<string, string>();
/** The writer's statement for one side, with or without the stale-version check (built once each). */
function writeSqlFor(side: VacancySide, checkVersions: boolean): string {
  const key = `${side}:${checkVersions}`;
  let sql = WRITE_SQL.get(key);
  if (!sql) WRITE_SQL.set(key, (sql = writeSql(side, checkVersions)));
  return sql;
}

/** A unique_violation on vacancy_pkey: a concurrent transaction inserted a cell that we meant to insert. */
function takenCell(err: unknown, cells: CellWrite[]): StaleVacancyVersion | null {
  const e = err as { code?: string; constraint?: string; detail?: string };
  if (e?.code !== '23505' || e.constraint !== 'vacancy_pkey') return null;
  // detail: Key (facility_id, intake_month, class_age)=(<uuid>, 2026-09, 2) already exists.
  const m = /=\(([0-9a-f-]+), ([0-9]{4}-[0-9]{2})\s*, ([0-5])\)/i.exec(e.detail ?? '');
  if (!m) return new StaleVacancyVersion([]);
  const cell = { facilityId: m[1], intakeMonth: m[2], classAge: Number(m[3]) };
  const mine = cells.find((c) => c.facilityId === cell.facilityId && c.intakeMonth === cell.intakeMonth && c.classAge === cell.classAge);
  // An insert always creates version 1.
  return new StaleVacancyVersion([{ ...cell, expectedVersion: mine?.expectedVersion ?? null, actualVersion: 1 }]);
}

/**
 * Array parameters as PostgreSQL's array text, built with one join: pg's per-element quoting and
 * escaping is a good part of the writer's cost in Node. Ids and months need no quoting; anything
 * else (never expected here) is left to pg.
 */
function textArray(values: string[]): string | string[] {
  const text = values.join(',');
  return /^[0-9A-Za-z-]+(,[0-9A-Za-z-]+)*$/.test(text) && !/(^|,)null(,|$)/i.test(text) ? `{${text}}` : values;
}
function intArray(values: Array<number | null>): string {
  return `{${values.map((v) => (v === null ? 'NULL' : String(v))).join(',')}}`;
}

async function writeChunk(manager: EntityManager, batch: CellWriteBatch, cells: CellWrite[], now: Date, result: CellWriteResult) {
  const incomingKind = batch.side === VacancySide.OPERATOR ? VacancyFigureKind.OPEN_SEATS : batch.figureKind;
  const checkVersions = cells.some((c) => c.expectedVersion !== undefined);
  let r: { created: number; updated: number; lost: Array<{ facilityId: string; intakeMonth: string; classAge: number }> | null; stale: StaleVacancyVersion['cells'] | null; opened: Array<Omit<OpenedChange, 'asOf'> & { asOf: string }> | null };
  try {
    [r] = (await preparedQuery(manager, writeSqlFor(batch.side, checkVersions), [
      textArray(cells.map((c) => c.facilityId)), textArray(cells.map((c) => c.intakeMonth)), intArray(cells.map((c) => c.classAge)),
      intArray(cells.map((c) => c.seats)), intArray(cells.map((c) => c.expectedVersion ?? null)),
      incomingKind, batch.asOf.toISOString(), batch.source, batch.setBy, now.toISOString(),
    ])) as [typeof r];
  } catch (err) {
    throw takenCell(err, cells) ?? err;
  }
  if (r.stale) throw new StaleVacancyVersion(r.stale);
  if (r.lost) {
    // Our version guard missed these cells: never overwrite what another writer changed.
    const after: VacancyRow[] = await manager.query(
      `SELECT v.* FROM vacancy v JOIN unnest($1::uuid[], $2::char(7)[], $3::smallint[]) AS x(${KEY}) USING (${KEY})`,
      [r.lost.map((c) => c.facilityId), r.lost.map((c) => c.intakeMonth), r.lost.map((c) => c.classAge)],
    );
    throw new StaleVacancyVersion(after.map((a) => ({ facilityId: a.facility_id, intakeMonth: a.intake_month.trim(), classAge: a.class_age, expectedVersion: null, actualVersion: a.version })));
  }
  result.created += r.created;
  result.updated += r.updated;
  result.unchanged += cells.length - r.created - r.updated;
  for (const o of r.opened ?? []) result.opened.push({ ...o, asOf: new Date(o.asOf) });
}
