/**
 * Deadlines are calendar days in Japan; the clock gives instants. Japan has had no daylight saving
 * time since 1951, so a fixed +09:00 offset is exact.
 */
import { IsoDate } from '../common/dates';

const JST_OFFSET_MS = 9 * 60 * 60 * 1000;

/** The calendar day in Japan at `now`: 2026-11-24T15:30Z is already '2026-11-25' in Tokyo. */
export function japanDateOf(now: Date): IsoDate {
  return new Date(now.getTime() + JST_OFFSET_MS).toISOString().slice(0, 10);
}
