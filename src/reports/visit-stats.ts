import type { SchoolCalendar } from '../domain/calendar';
import type { Settings } from '../config/settings';
import type { RoleName, StaffLike } from '../domain/roster';
import { visitQuota } from '../domain/reports';
import { Staff } from '../models/roster';
import { visitTally, visitsByVisitor } from '../prevention/queries/visit-count';
import { schoolNames } from '../roster/directory';
import { semesterRange } from './visits';

const LEADERS: RoleName[] = ['gradeLeader', 'deputy', 'principal', 'bureau'];
const TEACHING: RoleName[] = ['headTeacher', 'subjectTeacher'];
/** Teachers named in the "furthest behind" line. */
const BEHIND_SHOWN = 15;

interface Tally {
  name: string;
  school: string;
  n: number;
  q: number;
}

/**
 * 家访统计 (二(一)2(3)): the sender's own count against the quota (when they have one or have
 * visited), and for leaders the teachers in their scope — for the bureau a line per school and
 * the teachers furthest behind with their school. Counts are `countedVisits` / `visitsByVisitor`.
 */
export async function visitStats(
  cal: SchoolCalendar,
  settings: Settings,
  actor: StaffLike,
  now: Date,
): Promise<string> {
  const range = semesterRange(cal, settings.calendar.semesters, now);
  if (!range) return '现在不在学期内。';
  const { quota, done: mine } = await visitTally({ cal, settings }, actor, now);
  const lines: string[] = [];
  if (quota)
    lines.push(
      `${range.name}您已家访 ${mine} 人次，要求不少于 ${quota} 人次` +
        `${mine >= quota ? '，已达标 👍' : `，还差 ${quota - mine} 人次`}。`,
    );
  else if (mine) lines.push(`${range.name}您已家访 ${mine} 人次。`);
  const leads = actor.roles.filter((r) => LEADERS.includes(r.role));
  if (!leads.length) return lines.join('\n') || `${range.name}您没有家访任务。`;
  const tallies = await teachersInScope(leads, settings, range);
  const bureau = leads.some((r) => r.role === 'bureau');
  if (bureau) lines.unshift(`【家访统计 · 全区】${range.name}`, ...perSchool(tallies));
  lines.push(behindLine(tallies, bureau || new Set(tallies.map((t) => t.school)).size > 1));
  return lines.join('\n');
}

async function teachersInScope(
  leads: StaffLike['roles'],
  settings: Settings,
  range: { from: Date; to: Date },
): Promise<Tally[]> {
  const teachers = await Staff.find({ 'roles.role': { $in: TEACHING } }).lean();
  const covers = (tr: StaffLike['roles'][number]) =>
    TEACHING.includes(tr.role) &&
    leads.some(
      (sr) =>
        sr.role === 'bureau' ||
        (tr.schoolCode === sr.schoolCode && (sr.role !== 'gradeLeader' || tr.grade === sr.grade)),
    );
  const inScope = teachers.filter((t) => t.roles.some(covers));
  const [counts, names] = await Promise.all([
    visitsByVisitor(
      inScope.map((t) => t.userid),
      range,
    ),
    schoolNames([...new Set(inScope.map((t) => t.roles.find(covers)?.schoolCode ?? ''))]),
  ]);
  return inScope.map((t) => {
    const code = t.roles.find(covers)?.schoolCode ?? '';
    return {
      name: t.name,
      school: names.get(code) ?? '（学校未知）',
      n: counts.get(t.userid) ?? 0,
      q: visitQuota(t.roles, settings.quotas),
    };
  });
}

/** One line per school: teachers at quota, and visits in all. */
function perSchool(tallies: Tally[]): string[] {
  const by = new Map<string, Tally[]>();
  for (const t of tallies) by.set(t.school, [...(by.get(t.school) ?? []), t]);
  return [...by]
    .sort(([a], [b]) => a.localeCompare(b, 'zh'))
    .map(([school, ts]) => {
      const met = ts.filter((t) => t.n >= t.q).length;
      const visits = ts.reduce((sum, t) => sum + t.n, 0);
      return `· ${school}：达标 ${met}/${ts.length} 位老师，共家访 ${visits} 人次`;
    });
}

/** The teachers furthest behind their quota first (with their school when several). */
function behindLine(tallies: Tally[], withSchool: boolean): string {
  const behind = tallies
    .filter((t) => t.n < t.q)
    .sort((a, b) => b.q - b.n - (a.q - a.n) || a.school.localeCompare(b.school, 'zh'));
  if (!behind.length) return `您负责范围内的 ${tallies.length} 位老师都已达标。`;
  const shown = behind
    .slice(0, BEHIND_SHOWN)
    .map((t) => `${t.name}${withSchool ? `（${t.school}）` : ' '}${t.n}/${t.q}`);
  return (
    `未达标的老师 ${behind.length}/${tallies.length} 位，差距最大的：` +
    `${shown.join('，')}${behind.length > BEHIND_SHOWN ? '……' : ''}`
  );
}
