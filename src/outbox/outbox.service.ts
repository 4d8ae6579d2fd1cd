import { Inject, Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { CLOCK, Clock } from '../common/clock';
import { Errors } from '../common/errors';
import type { EndpointOwner, OutboxMessageInput, OutboxPort } from './outbox.contract';
import { assertValidMessage } from './outbox-message.rules';

/**
 * The transactional outbox: features enqueue with THEIR EntityManager, inside their own transaction,
 * so the message exists if and only if their change committed. The WebhookDispatcher delivers later.
 */
@Injectable()
export class OutboxService implements OutboxPort {
  constructor(@Inject(CLOCK) private readonly clock: Clock) {}

  async enqueue(manager: EntityManager, endpointId: string, message: OutboxMessageInput): Promise<string | null> {
    assertValidMessage(message);
    const [endpoint] = await manager.query(`SELECT status FROM webhook_endpoint WHERE id = $1`, [endpointId]);
    if (!endpoint) throw Errors.notFound('Webhook endpoint', endpointId, 'endpointId');
    const now = this.clock.now();
    // The SELECT … WHERE status = 'ACTIVE' makes "disabled" and "deduplicated" both come back as no row.
    const rows: Array<{ id: string }> = await manager.query(
      `INSERT INTO outbox_message (endpoint_id, ordering_key, type, subject, data, deduplication_key, next_attempt_at, created_at)
       SELECT e.id, $2, $3, $4, $5::jsonb, $6, $7, $7 FROM webhook_endpoint e WHERE e.id = $1 AND e.status = 'ACTIVE'
       ON CONFLICT (endpoint_id, deduplication_key) DO NOTHING
       RETURNING id`,
      [endpointId, message.orderingKey, message.type, message.subject, JSON.stringify(message.data), message.deduplicationKey ?? null, now],
    );
    return rows[0]?.id ?? null;
  }

  /**
   * For a feature that stores its change in ONE statement (no round trips for a transaction): the
   * outbox's INSERT to embed as a data-modifying CTE, `WITH <name> AS (${enqueueManySql(…)})`. It
   * enqueues the messages of `messagesParam` (from encodeMessages, in their order) to their endpoints
   * when ACTIVE, skips deduplicated ones, and RETURNS id, endpoint_id, deduplication_key — so a
   * message missing from the result was not enqueued (endpoint disabled, or deduplicated), as
   * enqueue() returning null. `onlyIf`: a FROM item (e.g. the CTE that inserted the feature's row)
   * that must have a row, else nothing is enqueued.
   */
  enqueueManySql(messagesParam: string, nowParam: string, onlyIf?: string): string {
    return `INSERT INTO outbox_message (endpoint_id, ordering_key, type, subject, data, deduplication_key, next_attempt_at, created_at)
      SELECT x.endpoint_id, x.ordering_key, x.type, x.subject, x.data, x.deduplication_key, ${nowParam}, ${nowParam}
        FROM jsonb_to_recordset(${messagesParam}::jsonb)
             AS x(i int, endpoint_id uuid, ordering_key text, type text, subject text, data jsonb, deduplication_key text)
        JOIN webhook_endpoint e ON e.id = x.endpoint_id AND e.status = 'ACTIVE'
        ${onlyIf ? `CROSS JOIN ${onlyIf}` : ''}
       ORDER BY x.i
      ON CONFLICT (endpoint_id, deduplication_key) DO NOTHING
      RETURNING id, endpoint_id, deduplication_key`;
  }

  /** The messagesParam of enqueueManySql. Each message needs a deduplicationKey: it matches the returned ids to the messages. */
  encodeMessages(messages: ReadonlyArray<{ endpointId: string; message: OutboxMessageInput }>): string {
    messages.forEach(({ message }, i) => {
      assertValidMessage(message, `messages[${i}]`);
      if (!message.deduplicationKey) throw new Error('enqueueManySql needs a deduplicationKey per message');
    });
    return JSON.stringify(messages.map(({ endpointId, message }, i) => ({
      i, endpoint_id: endpointId, ordering_key: message.orderingKey, type: message.type, subject: message.subject,
      data: message.data, deduplication_key: message.deduplicationKey,
    })));
  }

  async enqueueToOwner(manager: EntityManager, owner: EndpointOwner, message: OutboxMessageInput): Promise<string[]> {
    assertValidMessage(message);
    const now = this.clock.now();
    // Topic match in SQL (same rule as subscribesTo): no topics = every type, else a prefix match.
    const rows: Array<{ id: string }> = await manager.query(
      `INSERT INTO outbox_message (endpoint_id, ordering_key, type, subject, data, deduplication_key, next_attempt_at, created_at)
       SELECT e.id, $3, $4, $5, $6::jsonb, $7, $8, $8 FROM webhook_endpoint e
        WHERE e.owner_kind = $1 AND e.owner_id = $2 AND e.status = 'ACTIVE'
          AND (cardinality(e.topics) = 0 OR EXISTS (SELECT 1 FROM unnest(e.topics) AS topic WHERE starts_with($4, topic)))
        ORDER BY e.created_at, e.id
       ON CONFLICT (endpoint_id, deduplication_key) DO NOTHING
       RETURNING id`,
      [owner.kind, owner.id, message.orderingKey, message.type, message.subject, JSON.stringify(message.data), message.deduplicationKey ?? null, now],
    );
    return rows.map((row) => row.id);
  }
}
