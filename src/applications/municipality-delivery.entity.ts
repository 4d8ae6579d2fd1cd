/** How each municipality takes delivery of applications (PUSH, PULL feed, BATCH file). */
import { Column, Entity, PrimaryColumn, PrimaryGeneratedColumn } from 'typeorm';
import { DeliveryMode } from './application.entity';

@Entity('municipality_delivery')
export class MunicipalityDelivery {
  @PrimaryColumn({ name: 'municipality_code', type: 'char', length: 6 }) municipalityCode: string;
  @Column({ type: 'enum', enum: DeliveryMode, enumName: 'municipality_delivery_mode' }) mode: DeliveryMode;
  /** The outbox's webhook_endpoint for PUSH (owner MUNICIPALITY, owner id = code). */
  @Column({ name: 'endpoint_id', type: 'uuid', nullable: true }) endpointId: string | null;
  /** Incomplete-vs-refuse policy: true = accept an application with documents missing, naming them. */
  @Column({ name: 'accepts_incomplete', default: false }) acceptsIncomplete: boolean;
  @Column({ name: 'updated_by', type: 'uuid', nullable: true }) updatedBy: string | null;
  @Column({ name: 'updated_at', type: 'timestamptz' }) updatedAt: Date;
}

export type FeedEntryKind = 'APPLICATION' | 'FORWARDED_NOTICE' | 'UPDATE';

@Entity('municipality_feed_entry')
export class MunicipalityFeedEntry {
  /** The cursor: increasing per insert, so "everything after N" is a keyset read. */
  @PrimaryGeneratedColumn({ type: 'bigint' }) id: string;
  @Column({ name: 'municipality_code', type: 'char', length: 6 }) municipalityCode: string;
  @Column({ name: 'application_id', type: 'uuid' }) applicationId: string;
  @Column({ type: 'enum', enum: ['APPLICATION', 'FORWARDED_NOTICE', 'UPDATE'], enumName: 'municipality_feed_entry_kind' }) kind: FeedEntryKind;
  /** FieldCipher token of the JSON payload (it holds personal data). */
  @Column({ type: 'text' }) payload: string;
  @Column({ name: 'created_at', type: 'timestamptz' }) createdAt: Date;
}

@Entity('municipality_feed_cursor')
export class MunicipalityFeedCursor {
  @PrimaryColumn({ name: 'municipality_code', type: 'char', length: 6 }) municipalityCode: string;
  @Column({ name: 'acknowledged_cursor', type: 'bigint', default: 0 }) acknowledgedCursor: string;
  @Column({ name: 'acknowledged_by', type: 'uuid', nullable: true }) acknowledgedBy: string | null;
  @Column({ name: 'updated_at', type: 'timestamptz' }) updatedAt: Date;
}

/** A record of each batch CSV handed to a municipality (what, when, to whom, its digest). */
@Entity('batch_file')
export class BatchFile {
  @PrimaryGeneratedColumn('uuid') id: string;
  @Column({ name: 'municipality_code', type: 'char', length: 6 }) municipalityCode: string;
  @Column({ name: 'intake_month', type: 'char', length: 7 }) intakeMonth: string;
  @Column({ name: 'row_count', type: 'integer' }) rowCount: number;
  @Column({ type: 'char', length: 64 }) sha256: string;
  @Column({ name: 'downloaded_by', type: 'uuid' }) downloadedBy: string;
  @Column({ name: 'generated_at', type: 'timestamptz' }) generatedAt: Date;
}
