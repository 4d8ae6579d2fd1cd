import { Args, ArgsType, Field, InputType, Mutation, ObjectType, Query, Resolver } from '@nestjs/graphql';
import { Inject } from '@nestjs/common';
import { Type } from 'class-transformer';
import { IsBoolean, IsOptional, ValidateNested } from 'class-validator';
import { ApiRole } from '../auth/api-client.entity';
import { Roles } from '../auth/roles.decorator';
import { CLOCK, Clock } from '../common/clock';
import { Connection, PageArgs } from '../common/pagination';
import { Text, TextArg } from '../common/text-field';
import { MunicipalitiesService } from './municipalities.service';
import { Municipality } from './municipality.entity';

@ObjectType()
class MunicipalityConnection extends Connection(Municipality, 'Municipality') {}

@InputType()
class MunicipalityFilterInput {
  @Field(() => Boolean, { nullable: true }) @IsOptional() @IsBoolean() participates?: boolean;
  @Field(() => String, { nullable: true, description: 'Two-digit prefecture code, e.g. "13" for 東京都.' })
  @IsOptional() @Text('prefectureCode')
  prefectureCode?: string;
  @Field(() => String, { nullable: true, description: 'Part of the name or kana.' }) @IsOptional() @Text('searchText', { max: 50 }) text?: string;
  @Field(() => Boolean, { nullable: true, description: 'Include the 47 prefecture codes.' }) @IsOptional() @IsBoolean() includePrefectures?: boolean;
}

@ArgsType()
class MunicipalitiesArgs extends PageArgs {
  @Field(() => MunicipalityFilterInput, { nullable: true })
  @IsOptional() @ValidateNested() @Type(() => MunicipalityFilterInput)
  filter?: MunicipalityFilterInput;
}

@Resolver(() => Municipality)
export class MunicipalitiesResolver {
  constructor(private readonly service: MunicipalitiesService, @Inject(CLOCK) private readonly clock: Clock) {}

  @Query(() => MunicipalityConnection, { description: 'Municipalities (public). All 1,741 real ones exist; filter participates: true for those in the hub.' })
  municipalities(@Args() args: MunicipalitiesArgs) {
    return this.service.list(args.filter ?? {}, args.first, args.after);
  }

  @Query(() => Municipality, { description: 'One municipality by its code (public). A malformed code is BAD_USER_INPUT; an unknown one NOT_FOUND.' })
  municipality(@TextArg('code', 'municipalityCode') code: string) {
    return this.service.getByCode(code);
  }

  @Roles(ApiRole.ADMIN)
  @Mutation(() => Municipality, { description: 'Set whether a municipality takes part in the hub (ADMIN).' })
  setMunicipalityParticipation(
    @TextArg('code', 'municipalityCode') code: string,
    @Args('participates') participates: boolean,
    @Args('acceptsDirectMoveIn', { type: () => Boolean, nullable: true }) acceptsDirectMoveIn?: boolean,
  ) {
    return this.service.setParticipation(code, participates, acceptsDirectMoveIn ?? undefined, this.clock.now());
  }
}
