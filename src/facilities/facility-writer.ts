import { EntityManager } from 'typeorm';
import { FacilityKind, Ownership } from './facility-kind';
import { normalizeSearchText } from '../common/normalize';
import { returnedRows } from '../common/sql';

/** One facility as any source describes it; the writer upserts by (municipality, source, sourceKey). */
export interface FacilityRecord {
  municipalityCode: string;
  sourceKey: string;
  name: string;
  nameKana?: string | null;
  kind: FacilityKind;
  ownership?: Ownership;
  smallScaleType?: string | null;
  categoryLabel?: string | null;
  ward?: string | null;
  address?: string | null;
  latitude?: number | null;
  longitude?: number | null;
  minimumAgeDays?: number | null;
  capacityTotal?: number | null;
  opensAt?: string | null;
  closesAt?: string | null;
  hoursNote?: string | null;
  openDays?: string | null;
  operatorName?: string | null;
  corporateNumber?: string | null;
  url?: string | null;
  phone?: string | null;
  /** null = the source does not say; leave the stored class ages alone */
  classAges?: { classAge: number; capacity: number | null }[] | null;
}

export interface UpsertResult {
  created: number;
  updated: number;
  unchanged: number;
  idsBySourceKey: Map<string, string>;
}

const COLUMNS = `municipality_code, source, source_key, name, name_kana, search_text, kind, ownership, small_scale_type, category_label, ward,
  address, latitude, longitude, minimum_age_days, capacity_total, opens_at, closes_at, hours_note, open_days, operator_name, corporate_number, url, phone, source_updated_at`;
const COMPARED = ['name', 'name_kana', 'search_text', 'kind', 'ownership', 'small_scale_type', 'category_label', 'ward', 'address', 'latitude', 'longitude',
  'minimum_age_days', 'capacity_total', 'opens_at', 'closes_at', 'hours_note', 'open_days', 'operator_name', 'corporate_number', 'url', 'phone'];

/**
 * Idempotent bulk upsert in set-based SQL (a few statements per call, whatever the row count).
 * A row whose values are all equal is not touched: importing the same file twice changes nothing,
 * not even versions or timestamps. Runs inside the caller's transaction.
 */
