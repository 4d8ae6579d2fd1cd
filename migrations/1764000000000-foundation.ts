import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Foundation: municipalities (全国地方公共団体コード), facilities, API clients.
 * The database holds every invariant it can: code format and check digit, coordinate ranges,
 * class ages 0–5, capacities >= 0, one facility per source key.
 */
export class Foundation1764000000000 implements MigrationInterface {
  name = 'Foundation1764000000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE FUNCTION hub_municipality_code_ok(code text) RETURNS boolean
      LANGUAGE sql IMMUTABLE STRICT AS $$
        SELECT code ~ '^[0-9]{6}$' AND substr(code, 6, 1)::int = (11 - (
          substr(code,1,1)::int * 6 + substr(code,2,1)::int * 5 + substr(code,3,1)::int * 4 +
          substr(code,4,1)::int * 3 + substr(code,5,1)::int * 2) % 11) % 10
      $$`);
    await q.query(`
      CREATE TABLE municipality (
        code            char(6) PRIMARY KEY CHECK (hub_municipality_code_ok(code)),
        prefecture_code char(2) NOT NULL CHECK (prefecture_code = substr(code, 1, 2)),
        prefecture      text NOT NULL,
        prefecture_kana text,
        name            text NOT NULL,
        name_kana       text,
        is_prefecture   boolean NOT NULL DEFAULT false,
        participates    boolean NOT NULL DEFAULT false,
        accepts_direct_move_in boolean NOT NULL DEFAULT false,
        created_at      timestamptz NOT NULL DEFAULT now(),
        updated_at      timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX municipality_participates_idx ON municipality (participates) WHERE participates`);

    await q.query(`CREATE TYPE facility_kind AS ENUM ('LICENSED_NURSERY','CERTIFIED_CHILDCARE_CENTER','SMALL_SCALE','FAMILY_DAYCARE','WORKPLACE','HOME_VISIT','TOKYO_CERTIFIED','MUNICIPAL_OTHER')`);
    await q.query(`CREATE TYPE facility_ownership AS ENUM ('PUBLIC','PRIVATE','UNKNOWN')`);
    await q.query(`
      CREATE TABLE facility (
        id                 uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        municipality_code  char(6) NOT NULL REFERENCES municipality(code),
        kind               facility_kind NOT NULL,
        ownership          facility_ownership NOT NULL DEFAULT 'UNKNOWN',
        small_scale_type   char(1) CHECK (small_scale_type IN ('A','B','C')),
        category_label     text,
        ward               text,
        name               text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
        name_kana          text,
        search_text        text NOT NULL,
        address            text,
        latitude           double precision CHECK (latitude BETWEEN -90 AND 90),
        longitude          double precision CHECK (longitude BETWEEN -180 AND 180),
        minimum_age_days   integer CHECK (minimum_age_days BETWEEN 0 AND 2200),
        capacity_total     integer CHECK (capacity_total >= 0),
        opens_at           time,
        closes_at          time,
        hours_note         text,
        open_days          text,
        operator_name      text,
        corporate_number   char(13) CHECK (corporate_number ~ '^[0-9]{13}$'),
        url                text,
        phone              text,
        takes_tour_bookings boolean NOT NULL DEFAULT false,
        source             text NOT NULL,
        source_key         text NOT NULL,
        source_updated_at  timestamptz NOT NULL,
        version            integer NOT NULL DEFAULT 1,
        created_at         timestamptz NOT NULL DEFAULT now(),
        updated_at         timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT facility_coordinates_together CHECK ((latitude IS NULL) = (longitude IS NULL)),
        CONSTRAINT facility_source_key_unique UNIQUE (municipality_code, source, source_key)
      )`);
    await q.query(`CREATE INDEX facility_municipality_name_idx ON facility (municipality_code, name, id)`);
    await q.query(`CREATE INDEX facility_name_idx ON facility (name, id)`);
    await q.query(`CREATE INDEX facility_geo_idx ON facility (latitude, longitude) WHERE latitude IS NOT NULL`);
    await q.query(`
      CREATE TABLE facility_class_age (
        facility_id uuid NOT NULL REFERENCES facility(id) ON DELETE CASCADE,
        class_age   smallint NOT NULL CHECK (class_age BETWEEN 0 AND 5),
        capacity    integer CHECK (capacity >= 0),
        PRIMARY KEY (facility_id, class_age)
      )`);
    await q.query(`CREATE INDEX facility_class_age_age_idx ON facility_class_age (class_age, facility_id)`);

    await q.query(`CREATE TYPE api_role AS ENUM ('PARTNER','OPERATOR','MUNICIPALITY','ADMIN')`);
    await q.query(`
      CREATE TABLE api_client (
        id                uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        name              text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
        role              api_role NOT NULL,
        key_hash          char(64) NOT NULL UNIQUE,
        key_prefix        text NOT NULL,
        municipality_code char(6) REFERENCES municipality(code),
        is_demo           boolean NOT NULL DEFAULT false,
        is_bootstrap      boolean NOT NULL DEFAULT false,
        created_by        uuid REFERENCES api_client(id),
        created_at        timestamptz NOT NULL DEFAULT now(),
        revoked_at        timestamptz,
        CONSTRAINT api_client_municipality_scope CHECK ((role = 'MUNICIPALITY') = (municipality_code IS NOT NULL))
      )`);
    await q.query(`CREATE UNIQUE INDEX api_client_one_bootstrap ON api_client (is_bootstrap) WHERE is_bootstrap`);
    await q.query(`
      CREATE TABLE api_client_facility (
        api_client_id uuid NOT NULL REFERENCES api_client(id) ON DELETE CASCADE,
        facility_id   uuid NOT NULL REFERENCES facility(id) ON DELETE CASCADE,
        PRIMARY KEY (api_client_id, facility_id)
      )`);
    await q.query(`CREATE INDEX api_client_facility_facility_idx ON api_client_facility (facility_id)`);

    await q.query(`
      CREATE TABLE import_run (
        id           uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        kind         text NOT NULL,
        file_sha256  char(64) NOT NULL,
        api_client_id uuid REFERENCES api_client(id),
        status       text NOT NULL CHECK (status IN ('APPLIED','REJECTED')),
        report       jsonb NOT NULL,
        created_at   timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`
      CREATE TABLE seed_run (
        name    text PRIMARY KEY,
        ran_at  timestamptz NOT NULL DEFAULT now(),
        report  jsonb NOT NULL DEFAULT '{}'
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    for (const t of ['seed_run', 'import_run', 'api_client_facility', 'api_client', 'facility_class_age', 'facility', 'municipality']) {
      await q.query(`DROP TABLE IF EXISTS ${t}`);
    }
    await q.query(`DROP TYPE IF EXISTS api_role`);
    await q.query(`DROP TYPE IF EXISTS facility_ownership`);
    await q.query(`DROP TYPE IF EXISTS facility_kind`);
    await q.query(`DROP FUNCTION IF EXISTS hub_municipality_code_ok(text)`);
  }
}
