import type { ChatContext } from '../../chat/command';
import { GRADE_LABEL, placeOf } from '../../domain/roster';
import { percent, rollUp, type ClassCounts, type Retention } from '../../domain/retention';
import { ClassCount, type ClassCountRow } from '../../models/class-count';
import { classNames, schoolNames, scopeFilter, spansSchools } from '../../roster/directory';

/**
 * 巩固率 (二(三)1(4), 1(5)): retention for the sender's scope and the standing "no-dropout"
 * recognition, counted per class in the database and rolled up (never the roster loaded).
 */
export async function retention(ctx: ChatContext): Promise<string> {
  const rows = await classCounts(ctx);
  if (!rows.length) return '您名下还没有学生。';
  const [total] = rollUp(rows, () => 'all').values();
  const lines = [`巩固率 ${percent(total)}（在籍 ${total.retained} 人，流失 ${total.dropped} 人）`];
  const bySchool = rollUp(rows, (r) => r.schoolCode);
  if (bySchool.size > 1) {
    const names = await schoolNames([...bySchool.keys()]);
    const name = (code: string) => names.get(code) ?? code;
    for (const [code, r] of bySchool) lines.push(`· ${name(code)}：${percent(r)}${lost(r)}`);
    lines.push(
      clean(
        '学校',
        [...bySchool].filter(([, r]) => !r.dropped).map(([c]) => name(c)),
      ),
    );
    return lines.join('\n');
  }
  const byGrade = rollUp(rows, (r) => String(r.grade));
  if (byGrade.size > 1) {
    const ok = [...byGrade].filter(([, r]) => !r.dropped).map(([g]) => GRADE_LABEL[Number(g)]);
    lines.push(clean('年级', ok));
  }
  const byClass = rollUp(rows, (r) => r.classId);
  const losing = [...byClass].filter(([, r]) => r.dropped > 0);
  const cls = await classNames(losing.map(([id]) => id));
  if (byClass.size === 1) lines.push(losing.length ? '' : '本班是「无流失生班级」。👍');
  else if (losing.length)
    lines.push(
      `有流失的班级：${losing.map(([id, r]) => `${cls.get(id) ?? id} ${percent(r)}`).join('、')}`,
    );
  else lines.push(`全部 ${byClass.size} 个班级都是「无流失生班级」。`);
  return lines.filter(Boolean).join('\n');
}

const lost = (r: Retention) => (r.dropped ? `，流失 ${r.dropped} 人` : '');
const clean = (what: string, names: string[]) =>
  names.length ? `无流失生${what}：${names.join('、')}` : `暂无「无流失生${what}」。`;

/**
 * Retained (enrolled or suspended) and dropped per class from the per-class counters — or per
 * school, summed in the database, when the scope spans several schools (one row a school).
 */
async function classCounts(ctx: ChatContext): Promise<ClassCounts[]> {
  const scope = scopeFilter(ctx.actor);
  if (!scope) return [];
  const retained = (r: Sums) => r.enrolled + r.suspended;
  if (!spansSchools(ctx.actor)) {
    const rows = await ClassCount.find(scope).lean<ClassCountRow[]>();
    return rows
      .map((r) => ({ ...placeOf(r), retained: retained(r), dropped: r.droppedOut }))
      .filter((r) => r.retained + r.dropped > 0); // a class with nobody left is not counted
  }
  const rows = await ClassCount.aggregate<Sums & { _id: string }>([
    { $match: scope },
    {
      $group: {
        _id: '$schoolCode',
        enrolled: { $sum: '$enrolled' },
        suspended: { $sum: '$suspended' },
        droppedOut: { $sum: '$droppedOut' },
      },
    },
  ]);
  return rows
    .map((r) => ({
      schoolCode: r._id,
      grade: 0,
      classId: r._id,
      retained: retained(r),
      dropped: r.droppedOut,
    }))
    .filter((r) => r.retained + r.dropped > 0);
}

type Sums = Pick<ClassCountRow, 'enrolled' | 'suspended' | 'droppedOut'>;
