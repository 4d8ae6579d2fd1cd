/**
 * Vacancy rules as pure functions: which of the two sources a cell shows, how fresh a figure is,
 * when a change "opens" seats, and the geometry of "near". No Nest, no database, no clock.
 */
import { VacancyFigureKind } from './vacancy-figure-kind';

export enum VacancySide {
  /** the facility operator's own update (施設からの更新) */
  OPERATOR = 'OPERATOR',
  /** the municipality's published list (自治体の公表値) */
  MUNICIPALITY = 'MUNICIPALITY',
}

/** Where a figure came from: an operator through the API, a municipality's own feed/upload, or a file import (CLI, admin, demo). */
export enum VacancySource {
  OPERATOR = 'OPERATOR',
  MUNICIPALITY_FEED = 'MUNICIPALITY_FEED',
  IMPORT = 'IMPORT',
}

export enum VacancyFreshness {
  /** as of at most 7 days ago */
  FRESH = 'FRESH',
  /** 8–31 days */
  RECENT = 'RECENT',
  /** older than 31 days: treat with care */
  STALE = 'STALE',
}

/** What one side says about one cell. seats null = no class of this age. */
export interface SideFigure {
  seats: number | null;
  figureKind: VacancyFigureKind;
  asOf: Date;
  source: VacancySource;
  setBy: string | null;
}

/**
 * Which figure wins when an operator and a municipality disagree on the same cell:
 *
 *   the operator's figure wins if and only if it is strictly newer than the municipality's as-of;
 *   otherwise the municipality's published figure wins (it is the official one for the intake).
 *
 * So an operator's update after the list's date is shown at once (it is fresher), and the next list
 * the municipality publishes (dated after that update) takes over again. A tie goes to the
 * municipality. With one side only, that side is shown; with none, there is no figure.
 */
export function chooseVacancySide(operator: Pick<SideFigure, 'asOf'> | null, municipality: Pick<SideFigure, 'asOf'> | null): VacancySide | null {
  if (!operator) return municipality ? VacancySide.MUNICIPALITY : null;
  if (!municipality) return VacancySide.OPERATOR;
  return operator.asOf.getTime() > municipality.asOf.getTime() ? VacancySide.OPERATOR : VacancySide.MUNICIPALITY;
}

/** True when a change makes seats appear: from 0, "no class" or no figure at all, to more than 0. */
export function opensSeats(before: number | null | undefined, after: number | null | undefined): boolean {
  return (after ?? 0) > 0 && (before ?? 0) === 0;
}

// The same two rules as SQL expressions, for the set-based writer (vacancy-writer.ts), which applies
// them to whole files inside PostgreSQL. They MUST say exactly what the functions above say; the
// integration test "the SQL rules agree with the pure functions" runs a table of cases through the
// import path and checks every stored cell against chooseVacancySide and opensSeats.

/** chooseVacancySide in SQL: the operator wins iff its as-of is strictly newer; a tie goes to the municipality; one side alone wins; arguments are the two sides' as-of (NULL = no figure on that side). */
export function chooseVacancySideSql(operatorAsOf: string, municipalityAsOf: string): string {
  return `(CASE WHEN ${operatorAsOf} IS NULL THEN (CASE WHEN ${municipalityAsOf} IS NULL THEN NULL ELSE 'MUNICIPALITY' END)
               WHEN ${municipalityAsOf} IS NULL THEN 'OPERATOR'
               WHEN ${operatorAsOf} > ${municipalityAsOf} THEN 'OPERATOR' ELSE 'MUNICIPALITY' END)::vacancy_side`;
}

/** opensSeats in SQL. */
export function opensSeatsSql(before: string, after: string): string {
  return `(coalesce(${after}, 0) > 0 AND coalesce(${before}, 0) = 0)`;
}

/**
 * The cells of a refused save that are not at the version the caller based them on, judged against
 * the figures as they are now (read after the refusal): a cell with no figure is at version 0. Every
 * such cell is named, in the caller's order, so the caller can re-read and merge them all at once.
 */
