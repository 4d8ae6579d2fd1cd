import { Column, Entity, JoinColumn, ManyToOne, OneToMany, PrimaryColumn, PrimaryGeneratedColumn, Relation } from 'typeorm';
import type { IsoDate, YearMonth } from '../common/dates';
import type { RequiredDocuments } from './care-reason';
import type { IntakeException, IntakeRule } from './intake-calendar';

export enum ApplicationValidityKind {
  /** 板橋区: an application without a place stays valid for n months. */
  MONTHS = 'MONTHS',
  /** Most municipalities: until the end of the fiscal year (March). */
  END_OF_FISCAL_YEAR = 'END_OF_FISCAL_YEAR',
}

export enum ApplicationChannel {
  ONLINE = 'ONLINE',
  COUNTER = 'COUNTER',
  MAIL = 'MAIL',
  /** Through a partner app and this hub. */
  HUB = 'HUB',
}

/**
 * One version of a municipality's intake procedure for one fiscal year. Rows are never updated:
 * a change inserts the next version (see ProceduresService.setProcedure).
 */
@Entity('intake_procedure')
export class IntakeProcedureRow {
  @PrimaryGeneratedColumn('uuid') id: string;
  @Column({ name: 'municipality_code', type: 'char', length: 6 }) municipalityCode: string;
  @Column({ name: 'fiscal_year', type: 'integer' }) fiscalYear: number;
  @Column({ type: 'integer' }) version: number;
  @Column({ type: 'jsonb' }) rule: IntakeRule;
  @Column({ type: 'jsonb' }) exceptions: IntakeException[];
  @Column({ name: 'wish_limit', type: 'integer' }) wishLimit: number;
  @Column({ name: 'validity_kind', type: 'enum', enum: ApplicationValidityKind, enumName: 'application_validity_kind' }) validityKind: ApplicationValidityKind;
  @Column({ name: 'validity_months', type: 'integer', nullable: true }) validityMonths: number | null;
  @Column({ name: 'required_documents', type: 'jsonb' }) requiredDocuments: RequiredDocuments;
  @Column({ type: 'text', array: true }) channels: ApplicationChannel[];
  @Column({ name: 'out_of_area_note', type: 'text', nullable: true }) outOfAreaNote: string | null;
  @Column({ name: 'out_of_area_note_ja', type: 'text', nullable: true }) outOfAreaNoteJa: string | null;
  @Column({ name: 'source_url', type: 'text', nullable: true }) sourceUrl: string | null;
  @Column({ name: 'change_note', type: 'text', nullable: true }) changeNote: string | null;
  @Column({ name: 'is_demo', default: false }) isDemo: boolean;
  @Column({ name: 'valid_from', type: 'timestamptz' }) validFrom: Date;
  @Column({ name: 'created_by', type: 'uuid', nullable: true }) createdBy: string | null;
  @Column({ name: 'created_at', type: 'timestamptz', insert: false, update: false }) createdAt: Date;

  @OneToMany(() => IntakeCycleRow, (cycle) => cycle.procedure)
  cycles?: Relation<IntakeCycleRow>[];
}

/** The generated (or kept) dates of one intake month, as published by one procedure version. */
@Entity('intake_cycle')
export class IntakeCycleRow {
  @PrimaryColumn({ name: 'procedure_id', type: 'uuid' }) procedureId: string;
  @PrimaryColumn({ name: 'intake_month', type: 'char', length: 7 }) intakeMonth: YearMonth;
  @Column({ name: 'has_intake' }) hasIntake: boolean;
  @Column({ name: 'no_intake_reason', type: 'text', nullable: true }) noIntakeReason: string | null;
  @Column({ name: 'no_intake_reason_ja', type: 'text', nullable: true }) noIntakeReasonJa: string | null;
  @Column({ name: 'opens_on', type: 'date', nullable: true }) opensOn: IsoDate | null;
  @Column({ name: 'closes_on', type: 'date', nullable: true }) closesOn: IsoDate | null;
  @Column({ name: 'out_of_area_closes_on', type: 'date', nullable: true }) outOfAreaClosesOn: IsoDate | null;
  @Column({ name: 'allocation_on', type: 'date', nullable: true }) allocationOn: IsoDate | null;
  @Column({ name: 'result_notice_on', type: 'date', nullable: true }) resultNoticeOn: IsoDate | null;
  @Column({ name: 'entry_on', type: 'date' }) entryOn: IsoDate;
  @Column({ name: 'kept_from_version', type: 'integer' }) keptFromVersion: number;
  @Column({ name: 'changed_after_opening', default: false }) changedAfterOpening: boolean;

  @ManyToOne(() => IntakeProcedureRow, (procedure) => procedure.cycles, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'procedure_id' })
  procedure?: Relation<IntakeProcedureRow>;
}
