/**
 * Tables of the status feature (migrations/1764000005000-status.ts). The timeline itself is the
 * applications feature's application_event; these are what the status feature adds around it.
 */
import { Column, Entity, PrimaryColumn, PrimaryGeneratedColumn } from 'typeorm';

export enum NotificationKind {
  STATUS_CHANGE = 'STATUS_CHANGE',
  REMINDER = 'REMINDER',
  VACANCY_ALERT = 'VACANCY_ALERT',
}

/** One notification sent to a partner: one outbox message, so `id` is the webhook-id the partner received. */
@Entity('notification')
export class Notification {
  @PrimaryColumn('uuid') id: string;
  @Column({ name: 'partner_client_id', type: 'uuid' }) partnerClientId: string;
  @Column({ type: 'enum', enum: NotificationKind, enumName: 'notification_kind' }) kind: NotificationKind;
  @Column({ name: 'application_id', type: 'uuid', nullable: true }) applicationId: string | null;
  @Column({ name: 'municipality_code', type: 'char', length: 6, nullable: true }) municipalityCode: string | null;
  @Column({ name: 'sent_at', type: 'timestamptz' }) sentAt: Date;
  @Column({ name: 'opened_at', type: 'timestamptz', nullable: true }) openedAt: Date | null;
}

export enum StatusReminderKind {
  /** An offer (内定) whose response date is near. */
  OFFER_RESPONSE_DUE = 'OFFER_RESPONSE_DUE',
  /** A returned (差戻し) application whose missing documents are due. */
  RETURN_FIX_DUE = 'RETURN_FIX_DUE',
  /** The application deadline of the intake month a family watches. */
  INTAKE_DEADLINE = 'INTAKE_DEADLINE',
}

/** A reminder that was sent; the UNIQUE dedupe key is what makes "once each" hold across instances and restarts. */
@Entity('status_reminder')
export class StatusReminder {
  @PrimaryGeneratedColumn({ type: 'bigint' }) id: string;
  @Column({ name: 'dedupe_key' }) dedupeKey: string;
  @Column({ type: 'enum', enum: StatusReminderKind, enumName: 'status_reminder_kind' }) kind: StatusReminderKind;
  @Column({ name: 'partner_client_id', type: 'uuid' }) partnerClientId: string;
  @Column({ name: 'application_id', type: 'uuid', nullable: true }) applicationId: string | null;
  @Column({ name: 'vacancy_watch_id', type: 'uuid', nullable: true }) vacancyWatchId: string | null;
  @Column({ name: 'due_date', type: 'date' }) dueDate: string;
  @Column({ name: 'sent_at', type: 'timestamptz' }) sentAt: Date;
}
