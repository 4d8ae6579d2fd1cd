import { ArgsType, Field, ID, Int } from '@nestjs/graphql';
import { IsInt, IsOptional, IsUUID, Max, Min } from 'class-validator';
import { Text } from '../../common/text-field';

@ArgsType()
export class ClassAgeArgs {
  @Field({ description: 'YYYY-MM-DD' })
  @Text('date')
  birthDate: string;

  @Field({ description: 'YYYY-MM: entry is on the 1st.' })
  @Text('yearMonth')
  intakeMonth: string;

  @Field(() => ID, { nullable: true, description: 'Check the facility’s minimum age and class ages too.' })
  @IsOptional() @IsUUID('all')
  facilityId?: string | null;
}

@ArgsType()
export class ProcedureArgs {
  @Field({ description: 'Municipality code (6 digits).' })
  @Text('municipalityCode')
  municipalityCode: string;

  @Field(() => Int, { description: 'Fiscal year (年度), e.g. 2026 = April 2026 to March 2027.' })
  @IsInt() @Min(2000) @Max(2100)
  fiscalYear: number;
}
