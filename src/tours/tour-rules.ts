/**
 * Pure rules of tour booking: why a booking was refused, what may be published, and what the
 * facility's and the partner's systems are told. No Nest, no database.
 */
import { Errors, HubError } from '../common/errors';
import { TourErrors } from './tours.errors';

export interface SlotState {
  id: string;
  startsAt: Date;
  capacity: number;
  bookedCount: number;
  cancelledAt: Date | null;
}

/** A slot can be published at most this far ahead. */
export const MAX_DAYS_AHEAD = 366;
export const MAX_SLOTS_PER_CALL = 100;

/**
 * Why a booking of `partySize` places cannot be made now, or null when it can. The booking itself
 * is one conditional UPDATE; when that matches no row, this names the reason from the slot as read.
 */
export function bookingRefusal(slot: SlotState, partySize: number, now: Date): HubError | null {
  if (slot.cancelledAt) return TourErrors.slotCancelled(slot.id);
  if (slot.startsAt.getTime() <= now.getTime()) return TourErrors.inThePast(slot.id, slot.startsAt);
  const remaining = slot.capacity - slot.bookedCount;
  if (partySize > remaining) return TourErrors.full(slot.id, remaining, partySize);
  return null;
}

export interface SlotToPublish {
  startsAt: Date;
  durationMinutes: number;
  capacity: number;
  notes?: string | null;
}

/** Slots must lie ahead (within a year) and not repeat a start time within one call. */
export function assertPublishable(slots: SlotToPublish[], now: Date, field = 'input.slots'): void {
  if (slots.length === 0) throw Errors.badInput(field, 'Give at least one slot.', '見学枠を1つ以上指定してください。');
  if (slots.length > MAX_SLOTS_PER_CALL) {
    throw Errors.badInput(field, `Publish at most ${MAX_SLOTS_PER_CALL} slots per call.`, `1回に登録できる見学枠は${MAX_SLOTS_PER_CALL}件までです。`);
  }
  const latest = now.getTime() + MAX_DAYS_AHEAD * 24 * 60 * 60 * 1000;
  const seen = new Set<number>();
  slots.forEach((slot, index) => {
    const at = slot.startsAt.getTime();
    if (at <= now.getTime()) {
      throw Errors.badInput(`${field}[${index}].startsAt`, `Slot ${index} starts at ${slot.startsAt.toISOString()}, which is not in the future.`, `${index}番目の見学枠の開始日時（${slot.startsAt.toISOString()}）が過去です。`);
    }
    if (at > latest) {
      throw Errors.badInput(`${field}[${index}].startsAt`, `Slots can be published at most ${MAX_DAYS_AHEAD} days ahead.`, `見学枠は${MAX_DAYS_AHEAD}日先まで登録できます。`);
    }
    if (seen.has(at)) {
      throw Errors.badInput(`${field}[${index}].startsAt`, `Two slots start at ${slot.startsAt.toISOString()}; publish one with the total capacity.`, `開始日時 ${slot.startsAt.toISOString()} の枠が2つあります。定員を合計した1枠にしてください。`);
    }
    seen.add(at);
  });
}

export interface TourEventInput {
  booking: { id: string; slotId: string; facilityId: string; partySize: number; contactReference: string; status: string; cancelledBy: string | null; cancelReason: string | null };
  slot: { startsAt: Date; durationMinutes: number };
  facility: { id: string; name: string };
  partner: { id: string; name: string };
}

export const TOUR_BOOKED = 'jp.hokatsu.tour.booked';
export const TOUR_CANCELLED = 'jp.hokatsu.tour.cancelled';

/**
 * The CloudEvents data of a booking event. Only what the receiver needs to act: no parent's name
 * or contact details, which stay with the partner (contactReference points to them).
 */
export function tourEventData({ booking, slot, facility, partner }: TourEventInput): Record<string, unknown> {
  return {
    bookingId: booking.id,
    status: booking.status,
    slotId: booking.slotId,
    startsAt: slot.startsAt.toISOString(),
    durationMinutes: slot.durationMinutes,
    facility: { id: facility.id, name: facility.name },
    partner: { id: partner.id, name: partner.name },
    partySize: booking.partySize,
    contactReference: booking.contactReference,
    ...(booking.cancelledBy ? { cancelledBy: booking.cancelledBy, cancelReason: booking.cancelReason } : {}),
  };
}
