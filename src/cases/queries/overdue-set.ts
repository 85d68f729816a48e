import { Case, type CaseRow } from '../../models/case';

/** Since when a duty is overdue: a check asked again counts from the first one missed. */
export const overdueFrom = (d: { dueAt: Date; overdueSince?: Date | null }): Date =>
  d.overdueSince ?? d.dueAt;

/**
 * Which duties are overdue, one definition for chat (逾期, 概况, 待办's digest) and the
 * dashboard: duties of an open case that were missed, or are still open past their deadline.
 * A closed case's duties are history, not overdue. Returns a `duties` filter (so counts stay in
 * the database); `scope` is a filter on schoolCode/grade/classId.
 */
export async function overdueFilter(
  scope: Record<string, unknown>,
  now: Date,
): Promise<Record<string, unknown>> {
  const open = await Case.find({ ...scope, open: true }).lean<CaseRow[]>();
  return {
    ...scope,
    caseId: { $in: open.map((c) => c.caseId) },
    ...overdueClause(now),
  };
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
