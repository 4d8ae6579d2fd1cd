import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Transactional outbox and webhook delivery: endpoints (with encrypted signing secrets), messages
 * (one per endpoint, claimed by the dispatcher under a lease), every delivery attempt, and alerts
 * for the platform operator.
 */
export class Outbox1764000001000 implements MigrationInterface {
  name = 'Outbox1764000001000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TYPE webhook_owner_kind AS ENUM ('PARTNER','FACILITY','MUNICIPALITY')`);
    await q.query(`CREATE TYPE webhook_endpoint_status AS ENUM ('ACTIVE','DISABLED','REMOVED')`);
    await q.query(`
      CREATE TABLE webhook_endpoint (
        id                         uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        owner_kind                 webhook_owner_kind NOT NULL,
        owner_id                   text NOT NULL CHECK (length(owner_id) BETWEEN 1 AND 100),
        url                        text NOT NULL CHECK (url ~ '^https?://[^\\s/?#]+' AND length(url) <= 2000),
        topics                     text[] NOT NULL DEFAULT '{}',
        status                     webhook_endpoint_status NOT NULL DEFAULT 'ACTIVE',
        disabled_reason            text,
        secret                     text NOT NULL,
        previous_secret            text,
        previous_secret_expires_at timestamptz,
        created_by                 uuid REFERENCES api_client(id),
        created_at                 timestamptz NOT NULL,
        updated_at                 timestamptz NOT NULL,
        CONSTRAINT webhook_endpoint_previous_secret_expiry CHECK ((previous_secret IS NULL) = (previous_secret_expires_at IS NULL)),
        CONSTRAINT webhook_endpoint_disabled_has_reason CHECK ((status = 'ACTIVE') = (disabled_reason IS NULL)),
        CONSTRAINT webhook_endpoint_topics_no_nulls CHECK (array_position(topics, NULL) IS NULL)
      )`);
    await q.query(`CREATE INDEX webhook_endpoint_owner_idx ON webhook_endpoint (owner_kind, owner_id) WHERE status <> 'REMOVED'`);

    await q.query(`CREATE TYPE outbox_message_status AS ENUM ('PENDING','DELIVERED','DEAD')`);
    await q.query(`
      CREATE TABLE outbox_message (
        id                uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        seq               bigserial NOT NULL UNIQUE,
        endpoint_id       uuid NOT NULL REFERENCES webhook_endpoint(id),
        ordering_key      text NOT NULL CHECK (length(ordering_key) BETWEEN 1 AND 200),
        type              text NOT NULL CHECK (type ~ '^[A-Za-z0-9][A-Za-z0-9._-]*$' AND length(type) <= 200),
        subject           text NOT NULL CHECK (length(subject) <= 500),
        data              jsonb NOT NULL,
        status            outbox_message_status NOT NULL DEFAULT 'PENDING',
        attempts          integer NOT NULL DEFAULT 0 CHECK (attempts >= 0),
        next_attempt_at   timestamptz,
        lease_until       timestamptz,
        last_status_code  integer CHECK (last_status_code BETWEEN 100 AND 599),
        last_error        text,
        deduplication_key text CHECK (length(deduplication_key) BETWEEN 1 AND 200),
        created_at        timestamptz NOT NULL,
        delivered_at      timestamptz,
        CONSTRAINT outbox_message_deduplication UNIQUE (endpoint_id, deduplication_key),
        CONSTRAINT outbox_message_pending_is_scheduled CHECK ((status = 'PENDING') = (next_attempt_at IS NOT NULL)),
        CONSTRAINT outbox_message_delivered_at CHECK ((status = 'DELIVERED') = (delivered_at IS NOT NULL))
      )`);
    // The dispatcher's claim: due PENDING messages in enqueue order.
    await q.query(`CREATE INDEX outbox_message_due_idx ON outbox_message (next_attempt_at, seq) WHERE status = 'PENDING'`);
    // "Is there an earlier PENDING message with the same key?" — strict order per (endpoint, key).
    await q.query(`CREATE INDEX outbox_message_ordering_idx ON outbox_message (endpoint_id, ordering_key, seq) WHERE status = 'PENDING'`);
    // Delivery history per endpoint (webhookDeliveries), newest first, and the dead-letter list.
    await q.query(`CREATE INDEX outbox_message_endpoint_idx ON outbox_message (endpoint_id, seq)`);
    await q.query(`CREATE INDEX outbox_message_dead_idx ON outbox_message (seq) WHERE status = 'DEAD'`);

    await q.query(`
      CREATE TABLE delivery_attempt (
        id          bigserial PRIMARY KEY,
        message_id  uuid NOT NULL REFERENCES outbox_message(id) ON DELETE CASCADE,
        attempt_no  integer NOT NULL CHECK (attempt_no >= 1),
        at          timestamptz NOT NULL,
        status_code integer CHECK (status_code BETWEEN 100 AND 599),
        error       text,
        duration_ms integer NOT NULL CHECK (duration_ms >= 0),
        CONSTRAINT delivery_attempt_has_outcome CHECK (status_code IS NOT NULL OR error IS NOT NULL)
      )`);
    // attempt_no restarts at 1 when an admin replays a dead letter, so it is not unique per message; id orders the history.
    await q.query(`CREATE INDEX delivery_attempt_message_idx ON delivery_attempt (message_id, id)`);

    await q.query(`
      CREATE TABLE admin_alert (
        id              uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        kind            text NOT NULL CHECK (kind ~ '^[A-Z_]+$'),
        message         text NOT NULL,
        endpoint_id     uuid REFERENCES webhook_endpoint(id),
        created_at      timestamptz NOT NULL,
        acknowledged_at timestamptz
      )`);
    await q.query(`CREATE INDEX admin_alert_created_idx ON admin_alert (created_at DESC, id)`);
  }

  async down(q: QueryRunner): Promise<void> {
    for (const t of ['admin_alert', 'delivery_attempt', 'outbox_message', 'webhook_endpoint']) await q.query(`DROP TABLE IF EXISTS ${t}`);
    for (const t of ['outbox_message_status', 'webhook_endpoint_status', 'webhook_owner_kind']) await q.query(`DROP TYPE IF EXISTS ${t}`);
  }
}
