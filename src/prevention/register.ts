import { responsibleAt } from '../domain/chain';
import { contactDue, lapseOf } from '../domain/prevention';
import type { StudentLike } from '../domain/roster';
import type { Settings } from '../config/settings';
import { AtRisk, type AtRiskRow } from '../models/prevention';
import { Student } from '../models/roster';
import { chainOf, staffNames } from '../roster/directory';
import { recountClasses } from '../roster/counts';
import { placeOf } from '../domain/roster';

/**
 * The at-risk register (二(一)2(2)) as the truth about the flag. Helpers shared by the
 * operations: who owns a student (双包保), the copy on `students`, the rhythm's times.
 */
export interface Owners {
  heads: string[];
  leader: string[];
  /** The grade leader stands in until the deputy names the second owner. */
  standIn: boolean;
}

export async function ownersOf(student: StudentLike, row: AtRiskRow | null): Promise<Owners> {
  const chain = await chainOf(student);
  const heads = responsibleAt(chain, 'headTeacher').userids;
  if (row?.leader) return { heads, leader: [row.leader], standIn: false };
  return { heads, leader: responsibleAt(chain, 'gradeLeader').userids, standIn: true };
}

export const allOwners = (o: Owners): string[] => [...new Set([...o.heads, ...o.leader])];

/** "班主任 闫静，包保领导 王强（年级组长暂代）" */
export async function describeOwners(o: Owners): Promise<string> {
  const names = await staffNames(allOwners(o));
  const who = (ids: string[]) => ids.map((u) => names.get(u) ?? u).join('、') || '（空缺）';
  return `班主任 ${who(o.heads)}，包保领导 ${who(o.leader)}${o.standIn ? '（年级组长暂代，待分管领导指定）' : ''}`;
}

export async function registered(studentNo: string): Promise<AtRiskRow | null> {
  return AtRisk.findOne({ studentNo }).lean();
}

/** The copy the older readers use (the ladder's 双包保 leader, 查, 我的学生, 概况). */
export async function mirror(
  student: Pick<StudentLike, 'studentNo' | 'classId'>,
  on: boolean,
  leader?: string | null,
) {
  await Student.updateOne(
    { studentNo: student.studentNo },
    { $set: { atRisk: on, atRiskLeader: on ? (leader ?? null) : null } },
  );
  await recountClasses([student.classId]);
}

/** The rhythm's next times after a contact (or the confirmation) at `since`. */
export function rhythmFrom(since: Date, cfg: Settings['prevention']) {
  const contactDueAt = contactDue(since, cfg.contactEveryDays);
  return { contactDueAt, lapseAt: null, wakeAt: contactDueAt };
}

export function lapseAfter(due: Date, cfg: Settings['prevention']): Date {
  return lapseOf(due, cfg.lapseAfterDays);
}

/**
 * Students flagged by an import with no register row get one (source 'import'), so the
 * register is the one list; a removed chat row is never revived by the flag.
 */
export async function adoptImported(
  scope: Record<string, unknown>,
  now: Date,
  cfg: Settings['prevention'],
) {
  const flagged = await Student.find({ ...scope, atRisk: true, status: 'enrolled' }).lean();
  if (!flagged.length) return;
  const known = await AtRisk.find({ studentNo: { $in: flagged.map((s) => s.studentNo) } }).lean();
  const have = new Set(known.map((r) => r.studentNo));
  const rows: AtRiskRow[] = flagged
    .filter((s) => !have.has(s.studentNo))
    .map((s) => ({
      studentNo: s.studentNo,
      ...placeOf(s),
      status: 'confirmed',
      source: 'import',
      reasons: ['花名册导入'],
      proposedBy: 'import',
      proposedAt: now,
      confirmedBy: 'import',
      confirmedAt: now,
      leader: s.atRiskLeader ?? null,
      ...rhythmFrom(now, cfg),
    }));
  if (!rows.length) return;
  try {
    await AtRisk.insertMany(rows, { ordered: false });
  } catch {
    // Another request adopted the same students first: the unique index keeps one row each.
  }
}