export async function upsertFacilities(manager: EntityManager, source: string, sourceUpdatedAt: Date, records: FacilityRecord[]): Promise<UpsertResult> {
  const rows = records.map((r) => ({
    municipality_code: r.municipalityCode,
    source,
    source_key: r.sourceKey,
    name: r.name,
    name_kana: r.nameKana ?? null,
    search_text: normalizeSearchText(`${r.name} ${r.nameKana ?? ''}`),
    kind: r.kind,
    ownership: r.ownership ?? Ownership.UNKNOWN,
    small_scale_type: r.smallScaleType ?? null,
    category_label: r.categoryLabel ?? null,
    ward: r.ward ?? null,
    address: r.address ?? null,
    latitude: r.latitude ?? null,
    longitude: r.longitude ?? null,
    minimum_age_days: r.minimumAgeDays ?? null,
    capacity_total: r.capacityTotal ?? null,
    opens_at: r.opensAt ?? null,
    closes_at: r.closesAt ?? null,
    hours_note: r.hoursNote ?? null,
    open_days: r.openDays ?? null,
    operator_name: r.operatorName ?? null,
    corporate_number: r.corporateNumber ?? null,
    url: r.url ?? null,
    phone: r.phone ?? null,
    source_updated_at: sourceUpdatedAt.toISOString(),
  }));
  const changed: { id: string; source_key: string; inserted: boolean }[] = [];
  const CHUNK = 2000;
  for (let i = 0; i < rows.length; i += CHUNK) {
    const chunk = rows.slice(i, i + CHUNK);
    const res = await manager.query(
      `INSERT INTO facility (${COLUMNS})
       SELECT ${COLUMNS} FROM jsonb_to_recordset($1::jsonb) AS x(
         municipality_code char(6), source text, source_key text, name text, name_kana text, search_text text, kind facility_kind, ownership facility_ownership,
         small_scale_type char(1), category_label text, ward text, address text, latitude double precision, longitude double precision,
         minimum_age_days integer, capacity_total integer, opens_at time, closes_at time, hours_note text, open_days text, operator_name text,
         corporate_number char(13), url text, phone text, source_updated_at timestamptz)
       ON CONFLICT (municipality_code, source, source_key) DO UPDATE SET
         ${COMPARED.map((c) => `${c} = EXCLUDED.${c}`).join(', ')}, source_updated_at = EXCLUDED.source_updated_at,
         version = facility.version + 1, updated_at = now()
       WHERE (${COMPARED.map((c) => `facility.${c}`).join(', ')}) IS DISTINCT FROM (${COMPARED.map((c) => `EXCLUDED.${c}`).join(', ')})
       RETURNING id, source_key, (xmax = 0) AS inserted`,
      [JSON.stringify(chunk)],
    );
    changed.push(...res);
  }
  const ids: { id: string; source_key: string }[] = await manager.query(
    `SELECT id, source_key FROM facility WHERE source = $1 AND (municipality_code, source_key) IN (SELECT * FROM unnest($2::char(6)[], $3::text[]))`,
    [source, records.map((r) => r.municipalityCode), records.map((r) => r.sourceKey)],
  );
  const idsBySourceKey = new Map(ids.map((r) => [r.source_key, r.id]));

  // Class ages: replace the set for records that state it; count a facility as updated if it changed.
  const withAges = records.filter((r) => r.classAges);
  const classAgeChanged = new Set<string>();
  if (withAges.length) {
    const ages = withAges.flatMap((r) => r.classAges!.map((a) => ({ facility_id: idsBySourceKey.get(r.sourceKey), class_age: a.classAge, capacity: a.capacity })));
    const facilityIds = withAges.map((r) => idsBySourceKey.get(r.sourceKey));
    const removed: { facility_id: string }[] = returnedRows(await manager.query(
      `DELETE FROM facility_class_age c WHERE c.facility_id = ANY($1::uuid[])
         AND NOT EXISTS (SELECT 1 FROM jsonb_to_recordset($2::jsonb) AS x(facility_id uuid, class_age smallint) WHERE x.facility_id = c.facility_id AND x.class_age = c.class_age)
       RETURNING facility_id`,
      [facilityIds, JSON.stringify(ages)],
    ));
    const upserted: { facility_id: string }[] = await manager.query(
      `INSERT INTO facility_class_age (facility_id, class_age, capacity)
       SELECT facility_id, class_age, capacity FROM jsonb_to_recordset($1::jsonb) AS x(facility_id uuid, class_age smallint, capacity integer)
       ON CONFLICT (facility_id, class_age) DO UPDATE SET capacity = EXCLUDED.capacity WHERE facility_class_age.capacity IS DISTINCT FROM EXCLUDED.capacity
       RETURNING facility_id`,
      [JSON.stringify(ages)],
    );
    for (const r of [...removed, ...upserted]) classAgeChanged.add(r.facility_id);
  }
  const insertedIds = new Set(changed.filter((c) => c.inserted).map((c) => c.id));
  const updatedIds = new Set(changed.filter((c) => !c.inserted).map((c) => c.id));
  const onlyAgesChanged = [...classAgeChanged].filter((id) => !insertedIds.has(id) && !updatedIds.has(id));
  if (onlyAgesChanged.length)
    await manager.query(`UPDATE facility SET version = version + 1, updated_at = now() WHERE id = ANY($1::uuid[])`, [onlyAgesChanged]);
  const updated = updatedIds.size + onlyAgesChanged.length;
  return { created: insertedIds.size, updated, unchanged: records.length - insertedIds.size - updated, idsBySourceKey };
}
