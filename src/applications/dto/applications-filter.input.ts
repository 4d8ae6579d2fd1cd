import { ArgsType, Field, InputType } from '@nestjs/graphql';
import { Type } from 'class-transformer';
import { ArrayMaxSize, IsArray, IsEnum, IsOptional, Matches, ValidateNested } from 'class-validator';
import { PageArgs } from '../../common/pagination';
import { ApplicationStatus } from '../../status/application-status';

@InputType({ description: 'Narrow the applications the caller may see.' })
export class ApplicationsFilter {
  @Field(() => [ApplicationStatus], { nullable: true })
  @IsOptional() @IsArray() @ArrayMaxSize(15) @IsEnum(ApplicationStatus, { each: true })
  statuses?: ApplicationStatus[];

  @Field(() => String, { nullable: true, description: 'YYYY-MM' })
  @IsOptional() @Matches(/^\d{4}-(0[1-9]|1[0-2])$/, { message: 'intakeMonth must be YYYY-MM' })
  intakeMonth?: string;

  @Field(() => String, { nullable: true, description: 'Only applications routed to this municipality (as recipient of either role).' })
  @IsOptional() @Matches(/^\d{6}$/, { message: 'municipalityCode must be six digits' })
  municipalityCode?: string;
}

@ArgsType()
export class ApplicationsArgs extends PageArgs {
  @Field(() => ApplicationsFilter, { nullable: true })
  @IsOptional() @ValidateNested() @Type(() => ApplicationsFilter)
  filter?: ApplicationsFilter;
}
