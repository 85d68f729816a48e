import type { ChatContext } from '../../chat/command';
import { Student, type StudentRow } from '../../models/roster';
import { classRows, schoolNames, scopeFilter } from '../directory';

const SHOWN = 30;

interface Counts {
  all: { _id: string; n: number }[];
  enrolled: { _id: string; n: number }[];
  atRisk: StudentRow[];
}

/**
 * 我的学生: classes in the sender's scope with counts and at-risk names, counted in the
 * database in one aggregate (issue #11: per class all / enrolled, and the at-risk students).
 */
export async function myStudents(ctx: ChatContext): Promise<string> {
  const scope = scopeFilter(ctx.actor);
  const none = '您名下还没有学生。如有误，请联系学校分管领导更新花名册。';
  if (!scope) return none;
  const byClass = { $group: { _id: '$classId', n: { $sum: 1 } } };
  const [counts] = await Student.aggregate<Counts>([
    { $match: scope },
    {
      $facet: {
        all: [byClass],
        enrolled: [{ $match: { status: 'enrolled' } }, byClass],
        atRisk: [{ $match: { atRisk: true } }],
      },
    },
  ]);
  const all = counts?.all ?? [];
  if (!all.length) return none;
  const ids = all.map((r) => r._id).sort();
  const shown = ids.slice(0, SHOWN);
  const atRisk = counts.atRisk.filter((s) => shown.includes(s.classId));
  const classes = await classLabels(shown);
  const inClass = new Map(counts.enrolled.map((r) => [r._id, r.n]));
  const lines = shown.map((id) => {
    const names = atRisk.filter((s) => s.classId === id).map((s) => s.name);
    const risk = names.length ? `，易辍对象 ${names.join('、')}` : '';
    return `· ${classes.get(id) ?? id}：在读 ${inClass.get(id) ?? 0} 人${risk}`;
  });
  if (ids.length > SHOWN) lines.push(`……共 ${ids.length} 个班`);
  const total = all.reduce((n, r) => n + r.n, 0);
  return `您负责 ${total} 名学生：\n${lines.join('\n')}\n发送「查 姓名」看某位学生的情况。`;
}

/** "学校 班级" per classId (cached names: one find per kind on a miss). */
async function classLabels(classIds: string[]): Promise<Map<string, string>> {
  const rows = await classRows(classIds);
  const schools = await schoolNames([...rows.values()].map((c) => c.schoolCode));
  return new Map(
    [...rows].map(([id, c]) => [id, `${schools.get(c.schoolCode) ?? c.schoolCode} ${c.name}`]),
  );
}
