import { Field, ID, InputType } from '@nestjs/graphql';
import { IsOptional, IsUUID } from 'class-validator';
import { Text } from '../../common/text-field';

@InputType({ description: 'Which booking to cancel, and why (the reason is sent to the facility).' })
export class CancelTourInput {
  @Field(() => ID) @IsUUID('all') id: string;
  @Field(() => String, { nullable: true }) @IsOptional() @Text('note', { max: 1000 }) reason?: string | null;
}

@InputType({ description: 'A facility cancels a booking or a whole slot: the reason is required, because the parent reads it.' })
export class FacilityCancelTourInput {
  @Field(() => ID) @IsUUID('all') id: string;
  @Field() @Text('note', { max: 1000 }) reason: string;
}
