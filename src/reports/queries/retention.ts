import type { ChatContext } from '../../chat/command';
import { GRADE_LABEL } from '../../domain/roster';
import { percent, rollUp, type ClassCounts, type Retention } from '../../domain/retention';
import { School, SchoolClass, Student, type ClassRow, type SchoolRow } from '../../models/roster';
import { scopeFilter } from '../../roster/directory';

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
  const schoolNames = new Map(
    (await School.find({ code: { $in: [...bySchool.keys()] } }).lean<SchoolRow[]>()).map((s) => [
      s.code,
      s.name,
    ]),
  );
  const name = (code: string) => schoolNames.get(code) ?? code;
  if (bySchool.size > 1) {
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
  const classes = await SchoolClass.find({ classId: { $in: [...byClass.keys()] } }).lean<
    ClassRow[]
  >();
  const cls = (id: string) => classes.find((c) => c.classId === id)?.name ?? id;
  const losing = [...byClass].filter(([, r]) => r.dropped > 0);
  if (byClass.size === 1) lines.push(losing.length ? '' : '本班是「无流失生班级」。👍');
  else if (losing.length)
    lines.push(`有流失的班级：${losing.map(([id, r]) => `${cls(id)} ${percent(r)}`).join('、')}`);
  else lines.push(`全部 ${byClass.size} 个班级都是「无流失生班级」。`);
  return lines.filter(Boolean).join('\n');
}

const lost = (r: Retention) => (r.dropped ? `，流失 ${r.dropped} 人` : '');
const clean = (what: string, names: string[]) =>
  names.length ? `无流失生${what}：${names.join('、')}` : `暂无「无流失生${what}」。`;

async function classCounts(ctx: ChatContext): Promise<ClassCounts[]> {
  const scope = scopeFilter(ctx.actor);
  if (!scope) return [];
  const count = (status: unknown) =>
    Student.aggregate<{ _id: string; n: number }>([
      { $match: { ...scope, status } },
      { $group: { _id: '$classId', n: { $sum: 1 } } },
    ]);
  const [kept, dropped] = await Promise.all([
    count({ $in: ['enrolled', 'suspended'] }),
    count('droppedOut'),
  ]);
  const ids = [...new Set([...kept, ...dropped].map((r) => r._id))];
  const classes = await SchoolClass.find({ classId: { $in: ids } }).lean<ClassRow[]>();
  return classes.map((c) => ({
    classId: c.classId,
    schoolCode: c.schoolCode,
    grade: c.grade,
    retained: kept.find((r) => r._id === c.classId)?.n ?? 0,
    dropped: dropped.find((r) => r._id === c.classId)?.n ?? 0,
  }));
}
