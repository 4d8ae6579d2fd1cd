import { Field, ID, Int, ObjectType, registerEnumType } from '@nestjs/graphql';
import { Column, Entity, PrimaryColumn } from 'typeorm';

export enum OutboxMessageStatus {
  PENDING = 'PENDING',
  DELIVERED = 'DELIVERED',
  /** Dead letter: every attempt failed (or the endpoint was removed); an admin may replay it. */
  DEAD = 'DEAD',
}
registerEnumType(OutboxMessageStatus, {
  name: 'WebhookDeliveryStatus',
  description: 'PENDING waits for (another) attempt; DELIVERED got a 2xx; DEAD is a dead letter (配信不能) after the last attempt.',
});

@ObjectType('WebhookDelivery', { description: 'One message to one endpoint, with its delivery state. `id` is the webhook-id, the same on every retry.' })
@Entity('outbox_message')
export class OutboxMessage {
  @Field(() => ID) @PrimaryColumn('uuid') id: string;
  /** Enqueue order (bigint, as a string). */
  @Column({ type: 'bigint', insert: false, update: false }) seq: string;
  @Field(() => ID) @Column({ name: 'endpoint_id', type: 'uuid' }) endpointId: string;
  @Field({ description: 'Messages with the same key go to an endpoint strictly in order.' })
  @Column({ name: 'ordering_key' })
  orderingKey: string;
  @Field({ description: 'CloudEvents type.' }) @Column() type: string;
  @Field({ description: 'CloudEvents subject.' }) @Column() subject: string;
  /** The CloudEvents data; exposed in GraphQL as `dataJson` (see the resolver). */
  @Column({ type: 'jsonb' }) data: Record<string, unknown>;
  @Field(() => OutboxMessageStatus) @Column({ type: 'enum', enum: OutboxMessageStatus, enumName: 'outbox_message_status' }) status: OutboxMessageStatus;
  @Field(() => Int) @Column({ type: 'integer' }) attempts: number;
  @Field(() => Date, { nullable: true }) @Column({ name: 'next_attempt_at', type: 'timestamptz', nullable: true }) nextAttemptAt: Date | null;
  @Column({ name: 'lease_until', type: 'timestamptz', nullable: true }) leaseUntil: Date | null;
  @Field(() => Int, { nullable: true }) @Column({ name: 'last_status_code', type: 'integer', nullable: true }) lastStatusCode: number | null;
  @Field(() => String, { nullable: true }) @Column({ name: 'last_error', type: 'text', nullable: true }) lastError: string | null;
  @Field(() => String, { nullable: true }) @Column({ name: 'deduplication_key', type: 'text', nullable: true }) deduplicationKey: string | null;
  @Field() @Column({ name: 'created_at', type: 'timestamptz' }) createdAt: Date;
  @Field(() => Date, { nullable: true }) @Column({ name: 'delivered_at', type: 'timestamptz', nullable: true }) deliveredAt: Date | null;
}
