import { EntityManager } from 'typeorm';
import { VacancyFigureKind } from './vacancy-figure-kind';
import { chooseVacancySide, opensSeats, SideFigure, VacancySide, VacancySource } from './vacancy-rules';

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
const cellKey = (f: string, m: string, a: number) => `${f}|${m}|${a}`;

/** The two sides of a stored row as SideFigures (null when that side never said anything). */
export function sidesOf(row: VacancyRow | undefined): { operator: SideFigure | null; municipality: SideFigure | null } {
  if (!row) return { operator: null, municipality: null };
  return {
    operator: row.operator_as_of
      ? { seats: row.operator_seats, figureKind: VacancyFigureKind.OPEN_SEATS, asOf: new Date(row.operator_as_of), source: VacancySource.OPERATOR, setBy: row.operator_set_by }
      : null,
    municipality: row.municipality_as_of
      ? { seats: row.municipality_seats, figureKind: row.municipality_kind!, asOf: new Date(row.municipality_as_of), source: row.municipality_source!, setBy: row.municipality_set_by }
      : null,
  };
}

const sameSide = (a: SideFigure | null, b: SideFigure) =>
  !!a && a.seats === b.seats && a.figureKind === b.figureKind && a.asOf.getTime() === b.asOf.getTime() && a.source === b.source && a.setBy === b.setBy;

/**
 * Writes one side of many cells, set-based (four statements per chunk of 10,000 cells, whatever the
 * count), inside the caller's transaction:
 *
 * 1. lock the cells that exist (SELECT … FOR UPDATE, in key order so concurrent writers never deadlock);
 * 2. in TypeScript, apply the pure rule `chooseVacancySide` to get each cell's effective figure, skip
 *    cells whose side is unchanged (so a re-import changes nothing, not even versions);
 * 3. upsert the changed cells with `version = read version + 1`, guarded by
 *    `WHERE vacancy.version = EXCLUDED.version - 1`: a cell inserted or changed by a concurrent
 *    transaction after our read is not overwritten, and the short count raises StaleVacancyVersion;
 * 4. append one history row per changed cell.
 *
 * With `expectedVersion` on the cells (operators), a cell at another version raises StaleVacancyVersion
 * before anything is written.
 */
export async function writeVacancyCells(manager: EntityManager, batch: CellWriteBatch, now: Date, onChunk?: (done: number) => void): Promise<CellWriteResult> {
  const result: CellWriteResult = { created: 0, updated: 0, unchanged: 0, opened: [] };
  const sorted = [...batch.cells].sort((a, b) => (a.facilityId < b.facilityId ? -1 : a.facilityId > b.facilityId ? 1 : a.intakeMonth < b.intakeMonth ? -1 : a.intakeMonth > b.intakeMonth ? 1 : a.classAge - b.classAge));
  for (let i = 0; i < sorted.length; i += CELL_CHUNK) {
    await writeChunk(manager, batch, sorted.slice(i, i + CELL_CHUNK), now, result);
    onChunk?.(Math.min(i + CELL_CHUNK, sorted.length));
  }
  return result;
}

