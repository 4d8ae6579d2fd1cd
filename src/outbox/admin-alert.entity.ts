import { Field, ID, ObjectType } from '@nestjs/graphql';
import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

@ObjectType({ description: 'Something the platform operator (admin) must look at, e.g. an endpoint disabled after 410 Gone or a dead letter.' })
@Entity('admin_alert')
export class AdminAlert {
  @Field(() => ID) @PrimaryGeneratedColumn('uuid') id: string;
  @Field({ description: 'ENDPOINT_GONE, DEAD_LETTER, …' }) @Column() kind: string;
  @Field() @Column() message: string;
  @Field(() => String, { nullable: true }) @Column({ name: 'endpoint_id', type: 'uuid', nullable: true }) endpointId: string | null;
  @Field() @Column({ name: 'created_at', type: 'timestamptz' }) createdAt: Date;
  @Field(() => Date, { nullable: true }) @Column({ name: 'acknowledged_at', type: 'timestamptz', nullable: true }) acknowledgedAt: Date | null;
}
