import { assertPublishable, bookingRefusal, SlotState, tourEventData } from '../../src/tours/tour-rules';

const now = new Date('2026-11-25T09:00:00+09:00');
const slot: SlotState = { id: 's1', startsAt: new Date('2026-12-01T10:00:00+09:00'), capacity: 3, bookedCount: 1, cancelledAt: null };

describe('bookingRefusal', () => {
  it.each<[string, Partial<SlotState>, number, string | null]>([
    ['places left', {}, 2, null],
    ['exactly the last places', { bookedCount: 1 }, 2, null],
    ['one place too many', { bookedCount: 2 }, 2, 'TOUR_SLOT_FULL'],
    ['full', { bookedCount: 3 }, 1, 'TOUR_SLOT_FULL'],
    ['starting now', { startsAt: now }, 1, 'TOUR_SLOT_IN_THE_PAST'],
    ['over', { startsAt: new Date('2026-11-20T10:00:00+09:00') }, 1, 'TOUR_SLOT_IN_THE_PAST'],
    ['past and full: the past is the reason', { startsAt: now, bookedCount: 3 }, 1, 'TOUR_SLOT_IN_THE_PAST'],
    ['cancelled', { cancelledAt: now, bookedCount: 0 }, 1, 'TOUR_SLOT_CANCELLED'],
  ])('%s → %s', (_, change, partySize, code) => {
    const refusal = bookingRefusal({ ...slot, ...change }, partySize, now);
    expect(refusal?.code ?? null).toBe(code);
    if (refusal) expect(refusal.messageJa).toBeTruthy();
  });

  it('says how many places are left', () => {
    expect(bookingRefusal({ ...slot, bookedCount: 2 }, 2, now)?.details).toEqual({ slotId: 's1', remainingPlaces: 1 });
  });
});

describe('assertPublishable', () => {
  const at = (iso: string) => ({ startsAt: new Date(iso), durationMinutes: 60, capacity: 5 });
  it('accepts slots ahead', () => {
    expect(() => assertPublishable([at('2026-12-01T10:00:00+09:00'), at('2026-12-01T15:00:00+09:00')], now)).not.toThrow();
  });
  it.each<[string, ReturnType<typeof at>[], string]>([
    ['a slot in the past', [at('2026-12-01T10:00:00+09:00'), at('2026-11-25T08:00:00+09:00')], 'input.slots[1].startsAt'],
    ['a slot more than a year ahead', [at('2028-01-01T10:00:00+09:00')], 'input.slots[0].startsAt'],
    ['the same start twice', [at('2026-12-01T10:00:00+09:00'), at('2026-12-01T01:00:00Z')], 'input.slots[1].startsAt'],
    ['no slot', [], 'input.slots'],
  ])('refuses %s naming %s', (_, slots, field) => {
    expect(() => assertPublishable(slots, now)).toThrow(expect.objectContaining({ code: 'BAD_USER_INPUT', field }));
  });
});

describe('tourEventData', () => {
  it('carries what the receiver needs and the cancellation only when cancelled', () => {
    const input = {
      booking: { id: 'b1', slotId: 's1', facilityId: 'f1', partySize: 2, contactReference: 'user-42', status: 'BOOKED', cancelledBy: null, cancelReason: null },
      slot: { startsAt: slot.startsAt, durationMinutes: 45 },
      facility: { id: 'f1', name: 'みなみ保育園' },
      partner: { id: 'p1', name: 'Partner' },
    };
    expect(tourEventData(input)).toEqual({
      bookingId: 'b1',
      status: 'BOOKED',
      slotId: 's1',
      startsAt: '2026-12-01T01:00:00.000Z',
      durationMinutes: 45,
      facility: { id: 'f1', name: 'みなみ保育園' },
      partner: { id: 'p1', name: 'Partner' },
      partySize: 2,
      contactReference: 'user-42',
    });
    const cancelled = tourEventData({ ...input, booking: { ...input.booking, status: 'CANCELLED', cancelledBy: 'FACILITY', cancelReason: '感染症のため' } });
    expect(cancelled).toMatchObject({ status: 'CANCELLED', cancelledBy: 'FACILITY', cancelReason: '感染症のため' });
  });
});
