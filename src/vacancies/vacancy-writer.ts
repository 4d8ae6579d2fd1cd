import { EntityManager } from 'typeorm';
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
 *    chooseVacancySideSql, kept next to the pure function in vacancy-rules.ts) and upsert it with
 *    `version = read version + 1`, guarded by `WHERE vacancy.version = EXCLUDED.version - 1`: a cell
 *    inserted by a concurrent transaction after our read is not overwritten, and the short count
 *    raises StaleVacancyVersion;
 * 5. append one history row per changed cell, from the same statement.
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

/**
 * The statement of writeChunk for one side. `mine` are the columns of the side being written,
 * `theirs` the other side's, kept as they are. Parameters: $1–$5 the cells (facility, month, age,
 * seats, expected version or NULL), $6 figure kind, $7 as-of, $8 source, $9 author, $10 now.
 */
function writeSql(side: VacancySide): string {
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
  return `
    WITH input AS MATERIALIZED (
      SELECT * FROM unnest($1::uuid[], $2::char(7)[], $3::smallint[], $4::int[], $5::int[]) AS x(facility_id, intake_month, class_age, seats, expected_version)
    ), cur AS MATERIALIZED (
      SELECT v.* FROM vacancy v JOIN input i USING (${KEY}) ORDER BY v.facility_id, v.intake_month, v.class_age FOR UPDATE OF v
    ), stale AS MATERIALIZED (
      SELECT i.facility_id, i.intake_month, i.class_age, i.expected_version, coalesce(c.version, 0) AS actual_version
        FROM input i LEFT JOIN cur c USING (${KEY})
       WHERE i.expected_version IS NOT NULL AND i.expected_version <> coalesce(c.version, 0)
    ), changed AS MATERIALIZED (
      SELECT i.facility_id, i.intake_month, i.class_age, i.seats AS new_seats, c.version AS old_version, c.seats AS effective_old,
             c.${p}_as_of IS NOT NULL AS old_present, c.${p}_seats AS old_seats, ${op}, ${mu}
        FROM input i LEFT JOIN cur c USING (${KEY})
       WHERE NOT coalesce(${sameSide}, false) AND NOT EXISTS (SELECT 1 FROM stale)
    ), chosen AS MATERIALIZED (
      SELECT x.*, ${chooseVacancySideSql('x.op_as_of', 'x.mu_as_of')} AS side FROM changed x
    ), w AS (
      INSERT INTO vacancy (facility_id, intake_month, class_age, seats, figure_kind, as_of, side, source,
        operator_seats, operator_as_of, operator_set_by, municipality_seats, municipality_kind, municipality_as_of, municipality_source, municipality_set_by, version, updated_at)
      SELECT n.facility_id, n.intake_month, n.class_age, ${win('n.op_seats', 'n.mu_seats')}, ${win(`'OPEN_SEATS'::vacancy_figure_kind`, 'n.mu_kind')},
             ${win('n.op_as_of', 'n.mu_as_of')}, n.side, ${win(`'OPERATOR'::vacancy_source`, 'n.mu_source')},
             n.op_seats, n.op_as_of, n.op_set_by, n.mu_seats, n.mu_kind, n.mu_as_of, n.mu_source, n.mu_set_by, coalesce(n.old_version, 0) + 1, $10::timestamptz
        FROM chosen n ORDER BY n.facility_id, n.intake_month, n.class_age
      ON CONFLICT (${KEY}) DO UPDATE SET
        seats = EXCLUDED.seats, figure_kind = EXCLUDED.figure_kind, as_of = EXCLUDED.as_of, side = EXCLUDED.side, source = EXCLUDED.source,
        operator_seats = EXCLUDED.operator_seats, operator_as_of = EXCLUDED.operator_as_of, operator_set_by = EXCLUDED.operator_set_by,
        municipality_seats = EXCLUDED.municipality_seats, municipality_kind = EXCLUDED.municipality_kind, municipality_as_of = EXCLUDED.municipality_as_of,
        municipality_source = EXCLUDED.municipality_source, municipality_set_by = EXCLUDED.municipality_set_by,
        version = EXCLUDED.version, updated_at = EXCLUDED.updated_at
      WHERE vacancy.version = EXCLUDED.version - 1
      RETURNING ${KEY}, seats, figure_kind, as_of, source, version
    ), h AS (
      INSERT INTO vacancy_history (facility_id, intake_month, class_age, side, source, figure_kind, old_present, old_seats, new_seats, as_of,
        effective_old_seats, effective_new_seats, opened, version, set_by, changed_at)
      SELECT w.facility_id, w.intake_month, w.class_age, '${side}'::vacancy_side, $8::vacancy_source, $6::vacancy_figure_kind, n.old_present, n.old_seats, n.new_seats, $7::timestamptz,
             n.effective_old, w.seats, ${opensSeatsSql('n.effective_old', 'w.seats')}, w.version, $9::uuid, $10::timestamptz
        FROM w JOIN chosen n USING (${KEY})
      RETURNING id, ${KEY}, opened, effective_old_seats, effective_new_seats
    )
    SELECT (SELECT count(*)::int FROM chosen) AS changed,
           (SELECT count(*)::int FROM chosen WHERE old_version IS NOT NULL) AS updated,
           (SELECT count(*)::int FROM w) AS written,
           (SELECT json_agg(json_build_object('facilityId', n.facility_id, 'intakeMonth', trim(n.intake_month), 'classAge', n.class_age))
              FROM chosen n WHERE NOT EXISTS (SELECT 1 FROM w WHERE (w.facility_id, w.intake_month, w.class_age) = (n.facility_id, n.intake_month, n.class_age))) AS lost,
           (SELECT json_agg(json_build_object('facilityId', facility_id, 'intakeMonth', trim(intake_month), 'classAge', class_age, 'expectedVersion', expected_version, 'actualVersion', actual_version)) FROM stale) AS stale,
           -- only openings some watch looks at (same month and class age): the others concern nobody
           (SELECT json_agg(json_build_object('historyId', h.id::text, 'facilityId', h.facility_id, 'intakeMonth', trim(h.intake_month), 'classAge', h.class_age,
                   'seats', h.effective_new_seats, 'previousSeats', h.effective_old_seats, 'figureKind', w.figure_kind, 'asOf', w.as_of, 'source', w.source))
              FROM h JOIN w USING (${KEY})
             WHERE h.opened AND EXISTS (SELECT 1 FROM vacancy_watch vw WHERE vw.intake_month = h.intake_month AND vw.class_age = h.class_age)) AS opened`;
}
const WRITE_SQL = { [VacancySide.OPERATOR]: writeSql(VacancySide.OPERATOR), [VacancySide.MUNICIPALITY]: writeSql(VacancySide.MUNICIPALITY) };

