import { EntityManager } from 'typeorm';
import { CLASS_AGES } from '../facilities/facility-kind';
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
  constructor(
    readonly cells: { facilityId: string; intakeMonth: string; classAge: number; expectedVersion: number | null; actualVersion: number }[],
    /**
     * True when the write met a facility × month that a concurrent transaction created after our read
     * (its row did not exist when we looked): nothing says a cell of ours is stale, so callers read
     * again and retry once rather than refuse.
     */
    readonly rowTaken = false,
  ) {
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
 * count), inside the caller's transaction, with no per-cell work in TypeScript. Cells are stored as
 * one row per facility × intake month (`vacancy_grid`, six class ages in arrays; migration
 * 1764000010000), so every per-row cost (tuple, index entries, foreign key, history row) is paid once
 * for six figures. The rules stay per cell:
 *
 * 1. lock the rows of the facilities × months written (FOR UPDATE, in key order so concurrent writers
 *    never deadlock) and read each written cell as it is now;
 * 2. with `expectedVersion` on the cells (operators), any cell at another version means nothing is
 *    written and StaleVacancyVersion is raised;
 * 3. skip cells whose side is unchanged (same seats, meaning, date, source and author), so a
 *    re-import changes nothing, not even versions;
 * 4. compute each changed cell's effective figure with the rule `chooseVacancySide` (its SQL form,
 *    chooseVacancySideSql, kept next to the pure function in vacancy-rules.ts), put the six cells of
 *    each changed row back together (the unchanged ones as stored), INSERT the rows that did not
 *    exist (built directly from the incoming cells: newRowsSql), UPDATE the others by the ctid locked
 *    in step 1, guarded by their versions. A row inserted by a concurrent transaction after our read
 *    makes our INSERT fail with unique_violation: that is raised as StaleVacancyVersion with
 *    `rowTaken` (callers retry in a new transaction);
 * 5. append one history row (`vacancy_change`) per written row, with the changed class ages.
 *
 * The change ids are drawn from the identity's sequence in the statement, so that the openings it
 * returns carry their history ids (change id × 8 + class age, as the `vacancy_history` view shows them).
 *
 * The statement is prepared once per connection, so its generic plan may be made while the table is
 * still empty and then serve it at millions of rows: every access to it is therefore a parameterised
 * probe that no estimate can turn into a scan (a LATERAL lookup by key; the UPDATE by ctid).
 */
export async function writeVacancyCells(manager: EntityManager, batch: CellWriteBatch, now: Date, onChunk?: (done: number) => void): Promise<CellWriteResult> {
  const result: CellWriteResult = { created: 0, updated: 0, unchanged: 0, opened: [] };
  for (let i = 0; i < batch.cells.length; i += CELL_CHUNK) {
    await writeChunk(manager, batch, batch.cells.slice(i, i + CELL_CHUNK), now, result);
    onChunk?.(Math.min(i + CELL_CHUNK, batch.cells.length));
  }
  return result;
}

/** The per-cell columns of vacancy_grid (arrays of six), in the order the statement writes them. */
export const GRID_COLUMNS = ['seats', 'figure_kind', 'as_of', 'side', 'source', 'operator_seats', 'operator_as_of', 'operator_set_by',
  'municipality_seats', 'municipality_kind', 'municipality_as_of', 'municipality_source', 'municipality_set_by', 'version', 'updated_at'] as const;

/**
 * The statement of writeChunk for one side, row-shaped: the caller groups the cells by facility ×
 * month, so each touched row is read, locked, rebuilt and written once, and no step joins two lists
 * of cells (a join the planner would size from unnest's default estimate). Parameters: $1 facility,
 * $2 intake month, $3 which class ages are written (bit a = class age a), $4–$9 seats of class age
 * 0–5, $10–$15 the expected versions of class age 0–5 (NULL = not checked), all one element per
 * row; $16 figure kind, $17 as-of, $18 source, $19 author, $20 now.
 * `checkVersions`: some cell carries an expected version (operators); imports carry none.
 */
