import { Inject } from '@nestjs/common';
import { Args, Context, ID, Int, Mutation, ObjectType, Parent, Query, ResolveField, Resolver } from '@nestjs/graphql';
import { ApiRole } from '../auth/api-client.entity';
import { AuthenticatedClient, CurrentClient } from '../auth/current-client.decorator';
import { Roles } from '../auth/roles.decorator';
import { CLOCK, Clock } from '../common/clock';
import { loaderFor } from '../common/loaders';
import { Connection } from '../common/pagination';
import type { GqlContext } from '../common/request-context';
import { FacilitiesService } from '../facilities/facilities.service';
import { facilityLoader } from '../facilities/facilities.resolver';
import { Facility } from '../facilities/facility.entity';
import { BookTourInput } from './dto/book-tour.input';
import { CancelTourInput, FacilityCancelTourInput } from './dto/cancel-tour.input';
import { PublishTourSlotsInput } from './dto/publish-tour-slots.input';
import { MyTourBookingsArgs, TourBookingsArgs, TourSlotsArgs } from './dto/tour-lists.args';
import { TourBooking, TourSlot } from './tour.entity';
import { ToursService } from './tours.service';

@ObjectType()
export class TourBookingConnection extends Connection(TourBooking, 'TourBooking') {}

@Resolver(() => TourSlot)
export class TourSlotsResolver {
  constructor(private readonly tours: ToursService, private readonly facilities: FacilitiesService, @Inject(CLOCK) private readonly clock: Clock) {}

  @Query(() => [TourSlot], { description: 'A facility’s tour slots (見学枠) in a time window of at most 92 days, by start time (public).' })
  tourSlots(@Args() args: TourSlotsArgs) {
    return this.tours.slots(args);
  }

  @Roles(ApiRole.OPERATOR, ApiRole.ADMIN)
  @Mutation(() => [TourSlot], { description: 'Publish tour slots for one of your facilities (OPERATOR: own facilities; ADMIN: any). A slot at an existing start time is updated; its capacity cannot go below the places booked.' })
  publishTourSlots(@Args('input') input: PublishTourSlotsInput, @CurrentClient() client: AuthenticatedClient) {
    return this.tours.publishSlots(input, client);
  }

  @Roles(ApiRole.OPERATOR, ApiRole.ADMIN)
  @Mutation(() => TourSlot, { description: 'Cancel a tour slot and every booking on it; each partner that booked is told by webhook (jp.hokatsu.tour.cancelled).' })
  cancelTourSlot(@Args('input') input: FacilityCancelTourInput, @CurrentClient() client: AuthenticatedClient) {
    return this.tours.cancelSlot(input.id, input.reason, client);
  }

  @Roles(ApiRole.OPERATOR, ApiRole.ADMIN)
  @Mutation(() => Facility, { description: 'Whether a facility takes tour bookings through the hub. Turning it off keeps existing slots and bookings but refuses new ones.' })
  setFacilityTourBookings(
    @Args('facilityId', { type: () => ID }) facilityId: string,
    @Args('takesTourBookings') takesTourBookings: boolean,
    @CurrentClient() client: AuthenticatedClient,
  ) {
    return this.tours.setTakesTourBookings(facilityId, takesTourBookings, client);
  }

  @ResolveField(() => Int, { description: 'Places still free (0 when cancelled).' })
  remainingPlaces(@Parent() slot: TourSlot) {
    return slot.cancelledAt ? 0 : slot.capacity - slot.bookedCount;
  }

  @ResolveField(() => Boolean, { description: 'Can be booked now: ahead, not cancelled, places left.' })
  isOpen(@Parent() slot: TourSlot) {
    return !slot.cancelledAt && slot.startsAt.getTime() > this.clock.now().getTime() && slot.bookedCount < slot.capacity;
  }

  @ResolveField(() => Facility)
  facility(@Parent() slot: TourSlot, @Context() ctx: GqlContext) {
    return facilityLoader(ctx, this.facilities).load(slot.facilityId);
  }
}

@Resolver(() => TourBooking)
export class TourBookingsResolver {
  constructor(private readonly tours: ToursService, private readonly facilities: FacilitiesService) {}

  @Roles(ApiRole.PARTNER)
  @Mutation(() => TourBooking, {
    description:
      'Book a tour (見学予約) for a parent (PARTNER). Never overbooks: TOUR_SLOT_FULL when the places are gone, TOUR_SLOT_IN_THE_PAST once the slot has started. The facility’s endpoint receives jp.hokatsu.tour.booked.',
  })
  bookTour(@Args('input') input: BookTourInput, @CurrentClient() client: AuthenticatedClient) {
    return this.tours.book(input, client);
  }

  @Roles(ApiRole.PARTNER)
  @Mutation(() => TourBooking, { description: 'Cancel one of your own bookings (PARTNER; FORBIDDEN for another partner’s). The facility is told by webhook. Cancelling twice returns the cancelled booking.' })
  cancelTourBooking(@Args('input') input: CancelTourInput, @CurrentClient() client: AuthenticatedClient) {
    return this.tours.cancelByPartner(input.id, input.reason ?? null, client);
  }

  @Roles(ApiRole.OPERATOR, ApiRole.ADMIN)
  @Mutation(() => TourBooking, { description: 'A facility cancels a booking (OPERATOR: own facilities). The partner that booked is told by webhook.' })
  cancelTourBookingByFacility(@Args('input') input: FacilityCancelTourInput, @CurrentClient() client: AuthenticatedClient) {
    return this.tours.cancelByFacility(input.id, input.reason, client);
  }

  @Roles(ApiRole.OPERATOR, ApiRole.ADMIN)
  @Query(() => TourBookingConnection, { description: 'Bookings of one of your facilities, by tour start (OPERATOR: own facilities; ADMIN: any).' })
  tourBookings(@Args() args: TourBookingsArgs, @CurrentClient() client: AuthenticatedClient) {
    return this.tours.facilityBookings(args, client);
  }

  @Roles(ApiRole.PARTNER)
  @Query(() => TourBookingConnection, { description: 'Your own tour bookings, newest first (PARTNER).' })
  myTourBookings(@Args() args: MyTourBookingsArgs, @CurrentClient() client: AuthenticatedClient) {
    return this.tours.partnerBookings(args, client);
  }

  @ResolveField(() => TourSlot)
  slot(@Parent() booking: TourBooking, @Context() ctx: GqlContext) {
    return loaderFor<string, TourSlot | null>(ctx, 'tourSlotById', async (ids) => {
      const rows = await this.tours.slotsByIds(ids);
      return ids.map((id) => rows.find((r) => r.id === id) ?? null);
    }).load(booking.slotId);
  }

  @ResolveField(() => Facility)
  facility(@Parent() booking: TourBooking, @Context() ctx: GqlContext) {
    return facilityLoader(ctx, this.facilities).load(booking.facilityId);
  }
}
