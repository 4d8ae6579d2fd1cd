import { YEAR_MONTH_INPUT_PATTERN } from '../../common/dates';
import { Field, ID, InputType } from '@nestjs/graphql';
import { IsOptional, IsUUID, Matches } from 'class-validator';

@InputType({ description: 'Which applications to measure. A municipality always measures its own (the code is forced).' })
export class ApplicationMetricsFilter {
  @Field(() => String, { nullable: true, description: 'The deciding municipality (受付自治体), 6 digits.' })
  @IsOptional() @Matches(/^\d{6}$/, { message: 'municipalityCode must be six digits' })
  municipalityCode?: string;

  @Field(() => ID, { nullable: true })
  @IsOptional() @IsUUID('all', { message: 'partnerClientId must be an API client id (UUID)' })
  partnerClientId?: string;

  @Field(() => String, { nullable: true, description: 'YYYY-MM' })
  @IsOptional() @Matches(YEAR_MONTH_INPUT_PATTERN, { message: 'intakeMonth must be YYYY-MM' })
  intakeMonth?: string;
}