export function staleVersions(cells: ReadonlyArray<{ classAge: number; expectedVersion: number }>, current: ReadonlyArray<{ classAge: number; version: number }>): Array<{ classAge: number; expectedVersion: number; actualVersion: number }> {
  const versionOf = new Map(current.map((c) => [c.classAge, c.version]));
  return cells
    .map((c) => ({ classAge: c.classAge, expectedVersion: c.expectedVersion, actualVersion: versionOf.get(c.classAge) ?? 0 }))
    .filter((c) => c.expectedVersion !== c.actualVersion);
}

export const DAY_MS = 86_400_000;

/** Whole days between the figure's as-of and now (never negative), and what that means for a parent. */
export function vacancyFreshness(asOf: Date, now: Date): { ageInDays: number; freshness: VacancyFreshness } {
  const ageInDays = Math.max(0, Math.floor((now.getTime() - asOf.getTime()) / DAY_MS));
  const freshness = ageInDays <= 7 ? VacancyFreshness.FRESH : ageInDays <= 31 ? VacancyFreshness.RECENT : VacancyFreshness.STALE;
  return { ageInDays, freshness };
}

/** A list's date ('YYYY-MM-DD') as the instant it starts in Japan. */
export function listDateToInstant(date: string): Date {
  return new Date(`${date}T00:00:00+09:00`);
}


// ---------------------------------------------------------------------------------------------
// Geometry: a bounding box on indexed latitude/longitude first, then the exact great-circle distance.

/** Mean Earth radius (IUGG), metres; the same constant is used in the SQL of vacancySearch. */
export const EARTH_RADIUS_M = 6_371_008.8;

export function haversineMeters(lat1: number, lng1: number, lat2: number, lng2: number): number {
  const rad = Math.PI / 180;
  const a = Math.sin(((lat2 - lat1) * rad) / 2) ** 2 + Math.cos(lat1 * rad) * Math.cos(lat2 * rad) * Math.sin(((lng2 - lng1) * rad) / 2) ** 2;
  return 2 * EARTH_RADIUS_M * Math.asin(Math.min(1, Math.sqrt(a)));
}

/** A box that contains every point within radiusMeters of (lat, lng); longitudes span the whole world near the poles. */
export function boundingBox(lat: number, lng: number, radiusMeters: number): { minLat: number; maxLat: number; minLng: number; maxLng: number } {
  const dLat = (radiusMeters / EARTH_RADIUS_M) * (180 / Math.PI);
  const cos = Math.cos((Math.min(89.9, Math.abs(lat) + dLat) * Math.PI) / 180);
  const dLng = Math.min(180, dLat / Math.max(cos, 1e-6));
  return { minLat: lat - dLat, maxLat: lat + dLat, minLng: dLng >= 180 ? -180 : lng - dLng, maxLng: dLng >= 180 ? 180 : lng + dLng };
}

// ---------------------------------------------------------------------------------------------
// Watches

export interface WatchTarget {
  classAge: number;
  intakeMonth: string;
  facilityIds: string[] | null;
  municipalityCode: string | null;
  latitude: number | null;
  longitude: number | null;
  radiusMeters: number | null;
}

export interface OpenedCell {
  facilityId: string;
  municipalityCode: string;
  classAge: number;
  intakeMonth: string;
  latitude: number | null;
  longitude: number | null;
}

/**
 * Does a cell that just opened concern this watch? Same class age and month, and either one of the
 * watched facilities, or a facility of the watched municipality (within the radius when a point is
 * given; a facility without coordinates is then outside, as its distance is unknown).
 */
export function watchMatches(watch: WatchTarget, cell: OpenedCell): boolean {
  if (watch.classAge !== cell.classAge || watch.intakeMonth !== cell.intakeMonth) return false;
  if (watch.facilityIds) return watch.facilityIds.includes(cell.facilityId);
  if (watch.municipalityCode !== cell.municipalityCode) return false;
  if (watch.latitude === null || watch.longitude === null || watch.radiusMeters === null) return true;
  if (cell.latitude === null || cell.longitude === null) return false;
  return haversineMeters(watch.latitude, watch.longitude, cell.latitude, cell.longitude) <= watch.radiusMeters;
}
