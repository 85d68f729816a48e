import type { SchoolCalendar } from '../../domain/calendar';
import type { Settings } from '../../config/settings';
import { HomeVisit } from '../../models/case';
import { semesterRange } from '../../reports/visits';

/** A visit counts once it has a record: a pending card click counts when completed. */
export const WITH_RECORD = { $or: [{ pending: false }, { pending: { $exists: false } }] };

/** Visits a teacher recorded in the semester of `now` (二(一)2(3) quota). */
export async function countedVisits(
  cal: SchoolCalendar,
  semesters: Settings['calendar']['semesters'],
  userid: string,
  now: Date,
): Promise<number> {
  const range = semesterRange(cal, semesters, now);
  if (!range) return 0;
  return HomeVisit.countDocuments({
    visitor: userid,
    at: { $gte: range.from, $lt: range.to },
    ...WITH_RECORD,
  });
}
