import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Vacancy federation (空き状況).
 *
 * - `vacancy`: ONE row per cell (facility × class age × intake month) holding BOTH sources side by
 *   side (what the operator said, what the municipality published) and the effective figure chosen
 *   by the pure rule `chooseVacancySide` (src/vacancies/vacancy-rules.ts). The effective columns are
 *   written by the application in the same statement as the sides, so reads need no rule at all.
 *   `version` grows on every change of the cell (either side): the optimistic-concurrency token.
 * - `vacancy_history`: append-only (a trigger refuses UPDATE and DELETE); one row per change of one
 *   side of one cell, in the same transaction as the change: who, when, old → new.
 * - `vacancy_watch`: a partner's watch for one of its parents, delivered through its webhook endpoint.
 */
export class Vacancies1764000002000 implements MigrationInterface {
  name = 'Vacancies1764000002000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TYPE vacancy_figure_kind AS ENUM ('OPEN_SEATS','INTAKE_QUOTA')`);
    await q.query(`CREATE TYPE vacancy_side AS ENUM ('OPERATOR','MUNICIPALITY')`);
    await q.query(`CREATE TYPE vacancy_source AS ENUM ('OPERATOR','MUNICIPALITY_FEED','IMPORT')`);
    await q.query(`
      CREATE FUNCTION hub_intake_month_ok(m text) RETURNS boolean
      LANGUAGE sql IMMUTABLE STRICT AS $$ SELECT m ~ '^[0-9]{4}-(0[1-9]|1[0-2])$' $$`);
    await q.query(`
      CREATE TABLE vacancy (
        facility_id        uuid NOT NULL REFERENCES facility(id) ON DELETE CASCADE,
        intake_month       char(7) NOT NULL CHECK (hub_intake_month_ok(intake_month)),
        class_age          smallint NOT NULL CHECK (class_age BETWEEN 0 AND 5),
        -- the effective figure (the winner of the two sides); seats NULL = no class of this age
        seats              integer CHECK (seats >= 0),
        figure_kind        vacancy_figure_kind NOT NULL,
        as_of              timestamptz NOT NULL,
        side               vacancy_side NOT NULL,
        source             vacancy_source NOT NULL,
        set_by             uuid REFERENCES api_client(id),
        -- the operator's figure (operator_as_of NULL = the operator never said anything)
        operator_seats     integer CHECK (operator_seats >= 0),
        operator_as_of     timestamptz,
        operator_set_by    uuid REFERENCES api_client(id),
        -- the municipality's published figure (municipality_as_of NULL = not published)
        municipality_seats integer CHECK (municipality_seats >= 0),
        municipality_kind  vacancy_figure_kind,
        municipality_as_of timestamptz,
        municipality_source vacancy_source,
        municipality_set_by uuid REFERENCES api_client(id),
        version            integer NOT NULL CHECK (version >= 1),
        updated_at         timestamptz NOT NULL,
        PRIMARY KEY (facility_id, intake_month, class_age),
        CONSTRAINT vacancy_operator_side CHECK (operator_as_of IS NOT NULL OR (operator_seats IS NULL AND operator_set_by IS NULL)),
        CONSTRAINT vacancy_municipality_side CHECK (
          (municipality_as_of IS NULL AND municipality_seats IS NULL AND municipality_kind IS NULL AND municipality_source IS NULL AND municipality_set_by IS NULL)
          OR (municipality_as_of IS NOT NULL AND municipality_kind IS NOT NULL AND municipality_source IN ('MUNICIPALITY_FEED','IMPORT'))),
        CONSTRAINT vacancy_some_side CHECK (operator_as_of IS NOT NULL OR municipality_as_of IS NOT NULL),
        CONSTRAINT vacancy_effective_is_a_side CHECK (
          (side = 'OPERATOR' AND source = 'OPERATOR' AND operator_as_of = as_of AND seats IS NOT DISTINCT FROM operator_seats)
          OR (side = 'MUNICIPALITY' AND source = municipality_source AND municipality_as_of = as_of AND seats IS NOT DISTINCT FROM municipality_seats))
      )`);
    // "Who has room for age N in month M": only cells with seats, most selective first.
    await q.query(`CREATE INDEX vacancy_open_idx ON vacancy (intake_month, class_age, facility_id) WHERE seats > 0`);

