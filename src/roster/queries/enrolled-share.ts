import { Student } from '../../models/roster';

type Count = { _id: string | number; n: number };
export interface Share {
  key: string;
  done: number;
  of: number;
}

/**
 * Enrolled students in `scope` per `key` (schoolCode, grade or classId), and how many of them are
 * among `doneNos`: counted in the database. Transferred students (no longer enrolled) drop off
 * both sides. Sorted by key.
 */
export async function enrolledShare(
  scope: Record<string, unknown>,
  key: string,
  doneNos: string[],
): Promise<Share[]> {
  const [enrolled, done] = await Promise.all([
    Student.aggregate<Count>([
      { $match: { ...scope, status: 'enrolled' } },
      { $group: { _id: `$${key}`, n: { $sum: 1 } } },
    ]),
    Student.aggregate<Count>([
      { $match: { ...scope, status: 'enrolled', studentNo: { $in: doneNos } } },
      { $group: { _id: `$${key}`, n: { $sum: 1 } } },
    ]),
  ]);
  const d = new Map(done.map((r) => [String(r._id), r.n]));
  return enrolled
    .map((r) => ({ key: String(r._id), done: d.get(String(r._id)) ?? 0, of: r.n }))
    .sort((a, b) => a.key.localeCompare(b.key));
}
