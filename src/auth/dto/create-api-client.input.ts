import { Field, ID, InputType } from '@nestjs/graphql';
import { ArrayMaxSize, IsEnum, IsOptional, IsUUID } from 'class-validator';
import { Text } from '../../common/text-field';
import { ApiRole } from '../api-client.entity';

@InputType()
export class CreateApiClientInput {
  @Field({ description: 'Who this key is for, e.g. "Partner app X (production)".' })
  @Text('organisationName', { max: 200 })
  name: string;

  @Field(() => ApiRole)
  @IsEnum(ApiRole)
  role: ApiRole;

  @Field(() => String, { nullable: true, description: 'Required for MUNICIPALITY: its 6-digit code.' })
  @IsOptional() @Text('municipalityCode')
  municipalityCode?: string;

  @Field(() => [ID], { nullable: true, description: 'Required for OPERATOR: the facilities it may act for.' })
  @IsOptional() @ArrayMaxSize(1000) @IsUUID('all', { each: true })
  facilityIds?: string[];
}