    await q.query(`
      CREATE TABLE vacancy_history (
        id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        facility_id     uuid NOT NULL REFERENCES facility(id),
        intake_month    char(7) NOT NULL CHECK (hub_intake_month_ok(intake_month)),
        class_age       smallint NOT NULL CHECK (class_age BETWEEN 0 AND 5),
        side            vacancy_side NOT NULL,
        source          vacancy_source NOT NULL,
        figure_kind     vacancy_figure_kind NOT NULL,
        -- this side before and after; old_present false = the side had no figure before
        old_present     boolean NOT NULL,
        old_seats       integer,
        new_seats       integer CHECK (new_seats >= 0),
        as_of           timestamptz NOT NULL,
        -- the effective figure before and after (what parents saw)
        effective_old_seats integer,
        effective_new_seats integer,
        opened          boolean NOT NULL,
        version         integer NOT NULL,
        set_by          uuid REFERENCES api_client(id),
        changed_at      timestamptz NOT NULL,
        CONSTRAINT vacancy_history_old CHECK (old_present OR old_seats IS NULL)
      )`);
    await q.query(`CREATE INDEX vacancy_history_cell_idx ON vacancy_history (facility_id, intake_month, class_age, id)`);
    await q.query(`
      CREATE FUNCTION hub_vacancy_history_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN RAISE EXCEPTION 'vacancy_history is append-only'; END $$`);
    await q.query(`
      CREATE TRIGGER vacancy_history_append_only BEFORE UPDATE OR DELETE ON vacancy_history
      FOR EACH ROW EXECUTE FUNCTION hub_vacancy_history_append_only()`);

    await q.query(`
      CREATE TABLE vacancy_watch (
        id               uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        partner_id       uuid NOT NULL REFERENCES api_client(id),
        parent_reference text NOT NULL CHECK (length(parent_reference) BETWEEN 1 AND 200),
        facility_ids     uuid[],
        municipality_code char(6) REFERENCES municipality(code),
        latitude         double precision CHECK (latitude BETWEEN -90 AND 90),
        longitude        double precision CHECK (longitude BETWEEN -180 AND 180),
        radius_meters    integer CHECK (radius_meters BETWEEN 1 AND 100000),
        class_age        smallint NOT NULL CHECK (class_age BETWEEN 0 AND 5),
        intake_month     char(7) NOT NULL CHECK (hub_intake_month_ok(intake_month)),
        endpoint_id      uuid NOT NULL REFERENCES webhook_endpoint(id),
        created_at       timestamptz NOT NULL,
        CONSTRAINT vacancy_watch_target CHECK ((facility_ids IS NULL) <> (municipality_code IS NULL)),
        CONSTRAINT vacancy_watch_facilities CHECK (facility_ids IS NULL OR cardinality(facility_ids) BETWEEN 1 AND 50),
        CONSTRAINT vacancy_watch_point CHECK (
          (latitude IS NULL AND longitude IS NULL AND radius_meters IS NULL)
          OR (latitude IS NOT NULL AND longitude IS NOT NULL AND radius_meters IS NOT NULL AND municipality_code IS NOT NULL))
      )`);
    await q.query(`CREATE INDEX vacancy_watch_cell_idx ON vacancy_watch (intake_month, class_age)`);
    await q.query(`CREATE INDEX vacancy_watch_partner_idx ON vacancy_watch (partner_id, created_at, id)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE IF EXISTS vacancy_watch`);
    await q.query(`DROP TABLE IF EXISTS vacancy_history`);
    await q.query(`DROP FUNCTION IF EXISTS hub_vacancy_history_append_only()`);
    await q.query(`DROP TABLE IF EXISTS vacancy`);
    await q.query(`DROP FUNCTION IF EXISTS hub_intake_month_ok(text)`);
    for (const t of ['vacancy_source', 'vacancy_side', 'vacancy_figure_kind']) await q.query(`DROP TYPE IF EXISTS ${t}`);
  }
}
