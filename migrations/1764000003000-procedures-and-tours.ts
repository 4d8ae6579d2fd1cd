import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Intake procedures (入所手続き) per municipality and fiscal year, versioned, with the generated
 * monthly cycles of every version; tour slots (見学枠) and tour bookings (見学予約).
 *
 * Versioning: a change never updates a procedure row, it inserts the next version. Each version keeps
 * its own intake_cycle rows, so the history shows exactly the dates families were shown. Months whose
 * window had already opened keep their dates from the earlier version (kept_from_version).
 *
 * Tours: tour_slot.booked_count is the running sum of BOOKED party sizes, and the CHECK
 * booked_count <= capacity is what finally makes overbooking impossible, whatever the code does.
 */
export class ProceduresAndTours1764000003000 implements MigrationInterface {
  name = 'ProceduresAndTours1764000003000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TYPE application_validity_kind AS ENUM ('MONTHS', 'END_OF_FISCAL_YEAR')`);
    await q.query(`
      CREATE TABLE intake_procedure (
        id                  uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        municipality_code   char(6) NOT NULL REFERENCES municipality(code),
        fiscal_year         integer NOT NULL CHECK (fiscal_year BETWEEN 2000 AND 2100),
        version             integer NOT NULL CHECK (version >= 1),
        rule                jsonb NOT NULL CHECK (jsonb_typeof(rule) = 'object'),
        exceptions          jsonb NOT NULL DEFAULT '[]' CHECK (jsonb_typeof(exceptions) = 'array'),
        wish_limit          integer NOT NULL CHECK (wish_limit BETWEEN 1 AND 50),
        validity_kind       application_validity_kind NOT NULL,
        validity_months     integer CHECK (validity_months BETWEEN 1 AND 24),
        required_documents  jsonb NOT NULL CHECK (jsonb_typeof(required_documents) = 'object'),
        channels            text[] NOT NULL
                            CHECK (cardinality(channels) >= 1 AND channels <@ ARRAY['ONLINE','COUNTER','MAIL','HUB']::text[]),
        out_of_area_note    text CHECK (length(out_of_area_note) <= 2000),
        out_of_area_note_ja text CHECK (length(out_of_area_note_ja) <= 2000),
        source_url          text CHECK (source_url ~ '^https?://'),
        change_note         text CHECK (length(change_note) <= 2000),
        is_demo             boolean NOT NULL DEFAULT false,
        valid_from          timestamptz NOT NULL,
        created_by          uuid REFERENCES api_client(id),
        created_at          timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT intake_procedure_version_unique UNIQUE (municipality_code, fiscal_year, version),
        CONSTRAINT intake_procedure_validity_months CHECK ((validity_kind = 'MONTHS') = (validity_months IS NOT NULL))
      )`);

    await q.query(`
      CREATE TABLE intake_cycle (
        procedure_id          uuid NOT NULL REFERENCES intake_procedure(id) ON DELETE CASCADE,
        intake_month          char(7) NOT NULL CHECK (intake_month ~ '^[0-9]{4}-(0[1-9]|1[0-2])$'),
        has_intake            boolean NOT NULL,
        no_intake_reason      text,
        no_intake_reason_ja   text,
        opens_on              date,
        closes_on             date,
        out_of_area_closes_on date,
        allocation_on         date,
        result_notice_on      date,
        entry_on              date NOT NULL,
        kept_from_version     integer NOT NULL CHECK (kept_from_version >= 1),
        changed_after_opening boolean NOT NULL DEFAULT false,
        PRIMARY KEY (procedure_id, intake_month),
        CONSTRAINT intake_cycle_entry_is_first CHECK (entry_on = to_date(intake_month || '-01', 'YYYY-MM-DD')),
        CONSTRAINT intake_cycle_dates_iff_intake CHECK (
          has_intake = (opens_on IS NOT NULL AND closes_on IS NOT NULL AND out_of_area_closes_on IS NOT NULL)
          AND (has_intake OR (allocation_on IS NULL AND result_notice_on IS NULL))
          AND (has_intake OR (no_intake_reason IS NOT NULL AND no_intake_reason_ja IS NOT NULL))),
        CONSTRAINT intake_cycle_order CHECK (
          opens_on <= out_of_area_closes_on AND out_of_area_closes_on <= closes_on AND closes_on < entry_on
          AND (allocation_on IS NULL OR allocation_on > closes_on)
          AND (result_notice_on IS NULL OR result_notice_on > closes_on)
          AND (allocation_on IS NULL OR result_notice_on IS NULL OR allocation_on <= result_notice_on))
      )`);

