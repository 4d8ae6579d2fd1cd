/**
 * Application tables (migrations/1764000004000-applications.ts). Plain TypeORM entities: the GraphQL
 * shapes differ (personal data is decrypted only into the response), see application.types.ts.
 */
import { Column, Entity, JoinColumn, ManyToOne, OneToMany, PrimaryColumn, PrimaryGeneratedColumn, Relation } from 'typeorm';
import { StatusActor, ApplicationStatus } from '../status/application-status';
import type { RecipientRole, RoutingDecision } from './routing';

export enum ApplicationType {
  /** 新規 */
  NEW = 'NEW',
  /** 転園: the child already attends a facility (currentFacilityId). */
  TRANSFER = 'TRANSFER',
}

export enum DeliveryMode {
  /** Signed Standard Webhooks POST to the municipality's endpoint. */
  PUSH = 'PUSH',
  /** A cursor feed the municipality reads and acknowledges at its own pace. */
  PULL = 'PULL',
  /** A CSV file per intake month the municipality downloads. */
  BATCH = 'BATCH',
}

/** Timeline event types: the submission itself, then the status journey's events. */
export type ApplicationEventType = 'SUBMITTED' | string;

@Entity('application')
export class Application {
  @PrimaryGeneratedColumn('uuid') id: string;
  @Column({ name: 'partner_client_id', type: 'uuid' }) partnerClientId: string;
  @Column({ name: 'idempotency_key' }) idempotencyKey: string;
  @Column({ name: 'request_fingerprint', type: 'char', length: 64 }) requestFingerprint: string;
  /** '<keyId>:<hex HMAC-SHA256>' of the child's normalised kana name and birth date (child-key.ts). */
  @Column({ name: 'child_key' }) childKey: string;
  @Column({ name: 'residence_municipality_code', type: 'char', length: 6 }) residenceMunicipalityCode: string;
  @Column({ name: 'move_in_municipality_code', type: 'char', length: 6, nullable: true }) moveInMunicipalityCode: string | null;
  @Column({ name: 'move_in_date', type: 'date', nullable: true }) moveInDate: string | null;
  @Column({ name: 'intake_month', type: 'char', length: 7 }) intakeMonth: string;
  @Column({ name: 'class_age', type: 'smallint' }) classAge: number;
  @Column({ name: 'application_type', type: 'enum', enum: ApplicationType, enumName: 'application_type' }) applicationType: ApplicationType;
  @Column({ name: 'current_facility_id', type: 'uuid', nullable: true }) currentFacilityId: string | null;
  @Column({ type: 'enum', enum: ApplicationStatus, enumName: 'application_status', default: ApplicationStatus.SUBMITTED }) status: ApplicationStatus;
  @Column({ name: 'valid_until', type: 'date', nullable: true }) validUntil: string | null;
  @Column({ type: 'jsonb', nullable: true }) offer: Record<string, unknown> | null;
  @Column({ name: 'return_notice', type: 'jsonb', nullable: true }) returnNotice: Record<string, unknown> | null;
  @Column({ name: 'primary_municipality_code', type: 'char', length: 6 }) primaryMunicipalityCode: string;
  @Column({ name: 'out_of_area' }) outOfArea: boolean;
  @Column({ type: 'jsonb' }) routing: RoutingDecision;
  @Column({ default: false }) incomplete: boolean;
  @Column({ name: 'missing_documents', type: 'jsonb', default: () => "'[]'" }) missingDocuments: string[];
  /** FieldCipher token of PersonalData (application-personal-data.ts); never decrypted outside a response or a delivery. */
  @Column({ name: 'personal_data', type: 'text' }) personalData: string;
  @Column({ type: 'integer', default: 1 }) version: number;
  @Column({ name: 'submitted_at', type: 'timestamptz' }) submittedAt: Date;
  @Column({ name: 'updated_at', type: 'timestamptz' }) updatedAt: Date;

