import { YEAR_MONTH_INPUT_PATTERN } from '../../common/dates';
import { Field, ID, InputType, Int } from '@nestjs/graphql';
import { Type } from 'class-transformer';
import { ArrayMaxSize, ArrayMinSize, IsArray, IsInt, IsOptional, IsUUID, Max, Min, ValidateNested } from 'class-validator';
import { Text } from '../../common/text-field';

export const INTAKE_MONTH_PATTERN = YEAR_MONTH_INPUT_PATTERN;

@InputType({ description: 'One cell of the grid: a class age and its new figure.' })
export class VacancyCellInput {
  @Field(() => Int, { description: 'クラス年齢 (class age) 0–5.' })
  @IsInt() @Min(0) @Max(5)
  classAge: number;

  @Field(() => Int, { nullable: true, description: 'Seats (>= 0); null = the facility has no class of this age.' })
  @IsOptional() @IsInt() @Min(0) @Max(10_000)
  seats: number | null;

  @Field(() => Int, { description: 'The cell version you read (VacancyFigure.version; 0 when there was no figure). A stale version is refused with CONFLICT.' })
  @IsInt() @Min(0)
  expectedVersion: number;
}

@InputType({ description: "An operator's update of its facility's figures for one intake month: one cell or the whole grid, all or nothing." })
export class UpdateVacanciesInput {
  @Field(() => ID)
  @IsUUID()
  facilityId: string;

  @Field({ description: 'Intake month (入所月), YYYY-MM.' })
  @Text('yearMonth')
  intakeMonth: string;

  @Field(() => [VacancyCellInput])
  @IsArray() @ArrayMinSize(1) @ArrayMaxSize(6) @ValidateNested({ each: true }) @Type(() => VacancyCellInput)
  cells: VacancyCellInput[];
}
