import type { ChatContext } from '../../chat/command';
import { ClassCount, type ClassCountRow } from '../../models/class-count';
import { Student, type StudentRow } from '../../models/roster';
import { classNames, schoolNames, scopeFilter, spansSchools } from '../directory';
import { sumCounters } from '../counts';

const SHOWN = 30;
const NONE = '您名下还没有学生。如有误，请联系学校分管领导更新花名册。';

type SchoolSum = { _id: string; total: number; enrolled: number; atRisk: number };

/**
 * 我的学生: the classes in the sender's scope with their counts and at-risk names — per school
 * for a scope over several schools. Read from the per-class counters (src/roster/counts.ts):
 * one row per class or per school, the at-risk students of one school at most, never the
 * roster (issue #11: the same cost at 200 and 56,000 students).
 */
export async function myStudents(ctx: ChatContext): Promise<string> {
  const scope = scopeFilter(ctx.actor);
  if (!scope) return NONE;
  return spansSchools(ctx.actor) ? bySchool(scope) : byClass(scope);
}

async function bySchool(scope: Record<string, unknown>): Promise<string> {
  const rows = await ClassCount.aggregate<SchoolSum>([
    { $match: scope },
    sumCounters('$schoolCode', ['total', 'enrolled', 'atRisk']),
  ]);
  if (!rows.length) return NONE;
  rows.sort((a, b) => a._id.localeCompare(b._id));
  const shown = rows.slice(0, SHOWN);
  const names = await schoolNames(shown.map((r) => r._id));
  const lines = shown.map(
    (r) =>
      `· ${names.get(r._id) ?? r._id}：在读 ${r.enrolled} 人${r.atRisk ? `，易辍对象 ${r.atRisk} 人` : ''}`,
  );
  if (rows.length > SHOWN) lines.push(`……共 ${rows.length} 所学校`);
  const total = rows.reduce((n, r) => n + r.total, 0);
  return `您负责 ${total} 名学生：\n${lines.join('\n')}\n发送「概况」看各校的案件，「查 姓名」看某位学生。`;
}

/** Names of at-risk students listed at most (a school has ~2 % of its ~800 students). */
const NAMED = 60;

/**
 * One school at most: its class rows and its enrolled at-risk students (at most NAMED), in one
 * aggregate; every name read is shown on its class's line.
 */
async function byClass(scope: Record<string, unknown>): Promise<string> {
  const atRiskOnes = [
    { $match: { ...scope, atRisk: true, status: 'enrolled' } },
    { $limit: NAMED },
  ];
  const rows = await ClassCount.aggregate<ClassCountRow | StudentRow>([
    { $match: scope },
    { $unionWith: { coll: Student.collection.collectionName, pipeline: atRiskOnes } },
  ]);
  const isStudent = (r: ClassCountRow | StudentRow): r is StudentRow => 'studentNo' in r;
  const classes = rows.filter((r) => !isStudent(r));
  const atRisk = rows.filter(isStudent);
  const ids = classes.map((r) => r.classId).sort();
  if (!ids.length) return NONE;
  const shown = ids.slice(0, SHOWN);
  const labels = await classNames(shown);
  const school = (await schoolNames([classes[0].schoolCode])).get(classes[0].schoolCode);
  const lines = shown.map((id) => {
    const row = classes.find((r) => r.classId === id);
    const names = atRisk.filter((s) => s.classId === id).map((s) => s.name);
    const more = (row?.atRisk ?? 0) - names.length;
    const risk = names.length
      ? `，易辍对象 ${names.join('、')}${more > 0 ? ` 等 ${row?.atRisk} 人` : ''}`
      : row?.atRisk
        ? `，易辍对象 ${row.atRisk} 人`
        : '';
    return `· ${labels.get(id) ?? id}：在读 ${row?.enrolled ?? 0} 人${risk}`;
  });
  if (ids.length > SHOWN) lines.push(`……共 ${ids.length} 个班`);
  const total = classes.reduce((n, r) => n + r.total, 0);
  // One school: named once in the heading, not on every class line.
  const where = school ? `（${school}）` : '';
  return `您负责 ${total} 名学生${where}：\n${lines.join('\n')}\n发送「查 姓名」看某位学生的情况。`;
}