  @OneToMany(() => ApplicationWish, (w) => w.application) wishes?: Relation<ApplicationWish>[];
  @OneToMany(() => ApplicationRecipient, (r) => r.application) recipients?: Relation<ApplicationRecipient>[];
}

@Entity('application_wish')
export class ApplicationWish {
  @PrimaryColumn({ name: 'application_id', type: 'uuid' }) applicationId: string;
  @PrimaryColumn({ type: 'smallint' }) rank: number;
  @Column({ name: 'facility_id', type: 'uuid' }) facilityId: string;
  @Column({ name: 'municipality_code', type: 'char', length: 6 }) municipalityCode: string;
  @ManyToOne(() => Application, (a) => a.wishes, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'application_id' })
  application?: Relation<Application>;
}

@Entity('application_recipient')
export class ApplicationRecipient {
  @PrimaryColumn({ name: 'application_id', type: 'uuid' }) applicationId: string;
  @PrimaryColumn({ name: 'municipality_code', type: 'char', length: 6 }) municipalityCode: string;
  @Column({ type: 'enum', enum: ['APPLICATION', 'FORWARDED_NOTICE'], enumName: 'application_recipient_role' }) role: RecipientRole;
  @Column() reason: string;
  @Column({ name: 'delivery_mode', type: 'enum', enum: DeliveryMode, enumName: 'municipality_delivery_mode' }) deliveryMode: DeliveryMode;
  @Column({ name: 'outbox_message_id', type: 'uuid', nullable: true }) outboxMessageId: string | null;
  @Column({ name: 'delivered_at', type: 'timestamptz', nullable: true }) deliveredAt: Date | null;
  @Column({ name: 'acknowledged_at', type: 'timestamptz', nullable: true }) acknowledgedAt: Date | null;
  @ManyToOne(() => Application, (a) => a.recipients, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'application_id' })
  application?: Relation<Application>;
}

@Entity('application_event')
export class ApplicationEvent {
  @PrimaryGeneratedColumn({ type: 'bigint' }) id: string;
  @Column({ name: 'application_id', type: 'uuid' }) applicationId: string;
  @Column({ type: 'integer' }) seq: number;
  @Column({ type: 'enum', enumName: 'application_event_type', enum: [
    'SUBMITTED', 'DELIVERY_ACKNOWLEDGED', 'RECEIVED', 'RETURNED', 'DOCUMENT_ADDED', 'ALLOCATION_STARTED', 'OFFERED', 'NOT_PLACED',
    'REJECTED', 'OFFER_ACCEPTED', 'OFFER_DECLINED', 'OFFER_LAPSED', 'APPROVED', 'ENROLLED', 'WITHDRAWN', 'EXPIRED', 'ROLLED_OVER',
  ] })
  type: ApplicationEventType;
  @Column({ name: 'actor_kind', type: 'enum', enum: StatusActor, enumName: 'application_actor_kind' }) actorKind: StatusActor;
  @Column({ name: 'actor_id', type: 'uuid', nullable: true }) actorId: string | null;
  @Column({ name: 'from_status', type: 'enum', enum: ApplicationStatus, enumName: 'application_status', nullable: true }) fromStatus: ApplicationStatus | null;
  @Column({ name: 'to_status', type: 'enum', enum: ApplicationStatus, enumName: 'application_status' }) toStatus: ApplicationStatus;
  @Column({ type: 'jsonb', default: () => "'{}'" }) details: Record<string, unknown>;
  @Column({ name: 'message_en' }) messageEn: string;
  @Column({ name: 'message_ja' }) messageJa: string;
  @Column({ name: 'external_event_id', type: 'text', nullable: true }) externalEventId: string | null;
  @Column({ name: 'source_municipality_code', type: 'char', length: 6, nullable: true }) sourceMunicipalityCode: string | null;
  @Column({ name: 'occurred_at', type: 'timestamptz' }) occurredAt: Date;
  @Column({ name: 'recorded_at', type: 'timestamptz', insert: false, update: false }) recordedAt: Date;
}
