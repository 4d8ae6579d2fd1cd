import { verifyWebhook } from '../../src/webhooks/signing';
import { DEMO_KEYS, describeWithRealPostgres, eventually, Receiver, startReceiver, startTestHub, TestHub } from '../support/hub';

/**
 * Tour booking through the API: operators publish slots, partners book and cancel, the facility's
 * own system and the partner receive signed webhooks (real local HTTP receivers), and a slot is
 * never overbooked, also under real concurrent connections.
 */
let t: TestHub;
const receivers: Receiver[] = [];
const NOW = new Date('2026-11-25T09:00:00+09:00');

beforeAll(async () => {
  t = await startTestHub();
});
beforeEach(() => t.clock.set(NOW));
afterAll(async () => {
  await Promise.all(receivers.map((r) => r.close()));
  await t?.close();
});

const ITABASHI = '131199';
const FACILITY = `query($filter: FacilityFilter) { facilities(filter: $filter, first: 20) { edges { node { id name municipalityCode } } } }`;
async function facilityNamed(municipalityCode: string, name: string): Promise<{ id: string; name: string }> {
  const r = await t.ok(FACILITY, { filter: { municipalityCodes: [municipalityCode], text: name } });
  return r.facilities.edges.map((e: any) => e.node).find((f: any) => f.name === name);
}

const REGISTER = `mutation($input: RegisterWebhookEndpointInput!) { registerWebhookEndpoint(input: $input) { secret endpoint { id } } }`;
async function endpoint(key: string, facilityId?: string): Promise<{ receiver: Receiver; secret: string }> {
  const receiver = await startReceiver();
  receivers.push(receiver);
  const r = await t.ok(REGISTER, { input: { url: receiver.url, topics: ['jp.hokatsu.tour.'], ...(facilityId ? { facilityId } : {}) } }, key);
  return { receiver, secret: r.registerWebhookEndpoint.secret };
}

/** The verified CloudEvents of a receiver (throws if any signature does not verify). */
function events(receiver: Receiver, secret: string): any[] {
  return receiver.requests.map((req) => {
    verifyWebhook(secret, req.headers as Record<string, string>, req.body, { now: t.clock.now() });
    return JSON.parse(req.body);
  });
}
async function eventFor(receiver: Receiver, secret: string, type: string, bookingId: string) {
  return eventually(async () => events(receiver, secret).find((e) => e.type === type && e.data.bookingId === bookingId));
}

const PUBLISH = `mutation($input: PublishTourSlotsInput!) { publishTourSlots(input: $input) { id startsAt capacity bookedCount remainingPlaces isOpen notes facility { id } } }`;
const SLOTS = `query($facilityId: ID!, $from: DateTime, $to: DateTime, $onlyOpen: Boolean) {
  tourSlots(facilityId: $facilityId, from: $from, to: $to, onlyOpen: $onlyOpen) { id startsAt capacity bookedCount remainingPlaces isOpen } }`;
const BOOK = `mutation($input: BookTourInput!) { bookTour(input: $input) { id status partySize contactReference slotId facility { id name } slot { id bookedCount remainingPlaces } } }`;
const CANCEL = `mutation($input: CancelTourInput!) { cancelTourBooking(input: $input) { id status cancelledBy cancelledAt } }`;
const FACILITY_CANCEL = `mutation($input: FacilityCancelTourInput!) { cancelTourBookingByFacility(input: $input) { id status cancelledBy cancelReason } }`;

