import { Field, ID, InputType, Int } from '@nestjs/graphql';
import { Type } from 'class-transformer';
import { ArrayMaxSize, ArrayMinSize, IsArray, IsInt, IsOptional, IsString, IsUUID, Matches, Max, MaxLength, Min, MinLength, ValidateNested } from 'class-validator';
import { NearPointInput } from './vacancy-search.args';
import { INTAKE_MONTH_MESSAGE, INTAKE_MONTH_PATTERN } from './update-vacancies.input';

@InputType({ description: 'Watch for seats opening (0 or none → more than 0) for one of your parents: some facilities, or a municipality (optionally near a point).' })
export class CreateVacancyWatchInput {
  @Field({ description: "Your own opaque id for the parent (never personal data); it comes back in the webhook." })
  @IsString() @MinLength(1) @MaxLength(200)
  parentReference: string;

  @Field(() => [ID], { nullable: true, description: 'Watch these facilities (1–50). Give either facilityIds or municipalityCode.' })
  @IsOptional() @IsArray() @ArrayMinSize(1) @ArrayMaxSize(50) @IsUUID('all', { each: true })
  facilityIds?: string[];

  @Field(() => String, { nullable: true, description: 'Watch every facility of this municipality (6 digits).' })
  @IsOptional() @Matches(/^\d{6}$/, { message: 'municipalityCode must be six digits' })
  municipalityCode?: string;

  @Field(() => NearPointInput, { nullable: true, description: 'With municipalityCode: only facilities within this radius.' })
  @IsOptional() @ValidateNested() @Type(() => NearPointInput)
  near?: NearPointInput;

  @Field(() => Int, { description: 'クラス年齢 (class age) 0–5.' })
  @IsInt() @Min(0) @Max(5)
  classAge: number;

  @Field({ description: 'Intake month (入所月), YYYY-MM.' })
  @Matches(INTAKE_MONTH_PATTERN, { message: INTAKE_MONTH_MESSAGE })
  intakeMonth: string;

  @Field(() => ID, { description: 'One of your webhook endpoints (registerWebhookEndpoint).' })
  @IsUUID()
  endpointId: string;
}
