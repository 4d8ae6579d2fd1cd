import { Field, ID, ObjectType } from '@nestjs/graphql';
import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';
import { ApiRole } from '../auth/api-client.entity';

@ObjectType({ description: 'One read of personal data (個人情報の閲覧記録): who read what, when.' })
@Entity('audit_log')
export class AuditLogEntry {
  @Field(() => ID) @PrimaryGeneratedColumn({ type: 'bigint' }) id: string;
  @Field(() => String, { nullable: true, description: 'The API client that read; null for the hub itself.' })
  @Column({ name: 'actor_client_id', type: 'uuid', nullable: true })
  actorClientId: string | null;
  @Field(() => ApiRole, { nullable: true }) @Column({ name: 'actor_role', type: 'enum', enum: ApiRole, enumName: 'api_role', nullable: true }) actorRole: ApiRole | null;
  @Field({ description: "What was done, e.g. 'application.read', 'application.feed.read', 'application.batch.read'." }) @Column() action: string;
  @Field({ description: "Kind of record, e.g. 'application'." }) @Column({ name: 'subject_type' }) subjectType: string;
  @Field() @Column({ name: 'subject_id' }) subjectId: string;
  @Field() @Column({ type: 'timestamptz' }) at: Date;
  @Field(() => String, { nullable: true, description: 'The request id (x-request-id) of the read.' })
  @Column({ name: 'request_id', type: 'text', nullable: true })
  requestId: string | null;
}
