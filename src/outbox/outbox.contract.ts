/**
 * CONTRACT shared by every feature that tells an outside system something (vacancy watches,
 * tour bookings, application delivery, status changes, reminders). Implemented in src/outbox/.
 *
 * Transactional outbox: a feature writes its own rows AND enqueues the message with the same
 * EntityManager, inside the same transaction; the dispatcher delivers it later, at least once,
 * as a signed Standard Webhooks POST whose body is a CloudEvents 1.0 envelope:
 *   headers: webhook-id (= message id, same on every retry), webhook-timestamp, webhook-signature
 *   body:    { specversion: '1.0', id, source, type, subject, time, datacontenttype, data }
 */
import type { EntityManager } from 'typeorm';

/** Who owns a webhook endpoint. ownerId: api_client.id (PARTNER), facility.id (FACILITY), municipality code (MUNICIPALITY). */
export type EndpointOwnerKind = 'PARTNER' | 'FACILITY' | 'MUNICIPALITY';

export interface EndpointOwner {
  kind: EndpointOwnerKind;
  id: string;
}

export interface OutboxMessageInput {
  /** CloudEvents type, e.g. 'jp.hokatsu.vacancy.opened', 'jp.hokatsu.tour.booked', 'jp.hokatsu.application.submitted'. */
  type: string;
  /** CloudEvents subject, e.g. 'applications/<id>'. */
  subject: string;
  /** Messages with the same orderingKey (per endpoint) are delivered strictly in enqueue order, e.g. the application id. */
  orderingKey: string;
  /** The event data. Never put personal data here beyond what the receiver already holds. */
  data: Record<string, unknown>;
  /** Optional: at most one message per endpoint with this key ever exists (enqueue again is a no-op). */
  deduplicationKey?: string;
}

export interface OutboxPort {
  /** Enqueue to one endpoint. Returns the message id (the webhook-id), or null when deduplicated or the endpoint is disabled. */
  enqueue(manager: EntityManager, endpointId: string, message: OutboxMessageInput): Promise<string | null>;
  /** Enqueue to every ACTIVE endpoint of an owner that subscribes to message.type (topic prefix match). Returns the message ids. */
  enqueueToOwner(manager: EntityManager, owner: EndpointOwner, message: OutboxMessageInput): Promise<string[]>;
}
