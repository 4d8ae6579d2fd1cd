import { VacancyFigureKind } from './vacancy-figure-kind';
import { boundingBox, EARTH_RADIUS_M, VacancySide, VacancySource } from './vacancy-rules';

/** What vacancySearch filters on, already validated. */
export interface VacancySearchQuery {
  classAge: number;
  intakeMonth: string;
  municipalityCodes?: string[] | null;
  kinds?: string[] | null;
  onlyWithSeats?: boolean | null;
  near?: { latitude: number; longitude: number; radiusMeters: number } | null;
  /** decoded keyset cursor: [municipality_code, name, id] or, with near, [distance, id] */
  after?: unknown[] | null;
  first: number;
  /**
   * The facility columns to return (snake_case); absent = every column (`f.*`). The keyset columns
   * (id, municipality_code, name) are always returned. Sorted, so the same set gives the same text
   * (and the same prepared statement).
   */
  facilityColumns?: readonly string[] | null;
}

/** Returned whatever is asked: the keyset and what the Facility's own field resolvers read. */
const ALWAYS_FACILITY_COLUMNS = ['id', 'municipality_code', 'name'];

function facilitySelectList(columns: readonly string[] | null | undefined): string {
  if (!columns) return 'f.*';
  const key = columns.join(',');
  let list = selectLists.get(key);
  if (!list) {
    list = [...new Set([...ALWAYS_FACILITY_COLUMNS, ...columns])].sort().map((c) => {
      if (!/^[a-z_][a-z0-9_]*$/.test(c)) throw new Error(`not a column name: ${c}`);
      return `f.${c}`;
    }).join(', ');
    // Bounded by the schema: one entry per distinct selection of Facility columns.
    if (selectLists.size < 1_000) selectLists.set(key, list);
  }
  return list;
}
const selectLists = new Map<string, string>();

/**
 * The SQL of vacancySearch, shared by the service and the benchmark's minimal baseline (which must
 * run exactly the same statement). Facilities that have a class of the age in that month (a figure
 * with seats not null); with `near`, a bounding box on the indexed coordinates first, then the exact
 * haversine distance, nearest first; otherwise by (municipality, name, id). Keyset pagination.
 *
 * One statement returns everything a page needs: the facility columns the query selected (or `f.*`,
 * so the GraphQL Facility needs no second query) and the cell's figure as `v_*` columns (see SearchRow).
 * The plan for one municipality (EXPLAIN ANALYZE on the 2.9 M-figure national set, BENCHMARKS.md):
 * the facilities of the municipality in name order (facility_municipality_name_idx), one probe of
 * the facility × month row each (vacancy_grid_pkey), stopping after the page: ~0.3 ms.
 */
export function vacancySearchSql(q: VacancySearchQuery, forCount = false): { sql: string; params: unknown[]; shape: string } {
  const built = buildVacancySearchSql(q, forCount);
  // The text depends only on the shape, so every search of one shape gets the same string: the
  // cache and the prepared statements look it up by a short key or an already-hashed string, instead
  // of hashing ~1.3 KB of new text on every request.
  const shape = shapeOf(q, forCount);
  let sql = statementOfShape.get(shape);
  if (sql === undefined) {
    sql = built.sql;
    // Bounded like selectLists: one entry per combination of filters and selection of columns.
    if (statementOfShape.size < 10_000) statementOfShape.set(shape, sql);
  }
  return { sql, params: built.params, shape };
}

/**
 * What the statement's text depends on (which filters are present, the cursor, the count, the
 * columns), and nothing else: the values all go into the parameters. Tested against the text itself
 * for every combination (vacancy-search-sql.spec.ts).
 */
export function shapeOf(q: VacancySearchQuery, forCount: boolean): string {
  const flag = (on: unknown, letter: string) => (on ? letter : '-');
  return `${flag(forCount, 'n')}${flag(q.municipalityCodes?.length, 'm')}${flag(q.kinds?.length, 'k')}${flag(q.onlyWithSeats, 's')}${flag(q.near, 'd')}${flag(!forCount && q.after, 'a')}|${q.facilityColumns?.join(',') ?? '*'}`;
}
const statementOfShape = new Map<string, string>();

