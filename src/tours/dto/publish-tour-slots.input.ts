import { Field, ID, InputType, Int } from '@nestjs/graphql';
import { Type } from 'class-transformer';
import { ArrayMaxSize, ArrayMinSize, IsArray, IsDate, IsInt, IsOptional, IsUUID, Max, Min, ValidateNested } from 'class-validator';
import { Text } from '../../common/text-field';
import { MAX_SLOTS_PER_CALL } from '../tour-rules';

@InputType({ description: 'One tour slot. Publishing a slot again with the same startsAt updates its duration, capacity and notes.' })
export class TourSlotInput {
  @Field({ description: 'When the tour starts (ISO date-time with offset, e.g. 2026-12-03T10:00:00+09:00).' })
  @IsDate()
  startsAt: Date;

  @Field(() => Int, { defaultValue: 60, description: 'Minutes, 5–480.' })
  @IsInt() @Min(5) @Max(480)
  durationMinutes: number = 60;

  @Field(() => Int, { description: 'Places (people), 1–200.' })
  @IsInt() @Min(1) @Max(200)
  capacity: number;

  @Field(() => String, { nullable: true })
  @IsOptional() @Text('note', { max: 1000 })
  notes?: string | null;
}

@InputType()
export class PublishTourSlotsInput {
  @Field(() => ID) @IsUUID('all') facilityId: string;

  @Field(() => [TourSlotInput])
  @IsArray() @ArrayMinSize(1) @ArrayMaxSize(MAX_SLOTS_PER_CALL) @ValidateNested({ each: true }) @Type(() => TourSlotInput)
  slots: TourSlotInput[];
}
