import { Field, ID, InputType, Int } from '@nestjs/graphql';
import { Type } from 'class-transformer';
import { ArrayMaxSize, ArrayMinSize, IsArray, IsInt, IsOptional, IsUUID, Max, Min, ValidateNested } from 'class-validator';
import { Text } from '../../common/text-field';
import { NearPointInput } from './vacancy-search.args';

@InputType({ description: 'Watch for seats opening (0 or none → more than 0) for one of your parents: some facilities, or a municipality (optionally near a point).' })
export class CreateVacancyWatchInput {
  @Field({ description: "Your own opaque id for the parent (never personal data); it comes back in the webhook." })
  @Text('reference', { max: 200 })
  parentReference: string;

  @Field(() => [ID], { nullable: true, description: 'Watch these facilities (1–50). Give either facilityIds or municipalityCode.' })
  @IsOptional() @IsArray() @ArrayMinSize(1) @ArrayMaxSize(50) @IsUUID('all', { each: true })
  facilityIds?: string[];

  @Field(() => String, { nullable: true, description: 'Watch every facility of this municipality (6 digits).' })
  @IsOptional() @Text('municipalityCode')
  municipalityCode?: string;

  @Field(() => NearPointInput, { nullable: true, description: 'With municipalityCode: only facilities within this radius.' })
  @IsOptional() @ValidateNested() @Type(() => NearPointInput)
  near?: NearPointInput;

  @Field(() => Int, { description: 'クラス年齢 (class age) 0–5.' })
  @IsInt() @Min(0) @Max(5)
  classAge: number;

  @Field({ description: 'Intake month (入所月), YYYY-MM.' })
  @Text('yearMonth')
  intakeMonth: string;

  @Field(() => ID, { description: 'One of your webhook endpoints (registerWebhookEndpoint).' })
  @IsUUID()
  endpointId: string;
}
