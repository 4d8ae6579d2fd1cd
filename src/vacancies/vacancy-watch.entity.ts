import { Field, Float, ID, Int, ObjectType } from '@nestjs/graphql';
import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

@ObjectType({ description: "A partner's watch for one of its parents: a webhook when seats open (0 or none → more than 0) in a watched cell." })
@Entity('vacancy_watch')
export class VacancyWatch {
  @Field(() => ID) @PrimaryGeneratedColumn('uuid') id: string;
  @Column({ name: 'partner_id', type: 'uuid' }) partnerId: string;
  @Field({ description: "The partner's own opaque id for the parent." }) @Column({ name: 'parent_reference' }) parentReference: string;
  @Field(() => [ID], { nullable: true }) @Column({ name: 'facility_ids', type: 'uuid', array: true, nullable: true }) facilityIds: string[] | null;
  @Field(() => String, { nullable: true }) @Column({ name: 'municipality_code', type: 'char', length: 6, nullable: true }) municipalityCode: string | null;
  @Field(() => Float, { nullable: true }) @Column({ type: 'double precision', nullable: true }) latitude: number | null;
  @Field(() => Float, { nullable: true }) @Column({ type: 'double precision', nullable: true }) longitude: number | null;
  @Field(() => Int, { nullable: true }) @Column({ name: 'radius_meters', type: 'integer', nullable: true }) radiusMeters: number | null;
  @Field(() => Int, { description: 'クラス年齢 (class age) 0–5.' }) @Column({ name: 'class_age', type: 'smallint' }) classAge: number;
  @Field({ description: 'Intake month (入所月), YYYY-MM.' }) @Column({ name: 'intake_month', type: 'char', length: 7 }) intakeMonth: string;
  @Field(() => ID, { description: 'The webhook endpoint the notices go to.' }) @Column({ name: 'endpoint_id', type: 'uuid' }) endpointId: string;
  @Field() @Column({ name: 'created_at', type: 'timestamptz' }) createdAt: Date;
}
