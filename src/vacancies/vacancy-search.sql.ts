import { boundingBox, EARTH_RADIUS_M } from './vacancy-rules';

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
}

/**
 * The SQL of vacancySearch, shared by the service and the benchmark's minimal baseline (which must
 * run exactly the same statement). Facilities that have a class of the age in that month (a figure
 * with seats not null); with `near`, a bounding box on the indexed coordinates first, then the exact
 * haversine distance, nearest first; otherwise by (municipality, name, id). Keyset pagination.
 */
export function vacancySearchSql(q: VacancySearchQuery, forCount = false): { sql: string; params: unknown[] } {
  const params: unknown[] = [q.intakeMonth, q.classAge];
  const p = (v: unknown) => `$${params.push(v)}`;
  const where = ['v.intake_month = $1', 'v.class_age = $2', q.onlyWithSeats ? 'v.seats > 0' : 'v.seats IS NOT NULL'];
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
  const inner = `SELECT v.*, f.municipality_code, f.name AS facility_name, ${distance} AS distance
      FROM vacancy v JOIN facility f ON f.id = v.facility_id
     WHERE ${where.join(' AND ')}`;
  const outer: string[] = [];
  if (q.near) outer.push(`s.distance <= ${p(q.near.radiusMeters)}`);
  if (forCount) return { sql: `SELECT count(*)::int AS n FROM (${inner}) s${outer.length ? ` WHERE ${outer.join(' AND ')}` : ''}`, params };
  if (q.after) {
    if (q.near) outer.push(`(s.distance, s.facility_id) > (${p(q.after[0])}::float8, ${p(q.after[1])}::uuid)`);
    else outer.push(`(s.municipality_code, s.facility_name, s.facility_id) > (${p(q.after[0])}::char(6), ${p(q.after[1])}::text, ${p(q.after[2])}::uuid)`);
  }
  const order = q.near ? 's.distance, s.facility_id' : 's.municipality_code, s.facility_name, s.facility_id';
  return { sql: `SELECT * FROM (${inner}) s${outer.length ? ` WHERE ${outer.join(' AND ')}` : ''} ORDER BY ${order} LIMIT ${p(q.first + 1)}`, params };
}

/** The keyset of a result row, matching the ORDER BY above. */
export function vacancySearchKey(row: { municipality_code: string; facility_name: string; facility_id: string; distance: number | null }, near: boolean): unknown[] {
  return near ? [row.distance, row.facility_id] : [row.municipality_code, row.facility_name, row.facility_id];
}
