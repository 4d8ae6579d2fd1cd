import { Field, Int, ObjectType } from '@nestjs/graphql';
import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

@ObjectType('WebhookDeliveryAttempt', { description: 'One HTTP attempt to deliver a message (配信試行), for the audit trail.' })
@Entity('delivery_attempt')
export class DeliveryAttempt {
  /** bigint, as a string; orders a message's history. */
  @PrimaryGeneratedColumn({ type: 'bigint' }) id: string;
  @Column({ name: 'message_id', type: 'uuid' }) messageId: string;
  @Field(() => Int, { description: 'Attempt number in the retry schedule, 1 for the first; starts again at 1 after a replay.' })
  @Column({ name: 'attempt_no', type: 'integer' })
  attemptNo: number;
  @Field({ description: 'When the attempt started.' }) @Column({ type: 'timestamptz' }) at: Date;
  @Field(() => Int, { nullable: true, description: 'HTTP status, absent when no response came.' })
  @Column({ name: 'status_code', type: 'integer', nullable: true })
  statusCode: number | null;
  @Field(() => String, { nullable: true, description: 'TIMEOUT, NETWORK_ERROR: …, or the start of a non-2xx response.' })
  @Column({ type: 'text', nullable: true })
  error: string | null;
  @Field(() => Int) @Column({ name: 'duration_ms', type: 'integer' }) durationMs: number;
}