function writeSql(side: VacancySide, checkVersions: boolean): string {
  const operator = side === VacancySide.OPERATOR;
  const p = operator ? 'operator' : 'municipality';
  /** A stored cell's column: element (class age + 1) of the locked row's array (NULL when there is no row). */
  const c = (column: string) => `g.a_${column}[a.i]`;
  // The columns after the write: the incoming figure on our side, the stored one on the other.
  const op = operator
    ? `x.in_seats AS op_seats, $17::timestamptz AS op_as_of, $19::uuid AS op_set_by`
    : `${c('operator_seats')} AS op_seats, ${c('operator_as_of')} AS op_as_of, ${c('operator_set_by')} AS op_set_by`;
  const mu = operator
    ? `${c('municipality_seats')} AS mu_seats, ${c('municipality_kind')} AS mu_kind, ${c('municipality_as_of')} AS mu_as_of, ${c('municipality_source')} AS mu_source, ${c('municipality_set_by')} AS mu_set_by`
    : `x.in_seats AS mu_seats, $16::vacancy_figure_kind AS mu_kind, $17::timestamptz AS mu_as_of, $18::vacancy_source AS mu_source, $19::uuid AS mu_set_by`;
  // "This side says the same as before".
  const sameSide = operator
    ? `${c('operator_as_of')} IS NOT NULL AND ${c('operator_seats')} IS NOT DISTINCT FROM x.in_seats AND ${c('operator_as_of')} = $17::timestamptz AND ${c('operator_set_by')} IS NOT DISTINCT FROM $19::uuid`
    : `${c('municipality_as_of')} IS NOT NULL AND ${c('municipality_seats')} IS NOT DISTINCT FROM x.in_seats AND ${c('municipality_kind')} = $16::vacancy_figure_kind
       AND ${c('municipality_as_of')} = $17::timestamptz AND ${c('municipality_source')} = $18::vacancy_source AND ${c('municipality_set_by')} IS NOT DISTINCT FROM $19::uuid`;
  const win = (o: string, m: string) => `CASE WHEN n.side = 'OPERATOR' THEN ${o} ELSE ${m} END`;
  // A cell's columns after the write (GRID_COLUMNS order): the new ones where it changes, as stored elsewhere.
  const after: Record<(typeof GRID_COLUMNS)[number], string> = {
    seats: win('n.op_seats', 'n.mu_seats'), figure_kind: win(`'OPEN_SEATS'::vacancy_figure_kind`, 'n.mu_kind'), as_of: win('n.op_as_of', 'n.mu_as_of'),
    side: 'n.side', source: win(`'OPERATOR'::vacancy_source`, 'n.mu_source'), operator_seats: 'n.op_seats', operator_as_of: 'n.op_as_of', operator_set_by: 'n.op_set_by',
    municipality_seats: 'n.mu_seats', municipality_kind: 'n.mu_kind', municipality_as_of: 'n.mu_as_of', municipality_source: 'n.mu_source',
    municipality_set_by: 'n.mu_set_by', version: 'coalesce(n.old_version, 0) + 1', updated_at: '$20::timestamptz',
  };
  const changedOnly = (expr: string) => `array_agg(${expr}) FILTER (WHERE n.changes)`;
  return `
    WITH g AS MATERIALIZED (
      -- the rows written, locked in key order (the order of k), with what each carries
      SELECT k.*, r.ctid AS old_ctid, ${GRID_COLUMNS.map((col) => `r.${col} AS a_${col}`).join(', ')}
        FROM (SELECT * FROM unnest($1::uuid[], $2::char(7)[], $3::int[], ${CLASS_AGES.map((a) => `$${4 + a}::int[]`).join(', ')}, ${CLASS_AGES.map((a) => `$${10 + a}::int[]`).join(', ')})
                AS u(facility_id, intake_month, mask, ${CLASS_AGES.map((a) => `s${a}`).join(', ')}, ${CLASS_AGES.map((a) => `e${a}`).join(', ')})
               ORDER BY u.facility_id, u.intake_month COLLATE "C") k
        LEFT JOIN LATERAL (
          SELECT v.ctid, v.* FROM vacancy_grid v WHERE v.facility_id = k.facility_id AND v.intake_month = k.intake_month FOR UPDATE
        ) r ON true
    )${checkVersions ? `, stale AS MATERIALIZED (
      SELECT g.facility_id, g.intake_month, (a.i - 1)::int AS class_age, a.e AS expected_version, coalesce(g.a_version[a.i], 0) AS actual_version
        FROM g CROSS JOIN LATERAL unnest(ARRAY[${CLASS_AGES.map((a) => `g.e${a}`).join(', ')}]) WITH ORDINALITY AS a(e, i)
       WHERE (g.mask >> (a.i::int - 1)) & 1 = 1 AND a.e IS NOT NULL AND a.e <> coalesce(g.a_version[a.i], 0)
    )` : ''}, rows AS MATERIALIZED (
      -- each stored row with a changed cell, put back together from its six cells (computed in a
      -- per-row subquery over class ages 1–6 in order, so the arrays need no sort), with its change
      -- id and the history of its changed cells
      SELECT nextval('vacancy_change_id_seq'::regclass) AS change_id, g.facility_id, g.intake_month, g.old_ctid, g.a_version AS old_versions, w.*
        FROM g CROSS JOIN LATERAL (
          SELECT ${GRID_COLUMNS.map((col) => `array_agg(CASE WHEN n.changes THEN ${after[col]} ELSE n.stored_${col} END) AS ${col}`).join(',\n                 ')},
                 ${changedOnly('(n.i - 1)::smallint')} AS class_ages, ${changedOnly('n.old_present')} AS h_old_present, ${changedOnly('n.old_seats')} AS h_old_seats,
                 ${changedOnly('n.in_seats')} AS h_new_seats, ${changedOnly('n.effective_old')} AS h_effective_old, ${changedOnly(after.seats)} AS h_effective_new,
                 ${changedOnly(opensSeatsSql('n.effective_old', after.seats))} AS h_opened, ${changedOnly(after.version)} AS h_version,
                 bool_or(n.changes) AS any_change,
                 count(*) FILTER (WHERE n.changes AND n.old_version IS NULL)::int AS created, count(*) FILTER (WHERE n.changes AND n.old_version IS NOT NULL)::int AS updated
            FROM (
              SELECT y.*, ${chooseVacancySideSql('y.op_as_of', 'y.mu_as_of')} AS side FROM (
                SELECT a.i, x.in_seats, ${c('version')} AS old_version, ${c('seats')} AS effective_old, ${c(`${p}_as_of`)} IS NOT NULL AS old_present,
                       ${c(`${p}_seats`)} AS old_seats, ${op}, ${mu}, x.written AND NOT coalesce(${sameSide}, false) AS changes,
                       ${GRID_COLUMNS.map((col) => `${c(col)} AS stored_${col}`).join(', ')}
                  FROM generate_series(1, 6) AS a(i)
                  CROSS JOIN LATERAL (SELECT (g.mask >> (a.i - 1)) & 1 = 1 AS written, (ARRAY[${CLASS_AGES.map((a) => `g.s${a}`).join(', ')}])[a.i] AS in_seats) x) y) n
        ) w
       WHERE g.old_ctid IS NOT NULL AND w.any_change${checkVersions ? ' AND NOT EXISTS (SELECT 1 FROM stale)' : ''}
      UNION ALL
      ${newRowsSql(side)}${checkVersions ? ' AND NOT EXISTS (SELECT 1 FROM stale)' : ''}
    ), ins AS (
      INSERT INTO vacancy_grid (facility_id, intake_month, ${GRID_COLUMNS.join(', ')})
      SELECT facility_id, intake_month, ${GRID_COLUMNS.join(', ')} FROM rows WHERE old_ctid IS NULL
    ), upd AS (
      UPDATE vacancy_grid v SET (${GRID_COLUMNS.join(', ')}) = ROW(${GRID_COLUMNS.map((col) => `r.${col}`).join(', ')})
        FROM rows r WHERE r.old_ctid IS NOT NULL AND v.ctid = r.old_ctid AND v.version = r.old_versions
      RETURNING v.facility_id, v.intake_month
    ), hist AS (
      -- one history row per row written (if a row was missed, the caller rolls the whole transaction back)
      INSERT INTO vacancy_change (id, facility_id, intake_month, side, source, figure_kind, as_of, set_by, changed_at, class_ages,
        old_present, old_seats, new_seats, effective_old_seats, effective_new_seats, opened, version) OVERRIDING SYSTEM VALUE
      SELECT change_id, facility_id, intake_month, '${side}'::vacancy_side, $18::vacancy_source, $16::vacancy_figure_kind, $17::timestamptz, $19::uuid, $20::timestamptz,
             class_ages, h_old_present, h_old_seats, h_new_seats, h_effective_old, h_effective_new, h_opened, h_version
        FROM rows
    )
    SELECT (SELECT coalesce(sum(created), 0)::int FROM rows) AS created,
           (SELECT coalesce(sum(updated), 0)::int FROM rows) AS updated,
           -- the version guard never misses while the rows are locked: a safety net, computed only when it did
           CASE WHEN (SELECT count(*) FROM upd) < (SELECT count(*) FROM rows WHERE old_ctid IS NOT NULL) THEN
             (SELECT json_agg(json_build_object('facilityId', r.facility_id, 'intakeMonth', trim(r.intake_month), 'classAge', a.age))
                FROM rows r CROSS JOIN unnest(r.class_ages) AS a(age)
               WHERE r.old_ctid IS NOT NULL AND NOT EXISTS (SELECT 1 FROM upd w WHERE (w.facility_id, w.intake_month) = (r.facility_id, r.intake_month))) END AS lost,
           ${checkVersions ? `(SELECT json_agg(json_build_object('facilityId', facility_id, 'intakeMonth', trim(intake_month), 'classAge', class_age, 'expectedVersion', expected_version, 'actualVersion', actual_version)) FROM stale)` : 'NULL::json'} AS stale,
           -- only openings some watch looks at (same month and class age): the others concern nobody
           (SELECT json_agg(json_build_object('historyId', (r.change_id * 8 + o.age)::text, 'facilityId', r.facility_id, 'intakeMonth', trim(r.intake_month), 'classAge', o.age,
                   'seats', r.seats[o.age + 1], 'previousSeats', o.previous, 'figureKind', r.figure_kind[o.age + 1], 'asOf', r.as_of[o.age + 1], 'source', r.source[o.age + 1]))
              FROM rows r CROSS JOIN unnest(r.class_ages, r.h_effective_old, r.h_opened) AS o(age, previous, opened)
             WHERE o.opened AND EXISTS (SELECT 1 FROM vacancy_watch vw WHERE vw.intake_month = r.intake_month AND vw.class_age = o.age)) AS opened`;
}