async function writeChunk(manager: EntityManager, batch: CellWriteBatch, cells: CellWrite[], now: Date, result: CellWriteResult) {
  const incomingKind = batch.side === VacancySide.OPERATOR ? VacancyFigureKind.OPEN_SEATS : batch.figureKind;
  const [r]: Array<{ changed: number; updated: number; lost: Array<{ facilityId: string; intakeMonth: string; classAge: number }> | null; stale: StaleVacancyVersion['cells'] | null; opened: Array<Omit<OpenedChange, 'asOf'> & { asOf: string }> | null }> =
    await manager.query(WRITE_SQL[batch.side], [
      cells.map((c) => c.facilityId), cells.map((c) => c.intakeMonth), cells.map((c) => c.classAge), cells.map((c) => c.seats), cells.map((c) => c.expectedVersion ?? null),
      incomingKind, batch.asOf.toISOString(), batch.source, batch.setBy, now.toISOString(),
    ]);
  if (r.stale) throw new StaleVacancyVersion(r.stale);
  if (r.lost) {
    // A concurrent writer created these cells after our read: never overwrite them.
    const after: VacancyRow[] = await manager.query(
      `SELECT v.* FROM vacancy v JOIN unnest($1::uuid[], $2::char(7)[], $3::smallint[]) AS x(${KEY}) USING (${KEY})`,
      [r.lost.map((c) => c.facilityId), r.lost.map((c) => c.intakeMonth), r.lost.map((c) => c.classAge)],
    );
    throw new StaleVacancyVersion(after.map((a) => ({ facilityId: a.facility_id, intakeMonth: a.intake_month.trim(), classAge: a.class_age, expectedVersion: null, actualVersion: a.version })));
  }
  result.created += r.changed - r.updated;
  result.updated += r.updated;
  result.unchanged += cells.length - r.changed;
  for (const o of r.opened ?? []) result.opened.push({ ...o, asOf: new Date(o.asOf) });
}
