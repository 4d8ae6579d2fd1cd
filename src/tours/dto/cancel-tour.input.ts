import { Field, ID, InputType } from '@nestjs/graphql';
import { IsOptional, IsString, IsUUID, Length, MaxLength } from 'class-validator';

@InputType({ description: 'Which booking to cancel, and why (the reason is sent to the facility).' })
export class CancelTourInput {
  @Field(() => ID) @IsUUID('all') id: string;
  @Field(() => String, { nullable: true }) @IsOptional() @IsString() @MaxLength(1000) reason?: string | null;
}

@InputType({ description: 'A facility cancels a booking or a whole slot: the reason is required, because the parent reads it.' })
export class FacilityCancelTourInput {
  @Field(() => ID) @IsUUID('all') id: string;
  @Field() @IsString() @Length(1, 1000) reason: string;
}