/**
 * The rows of writeSql that do not exist yet, without its per-row subquery (a national set is nothing
 * but new rows, and so is every new intake month; the write study gave 7.8 µs per figure with this
 * path against 10.0 without, BENCHMARKS.md). With no
 * stored row, every written cell changes and our side is the only one, so it wins (chooseVacancySide
 * with one side): each cell is the incoming figure where written and empty (all NULL) elsewhere,
 * version 1, and its history says "no figure before". The columns are those of the other branch, in
 * its order; the test "writes a new facility × month exactly as the general path writes it into an
 * empty row" compares the two on the same cells, for both sides and every kind of cell.
 */
function newRowsSql(side: VacancySide): string {
  const operator = side === VacancySide.OPERATOR;
  const written = (a: number) => `(g.mask >> ${a}) & 1 = 1`;
  /** One array column: `value(a)` for each written class age a, NULL elsewhere; or all NULL for the other side's columns. */
  const cells = (type: string, value: ((a: number) => string) | null) =>
    value ? `ARRAY[${CLASS_AGES.map((a) => `CASE WHEN ${written(a)} THEN ${value(a)} END`).join(', ')}]::${type}[]` : `array_fill(NULL::${type}, ARRAY[6])`;
  const seat = (a: number) => `g.s${a}`;
  /** A column of one side: ours carries the figure, the other side's stays empty. */
  const sideColumn = <T>(value: T, operatorColumn: boolean) => (operatorColumn === operator ? value : null);
  const columns: Record<(typeof GRID_COLUMNS)[number], string> = {
    seats: cells('int', seat),
    figure_kind: cells('vacancy_figure_kind', () => (operator ? `'OPEN_SEATS'::vacancy_figure_kind` : '$16::vacancy_figure_kind')),
    as_of: cells('timestamptz', () => '$17::timestamptz'),
    side: cells('vacancy_side', () => chooseVacancySideSql(operator ? '$17::timestamptz' : 'NULL::timestamptz', operator ? 'NULL::timestamptz' : '$17::timestamptz')),
    source: cells('vacancy_source', () => (operator ? `'OPERATOR'::vacancy_source` : '$18::vacancy_source')),
    operator_seats: cells('int', sideColumn(seat, true)),
    operator_as_of: cells('timestamptz', sideColumn(() => '$17::timestamptz', true)),
    operator_set_by: cells('uuid', sideColumn(() => '$19::uuid', true)),
    municipality_seats: cells('int', sideColumn(seat, false)),
    municipality_kind: cells('vacancy_figure_kind', sideColumn(() => '$16::vacancy_figure_kind', false)),
    municipality_as_of: cells('timestamptz', sideColumn(() => '$17::timestamptz', false)),
    municipality_source: cells('vacancy_source', sideColumn(() => '$18::vacancy_source', false)),
    municipality_set_by: cells('uuid', sideColumn(() => '$19::uuid', false)),
    version: cells('int', () => '1'),
    updated_at: cells('timestamptz', () => '$20::timestamptz'),
  };
  // The history lists the written class ages only: -1 marks the others (never a class age, a seat
  // count or 0/1), and array_remove drops them, keeping NULL seats ("no class").
  const compact = (type: string, value: (a: number) => string) => `array_remove(ARRAY[${CLASS_AGES.map((a) => `CASE WHEN ${written(a)} THEN ${value(a)} ELSE -1 END`).join(', ')}]::${type}[], -1::${type})`;
  const count = CLASS_AGES.map((a) => `((g.mask >> ${a}) & 1)`).join(' + ');
  return `SELECT nextval('vacancy_change_id_seq'::regclass) AS change_id, g.facility_id, g.intake_month, g.old_ctid, g.a_version AS old_versions,
             ${GRID_COLUMNS.map((col) => `${columns[col]} AS ${col}`).join(',\n             ')},
             h.class_ages, array_fill(false, ARRAY[h.n]) AS h_old_present, array_fill(NULL::int, ARRAY[h.n]) AS h_old_seats, h.new_seats AS h_new_seats,
             array_fill(NULL::int, ARRAY[h.n]) AS h_effective_old, h.new_seats AS h_effective_new, h.opened AS h_opened, array_fill(1, ARRAY[h.n]) AS h_version,
             true AS any_change, h.n AS created, 0 AS updated
        FROM g CROSS JOIN LATERAL (
          SELECT ${compact('smallint', (a) => String(a))} AS class_ages, ${compact('int', seat)} AS new_seats,
                 ${compact('int', (a) => `(${opensSeatsSql('NULL::int', seat(a))})::int`)}::boolean[] AS opened, (${count})::int AS n
        ) h
       WHERE g.old_ctid IS NULL`;
}