async function writeChunk(manager: EntityManager, batch: CellWriteBatch, cells: CellWrite[], now: Date, result: CellWriteResult) {
  const existing: VacancyRow[] = await manager.query(
    `SELECT v.* FROM vacancy v
       JOIN unnest($1::uuid[], $2::char(7)[], $3::smallint[]) AS x(facility_id, intake_month, class_age)
         ON v.facility_id = x.facility_id AND v.intake_month = x.intake_month AND v.class_age = x.class_age
      ORDER BY v.facility_id, v.intake_month, v.class_age
      FOR UPDATE OF v`,
    [cells.map((c) => c.facilityId), cells.map((c) => c.intakeMonth), cells.map((c) => c.classAge)],
  );
  const byKey = new Map(existing.map((r) => [cellKey(r.facility_id, r.intake_month.trim(), r.class_age), r]));

  const stale = cells.flatMap((c) => {
    if (c.expectedVersion === undefined) return [];
    const actual = byKey.get(cellKey(c.facilityId, c.intakeMonth, c.classAge))?.version ?? 0;
    return actual === c.expectedVersion ? [] : [{ facilityId: c.facilityId, intakeMonth: c.intakeMonth, classAge: c.classAge, expectedVersion: c.expectedVersion, actualVersion: actual }];
  });
  if (stale.length) throw new StaleVacancyVersion(stale);

  const incomingKind = batch.side === VacancySide.OPERATOR ? VacancyFigureKind.OPEN_SEATS : batch.figureKind;
  const rows: VacancyRow[] = [];
  const history: Array<{ row: VacancyRow; oldPresent: boolean; oldSeats: number | null; effectiveOld: number | null; opened: boolean }> = [];
  for (const c of cells) {
    const before = byKey.get(cellKey(c.facilityId, c.intakeMonth, c.classAge));
    const sides = sidesOf(before);
    const incoming: SideFigure = { seats: c.seats, figureKind: incomingKind, asOf: batch.asOf, source: batch.source, setBy: batch.setBy };
    const previous = batch.side === VacancySide.OPERATOR ? sides.operator : sides.municipality;
    if (sameSide(previous, incoming)) {
      result.unchanged++;
      continue;
    }
    const operator = batch.side === VacancySide.OPERATOR ? incoming : sides.operator;
    const municipality = batch.side === VacancySide.MUNICIPALITY ? incoming : sides.municipality;
    const side = chooseVacancySide(operator, municipality)!;
    const winner = side === VacancySide.OPERATOR ? operator! : municipality!;
    const row: VacancyRow = {
      facility_id: c.facilityId,
      intake_month: c.intakeMonth,
      class_age: c.classAge,
      seats: winner.seats,
      figure_kind: winner.figureKind,
      as_of: winner.asOf,
      side,
      source: winner.source,
      set_by: winner.setBy,
      operator_seats: operator?.seats ?? null,
      operator_as_of: operator?.asOf ?? null,
      operator_set_by: operator?.setBy ?? null,
      municipality_seats: municipality?.seats ?? null,
      municipality_kind: municipality?.figureKind ?? null,
      municipality_as_of: municipality?.asOf ?? null,
      municipality_source: municipality?.source ?? null,
      municipality_set_by: municipality?.setBy ?? null,
      version: (before?.version ?? 0) + 1,
      updated_at: now,
    };
    rows.push(row);
    if (before) result.updated++;
    else result.created++;
    const effectiveOld = before ? before.seats : null;
    history.push({ row, oldPresent: !!previous, oldSeats: previous?.seats ?? null, effectiveOld, opened: opensSeats(effectiveOld, row.seats) });
  }
  if (rows.length === 0) return;

  const iso = (d: Date | null) => (d ? d.toISOString() : null);
  const [{ written }] = await manager.query(
    `WITH w AS (
       INSERT INTO vacancy (facility_id, intake_month, class_age, seats, figure_kind, as_of, side, source, set_by,
         operator_seats, operator_as_of, operator_set_by, municipality_seats, municipality_kind, municipality_as_of, municipality_source, municipality_set_by, version, updated_at)
       SELECT * FROM unnest($1::uuid[], $2::char(7)[], $3::smallint[], $4::int[], $5::vacancy_figure_kind[], $6::timestamptz[], $7::vacancy_side[], $8::vacancy_source[], $9::uuid[],
         $10::int[], $11::timestamptz[], $12::uuid[], $13::int[], $14::vacancy_figure_kind[], $15::timestamptz[], $16::vacancy_source[], $17::uuid[], $18::int[], $19::timestamptz[])
       ON CONFLICT (facility_id, intake_month, class_age) DO UPDATE SET
         seats = EXCLUDED.seats, figure_kind = EXCLUDED.figure_kind, as_of = EXCLUDED.as_of, side = EXCLUDED.side, source = EXCLUDED.source, set_by = EXCLUDED.set_by,
         operator_seats = EXCLUDED.operator_seats, operator_as_of = EXCLUDED.operator_as_of, operator_set_by = EXCLUDED.operator_set_by,
         municipality_seats = EXCLUDED.municipality_seats, municipality_kind = EXCLUDED.municipality_kind, municipality_as_of = EXCLUDED.municipality_as_of,
         municipality_source = EXCLUDED.municipality_source, municipality_set_by = EXCLUDED.municipality_set_by,
         version = EXCLUDED.version, updated_at = EXCLUDED.updated_at
       WHERE vacancy.version = EXCLUDED.version - 1
       RETURNING 1)
     SELECT count(*)::int AS written FROM w`,
    [
      rows.map((r) => r.facility_id), rows.map((r) => r.intake_month), rows.map((r) => r.class_age), rows.map((r) => r.seats), rows.map((r) => r.figure_kind),
      rows.map((r) => iso(r.as_of)), rows.map((r) => r.side), rows.map((r) => r.source), rows.map((r) => r.set_by),
      rows.map((r) => r.operator_seats), rows.map((r) => iso(r.operator_as_of)), rows.map((r) => r.operator_set_by),
      rows.map((r) => r.municipality_seats), rows.map((r) => r.municipality_kind), rows.map((r) => iso(r.municipality_as_of)), rows.map((r) => r.municipality_source),
      rows.map((r) => r.municipality_set_by), rows.map((r) => r.version), rows.map((r) => iso(r.updated_at)),
    ],
  );
  if (written !== rows.length) {
    // A concurrent writer created or changed some of these cells after our read: never overwrite it.
    const after: VacancyRow[] = await manager.query(
      `SELECT v.* FROM vacancy v JOIN unnest($1::uuid[], $2::char(7)[], $3::smallint[]) AS x(facility_id, intake_month, class_age)
         ON v.facility_id = x.facility_id AND v.intake_month = x.intake_month AND v.class_age = x.class_age`,
      [rows.map((r) => r.facility_id), rows.map((r) => r.intake_month), rows.map((r) => r.class_age)],
    );
    throw new StaleVacancyVersion(
      after
        .filter((a) => rows.some((r) => r.facility_id === a.facility_id && r.intake_month === a.intake_month.trim() && r.class_age === a.class_age && r.version !== a.version))
        .map((a) => ({ facilityId: a.facility_id, intakeMonth: a.intake_month.trim(), classAge: a.class_age, expectedVersion: null, actualVersion: a.version })),
    );
  }

  for (const opened of [true, false]) {
    const part = history.filter((h) => h.opened === opened);
    if (!part.length) continue;
    const inserted: Array<{ id: string; facility_id: string; intake_month: string; class_age: number }> = await manager.query(
      `INSERT INTO vacancy_history (facility_id, intake_month, class_age, side, source, figure_kind, old_present, old_seats, new_seats, as_of,
         effective_old_seats, effective_new_seats, opened, version, set_by, changed_at)
       SELECT f, m, a, $4::vacancy_side, $5::vacancy_source, $6::vacancy_figure_kind, op, os, ns, $10::timestamptz, eo, en, $13, v, $15::uuid, $16::timestamptz
         FROM unnest($1::uuid[], $2::char(7)[], $3::smallint[], $7::boolean[], $8::int[], $9::int[], $11::int[], $12::int[], $14::int[]) AS x(f, m, a, op, os, ns, eo, en, v)
       ${opened ? 'RETURNING id::text, facility_id, intake_month, class_age' : ''}`,
      [
        part.map((h) => h.row.facility_id), part.map((h) => h.row.intake_month), part.map((h) => h.row.class_age),
        batch.side, batch.source, incomingKind, part.map((h) => h.oldPresent), part.map((h) => h.oldSeats),
        part.map((h) => (batch.side === VacancySide.OPERATOR ? h.row.operator_seats : h.row.municipality_seats)), batch.asOf.toISOString(),
        part.map((h) => h.effectiveOld), part.map((h) => h.row.seats), opened, part.map((h) => h.row.version), batch.setBy, now.toISOString(),
      ],
    );
    if (!opened) continue;
    const byCell = new Map(part.map((h) => [cellKey(h.row.facility_id, h.row.intake_month, h.row.class_age), h]));
    for (const ins of inserted) {
      const h = byCell.get(cellKey(ins.facility_id, ins.intake_month.trim(), ins.class_age))!;
      result.opened.push({
        historyId: ins.id,
        facilityId: h.row.facility_id,
        intakeMonth: h.row.intake_month,
        classAge: h.row.class_age,
        seats: h.row.seats!,
        previousSeats: h.effectiveOld,
        figureKind: h.row.figure_kind,
        asOf: h.row.as_of,
        source: h.row.source,
      });
    }
  }
}
