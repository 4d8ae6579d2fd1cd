import { Field, ID, ObjectType, registerEnumType } from '@nestjs/graphql';
import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';
import type { EndpointOwnerKind } from './outbox.contract';

export enum WebhookOwnerKind {
  PARTNER = 'PARTNER',
  FACILITY = 'FACILITY',
  MUNICIPALITY = 'MUNICIPALITY',
}
registerEnumType(WebhookOwnerKind, {
  name: 'WebhookOwnerKind',
  description: 'Who receives on a webhook endpoint: a partner app (its API client id), a facility (施設) or a municipality (自治体, by code).',
});

export enum WebhookEndpointStatus {
  ACTIVE = 'ACTIVE',
  /** Stopped by the hub (the receiver answered 410 Gone) or by hand; messages wait until it is enabled again. */
  DISABLED = 'DISABLED',
  /** Removed by its owner; kept for the delivery history, never delivered to again. */
  REMOVED = 'REMOVED',
}
registerEnumType(WebhookEndpointStatus, {
  name: 'WebhookEndpointStatus',
  description: 'ACTIVE receives deliveries; DISABLED holds its messages until enabled again; REMOVED is gone for good (its history stays).',
});

@ObjectType({ description: 'A URL that receives signed webhook deliveries (Standard Webhooks, CloudEvents 1.0 body).' })
@Entity('webhook_endpoint')
export class WebhookEndpoint {
  @Field(() => ID) @PrimaryGeneratedColumn('uuid') id: string;
  @Field(() => WebhookOwnerKind) @Column({ name: 'owner_kind', type: 'enum', enum: WebhookOwnerKind, enumName: 'webhook_owner_kind' }) ownerKind: EndpointOwnerKind;
  @Field({ description: 'API client id (PARTNER), facility id (FACILITY) or municipality code (MUNICIPALITY).' })
  @Column({ name: 'owner_id' })
  ownerId: string;
  @Field() @Column() url: string;
  @Field(() => [String], { description: 'Event type prefixes delivered here, e.g. "jp.hokatsu.vacancy."; empty means every type.' })
  @Column({ type: 'text', array: true })
  topics: string[];
  @Field(() => WebhookEndpointStatus) @Column({ type: 'enum', enum: WebhookEndpointStatus, enumName: 'webhook_endpoint_status' }) status: WebhookEndpointStatus;
  @Field(() => String, { nullable: true, description: 'Why the endpoint is not ACTIVE, e.g. "410 Gone from the receiver".' })
  @Column({ name: 'disabled_reason', type: 'text', nullable: true })
  disabledReason: string | null;
  /** Encrypted with the hub key ring (FieldCipher); never exposed. */
  @Column({ type: 'text' }) secret: string;
  @Column({ name: 'previous_secret', type: 'text', nullable: true }) previousSecret: string | null;
  @Field(() => Date, { nullable: true, description: 'Until when deliveries are also signed with the previous secret (rotation grace).' })
  @Column({ name: 'previous_secret_expires_at', type: 'timestamptz', nullable: true })
  previousSecretExpiresAt: Date | null;
  @Column({ name: 'created_by', type: 'uuid', nullable: true }) createdBy: string | null;
  @Field() @Column({ name: 'created_at', type: 'timestamptz' }) createdAt: Date;
  @Field() @Column({ name: 'updated_at', type: 'timestamptz' }) updatedAt: Date;
}
