import { hubError } from '../common/errors';

export const TourErrorCode = {
  /** Not enough places left for the party. */
  TOUR_SLOT_FULL: 'TOUR_SLOT_FULL',
  /** The slot has started or is over. */
  TOUR_SLOT_IN_THE_PAST: 'TOUR_SLOT_IN_THE_PAST',
  /** The facility cancelled the slot. */
  TOUR_SLOT_CANCELLED: 'TOUR_SLOT_CANCELLED',
  /** The facility does not take tour bookings through the hub. */
  TOURS_NOT_ACCEPTED: 'TOURS_NOT_ACCEPTED',
  /** A slot's capacity cannot go below the places already booked. */
  TOUR_SLOT_CAPACITY_BELOW_BOOKINGS: 'TOUR_SLOT_CAPACITY_BELOW_BOOKINGS',
} as const;

export const TourErrors = {
  full(slotId: string, remaining: number, partySize: number, field = 'input.partySize') {
    return hubError(
      TourErrorCode.TOUR_SLOT_FULL,
      remaining === 0
        ? `Tour slot ${slotId} is fully booked. Choose another slot.`
        : `Tour slot ${slotId} has ${remaining} place(s) left, fewer than the ${partySize} asked for. Choose another slot or a smaller party.`,
      remaining === 0
        ? `見学枠 ${slotId} は満員です。別の枠を選んでください。`
        : `見学枠 ${slotId} の残りは${remaining}名分で、希望の${partySize}名に足りません。別の枠を選ぶか人数を減らしてください。`,
      { field, details: { slotId, remainingPlaces: remaining } },
    );
  },
  inThePast(slotId: string, startsAt: Date, field = 'input.slotId') {
    return hubError(
      TourErrorCode.TOUR_SLOT_IN_THE_PAST,
      `Tour slot ${slotId} started at ${startsAt.toISOString()}; it can no longer be booked or cancelled.`,
      `見学枠 ${slotId} は ${startsAt.toISOString()} に開始済みのため、予約・取消はできません。`,
      { field, details: { slotId, startsAt: startsAt.toISOString() } },
    );
  },
  slotCancelled(slotId: string, field = 'input.slotId') {
    return hubError(TourErrorCode.TOUR_SLOT_CANCELLED, `The facility cancelled tour slot ${slotId}. Choose another slot.`, `見学枠 ${slotId} は施設により中止されました。別の枠を選んでください。`, {
      field,
      details: { slotId },
    });
  },
  notAccepted(facilityId: string, name: string, field: string) {
    return hubError(
      TourErrorCode.TOURS_NOT_ACCEPTED,
      `${name} (${facilityId}) does not take tour bookings through the hub. Contact the facility directly.`,
      `${name}（${facilityId}）はハブでの見学予約を受け付けていません。施設に直接お問い合わせください。`,
      { field, details: { facilityId } },
    );
  },
  capacityBelowBookings(slotId: string, capacity: number, booked: number, field: string) {
    return hubError(
      TourErrorCode.TOUR_SLOT_CAPACITY_BELOW_BOOKINGS,
      `Tour slot ${slotId} already has ${booked} place(s) booked; its capacity cannot become ${capacity}. Cancel bookings first or keep at least ${booked}.`,
      `見学枠 ${slotId} はすでに${booked}名分の予約があるため、定員を${capacity}にできません。先に予約を取り消すか、${booked}以上にしてください。`,
      { field, details: { slotId, bookedCount: booked } },
    );
  },
};
