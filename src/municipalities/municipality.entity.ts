import { Field, ObjectType } from '@nestjs/graphql';
import { Column, Entity, PrimaryColumn } from 'typeorm';

@ObjectType({ description: 'A municipality (区市町村) identified by its 全国地方公共団体コード.' })
@Entity('municipality')
export class Municipality {
  @Field({ description: '全国地方公共団体コード: six digits, the last a check digit.' })
  @PrimaryColumn({ type: 'char', length: 6 })
  code: string;

  @Field() @Column({ name: 'prefecture_code', type: 'char', length: 2 }) prefectureCode: string;
  @Field() @Column() prefecture: string;
  @Column({ name: 'prefecture_kana', type: 'text', nullable: true }) prefectureKana: string | null;
  @Field() @Column() name: string;
  @Field(() => String, { nullable: true, description: 'Name in katakana.' })
  @Column({ name: 'name_kana', type: 'text', nullable: true })
  nameKana: string | null;
  @Field({ description: 'True for the 47 prefecture codes, which list no municipality name of their own.' })
  @Column({ name: 'is_prefecture', default: false })
  isPrefecture: boolean;
  @Field({ description: 'Whether the municipality takes part in the hub (receives applications, publishes procedures).' })
  @Column({ default: false })
  participates: boolean;
  @Field({ description: 'Whether a family about to move in may apply here directly, rather than through its current municipality.' })
  @Column({ name: 'accepts_direct_move_in', default: false })
  acceptsDirectMoveIn: boolean;
  @Column({ name: 'created_at', type: 'timestamptz', insert: false, update: false }) createdAt: Date;
  @Column({ name: 'updated_at', type: 'timestamptz' }) updatedAt: Date;
}
