import type { SchoolCalendar } from '../../domain/calendar';
import type { Settings } from '../../config/settings';
import { HomeVisit } from '../../models/case';
import { semesterRange } from '../../reports/visits';
import { visitQuota } from '../../domain/reports';

/**
 * What counts as a home visit (二(一)2(3) quota), one rule for every reply, push and page:
 * every visit a teacher made in the semester, a card click 「已家访」 included from the click
 * on (a pending visit, its record to follow). It is counted once: the next 「家访」 completes
 * the same row instead of adding one.
 */
export function visitsIn(range: { from: Date; to: Date }): Record<string, unknown> {
  return { at: { $gte: range.from, $lt: range.to } };
}

/** Visits a teacher made in the semester of `now` (二(一)2(3) quota). */
export async function countedVisits(
  cal: SchoolCalendar,
  semesters: Settings['calendar']['semesters'],
  userid: string,
  now: Date,
): Promise<number> {
  const range = semesterRange(cal, semesters, now);
  if (!range) return 0;
  return HomeVisit.countDocuments({ visitor: userid, ...visitsIn(range) });
}

/** A teacher's semester quota (0: none) and the visits counted toward it, at `now`. */
export async function visitTally(
  s: { cal: SchoolCalendar; settings: Settings },
  teacher: { userid: string; roles: { role: string }[] },
  now: Date,
): Promise<{ quota: number; done: number }> {
  const quota = visitQuota(teacher.roles, s.settings.quotas);
  const done = await countedVisits(s.cal, s.settings.calendar.semesters, teacher.userid, now);
  return { quota, done };
}

/** The same count for many teachers at once (one `$group`): userid → visits. */
export async function visitsByVisitor(
  userids: string[],
  range: { from: Date; to: Date },
): Promise<Map<string, number>> {
  const rows = await HomeVisit.aggregate<{ _id: string; n: number }>([
    { $match: { visitor: { $in: userids }, ...visitsIn(range) } },
    { $group: { _id: '$visitor', n: { $sum: 1 } } },
  ]);
  return new Map(rows.map((r) => [r._id, r.n]));
}
