import { Inject, Injectable } from '@nestjs/common';
import { DataSource, EntityManager, In } from 'typeorm';
import type { AuthenticatedClient } from '../auth/current-client.decorator';
import { assertFacilityScope } from '../auth/scope';
import { CLOCK, Clock } from '../common/clock';
import { Errors } from '../common/errors';
import { requestFingerprint } from '../common/idempotency';
import { ConnectionShape, decodeCursor, toConnection } from '../common/pagination';
import { returnedRows } from '../common/sql';
import { Facility } from '../facilities/facility.entity';
import { OutboxService } from '../outbox/outbox.service';
import { BookTourInput } from './dto/book-tour.input';
import { PublishTourSlotsInput } from './dto/publish-tour-slots.input';
import { MyTourBookingsArgs, TourBookingsArgs, TourSlotsArgs } from './dto/tour-lists.args';
import { TourBooking, TourBookingStatus, TourCancelledBy, TourSlot } from './tour.entity';
import { assertPublishable, bookingRefusal, TOUR_BOOKED, TOUR_CANCELLED, tourEventData } from './tour-rules';
import { TourErrors } from './tours.errors';

const DAY_MS = 24 * 60 * 60 * 1000;
const DEFAULT_WINDOW_DAYS = 31;
const MAX_WINDOW_DAYS = 92;
/** A booking competes only with bookings of the same slot; a few rounds settle a slot freed meanwhile. */
const BOOKING_ATTEMPTS = 3;

/**
 * Tour slots and bookings. The invariant "never overbooked" rests on one conditional UPDATE of the
 * slot's booked_count (row-locked by PostgreSQL, re-checked after any concurrent update) and on the
 * table's CHECK booked_count <= capacity. Webhooks are enqueued in the same transaction.
 *
 * Lock order everywhere: the slot row first, then its bookings — so cancellations by the partner,
 * by the facility and of the whole slot cannot deadlock one another.
 */