const WRITE_SQL = new Map<string, string>();
/** The writer's statement for one side, with or without the stale-version check (built once each). */
function writeSqlFor(side: VacancySide, checkVersions: boolean): string {
  const key = `${side}:${checkVersions}`;
  let sql = WRITE_SQL.get(key);
  if (!sql) WRITE_SQL.set(key, (sql = writeSql(side, checkVersions)));
  return sql;
}

/** A unique_violation on vacancy_grid's key: a concurrent transaction created a facility × month row that we meant to create. */
function takenRow(err: unknown): StaleVacancyVersion | null {
  const e = err as { code?: string; constraint?: string };
  return e?.code === '23505' && e.constraint === 'vacancy_grid_pkey' ? new StaleVacancyVersion([], true) : null;
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
  // One entry per facility × month: which class ages are written, their seats and expected versions.
  const rows = new Map<string, { facilityId: string; intakeMonth: string; mask: number; seats: Array<number | null>; expected: Array<number | null> }>();
  for (const cell of cells) {
    const key = `${cell.facilityId}|${cell.intakeMonth}`;
    let row = rows.get(key);
    if (!row) rows.set(key, (row = { facilityId: cell.facilityId, intakeMonth: cell.intakeMonth, mask: 0, seats: [null, null, null, null, null, null], expected: [null, null, null, null, null, null] }));
    // Callers give each cell once (the import rejects repeated lines, an operator save repeated class
    // ages); a repeat here would silently lose one of the two figures, so it is a bug to stop on.
    if (row.mask & (1 << cell.classAge)) throw new Error(`writeVacancyCells: cell ${key}|${cell.classAge} appears twice in one write`);
    row.mask |= 1 << cell.classAge;
    row.seats[cell.classAge] = cell.seats;
    row.expected[cell.classAge] = cell.expectedVersion ?? null;
  }
  const list = [...rows.values()];
  let r: { created: number; updated: number; lost: Array<{ facilityId: string; intakeMonth: string; classAge: number }> | null; stale: StaleVacancyVersion['cells'] | null; opened: Array<Omit<OpenedChange, 'asOf'> & { asOf: string }> | null };
  try {
    [r] = (await preparedQuery(manager, writeSqlFor(batch.side, checkVersions), [
      textArray(list.map((x) => x.facilityId)), textArray(list.map((x) => x.intakeMonth)), intArray(list.map((x) => x.mask)),
      ...CLASS_AGES.map((a) => intArray(list.map((x) => x.seats[a]))), ...CLASS_AGES.map((a) => intArray(list.map((x) => x.expected[a]))),
      incomingKind, batch.asOf.toISOString(), batch.source, batch.setBy, now.toISOString(),
    ])) as [typeof r];
  } catch (err) {
    throw takenRow(err) ?? err;
  }
  if (r.stale) throw new StaleVacancyVersion(r.stale);
  if (r.lost) {
    // Our version guard missed these cells: never overwrite what another writer changed.
    const after: VacancyRow[] = await manager.query(
      `SELECT v.* FROM vacancy v JOIN unnest($1::uuid[], $2::char(7)[], $3::smallint[]) AS x(facility_id, intake_month, class_age) USING (facility_id, intake_month, class_age)`,
      [r.lost.map((c) => c.facilityId), r.lost.map((c) => c.intakeMonth), r.lost.map((c) => c.classAge)],
    );
    throw new StaleVacancyVersion(after.map((a) => ({ facilityId: a.facility_id, intakeMonth: a.intake_month.trim(), classAge: a.class_age, expectedVersion: null, actualVersion: a.version })));
  }
  result.created += r.created;
  result.updated += r.updated;
  result.unchanged += cells.length - r.created - r.updated;
  for (const o of r.opened ?? []) result.opened.push({ ...o, asOf: new Date(o.asOf) });
}