let slotMinute = 0;
/** A fresh slot (a distinct start time per call, clear of the demo's 10:00 and 15:00 slots). */
async function publishSlot(facilityId: string, capacity: number, startsAt?: string): Promise<any> {
  slotMinute++;
  const at = startsAt ?? `2026-12-${String(1 + (slotMinute % 20)).padStart(2, '0')}T11:${String(slotMinute % 60).padStart(2, '0')}:00+09:00`;
  const r = await t.ok(PUBLISH, { input: { facilityId, slots: [{ startsAt: at, capacity, durationMinutes: 45, notes: '母子手帳をお持ちください' }] } }, DEMO_KEYS.OPERATOR);
  return r.publishTourSlots[0];
}
let keyCounter = 0;
const book = (slotId: string, key: string = DEMO_KEYS.PARTNER, extra: Record<string, unknown> = {}) =>
  t.gql(BOOK, { input: { slotId, partySize: 1, contactReference: 'parent-123', idempotencyKey: `k-${++keyCounter}-${Date.now()}`, ...extra } }, key);

describe('tour booking, end to end', () => {
  it('a partner books a tour at a wished facility and the facility’s own system receives a signed webhook', async () => {
    // The plan for a child born 2025-05-10 in 板橋区 says which wished facility to tour, and by when.
    const kanaikubo = await facilityNamed(ITABASHI, 'かないくぼ');
    const plan = await t.ok(
      `query($input: NextActionsInput!) { nextActions(input: $input) { actions { kind dueDate facilityId } } }`,
      { input: { birthDate: '2025-05-10', residenceMunicipalityCode: ITABASHI, wishedFacilityIds: [kanaikubo.id], careReasons: ['EMPLOYMENT'], documentsPrepared: [] } },
      DEMO_KEYS.PARTNER,
    );
    expect(plan.nextActions.actions[0]).toEqual({ kind: 'BOOK_TOUR', dueDate: '2026-12-03', facilityId: kanaikubo.id });
    const facilitySystem = await endpoint(DEMO_KEYS.OPERATOR, kanaikubo.id);
    const slot = await publishSlot(kanaikubo.id, 4);
    expect(slot).toMatchObject({ capacity: 4, bookedCount: 0, remainingPlaces: 4, isOpen: true, notes: '母子手帳をお持ちください', facility: { id: kanaikubo.id } });

    const open = await t.ok(SLOTS, { facilityId: kanaikubo.id, from: '2026-11-25T00:00:00Z', to: '2026-12-31T00:00:00Z' });
    expect(open.tourSlots.map((s: any) => s.id)).toContain(slot.id);

    const booked = await book(slot.id, DEMO_KEYS.PARTNER, { partySize: 2 });
    expect(booked.errors).toBeUndefined();
    const booking = booked.data.bookTour;
    expect(booking).toMatchObject({ status: 'BOOKED', partySize: 2, contactReference: 'parent-123', facility: { id: kanaikubo.id }, slot: { bookedCount: 2, remainingPlaces: 2 } });

    const event = await eventFor(facilitySystem.receiver, facilitySystem.secret, 'jp.hokatsu.tour.booked', booking.id);
    expect(event).toMatchObject({
      specversion: '1.0',
      subject: `tour-bookings/${booking.id}`,
      data: { bookingId: booking.id, slotId: slot.id, status: 'BOOKED', partySize: 2, contactReference: 'parent-123', facility: { id: kanaikubo.id, name: 'かないくぼ' } },
    });
    expect(new Date(event.data.startsAt).getTime()).toBe(new Date(slot.startsAt).getTime());

    const seen = await t.ok(`query($f: ID!) { tourBookings(facilityId: $f, first: 100) { totalCount edges { node { id partySize status } } } }`, { f: kanaikubo.id }, DEMO_KEYS.OPERATOR);
    expect(seen.tourBookings.edges.map((e: any) => e.node.id)).toContain(booking.id);
    const mine = await t.ok(`{ myTourBookings(first: 100) { edges { node { id } } } }`, {}, DEMO_KEYS.PARTNER);
    expect(mine.myTourBookings.edges.map((e: any) => e.node.id)).toContain(booking.id);
    const theirs = await t.ok(`{ myTourBookings(first: 100) { edges { node { id } } } }`, {}, DEMO_KEYS.PARTNER_2);
    expect(theirs.myTourBookings.edges.map((e: any) => e.node.id)).not.toContain(booking.id);
  });

  it('replays the first booking for a repeated idempotency key, and refuses the key with another input', async () => {
    const kanaikubo = await facilityNamed(ITABASHI, 'かないくぼ');
    const slot = await publishSlot(kanaikubo.id, 3);
    const input = { slotId: slot.id, partySize: 1, contactReference: 'parent-9', idempotencyKey: `idem-${Date.now()}` };
    const first = await t.ok(BOOK, { input }, DEMO_KEYS.PARTNER);
    const again = await t.ok(BOOK, { input }, DEMO_KEYS.PARTNER);
    expect(again.bookTour.id).toBe(first.bookTour.id);
    const different = await t.gql(BOOK, { input: { ...input, partySize: 2 } }, DEMO_KEYS.PARTNER);
    expect(different.errors?.[0].extensions).toMatchObject({ code: 'CONFLICT', field: 'input.idempotencyKey' });
    // Another partner may use the same key for its own booking.
    const other = await t.ok(BOOK, { input }, DEMO_KEYS.PARTNER_2);
    expect(other.bookTour.id).not.toBe(first.bookTour.id);
    const [row] = await t.db.query(`SELECT booked_count FROM tour_slot WHERE id = $1`, [slot.id]);
    expect(row.booked_count).toBe(2);
  });

  it('refuses a full slot and a slot that has started, clearly', async () => {
    const kanaikubo = await facilityNamed(ITABASHI, 'かないくぼ');
    const slot = await publishSlot(kanaikubo.id, 1);
    expect((await book(slot.id)).errors).toBeUndefined();
    const full = await book(slot.id, DEMO_KEYS.PARTNER_2);
    expect(full.errors?.[0].extensions).toMatchObject({ code: 'TOUR_SLOT_FULL', details: { remainingPlaces: 0 } });
    expect(full.errors?.[0].extensions.messageJa).toContain('満員');
    const closed = await t.ok(SLOTS, { facilityId: kanaikubo.id, from: '2026-11-25T00:00:00Z', to: '2026-12-31T00:00:00Z' });
    expect(closed.tourSlots.map((s: any) => s.id)).not.toContain(slot.id);

    const soon = await publishSlot(kanaikubo.id, 5, '2026-11-25T10:00:00+09:00');
    t.clock.set(new Date('2026-11-25T10:30:00+09:00'));
    const late = await book(soon.id);
    expect(late.errors?.[0].extensions).toMatchObject({ code: 'TOUR_SLOT_IN_THE_PAST', field: 'input.slotId' });
    const [row] = await t.db.query(`SELECT booked_count FROM tour_slot WHERE id = $1`, [soon.id]);
    expect(row.booked_count).toBe(0);
  });

  it('refuses cancelling another partner’s booking; the owner cancels and the facility is told', async () => {
    const kanaikubo = await facilityNamed(ITABASHI, 'かないくぼ');
    const facilitySystem = await endpoint(DEMO_KEYS.OPERATOR, kanaikubo.id);
    const slot = await publishSlot(kanaikubo.id, 2);
    const booking = (await t.ok(BOOK, { input: { slotId: slot.id, partySize: 2, contactReference: 'p-1', idempotencyKey: `c-${Date.now()}` } }, DEMO_KEYS.PARTNER)).bookTour;

    const stolen = await t.gql(CANCEL, { input: { id: booking.id } }, DEMO_KEYS.PARTNER_2);
    expect(stolen.errors?.[0].extensions).toMatchObject({ code: 'FORBIDDEN', field: 'id' });
    expect((await t.db.query(`SELECT status FROM tour_booking WHERE id = $1`, [booking.id]))[0].status).toBe('BOOKED');

    const cancelled = (await t.ok(CANCEL, { input: { id: booking.id, reason: '都合により' } }, DEMO_KEYS.PARTNER)).cancelTourBooking;
    expect(cancelled).toMatchObject({ status: 'CANCELLED', cancelledBy: 'PARTNER' });
    const twice = (await t.ok(CANCEL, { input: { id: booking.id } }, DEMO_KEYS.PARTNER)).cancelTourBooking;
    expect(twice.cancelledAt).toBe(cancelled.cancelledAt);
    expect((await t.db.query(`SELECT booked_count FROM tour_slot WHERE id = $1`, [slot.id]))[0].booked_count).toBe(0);
    const event = await eventFor(facilitySystem.receiver, facilitySystem.secret, 'jp.hokatsu.tour.cancelled', booking.id);
    expect(event.data).toMatchObject({ status: 'CANCELLED', cancelledBy: 'PARTNER', cancelReason: '都合により' });
  });

  it('a facility cancels a booking, and the partner that booked is told by webhook', async () => {
    const kanaikubo = await facilityNamed(ITABASHI, 'かないくぼ');
    const partnerApp = await endpoint(DEMO_KEYS.PARTNER_2);
    const slot = await publishSlot(kanaikubo.id, 3);
    const booking = (await t.ok(BOOK, { input: { slotId: slot.id, partySize: 1, contactReference: 'p-2', idempotencyKey: `f-${Date.now()}` } }, DEMO_KEYS.PARTNER_2)).bookTour;
    const cancelled = (await t.ok(FACILITY_CANCEL, { input: { id: booking.id, reason: '臨時休園のため' } }, DEMO_KEYS.OPERATOR)).cancelTourBookingByFacility;
    expect(cancelled).toMatchObject({ status: 'CANCELLED', cancelledBy: 'FACILITY', cancelReason: '臨時休園のため' });
    const event = await eventFor(partnerApp.receiver, partnerApp.secret, 'jp.hokatsu.tour.cancelled', booking.id);
    expect(event.data).toMatchObject({ cancelledBy: 'FACILITY', cancelReason: '臨時休園のため', facility: { id: kanaikubo.id } });
  });

  it('cancelling a slot cancels its bookings and tells each partner', async () => {
    const kanaikubo = await facilityNamed(ITABASHI, 'かないくぼ');
    const partnerApp = await endpoint(DEMO_KEYS.PARTNER);
    const slot = await publishSlot(kanaikubo.id, 3);
    const booking = (await t.ok(BOOK, { input: { slotId: slot.id, partySize: 2, contactReference: 'p-3', idempotencyKey: `s-${Date.now()}` } }, DEMO_KEYS.PARTNER)).bookTour;
    const r = await t.ok(`mutation($input: FacilityCancelTourInput!) { cancelTourSlot(input: $input) { id cancelledAt bookedCount remainingPlaces isOpen } }`, { input: { id: slot.id, reason: '行事のため' } }, DEMO_KEYS.OPERATOR);
    expect(r.cancelTourSlot).toMatchObject({ bookedCount: 0, remainingPlaces: 0, isOpen: false });
    const event = await eventFor(partnerApp.receiver, partnerApp.secret, 'jp.hokatsu.tour.cancelled', booking.id);
    expect(event.data.cancelledBy).toBe('FACILITY');
    const refused = await book(slot.id);
    expect(refused.errors?.[0].extensions.code).toBe('TOUR_SLOT_CANCELLED');
  });

  it('keeps operators to their own facilities, and a facility without tours refuses them', async () => {
    const minami = await facilityNamed(ITABASHI, 'みなみ'); // one of the operator's facilities
    const notMine = (await t.ok(FACILITY, { filter: { municipalityCodes: ['131237'] } })).facilities.edges[0].node;
    const forbidden = await t.gql(PUBLISH, { input: { facilityId: notMine.id, slots: [{ startsAt: '2026-12-02T13:00:00+09:00', capacity: 2 }] } }, DEMO_KEYS.OPERATOR);
    expect(forbidden.errors?.[0].extensions).toMatchObject({ code: 'FORBIDDEN', field: 'input.facilityId' });

    const slot = await publishSlot(minami.id, 2);
    const SET = `mutation($f: ID!, $on: Boolean!) { setFacilityTourBookings(facilityId: $f, takesTourBookings: $on) { id takesTourBookings } }`;
    try {
      expect((await t.ok(SET, { f: minami.id, on: false }, DEMO_KEYS.OPERATOR)).setFacilityTourBookings.takesTourBookings).toBe(false);
      const publish = await t.gql(PUBLISH, { input: { facilityId: minami.id, slots: [{ startsAt: '2026-12-02T13:00:00+09:00', capacity: 2 }] } }, DEMO_KEYS.OPERATOR);
      expect(publish.errors?.[0].extensions).toMatchObject({ code: 'TOURS_NOT_ACCEPTED', field: 'input.facilityId' });
      const booking = await book(slot.id);
      expect(booking.errors?.[0].extensions).toMatchObject({ code: 'TOURS_NOT_ACCEPTED', field: 'input.slotId' });
    } finally {
      await t.ok(SET, { f: minami.id, on: true }, DEMO_KEYS.OPERATOR);
    }
  });

  it('pages through a facility’s bookings and a partner’s own bookings without repeats', async () => {
    const kanaikubo = await facilityNamed(ITABASHI, 'かないくぼ');
    const PAGE = `query($f: ID!, $after: String) { tourBookings(facilityId: $f, first: 2, after: $after) { totalCount pageInfo { hasNextPage endCursor } edges { node { id } } } }`;
    const MINE = `query($after: String) { myTourBookings(first: 2, after: $after) { totalCount pageInfo { hasNextPage endCursor } edges { node { id } } } }`;
    const collect = async (query: string, vars: Record<string, unknown>, key: string, field: string) => {
      const ids: string[] = [];
      let after: string | null = null;
      let total = 0;
      do {
        const page: any = (await t.ok(query, { ...vars, after }, key))[field];
        total = page.totalCount;
        ids.push(...page.edges.map((e: any) => e.node.id));
        after = page.pageInfo.hasNextPage ? page.pageInfo.endCursor : null;
      } while (after);
      return { ids, total };
    };
    const facilityPages = await collect(PAGE, { f: kanaikubo.id }, DEMO_KEYS.OPERATOR, 'tourBookings');
    expect(facilityPages.ids.length).toBeGreaterThan(2);
    expect(new Set(facilityPages.ids).size).toBe(facilityPages.total);
    expect(facilityPages.ids.length).toBe(facilityPages.total);
    const mine = await collect(MINE, {}, DEMO_KEYS.PARTNER, 'myTourBookings');
    expect(new Set(mine.ids).size).toBe(mine.total);
    expect(mine.ids.length).toBe(mine.total);
  });

  it('refuses publishing below the places booked and in the past, naming the field', async () => {
    const kanaikubo = await facilityNamed(ITABASHI, 'かないくぼ');
    const slot = await publishSlot(kanaikubo.id, 3, '2026-12-04T13:30:00+09:00');
    await t.ok(BOOK, { input: { slotId: slot.id, partySize: 2, contactReference: 'p-4', idempotencyKey: `p-${Date.now()}` } }, DEMO_KEYS.PARTNER);
    const shrink = await t.gql(PUBLISH, { input: { facilityId: kanaikubo.id, slots: [{ startsAt: '2026-12-04T13:30:00+09:00', capacity: 1 }] } }, DEMO_KEYS.OPERATOR);
    expect(shrink.errors?.[0].extensions).toMatchObject({ code: 'TOUR_SLOT_CAPACITY_BELOW_BOOKINGS', field: 'input.slots[0].capacity' });
    const grown = await t.ok(PUBLISH, { input: { facilityId: kanaikubo.id, slots: [{ startsAt: '2026-12-04T13:30:00+09:00', capacity: 6 }] } }, DEMO_KEYS.OPERATOR);
    expect(grown.publishTourSlots[0]).toMatchObject({ id: slot.id, capacity: 6, bookedCount: 2 });
    const past = await t.gql(PUBLISH, { input: { facilityId: kanaikubo.id, slots: [{ startsAt: '2026-11-24T13:30:00+09:00', capacity: 1 }] } }, DEMO_KEYS.OPERATOR);
    expect(past.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.slots[0].startsAt' });
  });
});

describeWithRealPostgres('overbooking race (real concurrent connections)', () => {
  it('20 partners booking the last 3 places at once: exactly 3 win, nobody is lost, nothing is oversold', async () => {
    const kanaikubo = await facilityNamed(ITABASHI, 'かないくぼ');
    const slot = await publishSlot(kanaikubo.id, 3, '2026-12-07T16:00:00+09:00');
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        t.gql(BOOK, { input: { slotId: slot.id, partySize: 1, contactReference: `race-${i}`, idempotencyKey: `race-${i}-${Date.now()}` } }, i % 2 ? DEMO_KEYS.PARTNER : DEMO_KEYS.PARTNER_2),
      ),
    );
    const won = results.filter((r) => !r.errors);
    const lost = results.filter((r) => r.errors);
    expect(won).toHaveLength(3);
    expect(lost.map((r) => r.errors![0].extensions.code)).toEqual(Array(17).fill('TOUR_SLOT_FULL'));
    const [slotRow] = await t.db.query(`SELECT booked_count FROM tour_slot WHERE id = $1`, [slot.id]);
    expect(slotRow.booked_count).toBe(3);
    const bookings = await t.db.query(`SELECT id FROM tour_booking WHERE slot_id = $1 AND status = 'BOOKED'`, [slot.id]);
    expect(bookings.map((b: any) => b.id).sort()).toEqual(won.map((r) => r.data.bookTour.id).sort());
  });

  it('two operators publishing the same new slots in opposite orders at once: both succeed (no deadlock), each answered in its own order', async () => {
    const kanaikubo = await facilityNamed(ITABASHI, 'かないくぼ');
    for (let round = 0; round < 3; round++) {
      const starts = Array.from({ length: 30 }, (_, i) => `2027-01-${String(10 + round).padStart(2, '0')}T${String(8 + Math.floor(i / 6)).padStart(2, '0')}:${String((i % 6) * 10).padStart(2, '0')}:00+09:00`);
      const slots = (order: string[]) => order.map((startsAt) => ({ startsAt, capacity: 4, durationMinutes: 10 }));
      const orders = [starts, [...starts].reverse(), starts, [...starts].reverse()];
      const results = await Promise.all(orders.map((order) => t.gql(PUBLISH, { input: { facilityId: kanaikubo.id, slots: slots(order) } }, DEMO_KEYS.OPERATOR)));
      expect(results.map((r) => r.errors ?? [])).toEqual(orders.map(() => []));
      results.forEach((r, i) => expect(r.data.publishTourSlots.map((s: any) => Date.parse(s.startsAt))).toEqual(orders[i].map((at) => Date.parse(at))));
    }
  });

  it('the same idempotency key sent 10 times at once books once', async () => {
    const kanaikubo = await facilityNamed(ITABASHI, 'かないくぼ');
    const slot = await publishSlot(kanaikubo.id, 5, '2026-12-08T16:00:00+09:00');
    const input = { slotId: slot.id, partySize: 1, contactReference: 'same', idempotencyKey: `same-${Date.now()}` };
    const results = await Promise.all(Array.from({ length: 10 }, () => t.gql(BOOK, { input }, DEMO_KEYS.PARTNER)));
    expect(results.filter((r) => r.errors)).toEqual([]);
    expect(new Set(results.map((r) => r.data.bookTour.id)).size).toBe(1);
    const [slotRow] = await t.db.query(`SELECT booked_count FROM tour_slot WHERE id = $1`, [slot.id]);
    expect(slotRow.booked_count).toBe(1);
  });
});
