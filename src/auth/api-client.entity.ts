import { Field, ID, ObjectType, registerEnumType } from '@nestjs/graphql';
import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

export enum ApiRole {
  PARTNER = 'PARTNER',
  OPERATOR = 'OPERATOR',
  MUNICIPALITY = 'MUNICIPALITY',
  ADMIN = 'ADMIN',
}
registerEnumType(ApiRole, {
  name: 'ApiRole',
  description: 'PARTNER acts for its own parents; OPERATOR for its listed facilities; MUNICIPALITY for its code; ADMIN for all.',
});

@ObjectType({ description: 'A caller of the API. The key itself is shown once, at creation; only its hash is stored.' })
@Entity('api_client')
export class ApiClient {
  @Field(() => ID) @PrimaryGeneratedColumn('uuid') id: string;
  @Field() @Column() name: string;
  @Field(() => ApiRole) @Column({ type: 'enum', enum: ApiRole, enumName: 'api_role' }) role: ApiRole;
  @Column({ name: 'key_hash', type: 'char', length: 64 }) keyHash: string;
  @Field({ description: 'The first characters of the key, to recognise it.' }) @Column({ name: 'key_prefix' }) keyPrefix: string;
  @Field(() => String, { nullable: true }) @Column({ name: 'municipality_code', type: 'char', length: 6, nullable: true }) municipalityCode: string | null;
  @Field() @Column({ name: 'is_demo', default: false }) isDemo: boolean;
  @Column({ name: 'is_bootstrap', default: false }) isBootstrap: boolean;
  @Column({ name: 'created_by', type: 'uuid', nullable: true }) createdBy: string | null;
  @Field() @Column({ name: 'created_at', type: 'timestamptz', insert: false, update: false }) createdAt: Date;
  @Field(() => Date, { nullable: true }) @Column({ name: 'revoked_at', type: 'timestamptz', nullable: true }) revokedAt: Date | null;
}
