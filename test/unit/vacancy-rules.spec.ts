import { isYearMonth } from '../../src/common/dates';
import {
  boundingBox,
  chooseVacancySide,
  haversineMeters,
  listDateToInstant,
  opensSeats,
  staleVersions,
  vacancyFreshness,
  VacancyFreshness,
  VacancySide,
  watchMatches,
} from '../../src/vacancies/vacancy-rules';

const at = (s: string) => ({ asOf: new Date(s) });

describe('chooseVacancySide: which figure wins', () => {
  it.each([
    ['no figure at all', null, null, null],
    ['only the municipality published', null, at('2026-08-01T00:00:00+09:00'), VacancySide.MUNICIPALITY],
    ['only the operator said', at('2026-08-05T10:00:00+09:00'), null, VacancySide.OPERATOR],
    ['operator updated after the list date: fresher', at('2026-08-05T10:00:00+09:00'), at('2026-08-01T00:00:00+09:00'), VacancySide.OPERATOR],
    ['a newer municipality list supersedes the operator', at('2026-08-05T10:00:00+09:00'), at('2026-09-01T00:00:00+09:00'), VacancySide.MUNICIPALITY],
    ['a tie goes to the official list', at('2026-08-01T00:00:00+09:00'), at('2026-08-01T00:00:00+09:00'), VacancySide.MUNICIPALITY],
    ['one millisecond later is newer', at('2026-08-01T00:00:00.001+09:00'), at('2026-08-01T00:00:00+09:00'), VacancySide.OPERATOR],
  ])('%s', (_label, operator, municipality, expected) => {
    expect(chooseVacancySide(operator, municipality)).toBe(expected);
  });
});

describe('opensSeats', () => {
  it.each([
    [0, 1, true],
    [null, 3, true],
    [undefined, 1, true],
    [2, 3, false],
    [1, 0, false],
    [0, 0, false],
    [null, null, false],
    [0, null, false],
  ])('%p → %p opens: %p', (before, after, expected) => {
    expect(opensSeats(before, after)).toBe(expected);
  });
});

describe('staleVersions: the cells of a refused save, judged against the current figures', () => {
  const v = (classAge: number, version: number) => ({ classAge, version });
  const e = (classAge: number, expectedVersion: number) => ({ classAge, expectedVersion });
  it.each([
    ['all current', [e(1, 2), e(2, 0)], [v(1, 2)], []],
    ['a new cell someone else created', [e(1, 0)], [v(1, 1)], [{ classAge: 1, expectedVersion: 0, actualVersion: 1 }]],
    ['two cells created concurrently: both named, in the caller order', [e(3, 0), e(1, 0), e(2, 4)], [v(1, 1), v(2, 4), v(3, 1)],
      [{ classAge: 3, expectedVersion: 0, actualVersion: 1 }, { classAge: 1, expectedVersion: 0, actualVersion: 1 }]],
    ['a cell that moved on', [e(4, 2)], [v(4, 5)], [{ classAge: 4, expectedVersion: 2, actualVersion: 5 }]],
    ['a version from the future is stale too', [e(0, 3)], [v(0, 1)], [{ classAge: 0, expectedVersion: 3, actualVersion: 1 }]],
    ['a cell that has no figure any more is at version 0', [e(5, 1)], [], [{ classAge: 5, expectedVersion: 1, actualVersion: 0 }]],
    ['figures of other ages do not matter', [e(0, 0)], [v(1, 7), v(2, 3)], []],
  ])('%s', (_label, cells, current, expected) => {
    expect(staleVersions(cells, current)).toEqual(expected);
  });
});

describe('vacancyFreshness', () => {
  const now = new Date('2026-09-01T12:00:00+09:00');
  it.each([
    ['2026-09-01T11:00:00+09:00', 0, VacancyFreshness.FRESH],
    ['2026-08-25T12:00:00+09:00', 7, VacancyFreshness.FRESH],
    ['2026-08-24T11:59:00+09:00', 8, VacancyFreshness.RECENT],
    ['2026-08-01T12:00:00+09:00', 31, VacancyFreshness.RECENT],
    ['2026-07-31T12:00:00+09:00', 32, VacancyFreshness.STALE],
    ['2026-09-02T00:00:00+09:00', 0, VacancyFreshness.FRESH],
  ])('as of %s: %i days, %s', (asOf, days, freshness) => {
    expect(vacancyFreshness(new Date(asOf), now)).toEqual({ ageInDays: days, freshness });
  });
});

