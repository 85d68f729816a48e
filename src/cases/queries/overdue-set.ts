import { Case, Duty, type DutyRow } from '../../models/case';

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
 * Start-up: `caseOpen` on duties made right — copied from their cases for duties written before
 * they carried it, and turned off on the live duties of a case that closed (a crash between the
 * case's write and its duties' would otherwise leave them overdue for good: a closed case is not
 * synced again). A few reads when there is nothing to do.
 */
export async function ensureDutyCaseOpen(): Promise<number> {
  const legacy = { caseOpen: { $exists: false } };
  const live = { caseOpen: true, status: { $in: ['open', 'missed'] as DutyRow['status'][] } };
  const caseIds = async (match: Record<string, unknown>) =>
    (
      await Duty.aggregate<{ _id: string }>([
        { $match: match },
        { $group: { _id: '$caseId', n: { $sum: 1 } } },
      ])
    ).map((r) => r._id);
  const old = await caseIds(legacy);
  const ids = [...new Set([...old, ...(await caseIds(live))])];
  const closed = ids.length ? await Case.find({ caseId: { $in: ids }, open: false }).lean() : [];
  if (!old.length && !closed.length) return 0; // the usual start-up: nothing to mend
  const shut = { caseId: { $in: closed.map((c) => c.caseId) } };
  const off = await Duty.updateMany(
    { ...shut, $or: [legacy, live] },
    { $set: { caseOpen: false } },
  );
  const on = await Duty.updateMany(legacy, { $set: { caseOpen: true } });
  return off.modifiedCount + on.modifiedCount;
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