/** The statement built afresh; vacancySearchSql keeps one text per shape. */
export function buildVacancySearchSql(q: VacancySearchQuery, forCount: boolean): { sql: string; params: unknown[] } {
  const params: unknown[] = [q.intakeMonth, q.classAge];
  const p = (v: unknown) => `$${params.push(v)}`;
  const where = ['v.intake_month = $1', q.onlyWithSeats ? 'v.seats > 0' : 'v.seats IS NOT NULL'];
  if (q.municipalityCodes?.length) where.push(`f.municipality_code = ANY(${p(q.municipalityCodes)}::char(6)[])`);
  if (q.kinds?.length) where.push(`f.kind = ANY(${p(q.kinds)}::facility_kind[])`);
  let distance = 'NULL::double precision';
  if (q.near) {
    const box = boundingBox(q.near.latitude, q.near.longitude, q.near.radiusMeters);
    where.push(`f.latitude BETWEEN ${p(box.minLat)} AND ${p(box.maxLat)}`, `f.longitude BETWEEN ${p(box.minLng)} AND ${p(box.maxLng)}`);
    const lat = p(q.near.latitude);
    const lng = p(q.near.longitude);
    distance = `(2 * ${EARTH_RADIUS_M} * asin(least(1, sqrt(power(sin(radians(f.latitude - ${lat}::float8) / 2), 2)
      + cos(radians(${lat}::float8)) * cos(radians(f.latitude)) * power(sin(radians(f.longitude - ${lng}::float8) / 2), 2)))))`;
  }
  const inner = `SELECT ${facilitySelectList(q.facilityColumns)}, ${FIGURE_COLUMNS}, ${distance} AS distance
      FROM ${CELL_OF_AGE} v JOIN facility f ON f.id = v.facility_id
     WHERE ${where.join(' AND ')}`;
  const outer: string[] = [];
  if (q.near) outer.push(`s.distance <= ${p(q.near.radiusMeters)}`);
  if (forCount) return { sql: `SELECT count(*)::int AS n FROM (${inner}) s${outer.length ? ` WHERE ${outer.join(' AND ')}` : ''}`, params };
  if (q.after) {
    if (q.near) outer.push(`(s.distance, s.id) > (${p(q.after[0])}::float8, ${p(q.after[1])}::uuid)`);
    else outer.push(`(s.municipality_code, s.name, s.id) > (${p(q.after[0])}::char(6), ${p(q.after[1])}::text, ${p(q.after[2])}::uuid)`);
  }
  const order = q.near ? 's.distance, s.id' : 's.municipality_code, s.name, s.id';
  return { sql: `SELECT * FROM (${inner}) s${outer.length ? ` WHERE ${outer.join(' AND ')}` : ''} ORDER BY ${order} LIMIT ${p(q.first + 1)}`, params };
}

/** The keyset of a result row, matching the ORDER BY above. */
export function vacancySearchKey(row: Pick<SearchRow, 'municipality_code' | 'name' | 'id' | 'distance'>, near: boolean): unknown[] {
  return near ? [row.distance, row.id] : [row.municipality_code, row.name, row.id];
}

/**
 * The cell of class age $2 of each facility × month row (vacancy_grid stores the six ages in arrays;
 * the `vacancy` view would expand every row into six cells first): element $2 + 1 of each array.
 */
const CELL_OF_AGE = `(SELECT g.facility_id, g.intake_month, ($2::int)::smallint AS class_age, ${['seats', 'figure_kind', 'as_of', 'side', 'source', 'version']
  .map((c) => `g.${c}[$2::int + 1] AS ${c}`).join(', ')} FROM vacancy_grid g)`;

/** The cell's figure, prefixed so it cannot collide with the facility's own columns (id, version, source…). */
const FIGURE_COLUMNS = ['intake_month', 'class_age', 'seats', 'figure_kind', 'as_of', 'side', 'source', 'version'].map((c) => `v.${c} AS v_${c}`).join(', ');

/** One result row: the facility's columns as stored (snake_case), its figure as v_*, and the distance. */
export interface SearchRow {
  id: string;
  municipality_code: string;
  name: string;
  latitude: number | null;
  longitude: number | null;
  [facilityColumn: string]: unknown;
  v_intake_month: string;
  v_class_age: number;
  v_seats: number | null;
  v_figure_kind: VacancyFigureKind;
  v_as_of: Date;
  v_side: VacancySide;
  v_source: VacancySource;
  v_version: number;
  distance: number | null;
}
