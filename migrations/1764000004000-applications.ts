import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Applications (入園申込み): one row per application with its wishes, the municipalities it is routed
 * to, its timeline, how each municipality takes delivery (push, pull feed, batch file), and the audit
 * log of who read which application.
 *
 * Invariants held here rather than in code:
 * - one application per (partner, idempotency key), so concurrent retries of one request create one row;
 * - one ACTIVE application per (partner, child, intake month): a partial unique index over the active
 *   statuses on child_key, an HMAC of the child's identity, so the identity itself is never in clear;
 * - exactly the 15 statuses of src/status/application-status.ts, class age 0–5, YYYY-MM intake months;
 * - a wish per rank and per facility; one APPLICATION recipient per application;
 * - a municipality event applied twice is refused by (source municipality, external event id).
 */
export class Applications1764000004000 implements MigrationInterface {
  name = 'Applications1764000004000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TYPE application_status AS ENUM (
        'SUBMITTED','DELIVERED','RECEIVED','RETURNED','UNDER_ALLOCATION','OFFERED','NOT_PLACED','REJECTED',
        'ACCEPTED','DECLINED','OFFER_LAPSED','APPROVED','ENROLLED','WITHDRAWN','EXPIRED')`);
    await q.query(`CREATE TYPE application_type AS ENUM ('NEW','TRANSFER')`);
    await q.query(`
      CREATE TABLE application (
        id                          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        partner_client_id           uuid NOT NULL REFERENCES api_client(id),
        idempotency_key             text NOT NULL CHECK (length(idempotency_key) BETWEEN 1 AND 200),
        request_fingerprint         char(64) NOT NULL CHECK (request_fingerprint ~ '^[0-9a-f]{64}$'),
        child_key                   text NOT NULL CHECK (child_key ~ '^[A-Za-z0-9_-]{1,32}:[0-9a-f]{64}$'),
        residence_municipality_code char(6) NOT NULL REFERENCES municipality(code),
        move_in_municipality_code   char(6) REFERENCES municipality(code),
        move_in_date                date,
        intake_month                char(7) NOT NULL CHECK (intake_month ~ '^[0-9]{4}-(0[1-9]|1[0-2])$'),
        class_age                   smallint NOT NULL CHECK (class_age BETWEEN 0 AND 5),
        application_type            application_type NOT NULL,
        current_facility_id         uuid REFERENCES facility(id),
        status                      application_status NOT NULL DEFAULT 'SUBMITTED',
        valid_until                 date,
        offer                       jsonb,
        return_notice               jsonb,
        primary_municipality_code   char(6) NOT NULL REFERENCES municipality(code),
        out_of_area                 boolean NOT NULL,
        routing                     jsonb NOT NULL CHECK (jsonb_typeof(routing) = 'object'),
        incomplete                  boolean NOT NULL DEFAULT false,
        missing_documents           jsonb NOT NULL DEFAULT '[]' CHECK (jsonb_typeof(missing_documents) = 'array'),
        personal_data               text NOT NULL CHECK (personal_data LIKE 'v1.%'),
        version                     integer NOT NULL DEFAULT 1 CHECK (version >= 1),
        submitted_at                timestamptz NOT NULL,
        updated_at                  timestamptz NOT NULL,
        CONSTRAINT application_idempotency_key_unique UNIQUE (partner_client_id, idempotency_key),
        CONSTRAINT application_move_in_together CHECK ((move_in_municipality_code IS NULL) = (move_in_date IS NULL)),
        CONSTRAINT application_transfer_has_current_facility CHECK ((application_type = 'TRANSFER') = (current_facility_id IS NOT NULL)),
        CONSTRAINT application_incomplete_names_missing CHECK (incomplete = (jsonb_array_length(missing_documents) > 0)),
        CONSTRAINT application_offer_is_object CHECK (offer IS NULL OR jsonb_typeof(offer) = 'object'),
        CONSTRAINT application_return_notice_is_object CHECK (return_notice IS NULL OR jsonb_typeof(return_notice) = 'object')
      )`);
    // "Same child, same intake, same partner: one active application". Active = not terminal
    // (isActive in src/status/application-status.ts); keep this list in step with it.
    await q.query(`
      CREATE UNIQUE INDEX application_one_active_per_child ON application (partner_client_id, intake_month, child_key)
      WHERE status IN ('SUBMITTED','DELIVERED','RECEIVED','RETURNED','UNDER_ALLOCATION','OFFERED','NOT_PLACED','ACCEPTED','APPROVED')`);
    await q.query(`CREATE INDEX application_partner_idx ON application (partner_client_id, submitted_at DESC, id DESC)`);
    await q.query(`CREATE INDEX application_submitted_idx ON application (submitted_at DESC, id DESC)`);
    await q.query(`CREATE INDEX application_primary_intake_idx ON application (primary_municipality_code, intake_month)`);

    await q.query(`
      CREATE TABLE application_wish (
        application_id    uuid NOT NULL REFERENCES application(id) ON DELETE CASCADE,
        rank              smallint NOT NULL CHECK (rank BETWEEN 1 AND 50),
        facility_id       uuid NOT NULL REFERENCES facility(id),
        municipality_code char(6) NOT NULL REFERENCES municipality(code),
        PRIMARY KEY (application_id, rank),
        CONSTRAINT application_wish_facility_once UNIQUE (application_id, facility_id)
      )`);
    await q.query(`CREATE INDEX application_wish_facility_idx ON application_wish (facility_id)`);

    await q.query(`CREATE TYPE application_recipient_role AS ENUM ('APPLICATION','FORWARDED_NOTICE')`);
    await q.query(`CREATE TYPE municipality_delivery_mode AS ENUM ('PUSH','PULL','BATCH')`);
    await q.query(`
      CREATE TABLE application_recipient (
        application_id    uuid NOT NULL REFERENCES application(id) ON DELETE CASCADE,
        municipality_code char(6) NOT NULL REFERENCES municipality(code),
        role              application_recipient_role NOT NULL,
        reason            text NOT NULL CHECK (reason ~ '^[A-Z_]+$'),
        delivery_mode     municipality_delivery_mode NOT NULL,
        outbox_message_id uuid REFERENCES outbox_message(id),
        delivered_at      timestamptz,
        acknowledged_at   timestamptz,
        PRIMARY KEY (application_id, municipality_code),
        CONSTRAINT application_recipient_ack_after_delivery CHECK (acknowledged_at IS NULL OR delivered_at IS NOT NULL)
      )`);
    await q.query(`CREATE UNIQUE INDEX application_recipient_one_primary ON application_recipient (application_id) WHERE role = 'APPLICATION'`);
    await q.query(`CREATE INDEX application_recipient_municipality_idx ON application_recipient (municipality_code, application_id)`);
    await q.query(`CREATE INDEX application_recipient_message_idx ON application_recipient (outbox_message_id) WHERE outbox_message_id IS NOT NULL AND acknowledged_at IS NULL`);

    await q.query(`
      CREATE TYPE application_event_type AS ENUM (
        'SUBMITTED','DELIVERY_ACKNOWLEDGED','RECEIVED','RETURNED','DOCUMENT_ADDED','ALLOCATION_STARTED','OFFERED',
        'NOT_PLACED','REJECTED','OFFER_ACCEPTED','OFFER_DECLINED','OFFER_LAPSED','APPROVED','ENROLLED','WITHDRAWN',
        'EXPIRED','ROLLED_OVER')`);
    await q.query(`CREATE TYPE application_actor_kind AS ENUM ('PARTNER','MUNICIPALITY','SYSTEM','ADMIN')`);
    await q.query(`
      CREATE TABLE application_event (
        id                       bigserial PRIMARY KEY,
        application_id           uuid NOT NULL REFERENCES application(id) ON DELETE CASCADE,
        seq                      integer NOT NULL CHECK (seq >= 1),
        type                     application_event_type NOT NULL,
        actor_kind               application_actor_kind NOT NULL,
        actor_id                 uuid REFERENCES api_client(id),
        from_status              application_status,
        to_status                application_status NOT NULL,
        details                  jsonb NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(details) = 'object'),
        message_en               text NOT NULL,
        message_ja               text NOT NULL,
        external_event_id        text CHECK (length(external_event_id) BETWEEN 1 AND 200),
        source_municipality_code char(6) REFERENCES municipality(code),
        occurred_at              timestamptz NOT NULL,
        recorded_at              timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT application_event_seq_unique UNIQUE (application_id, seq),
        CONSTRAINT application_event_system_has_no_client CHECK (actor_kind <> 'SYSTEM' OR actor_id IS NULL),
        CONSTRAINT application_event_external_has_source CHECK (external_event_id IS NULL OR source_municipality_code IS NOT NULL),
        CONSTRAINT application_event_only_submission_has_no_from CHECK ((type = 'SUBMITTED') = (from_status IS NULL))
      )`);
    await q.query(`
      CREATE UNIQUE INDEX application_event_external_once ON application_event (source_municipality_code, external_event_id)
      WHERE external_event_id IS NOT NULL`);

    await q.query(`
      CREATE TABLE municipality_delivery (
        municipality_code  char(6) PRIMARY KEY REFERENCES municipality(code),
        mode               municipality_delivery_mode NOT NULL,
        endpoint_id        uuid REFERENCES webhook_endpoint(id),
        accepts_incomplete boolean NOT NULL DEFAULT false,
        updated_by         uuid REFERENCES api_client(id),
        updated_at         timestamptz NOT NULL,
        CONSTRAINT municipality_delivery_push_has_endpoint CHECK ((mode = 'PUSH') = (endpoint_id IS NOT NULL))
      )`);

    await q.query(`CREATE TYPE municipality_feed_entry_kind AS ENUM ('APPLICATION','FORWARDED_NOTICE','UPDATE')`);
    await q.query(`
      CREATE TABLE municipality_feed_entry (
        id                bigserial PRIMARY KEY,
        municipality_code char(6) NOT NULL REFERENCES municipality(code),
        application_id    uuid NOT NULL REFERENCES application(id) ON DELETE CASCADE,
        kind              municipality_feed_entry_kind NOT NULL,
        payload           text NOT NULL CHECK (payload LIKE 'v1.%'),
        created_at        timestamptz NOT NULL
      )`);
    await q.query(`CREATE INDEX municipality_feed_entry_cursor_idx ON municipality_feed_entry (municipality_code, id)`);
    await q.query(`CREATE INDEX municipality_feed_entry_application_idx ON municipality_feed_entry (application_id)`);
    await q.query(`
      CREATE TABLE municipality_feed_cursor (
        municipality_code   char(6) PRIMARY KEY REFERENCES municipality(code),
        acknowledged_cursor bigint NOT NULL DEFAULT 0 CHECK (acknowledged_cursor >= 0),
        acknowledged_by     uuid REFERENCES api_client(id),
        updated_at          timestamptz NOT NULL
      )`);

    await q.query(`
      CREATE TABLE batch_file (
        id                uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        municipality_code char(6) NOT NULL REFERENCES municipality(code),
        intake_month      char(7) NOT NULL CHECK (intake_month ~ '^[0-9]{4}-(0[1-9]|1[0-2])$'),
        row_count         integer NOT NULL CHECK (row_count >= 0),
        sha256            char(64) NOT NULL CHECK (sha256 ~ '^[0-9a-f]{64}$'),
        downloaded_by     uuid NOT NULL REFERENCES api_client(id),
        generated_at      timestamptz NOT NULL
      )`);
    await q.query(`CREATE INDEX batch_file_municipality_idx ON batch_file (municipality_code, intake_month, generated_at DESC)`);

    await q.query(`
      CREATE TABLE audit_log (
        id              bigserial PRIMARY KEY,
        actor_client_id uuid REFERENCES api_client(id),
        actor_role      api_role,
        action          text NOT NULL CHECK (action ~ '^[a-z][a-zA-Z0-9_.-]*$' AND length(action) <= 100),
        subject_type    text NOT NULL CHECK (length(subject_type) BETWEEN 1 AND 100),
        subject_id      text NOT NULL CHECK (length(subject_id) BETWEEN 1 AND 200),
        at              timestamptz NOT NULL,
        request_id      text CHECK (length(request_id) <= 200),
        CONSTRAINT audit_log_actor_together CHECK ((actor_client_id IS NULL) = (actor_role IS NULL))
      )`);
    await q.query(`CREATE INDEX audit_log_subject_idx ON audit_log (subject_type, subject_id, at DESC, id DESC)`);
    await q.query(`CREATE INDEX audit_log_actor_idx ON audit_log (actor_client_id, at DESC, id DESC)`);
    await q.query(`CREATE INDEX audit_log_at_idx ON audit_log (at DESC, id DESC)`);
  }

  async down(q: QueryRunner): Promise<void> {
    for (const t of [
      'audit_log', 'batch_file', 'municipality_feed_cursor', 'municipality_feed_entry', 'municipality_delivery',
      'application_event', 'application_recipient', 'application_wish', 'application',
    ]) {
      await q.query(`DROP TABLE IF EXISTS ${t}`);
    }
    for (const t of [
      'municipality_feed_entry_kind', 'application_actor_kind', 'application_event_type', 'municipality_delivery_mode',
      'application_recipient_role', 'application_type', 'application_status',
    ]) {
      await q.query(`DROP TYPE IF EXISTS ${t}`);
    }
  }
}
