import { ArgsType, Field, ID } from '@nestjs/graphql';
import { IsBoolean, IsDate, IsEnum, IsOptional, IsUUID } from 'class-validator';
import { PageArgs } from '../../common/pagination';
import { TourBookingStatus } from '../tour.entity';

@ArgsType()
export class TourSlotsArgs {
  @Field(() => ID) @IsUUID('all') facilityId: string;

  @Field(() => Date, { nullable: true, description: 'Default: now.' })
  @IsOptional() @IsDate()
  from?: Date | null;

  @Field(() => Date, { nullable: true, description: 'Default: 31 days after from; at most 92 days after it.' })
  @IsOptional() @IsDate()
  to?: Date | null;

  @Field(() => Boolean, { defaultValue: true, description: 'Only slots that can still be booked (ahead, not cancelled, places left).' })
  @IsBoolean()
  onlyOpen: boolean = true;
}

@ArgsType()
export class TourBookingsArgs extends PageArgs {
  @Field(() => ID) @IsUUID('all') facilityId: string;

  @Field(() => Date, { nullable: true, description: 'Only tours starting at or after this moment.' })
  @IsOptional() @IsDate()
  from?: Date | null;

  @Field(() => TourBookingStatus, { nullable: true })
  @IsOptional() @IsEnum(TourBookingStatus)
  status?: TourBookingStatus | null;
}

@ArgsType()
export class MyTourBookingsArgs extends PageArgs {
  @Field(() => TourBookingStatus, { nullable: true })
  @IsOptional() @IsEnum(TourBookingStatus)
  status?: TourBookingStatus | null;
}
