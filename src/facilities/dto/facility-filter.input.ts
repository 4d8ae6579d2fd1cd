import { ArgsType, Field, InputType, Int } from '@nestjs/graphql';
import { Type } from 'class-transformer';
import { ArrayMaxSize, IsArray, IsBoolean, IsEnum, IsInt, IsOptional, Max, Min, ValidateNested } from 'class-validator';
import { PageArgs } from '../../common/pagination';
import { Text } from '../../common/text-field';
import { FacilityKind } from '../facility-kind';

@InputType({ description: 'Filters as parents search: where, what kind, for which class age, by name or kana.' })
export class FacilityFilter {
  @Field(() => [String], { nullable: true, description: 'Municipality codes (6 digits).' })
  @IsOptional() @IsArray() @ArrayMaxSize(100) @Text('municipalityCode', { each: true })
  municipalityCodes?: string[];

  @Field(() => [FacilityKind], { nullable: true })
  @IsOptional() @IsArray() @IsEnum(FacilityKind, { each: true })
  kinds?: FacilityKind[];

  @Field(() => Int, { nullable: true, description: 'Only facilities that take this class age (0–5).' })
  @IsOptional() @IsInt() @Min(0) @Max(5)
  classAge?: number;

  @Field(() => String, { nullable: true, description: 'Part of the name or its kana (full- or half-width, hiragana or katakana).' })
  @IsOptional() @Text('searchText', { max: 100 })
  text?: string;

  @Field(() => Boolean, { nullable: true, description: 'Only facilities that take tour bookings.' })
  @IsOptional() @IsBoolean()
  takesTourBookings?: boolean;
}

@ArgsType()
export class FacilitiesArgs extends PageArgs {
  @Field(() => FacilityFilter, { nullable: true })
  @IsOptional() @ValidateNested() @Type(() => FacilityFilter)
  filter?: FacilityFilter;
}
