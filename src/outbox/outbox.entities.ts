// The outbox's entities, for registration in src/database/entities.ts.
export { AdminAlert } from './admin-alert.entity';
export { DeliveryAttempt } from './delivery-attempt.entity';
export { OutboxMessage } from './outbox-message.entity';
export { WebhookEndpoint } from './webhook-endpoint.entity';
