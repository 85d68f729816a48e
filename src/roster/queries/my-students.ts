import type { ChatContext } from '../../chat/command';
import { SchoolClass, Student, type ClassRow, type StudentRow } from '../../models/roster';
import { schoolName, scopeFilter } from '../directory';

const SHOWN = 30;

/** 我的学生: classes in the sender's scope with counts and at-risk names (counted in the database). */
export async function myStudents(ctx: ChatContext): Promise<string> {
  const scope = scopeFilter(ctx.actor);
  const none = '您名下还没有学生。如有误，请联系学校分管领导更新花名册。';
  if (!scope) return none;
  const count = (match: Record<string, unknown>) =>
    Student.aggregate<{ _id: string; n: number }>([
      { $match: match },
      { $group: { _id: '$classId', n: { $sum: 1 } } },
    ]);
  const [all, enrolled] = await Promise.all([
    count(scope),
    count({ ...scope, status: 'enrolled' }),
  ]);
  if (!all.length) return none;
  const ids = all.map((r) => r._id).sort();
  const shown = ids.slice(0, SHOWN);
  const [classes, atRisk] = await Promise.all([
    SchoolClass.find({ classId: { $in: shown } }).lean<ClassRow[]>(),
    Student.find({ ...scope, atRisk: true, classId: { $in: shown } }).lean<StudentRow[]>(),
  ]);
  const inClass = new Map(enrolled.map((r) => [r._id, r.n]));
  const lines = await Promise.all(
    shown.map(async (id) => {
      const c = classes.find((x) => x.classId === id);
      const names = atRisk.filter((s) => s.classId === id).map((s) => s.name);
      const risk = names.length ? `，易辍对象 ${names.join('、')}` : '';
      const where = c ? `${await schoolName(c.schoolCode)} ${c.name}` : id;
      return `· ${where}：在读 ${inClass.get(id) ?? 0} 人${risk}`;
    }),
  );
  if (ids.length > SHOWN) lines.push(`……共 ${ids.length} 个班`);
  const total = all.reduce((n, r) => n + r.n, 0);
  return `您负责 ${total} 名学生：\n${lines.join('\n')}\n发送「查 姓名」看某位学生的情况。`;
}
