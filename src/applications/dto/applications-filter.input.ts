import { ArgsType, Field, InputType } from '@nestjs/graphql';
import { Type } from 'class-transformer';
import { ArrayMaxSize, IsArray, IsEnum, IsOptional, ValidateNested } from 'class-validator';
import { PageArgs } from '../../common/pagination';
import { Text } from '../../common/text-field';
import { ApplicationStatus } from '../../status/application-status';

@InputType({ description: 'Narrow the applications the caller may see.' })
export class ApplicationsFilter {
  @Field(() => [ApplicationStatus], { nullable: true })
  @IsOptional() @IsArray() @ArrayMaxSize(15) @IsEnum(ApplicationStatus, { each: true })
  statuses?: ApplicationStatus[];

  @Field(() => String, { nullable: true, description: 'YYYY-MM' })
  @IsOptional() @Text('yearMonth')
  intakeMonth?: string;

  @Field(() => String, { nullable: true, description: 'Only applications routed to this municipality (as recipient of either role).' })
  @IsOptional() @Text('municipalityCode')
  municipalityCode?: string;
}

@ArgsType()
export class ApplicationsArgs extends PageArgs {
  @Field(() => ApplicationsFilter, { nullable: true })
  @IsOptional() @ValidateNested() @Type(() => ApplicationsFilter)
  filter?: ApplicationsFilter;
}
