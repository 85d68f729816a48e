import { DateTime } from 'luxon';
import type { SchoolCalendar } from '../domain/calendar';
import { fromIsoDay, isoDay } from '../lib/time';

/** The current semester (or the last one ended), as a time range. */
export function semesterRange(
  cal: SchoolCalendar,
  semesters: { name: string; start: string; end: string }[],
  now: Date,
): { from: Date; to: Date; name: string } | undefined {
  const day = isoDay(now);
  const sem = cal.semesterOf(day) ?? [...semesters].reverse().find((s) => s.end < day);
  return sem
    ? {
        from: fromIsoDay(sem.start),
        to: fromIsoDay(DateTime.fromISO(sem.end).plus({ days: 1 }).toISODate()!),
        name: sem.name,
      }
    : undefined;
}