    await q.query(`
      CREATE TABLE tour_slot (
        id               uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        facility_id      uuid NOT NULL REFERENCES facility(id) ON DELETE CASCADE,
        starts_at        timestamptz NOT NULL,
        duration_minutes integer NOT NULL CHECK (duration_minutes BETWEEN 5 AND 480),
        capacity         integer NOT NULL CHECK (capacity > 0 AND capacity <= 200),
        booked_count     integer NOT NULL DEFAULT 0,
        notes            text CHECK (length(notes) <= 1000),
        cancelled_at     timestamptz,
        cancel_reason    text CHECK (length(cancel_reason) <= 1000),
        created_by       uuid REFERENCES api_client(id),
        created_at       timestamptz NOT NULL DEFAULT now(),
        updated_at       timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT tour_slot_never_overbooked CHECK (booked_count >= 0 AND booked_count <= capacity),
        CONSTRAINT tour_slot_cancelled_is_empty CHECK (cancelled_at IS NULL OR booked_count = 0)
      )`);
    // Publishing is by start time: one live slot per facility and moment.
    await q.query(`CREATE UNIQUE INDEX tour_slot_one_live_per_start ON tour_slot (facility_id, starts_at) WHERE cancelled_at IS NULL`);
    await q.query(`CREATE INDEX tour_slot_facility_starts_idx ON tour_slot (facility_id, starts_at, id)`);

    await q.query(`CREATE TYPE tour_booking_status AS ENUM ('BOOKED', 'CANCELLED')`);
    await q.query(`CREATE TYPE tour_cancelled_by AS ENUM ('PARTNER', 'FACILITY')`);
    await q.query(`
      CREATE TABLE tour_booking (
        id                  uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        slot_id             uuid NOT NULL REFERENCES tour_slot(id) ON DELETE CASCADE,
        facility_id         uuid NOT NULL REFERENCES facility(id) ON DELETE CASCADE,
        partner_client_id   uuid NOT NULL REFERENCES api_client(id),
        contact_reference   text NOT NULL CHECK (length(contact_reference) BETWEEN 1 AND 200),
        party_size          integer NOT NULL CHECK (party_size BETWEEN 1 AND 10),
        idempotency_key     text NOT NULL CHECK (length(idempotency_key) BETWEEN 1 AND 200),
        request_fingerprint char(64) NOT NULL,
        status              tour_booking_status NOT NULL DEFAULT 'BOOKED',
        cancelled_by        tour_cancelled_by,
        cancelled_at        timestamptz,
        cancel_reason       text CHECK (length(cancel_reason) <= 1000),
        created_at          timestamptz NOT NULL,
        CONSTRAINT tour_booking_idempotency_unique UNIQUE (partner_client_id, idempotency_key),
        CONSTRAINT tour_booking_cancellation_complete CHECK ((status = 'CANCELLED') = (cancelled_at IS NOT NULL AND cancelled_by IS NOT NULL))
      )`);
    await q.query(`CREATE INDEX tour_booking_slot_idx ON tour_booking (slot_id) WHERE status = 'BOOKED'`);
    await q.query(`CREATE INDEX tour_booking_facility_idx ON tour_booking (facility_id, created_at, id)`);
    await q.query(`CREATE INDEX tour_booking_partner_idx ON tour_booking (partner_client_id, created_at, id)`);
  }

  async down(q: QueryRunner): Promise<void> {
    for (const table of ['tour_booking', 'tour_slot', 'intake_cycle', 'intake_procedure']) await q.query(`DROP TABLE IF EXISTS ${table}`);
    for (const type of ['tour_cancelled_by', 'tour_booking_status', 'application_validity_kind']) await q.query(`DROP TYPE IF EXISTS ${type}`);
  }
}
