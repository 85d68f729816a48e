import { Case, Duty } from '../../models/case';

/** Since when a duty is overdue: a check asked again counts from the first one missed. */
export const overdueFrom = (d: { dueAt: Date; overdueSince?: Date | null }): Date =>
  d.overdueSince ?? d.dueAt;

/**
 * Which duties are overdue, one definition for chat (逾期, 概况, 待办's digest) and the
 * dashboard: duties of an open case that were missed, or are still open past their deadline.
 * A closed case's duties are history, not overdue (`caseOpen`, kept by every sync). A `duties`
 * filter, so counts stay in the database; `scope` is a filter on schoolCode/grade/classId.
 */
export function overdueFilter(scope: Record<string, unknown>, now: Date): Record<string, unknown> {
  // Under $and: the scope is itself an $or (one branch per role), which a spread would replace.
  return { ...scope, caseOpen: true, $and: [overdueClause(now)] };
}

/**
 * Start-up, for duties written before they carried `caseOpen`: copies it from their cases
 * (legacy rows only; one find when there are none).
 */
export async function ensureDutyCaseOpen(): Promise<number> {
  const legacy = { caseOpen: { $exists: false } };
  if (!(await Duty.findOne(legacy).lean())) return 0;
  const ids = await Duty.aggregate<{ _id: string }>([
    { $match: legacy },
    { $group: { _id: '$caseId', n: { $sum: 1 } } },
  ]);
  const closed = await Case.find({ caseId: { $in: ids.map((r) => r._id) }, open: false }).lean();
  const shut = closed.map((c) => c.caseId);
  await Duty.updateMany({ ...legacy, caseId: { $in: shut } }, { $set: { caseOpen: false } });
  const res = await Duty.updateMany(legacy, { $set: { caseOpen: true } });
  return shut.length + res.modifiedCount;
}

/** The status part of the overdue filter (also matched inside 概况's single aggregate). */
export function overdueClause(now: Date): Record<string, unknown> {
  return {
    $or: [
      { status: 'missed' },
      { status: 'open', dueAt: { $lt: now } },
      // A check asked again: overdue since the first unanswered one (sim.ts askAgain).
      { status: 'open', overdueSince: { $lt: now } },
    ],
  };
}