@Injectable()
export class ToursService {
  constructor(
    private readonly db: DataSource,
    private readonly outbox: OutboxService,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async publishSlots(input: PublishTourSlotsInput, client: AuthenticatedClient): Promise<TourSlot[]> {
    assertFacilityScope(client, input.facilityId, 'input.facilityId');
    const facility = await this.facilityTakingTours(this.db.manager, input.facilityId, 'input.facilityId');
    const now = this.clock.now();
    assertPublishable(input.slots, now);
    // Slots are locked and written in start-time order, whatever order they came in: two operators
    // publishing the same slots at once wait for each other instead of deadlocking.
    const inLockOrder = [...input.slots.entries()].sort(([, a], [, b]) => new Date(a.startsAt).getTime() - new Date(b.startsAt).getTime());
    return this.db.transaction(async (m) => {
      const published: TourSlot[] = new Array(input.slots.length);
      for (const [index, slot] of inLockOrder) {
        const [existing] = await m.query(
          `SELECT id, booked_count FROM tour_slot WHERE facility_id = $1 AND starts_at = $2 AND cancelled_at IS NULL FOR UPDATE`,
          [facility.id, slot.startsAt],
        );
        if (existing && slot.capacity < existing.booked_count) {
          throw TourErrors.capacityBelowBookings(existing.id, slot.capacity, existing.booked_count, `input.slots[${index}].capacity`);
        }
        const [row] = returnedRows<{ id: string }>(
          await m.query(
            `INSERT INTO tour_slot (facility_id, starts_at, duration_minutes, capacity, notes, created_by, updated_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7)
             ON CONFLICT (facility_id, starts_at) WHERE cancelled_at IS NULL
             DO UPDATE SET duration_minutes = EXCLUDED.duration_minutes, capacity = EXCLUDED.capacity, notes = EXCLUDED.notes, updated_at = EXCLUDED.updated_at
             RETURNING id`,
            [facility.id, slot.startsAt, slot.durationMinutes, slot.capacity, slot.notes ?? null, client.id, now],
          ),
        );
        published[index] = await m.findOneByOrFail(TourSlot, { id: row.id });
      }
      return published;
    });
  }

  /** Cancels the slot and every booking on it; each partner is told by webhook. */
  async cancelSlot(slotId: string, reason: string, client: AuthenticatedClient): Promise<TourSlot> {
    const slot = await this.db.manager.findOneBy(TourSlot, { id: slotId });
    if (!slot) throw Errors.notFound('Tour slot', slotId, 'id');
    assertFacilityScope(client, slot.facilityId, 'id');
    const now = this.clock.now();
    return this.db.transaction(async (m) => {
      const locked = await m.findOne(TourSlot, { where: { id: slotId }, lock: { mode: 'pessimistic_write' } });
      if (!locked || locked.cancelledAt) return locked ?? slot;
      if (locked.startsAt.getTime() <= now.getTime()) throw TourErrors.inThePast(slotId, locked.startsAt, 'id');
      const bookings = await m.find(TourBooking, { where: { slotId, status: TourBookingStatus.BOOKED }, lock: { mode: 'pessimistic_write' } });
      for (const booking of bookings) await this.markCancelled(m, booking, TourCancelledBy.FACILITY, reason, now);
      await m.update(TourSlot, { id: slotId }, { cancelledAt: now, cancelReason: reason, bookedCount: 0, updatedAt: now });
      const cancelled = await m.findOneByOrFail(TourSlot, { id: slotId });
      for (const booking of bookings) await this.notifyPartnerOfCancellation(m, booking, cancelled);
      return cancelled;
    });
  }

  /**
   * Books `partySize` places for a partner. Replays the first booking for a repeated idempotency
   * key with the same input; CONFLICT with a different input.
   */
  async book(input: BookTourInput, client: AuthenticatedClient): Promise<TourBooking> {
    const fingerprint = requestFingerprint({ slotId: input.slotId, partySize: input.partySize, contactReference: input.contactReference });
    const now = this.clock.now();
    try {
      return await this.db.transaction(async (m) => {
        const earlier = await m.findOneBy(TourBooking, { partnerClientId: client.id, idempotencyKey: input.idempotencyKey });
        if (earlier) return replay(earlier, fingerprint, input.idempotencyKey);

        const slot = await m.findOneBy(TourSlot, { id: input.slotId });
        if (!slot) throw Errors.notFound('Tour slot', input.slotId, 'input.slotId');
        const facility = await this.facilityTakingTours(m, slot.facilityId, 'input.slotId');
        await this.takePlaces(m, slot.id, input.partySize, now);

        const booking = await m.save(
          m.create(TourBooking, {
            slotId: slot.id,
            facilityId: facility.id,
            partnerClientId: client.id,
            contactReference: input.contactReference,
            partySize: input.partySize,
            idempotencyKey: input.idempotencyKey,
            requestFingerprint: fingerprint,
            status: TourBookingStatus.BOOKED,
            createdAt: now,
          }),
        );
        await this.outbox.enqueueToOwner(m, { kind: 'FACILITY', id: facility.id }, {
          type: TOUR_BOOKED,
          subject: `tour-bookings/${booking.id}`,
          orderingKey: booking.id,
          deduplicationKey: `tour-booking:${booking.id}:booked`,
          data: tourEventData({ booking, slot, facility, partner: { id: client.id, name: client.name } }),
        });
        return booking;
      });
    } catch (err) {
      // The same key sent twice at once: the second insert loses the UNIQUE race and rolls back
      // (its places with it); it answers like a later replay would.
      if (violates(err, 'tour_booking_idempotency_unique')) {
        const earlier = await this.db.manager.findOneBy(TourBooking, { partnerClientId: client.id, idempotencyKey: input.idempotencyKey });
        if (earlier) return replay(earlier, fingerprint, input.idempotencyKey);
      }
      throw err;
    }
  }

  /** A partner cancels its own booking; the facility is told by webhook. */
  cancelByPartner(bookingId: string, reason: string | null, client: AuthenticatedClient): Promise<TourBooking> {
    return this.cancelBooking(bookingId, TourCancelledBy.PARTNER, reason, (booking) => {
      if (booking.partnerClientId !== client.id) {
        throw Errors.forbidden(`Tour booking ${bookingId} was made by another partner; you can cancel only your own bookings.`, `見学予約 ${bookingId} は他のパートナーによる予約です。取り消せるのは自分の予約だけです。`, 'id');
      }
    });
  }

  /** The facility's operator cancels a booking; the partner that booked is told by webhook. */
  cancelByFacility(bookingId: string, reason: string, client: AuthenticatedClient): Promise<TourBooking> {
    return this.cancelBooking(bookingId, TourCancelledBy.FACILITY, reason, (booking) => assertFacilityScope(client, booking.facilityId, 'id'));
  }

  async setTakesTourBookings(facilityId: string, takesTourBookings: boolean, client: AuthenticatedClient): Promise<Facility> {
    // Facilities are public, so saying "not found" before "not yours" leaks nothing.
    const facility = await this.db.manager.findOneBy(Facility, { id: facilityId });
    if (!facility) throw Errors.notFound('Facility', facilityId, 'facilityId');
    assertFacilityScope(client, facilityId, 'facilityId');
    // Existing slots and bookings stay; only new publishing and booking stop.
    await this.db.manager.update(Facility, { id: facilityId }, { takesTourBookings, updatedAt: this.clock.now() });
    return this.db.manager.findOneByOrFail(Facility, { id: facilityId });
  }

  /** Slots of one facility in a time window (public). */
  async slots(args: TourSlotsArgs): Promise<TourSlot[]> {
    const facility = await this.db.manager.findOneBy(Facility, { id: args.facilityId });
    if (!facility) throw Errors.notFound('Facility', args.facilityId, 'facilityId');
    const now = this.clock.now();
    const from = args.from ?? now;
    const to = args.to ?? new Date(from.getTime() + DEFAULT_WINDOW_DAYS * DAY_MS);
    if (to.getTime() <= from.getTime() || to.getTime() - from.getTime() > MAX_WINDOW_DAYS * DAY_MS) {
      throw Errors.badInput('to', `"to" must be after "from" and at most ${MAX_WINDOW_DAYS} days later.`, `「to」は「from」より後で、${MAX_WINDOW_DAYS}日以内にしてください。`);
    }
    const qb = this.db.manager
      .createQueryBuilder(TourSlot, 's')
      .where('s.facility_id = :facilityId AND s.starts_at >= :from AND s.starts_at < :to', { facilityId: facility.id, from, to });
    if (args.onlyOpen) qb.andWhere('s.cancelled_at IS NULL AND s.starts_at > :now AND s.booked_count < s.capacity', { now });
    return qb.orderBy('s.starts_at', 'ASC').addOrderBy('s.id', 'ASC').getMany();
  }

  /** Bookings of one facility, by tour start (operators of the facility, admins). */
  async facilityBookings(args: TourBookingsArgs, client: AuthenticatedClient): Promise<ConnectionShape<TourBooking>> {
    assertFacilityScope(client, args.facilityId, 'facilityId');
    const qb = this.db.manager
      .createQueryBuilder(TourBooking, 'b')
      .innerJoin(TourSlot, 's', 's.id = b.slot_id')
      .addSelect('s.starts_at', 'slot_starts_at')
      .where('b.facility_id = :facilityId', { facilityId: args.facilityId });
    if (args.from) qb.andWhere('s.starts_at >= :from', { from: args.from });
    if (args.status) qb.andWhere('b.status = :status', { status: args.status });
    const total = await qb.clone().getCount();
    if (args.after) {
      const [startsAt, id] = decodeCursor(args.after, 2);
      qb.andWhere('(s.starts_at, b.id) > (:afterStartsAt, :afterId)', { afterStartsAt: new Date(String(startsAt)), afterId: id });
    }
    const { entities, raw } = await qb.orderBy('s.starts_at', 'ASC').addOrderBy('b.id', 'ASC').limit(args.first + 1).getRawAndEntities();
    const startsAtOf = new Map(entities.map((booking, index) => [booking.id, new Date(raw[index].slot_starts_at).toISOString()]));
    return toConnection(entities, args.first, !!args.after, total, (b) => [startsAtOf.get(b.id), b.id]);
  }

  /** The calling partner's own bookings, newest first. */
  async partnerBookings(args: MyTourBookingsArgs, client: AuthenticatedClient): Promise<ConnectionShape<TourBooking>> {
    const qb = this.db.manager.createQueryBuilder(TourBooking, 'b').where('b.partner_client_id = :partner', { partner: client.id });
    if (args.status) qb.andWhere('b.status = :status', { status: args.status });
    const total = await qb.clone().getCount();
    if (args.after) {
      const [createdAt, id] = decodeCursor(args.after, 2);
      qb.andWhere('(b.created_at, b.id) < (:afterCreatedAt, :afterId)', { afterCreatedAt: new Date(String(createdAt)), afterId: id });
    }
    const rows = await qb.orderBy('b.created_at', 'DESC').addOrderBy('b.id', 'DESC').limit(args.first + 1).getMany();
    return toConnection(rows, args.first, !!args.after, total, (b) => [b.createdAt.toISOString(), b.id]);
  }

  slotsByIds(ids: readonly string[]) {
    return this.db.manager.findBy(TourSlot, { id: In([...ids]) });
  }

  private async cancelBooking(bookingId: string, by: TourCancelledBy, reason: string | null, authorize: (booking: TourBooking) => void): Promise<TourBooking> {
    const found = await this.db.manager.findOneBy(TourBooking, { id: bookingId });
    if (!found) throw Errors.notFound('Tour booking', bookingId, 'id');
    authorize(found);
    const now = this.clock.now();
    return this.db.transaction(async (m) => {
      const slot = await m.findOneOrFail(TourSlot, { where: { id: found.slotId }, lock: { mode: 'pessimistic_write' } });
      const booking = await m.findOneOrFail(TourBooking, { where: { id: bookingId }, lock: { mode: 'pessimistic_write' } });
      if (booking.status === TourBookingStatus.CANCELLED) return booking;
      if (slot.startsAt.getTime() <= now.getTime()) throw TourErrors.inThePast(slot.id, slot.startsAt, 'id');
      await this.markCancelled(m, booking, by, reason, now);
      await m.query(`UPDATE tour_slot SET booked_count = booked_count - $2, updated_at = $3 WHERE id = $1`, [slot.id, booking.partySize, now]);
      const cancelled = await m.findOneByOrFail(TourBooking, { id: bookingId });
      if (by === TourCancelledBy.PARTNER) {
        const facility = await m.findOneByOrFail(Facility, { id: cancelled.facilityId });
        const partner = await this.partnerOf(m, cancelled.partnerClientId);
        await this.outbox.enqueueToOwner(m, { kind: 'FACILITY', id: facility.id }, cancellationMessage(cancelled, slot, facility, partner));
      } else {
        await this.notifyPartnerOfCancellation(m, cancelled, slot);
      }
      return cancelled;
    });
  }

  private async markCancelled(m: EntityManager, booking: TourBooking, by: TourCancelledBy, reason: string | null, now: Date) {
    await m.update(TourBooking, { id: booking.id }, { status: TourBookingStatus.CANCELLED, cancelledBy: by, cancelledAt: now, cancelReason: reason });
    Object.assign(booking, { status: TourBookingStatus.CANCELLED, cancelledBy: by, cancelledAt: now, cancelReason: reason });
  }

  private async notifyPartnerOfCancellation(m: EntityManager, booking: TourBooking, slot: TourSlot) {
    const facility = await m.findOneByOrFail(Facility, { id: booking.facilityId });
    const partner = await this.partnerOf(m, booking.partnerClientId);
    await this.outbox.enqueueToOwner(m, { kind: 'PARTNER', id: booking.partnerClientId }, cancellationMessage(booking, slot, facility, partner));
  }

  private async partnerOf(m: EntityManager, clientId: string): Promise<{ id: string; name: string }> {
    const [row] = await m.query(`SELECT id, name FROM api_client WHERE id = $1`, [clientId]);
    return { id: clientId, name: row?.name ?? '' };
  }

  /** The one conditional UPDATE that makes overbooking impossible; names the reason when it matches nothing. */
  private async takePlaces(m: EntityManager, slotId: string, partySize: number, now: Date): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      const taken = returnedRows(
        await m.query(
          `UPDATE tour_slot SET booked_count = booked_count + $2, updated_at = $3
            WHERE id = $1 AND cancelled_at IS NULL AND starts_at > $3 AND booked_count + $2 <= capacity
            RETURNING booked_count`,
          [slotId, partySize, now],
        ),
      );
      if (taken.length === 1) return;
      const slot = await m.findOneByOrFail(TourSlot, { id: slotId });
      const refusal = bookingRefusal(slot, partySize, now);
      if (refusal) throw refusal;
      // Places were freed between the UPDATE and the read: try again.
      if (attempt >= BOOKING_ATTEMPTS) throw TourErrors.full(slotId, slot.capacity - slot.bookedCount, partySize);
    }
  }

  private async facilityTakingTours(m: EntityManager, facilityId: string, field: string): Promise<Facility> {
    const facility = await m.findOneBy(Facility, { id: facilityId });
    if (!facility) throw Errors.notFound('Facility', facilityId, field);
    if (!facility.takesTourBookings) throw TourErrors.notAccepted(facility.id, facility.name, field);
    return facility;
  }
}

function cancellationMessage(booking: TourBooking, slot: TourSlot, facility: Facility, partner: { id: string; name: string }) {
  return {
    type: TOUR_CANCELLED,
    subject: `tour-bookings/${booking.id}`,
    orderingKey: booking.id,
    deduplicationKey: `tour-booking:${booking.id}:cancelled`,
    data: tourEventData({ booking, slot, facility, partner }),
  };
}

function replay(earlier: TourBooking, fingerprint: string, idempotencyKey: string): TourBooking {
  if (earlier.requestFingerprint !== fingerprint) {
    throw Errors.conflict(
      `The idempotency key "${idempotencyKey}" was already used for a different booking request (booking ${earlier.id}). Use a new key for a new request.`,
      `冪等キー「${idempotencyKey}」は別の内容の予約リクエスト（予約 ${earlier.id}）で使用済みです。新しいリクエストには新しいキーを使ってください。`,
      { bookingId: earlier.id },
      'input.idempotencyKey',
    );
  }
  return earlier;
}

function violates(err: unknown, constraint: string): boolean {
  const e = err as { code?: string; constraint?: string; driverError?: { code?: string; constraint?: string } };
  const driver = e.driverError ?? e;
  return driver.code === '23505' && driver.constraint === constraint;
}
