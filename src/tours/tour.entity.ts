import { Field, ID, Int, ObjectType, registerEnumType } from '@nestjs/graphql';
import { Column, Entity, JoinColumn, ManyToOne, PrimaryGeneratedColumn, Relation } from 'typeorm';

export enum TourBookingStatus {
  BOOKED = 'BOOKED',
  CANCELLED = 'CANCELLED',
}

export enum TourCancelledBy {
  /** The partner app, for its parent. */
  PARTNER = 'PARTNER',
  /** The facility (its operator), for one booking or by cancelling the whole slot. */
  FACILITY = 'FACILITY',
}

registerEnumType(TourBookingStatus, { name: 'TourBookingStatus' });
registerEnumType(TourCancelledBy, { name: 'TourCancelledBy', description: 'Who cancelled a tour booking.' });

@ObjectType({ description: 'A tour slot (見学枠) a facility publishes: a time, a number of places, notes.' })
@Entity('tour_slot')
export class TourSlot {
  @Field(() => ID) @PrimaryGeneratedColumn('uuid') id: string;
  @Field(() => ID) @Column({ name: 'facility_id', type: 'uuid' }) facilityId: string;
  @Field({ description: 'When the tour starts.' }) @Column({ name: 'starts_at', type: 'timestamptz' }) startsAt: Date;
  @Field(() => Int) @Column({ name: 'duration_minutes', type: 'integer' }) durationMinutes: number;
  @Field(() => Int, { description: 'Places (people, not bookings).' }) @Column({ type: 'integer' }) capacity: number;
  @Field(() => Int, { description: 'Places taken by current bookings.' }) @Column({ name: 'booked_count', type: 'integer', default: 0 }) bookedCount: number;
  @Field(() => String, { nullable: true, description: 'For parents, e.g. "Please bring the maternal and child health handbook."' })
  @Column({ type: 'text', nullable: true })
  notes: string | null;
  @Field(() => Date, { nullable: true }) @Column({ name: 'cancelled_at', type: 'timestamptz', nullable: true }) cancelledAt: Date | null;
  @Field(() => String, { nullable: true }) @Column({ name: 'cancel_reason', type: 'text', nullable: true }) cancelReason: string | null;
  @Column({ name: 'created_by', type: 'uuid', nullable: true }) createdBy: string | null;
  @Column({ name: 'created_at', type: 'timestamptz', insert: false, update: false }) createdAt: Date;
  @Column({ name: 'updated_at', type: 'timestamptz' }) updatedAt: Date;
}

@ObjectType({ description: 'A tour booking (見学予約) a partner app made for a parent.' })
@Entity('tour_booking')
export class TourBooking {
  @Field(() => ID) @PrimaryGeneratedColumn('uuid') id: string;
  @Field(() => ID) @Column({ name: 'slot_id', type: 'uuid' }) slotId: string;
  @Field(() => ID) @Column({ name: 'facility_id', type: 'uuid' }) facilityId: string;
  @Field(() => ID, { description: 'The partner app (API client) that booked.' }) @Column({ name: 'partner_client_id', type: 'uuid' }) partnerClientId: string;
  @Field({ description: 'The partner’s own reference to the parent (an opaque id in the partner’s system, not a name or phone number): the facility quotes it when it contacts the partner.' })
  @Column({ name: 'contact_reference', type: 'text' })
  contactReference: string;
  @Field(() => Int, { description: 'People coming (parents and children).' }) @Column({ name: 'party_size', type: 'integer' }) partySize: number;
  @Column({ name: 'idempotency_key', type: 'text' }) idempotencyKey: string;
  @Column({ name: 'request_fingerprint', type: 'char', length: 64 }) requestFingerprint: string;
  @Field(() => TourBookingStatus) @Column({ type: 'enum', enum: TourBookingStatus, enumName: 'tour_booking_status', default: TourBookingStatus.BOOKED }) status: TourBookingStatus;
  @Field(() => TourCancelledBy, { nullable: true }) @Column({ name: 'cancelled_by', type: 'enum', enum: TourCancelledBy, enumName: 'tour_cancelled_by', nullable: true }) cancelledBy: TourCancelledBy | null;
  @Field(() => Date, { nullable: true }) @Column({ name: 'cancelled_at', type: 'timestamptz', nullable: true }) cancelledAt: Date | null;
  @Field(() => String, { nullable: true }) @Column({ name: 'cancel_reason', type: 'text', nullable: true }) cancelReason: string | null;
  @Field() @Column({ name: 'created_at', type: 'timestamptz' }) createdAt: Date;

  @ManyToOne(() => TourSlot, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'slot_id' })
  slot?: Relation<TourSlot>;
}
