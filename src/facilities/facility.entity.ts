import { Field, Float, ID, Int, ObjectType, registerEnumType } from '@nestjs/graphql';
import { Column, Entity, OneToMany, PrimaryGeneratedColumn, ManyToOne, JoinColumn, PrimaryColumn, Relation } from 'typeorm';
import { FacilityKind, Ownership } from './facility-kind';

registerEnumType(FacilityKind, { name: 'FacilityKind', description: '施設種別: kind of facility.' });
registerEnumType(Ownership, { name: 'Ownership', description: 'Public (公立) or private (私立).' });

@ObjectType({ description: 'Capacity (定員) of one class age at a facility.' })
@Entity('facility_class_age')
export class FacilityClassAge {
  @PrimaryColumn({ name: 'facility_id', type: 'uuid' }) facilityId: string;
  @Field(() => Int, { description: 'クラス年齢 0–5 (age on 1 April of the fiscal year).' })
  @PrimaryColumn({ name: 'class_age', type: 'smallint' })
  classAge: number;
  @Field(() => Int, { nullable: true, description: 'Capacity for this class age, when published.' })
  @Column({ type: 'integer', nullable: true })
  capacity: number | null;
  @ManyToOne(() => Facility, (f) => f.classAges, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'facility_id' })
  facility?: Relation<Facility>;
}

@ObjectType({ description: 'A daycare facility (保育施設).' })
@Entity('facility')
export class Facility {
  @Field(() => ID) @PrimaryGeneratedColumn('uuid') id: string;
  @Field() @Column({ name: 'municipality_code', type: 'char', length: 6 }) municipalityCode: string;
  @Field(() => FacilityKind) @Column({ type: 'enum', enum: FacilityKind, enumName: 'facility_kind' }) kind: FacilityKind;
  @Field(() => Ownership) @Column({ type: 'enum', enum: Ownership, enumName: 'facility_ownership', default: Ownership.UNKNOWN }) ownership: Ownership;
  @Field(() => String, { nullable: true, description: '小規模保育事業 type A, B or C.' })
  @Column({ name: 'small_scale_type', type: 'char', length: 1, nullable: true })
  smallScaleType: string | null;
  @Field(() => String, { nullable: true, description: "The municipality's own label for the kind, as published." })
  @Column({ name: 'category_label', type: 'text', nullable: true })
  categoryLabel: string | null;
  @Field(() => String, { nullable: true, description: 'Area inside the municipality (地区), as published.' })
  @Column({ type: 'text', nullable: true })
  ward: string | null;
  @Field() @Column() name: string;
  @Field(() => String, { nullable: true }) @Column({ name: 'name_kana', type: 'text', nullable: true }) nameKana: string | null;
  @Column({ name: 'search_text' }) searchText: string;
  @Field(() => String, { nullable: true }) @Column({ type: 'text', nullable: true }) address: string | null;
  @Field(() => Float, { nullable: true }) @Column({ type: 'double precision', nullable: true }) latitude: number | null;
  @Field(() => Float, { nullable: true }) @Column({ type: 'double precision', nullable: true }) longitude: number | null;
  @Field(() => Int, { nullable: true, description: 'Youngest age taken for class 0, in days (産休明け = 57).' })
  @Column({ name: 'minimum_age_days', type: 'integer', nullable: true })
  minimumAgeDays: number | null;
  @Field(() => Int, { nullable: true, description: 'Total capacity (収容定員), when published.' })
  @Column({ name: 'capacity_total', type: 'integer', nullable: true })
  capacityTotal: number | null;
  @Field(() => String, { nullable: true, description: 'Days open (利用可能曜日), e.g. "月;火;水;木;金;土".' })
  @Column({ name: 'open_days', type: 'text', nullable: true })
  openDays: string | null;
  @Field(() => String, { nullable: true, description: 'Opening time, HH:MM.' }) @Column({ name: 'opens_at', type: 'time', nullable: true }) opensAt: string | null;
  @Field(() => String, { nullable: true, description: 'Closing time, HH:MM.' }) @Column({ name: 'closes_at', type: 'time', nullable: true }) closesAt: string | null;
  @Field(() => String, { nullable: true }) @Column({ name: 'hours_note', type: 'text', nullable: true }) hoursNote: string | null;
  @Field(() => String, { nullable: true, description: 'Operator (運営法人).' }) @Column({ name: 'operator_name', type: 'text', nullable: true }) operatorName: string | null;
  @Field(() => String, { nullable: true, description: '法人番号 (13 digits).' }) @Column({ name: 'corporate_number', type: 'char', length: 13, nullable: true }) corporateNumber: string | null;
  @Field(() => String, { nullable: true }) @Column({ type: 'text', nullable: true }) url: string | null;
  @Field(() => String, { nullable: true }) @Column({ type: 'text', nullable: true }) phone: string | null;
  @Field({ description: 'Whether the facility takes tour (見学) bookings through the hub.' })
  @Column({ name: 'takes_tour_bookings', default: false })
  takesTourBookings: boolean;
  @Field({ description: 'Where the record came from (e.g. "kosodate-shisetsu-csv", "demo:vacancy/adachi.json").' })
  @Column()
  source: string;
  @Column({ name: 'source_key' }) sourceKey: string;
  @Field({ description: 'When the source last described this facility.' })
  @Column({ name: 'source_updated_at', type: 'timestamptz' })
  sourceUpdatedAt: Date;
  @Field(() => Int) @Column({ type: 'integer', default: 1 }) version: number;
  @Column({ name: 'created_at', type: 'timestamptz', insert: false, update: false }) createdAt: Date;
  @Field() @Column({ name: 'updated_at', type: 'timestamptz' }) updatedAt: Date;

  @OneToMany(() => FacilityClassAge, (c) => c.facility)
  classAges?: Relation<FacilityClassAge>[];
}
