import { Case, Duty } from '../models/case';

/**
 * A student renamed by an import: the name cases and duties carry for the lists (待办, 逾期, 案件)
 * follows at once, not at the case's next sync — a list must never show a child under a name
 * the roster no longer has (namesake tails are decided on the name shown). One bulkWrite per
 * collection per 1,000 students.
 */
export async function renameInViews(students: { studentNo: string; name: string }[]) {
  for (let i = 0; i < students.length; i += 1000) {
    const ops = students.slice(i, i + 1000).map((s) => ({
      updateMany: { filter: { studentNo: s.studentNo }, update: { $set: { name: s.name } } },
    }));
    await Case.bulkWrite(ops, { ordered: false });
    await Duty.bulkWrite(ops, { ordered: false });
  }
}
