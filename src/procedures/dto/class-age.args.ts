import { YEAR_MONTH_INPUT_PATTERN } from '../../common/dates';
import { ArgsType, Field, ID, Int } from '@nestjs/graphql';
import { IsInt, IsOptional, IsUUID, Matches, Max, Min } from 'class-validator';

@ArgsType()
export class ClassAgeArgs {
  @Field({ description: 'YYYY-MM-DD' })
  @Matches(/^\d{4}-\d{2}-\d{2}$/, { message: 'birthDate must be YYYY-MM-DD' })
  birthDate: string;

  @Field({ description: 'YYYY-MM: entry is on the 1st.' })
  @Matches(YEAR_MONTH_INPUT_PATTERN, { message: 'intakeMonth must be YYYY-MM' })
  intakeMonth: string;

  @Field(() => ID, { nullable: true, description: 'Check the facility’s minimum age and class ages too.' })
  @IsOptional() @IsUUID('all')
  facilityId?: string | null;
}

@ArgsType()
export class ProcedureArgs {
  @Field({ description: 'Municipality code (6 digits).' })
  @Matches(/^\d{6}$/, { message: 'municipalityCode must be six digits' })
  municipalityCode: string;

  @Field(() => Int, { description: 'Fiscal year (年度), e.g. 2026 = April 2026 to March 2027.' })
  @IsInt() @Min(2000) @Max(2100)
  fiscalYear: number;
}
