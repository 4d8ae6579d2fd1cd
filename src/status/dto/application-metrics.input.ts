import { Field, ID, InputType } from '@nestjs/graphql';
import { IsOptional, IsUUID } from 'class-validator';
import { Text } from '../../common/text-field';

@InputType({ description: 'Which applications to measure. A municipality always measures its own (the code is forced).' })
export class ApplicationMetricsFilter {
  @Field(() => String, { nullable: true, description: 'The deciding municipality (受付自治体), 6 digits.' })
  @IsOptional() @Text('municipalityCode')
  municipalityCode?: string;

  @Field(() => ID, { nullable: true })
  @IsOptional() @IsUUID('all', { message: 'partnerClientId must be an API client id (UUID)' })
  partnerClientId?: string;

  @Field(() => String, { nullable: true, description: 'YYYY-MM' })
  @IsOptional() @Text('yearMonth')
  intakeMonth?: string;
}