describe('dates and months', () => {
  it('reads a list date as the start of that day in Japan', () => {
    expect(listDateToInstant('2026-08-01').toISOString()).toBe('2026-07-31T15:00:00.000Z');
  });
  it.each([
    ['2026-10', true],
    ['2026-1', false],
    ['2026-13', false],
    ['2026-00', false],
    ['26-10', false],
  ])('%s is an intake month: %p', (m, ok) => expect(isYearMonth(m)).toBe(ok));
});

describe('geometry', () => {
  it('measures Tokyo station to Shinjuku station at about 6.2 km', () => {
    expect(haversineMeters(35.681236, 139.767125, 35.690921, 139.700258)).toBeGreaterThan(6000);
    expect(haversineMeters(35.681236, 139.767125, 35.690921, 139.700258)).toBeLessThan(6300);
  });
  it.each([
    [35.68, 139.76, 1000],
    [35.68, 139.76, 50_000],
    [43.06, 141.35, 5000],
    [-33.9, 151.2, 2000],
  ])('a box around (%p, %p) r=%p contains every point at that distance', (lat, lng, r) => {
    const box = boundingBox(lat, lng, r);
    for (let bearing = 0; bearing < 360; bearing += 15) {
      // a point at distance r*0.999 in that bearing (small-distance approximation)
      const b = (bearing * Math.PI) / 180;
      const dLat = ((r * 0.999 * Math.cos(b)) / 6_371_008.8) * (180 / Math.PI);
      const dLng = ((r * 0.999 * Math.sin(b)) / (6_371_008.8 * Math.cos((lat * Math.PI) / 180))) * (180 / Math.PI);
      const p = { lat: lat + dLat, lng: lng + dLng };
      expect(p.lat).toBeGreaterThanOrEqual(box.minLat);
      expect(p.lat).toBeLessThanOrEqual(box.maxLat);
      expect(p.lng).toBeGreaterThanOrEqual(box.minLng);
      expect(p.lng).toBeLessThanOrEqual(box.maxLng);
    }
  });
});

describe('watchMatches', () => {
  const cell = { facilityId: 'f1', municipalityCode: '131199', classAge: 1, intakeMonth: '2026-10', latitude: 35.75, longitude: 139.7 };
  const base = { classAge: 1, intakeMonth: '2026-10', facilityIds: null, municipalityCode: null, latitude: null, longitude: null, radiusMeters: null };
  it.each([
    ['a watched facility', { ...base, facilityIds: ['f0', 'f1'] }, cell, true],
    ['another facility', { ...base, facilityIds: ['f2'] }, cell, false],
    ['another class age', { ...base, classAge: 2, facilityIds: ['f1'] }, cell, false],
    ['another month', { ...base, intakeMonth: '2026-11', facilityIds: ['f1'] }, cell, false],
    ['the whole municipality', { ...base, municipalityCode: '131199' }, cell, true],
    ['another municipality', { ...base, municipalityCode: '131211' }, cell, false],
    ['within the radius', { ...base, municipalityCode: '131199', latitude: 35.751, longitude: 139.7, radiusMeters: 500 }, cell, true],
    ['outside the radius', { ...base, municipalityCode: '131199', latitude: 35.76, longitude: 139.7, radiusMeters: 500 }, cell, false],
    ['a facility without coordinates is outside any radius', { ...base, municipalityCode: '131199', latitude: 35.75, longitude: 139.7, radiusMeters: 500 }, { ...cell, latitude: null, longitude: null }, false],
  ])('%s', (_label, watch, c, expected) => {
    expect(watchMatches(watch, c)).toBe(expected);
  });
});
