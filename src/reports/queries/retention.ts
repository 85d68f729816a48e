import type { ChatContext } from '../../chat/command';
import { GRADE_LABEL, placeOf, type Place } from '../../domain/roster';
import { percent, rollUp, type ClassCounts, type Retention } from '../../domain/retention';
import { ClassCount, type ClassCountRow } from '../../models/class-count';
import { sumCounters } from '../../roster/counts';
import { classNames, schoolNames, scopeFilter, spansSchools } from '../../roster/directory';

/**
 * 巩固率 (二(三)1(4), 1(5)): retention for the sender's scope and the standing "no-dropout"
 * recognition, from the per-class counters summed in the database: one row per school, or per
 * grade plus the classes that lost someone — what the reply shows, never the roster or every
 * class (issue #11).
 */
export async function retention(ctx: ChatContext): Promise<string> {
  const scope = scopeFilter(ctx.actor);
  if (!scope) return NONE;
  const schools = spansSchools(ctx.actor) ? await perSchool(scope) : [];
  if (schools.length > 1) return districtReply(schools);
  const { grades, classes, losing } = await perGrade(scope);
  if (!grades.length) return NONE;
  const [total] = rollUp(grades, () => 'all').values();
  const lines = [headline(total)];
  const byGrade = rollUp(grades, (r) => String(r.grade));
  if (byGrade.size > 1) {
    const ok = [...byGrade].filter(([, r]) => !r.dropped).map(([g]) => GRADE_LABEL[Number(g)]);
    lines.push(clean('年级', ok));
  }
  const byClass = rollUp(losing, (r) => r.classId);
  const cls = await classNames([...byClass.keys()]);
  if (classes === 1) lines.push(byClass.size ? '' : '本班是「无流失生班级」。👍');
  else if (byClass.size)
    lines.push(
      `有流失的班级：${[...byClass].map(([id, r]) => `${cls.get(id) ?? id} ${percent(r)}`).join('、')}`,
    );
  else lines.push(`全部 ${classes} 个班级都是「无流失生班级」。`);
  return lines.filter(Boolean).join('\n');
}

const NONE = '您名下还没有学生。';
const headline = (t: Retention) =>
  `巩固率 ${percent(t)}（在籍 ${t.retained} 人，流失 ${t.dropped} 人）`;
const lost = (r: Retention) => (r.dropped ? `，流失 ${r.dropped} 人` : '');
const clean = (what: string, names: string[]) =>
  names.length ? `无流失生${what}：${names.join('、')}` : `暂无「无流失生${what}」。`;

async function districtReply(rows: ClassCounts[]): Promise<string> {
  const [total] = rollUp(rows, () => 'all').values();
  const bySchool = rollUp(rows, (r) => r.schoolCode);
  const names = await schoolNames([...bySchool.keys()]);
  const name = (code: string) => names.get(code) ?? code;
  const lines = [headline(total)];
  for (const [code, r] of bySchool) lines.push(`· ${name(code)}：${percent(r)}${lost(r)}`);
  lines.push(
    clean(
      '学校',
      [...bySchool].filter(([, r]) => !r.dropped).map(([c]) => name(c)),
    ),
  );
  return lines.join('\n');
}

type Sums = Pick<ClassCountRow, 'enrolled' | 'suspended' | 'droppedOut'>;
/** The counters 巩固率 is made of: retained (enrolled, suspended) and lost. */
export const BASE = ['enrolled', 'suspended', 'droppedOut'] as const;
const counted = (place: Place, r: Sums): ClassCounts => ({
  ...place,
  retained: r.enrolled + r.suspended,
  dropped: r.droppedOut,
});
/** A class, grade or school with nobody retained or lost (all moved away) is not counted. */
const alive = (r: ClassCounts) => r.retained + r.dropped > 0;

/** Retained and lost per school, summed in the database (one row a school). */
async function perSchool(scope: Record<string, unknown>): Promise<ClassCounts[]> {
  const rows = await ClassCount.aggregate<Sums & { _id: string }>([
    { $match: scope },
    sumCounters('$schoolCode', BASE),
  ]);
  return rows.map((r) => counted({ schoolCode: r._id, grade: 0, classId: r._id }, r)).filter(alive);
}

/**
 * One school at most: retained and lost per grade with its number of classes, and the classes
 * that lost someone, in one aggregate (rows told apart by the `classes` accumulator).
 */
async function perGrade(scope: Record<string, unknown>) {
  const rows = await ClassCount.aggregate<
    Partial<ClassCountRow> & Sums & { _id: unknown; classes?: number }
  >([
    // A class counts when someone in it is retained or lost (not all graduated or moved away).
    { $match: { $and: [scope, { $or: BASE.map((f) => ({ [f]: { $gt: 0 } })) }] } },
    { $group: { ...sumCounters('$grade', BASE).$group, classes: { $sum: 1 } } },
    {
      $unionWith: {
        coll: ClassCount.collection.collectionName,
        pipeline: [{ $match: { ...scope, droppedOut: { $gt: 0 } } }],
      },
    },
  ]);
  const gradeRows = rows.filter((r) => r.classes !== undefined);
  const grades = gradeRows
    .map((r) => counted({ schoolCode: '', grade: Number(r._id), classId: '' }, r))
    .filter(alive);
  const losing = rows
    .filter((r) => r.classes === undefined && r.classId)
    .map((r) => counted(placeOf(r as ClassCountRow), r));
  const classes = gradeRows.reduce((n, r) => n + (r.classes ?? 0), 0);
  return { grades, classes, losing };
}
