import { ArgsType, Field, Float, InputType, Int } from '@nestjs/graphql';
import { Type } from 'class-transformer';
import { ArrayMaxSize, IsArray, IsBoolean, IsEnum, IsInt, IsNumber, IsOptional, Max, Min, ValidateNested } from 'class-validator';
import { PageArgs } from '../../common/pagination';
import { Text } from '../../common/text-field';
import { FacilityKind } from '../../facilities/facility-kind';

@InputType({ description: 'A point and a radius: only facilities with known coordinates within it, nearest first.' })
export class NearPointInput {
  @Field(() => Float) @IsNumber() @Min(-90) @Max(90) latitude: number;
  @Field(() => Float) @IsNumber() @Min(-180) @Max(180) longitude: number;
  @Field(() => Int, { description: 'Radius in metres, 1–100,000.' }) @IsInt() @Min(1) @Max(100_000) radiusMeters: number;
}

@InputType({ description: 'Which figures to search: one class age and intake month, and where.' })
export class VacancySearchFilter {
  @Field(() => Int, { description: 'クラス年齢 (class age) 0–5.' })
  @IsInt() @Min(0) @Max(5)
  classAge: number;

  @Field({ description: 'Intake month (入所月), YYYY-MM.' })
  @Text('yearMonth')
  intakeMonth: string;

  @Field(() => [String], { nullable: true, description: 'Municipality codes (6 digits).' })
  @IsOptional() @IsArray() @ArrayMaxSize(100) @Text('municipalityCode', { each: true })
  municipalityCodes?: string[];

  @Field(() => [FacilityKind], { nullable: true })
  @IsOptional() @IsArray() @IsEnum(FacilityKind, { each: true })
  kinds?: FacilityKind[];

  @Field(() => Boolean, { nullable: true, description: 'Only figures with seats > 0.' })
  @IsOptional() @IsBoolean()
  onlyWithSeats?: boolean;

  @Field(() => NearPointInput, { nullable: true, description: 'Only within this radius, sorted by distance.' })
  @IsOptional() @ValidateNested() @Type(() => NearPointInput)
  near?: NearPointInput;
}

@ArgsType()
export class VacancySearchArgs extends PageArgs {
  @Field(() => VacancySearchFilter)
  @ValidateNested() @Type(() => VacancySearchFilter)
  filter: VacancySearchFilter;
}
