import { DateTime } from 'luxon';
import type { SchoolCalendar } from '../domain/calendar';
import { HomeVisit } from '../models/case';
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

/** Home visits a teacher recorded this semester (counted against the quota, 二(一)2(3)). */
export async function visitsThisSemester(
  cal: SchoolCalendar,
  semesters: { name: string; start: string; end: string }[],
  userid: string,
  now: Date,
): Promise<number> {
  const range = semesterRange(cal, semesters, now);
  if (!range) return 0;
  return HomeVisit.countDocuments({ visitor: userid, at: { $gte: range.from, $lt: range.to } });
}
