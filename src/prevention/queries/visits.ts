import type { ChatContext } from '../../chat/command';
import type { StaffLike } from '../../domain/roster';
import { pace } from '../../domain/prevention';
import { roundWindow, visitQuota } from '../../domain/reports';
import { HomeVisit } from '../../models/case';
import { Student } from '../../models/roster';
import { semesterRange } from '../../reports/visits';
import type { StudentDoc } from '../../roster/directory';
import type { Services } from '../../services';
import { countedVisits, visitsIn } from './visit-count';
import { P } from '../replies';

/** The students a teacher visits: the class for a head teacher, the 包学生 list or class. */
export function myStudentsFilter(t: StaffLike): Record<string, unknown> | undefined {
  const or = t.roles
    .filter((r) => r.role === 'headTeacher' || r.role === 'subjectTeacher')
    .map((r) =>
      r.role === 'subjectTeacher' && r.students?.length
        ? { studentNo: { $in: r.students } }
        : { classId: r.classId },
    );
  return or.length ? { $or: or, status: 'enrolled' } : undefined;
}

/** Of these students, those `visitor` has not visited in the range (a pending click counts). */
export async function notVisited(
  students: StudentDoc[],
  range: { from: Date; to: Date },
  visitor?: string,
): Promise<StudentDoc[]> {
  const done = await HomeVisit.find({
    studentNo: { $in: students.map((s) => s.studentNo) },
    ...visitsIn(range),
    ...(visitor ? { visitor } : {}),
  }).lean();
  const seen = new Set(done.map((v) => v.studentNo));
  return students.filter((s) => !seen.has(s.studentNo));
}

/** 我的家访: my count against the quota, the pace needed, my students not yet visited. */
export async function myVisits(ctx: ChatContext): Promise<string> {
  const { cal, settings } = ctx.services;
  const quota = visitQuota(ctx.actor.roles, settings.quotas);
  const range = semesterRange(cal, settings.calendar.semesters, ctx.now);
  const filter = myStudentsFilter(ctx.actor);
  if (!quota || !range || !filter) return P.noQuota;
  const done = await countedVisits(cal, settings.calendar.semesters, ctx.actor.userid, ctx.now);
  const p = pace(quota, done, range, ctx.now);
  const mine = await Student.find(filter).sort({ studentNo: 1 }).lean();
  const missing = await notVisited(mine, range, ctx.actor.userid);
  return [
    P.myCount(range.name, done, quota),
    p.behind ? P.behind(p.expected, p.perWeek) : P.onPace(p.perWeek),
    missing.length
      ? P.notYet(
          missing.length,
          mine.length,
          missing.slice(0, 30).map((s) => s.name),
        )
      : P.allVisited(mine.length),
  ].join('\n');
}

/**
 * 家访进度's round: the one running now, else the next one (this semester's end round, or the
 * next semester's start round) with `upcoming` set. A finished round is never shown.
 */
export function currentRound(s: Services, now: Date) {
  const sems = [...s.settings.calendar.semesters].sort((a, b) => a.start.localeCompare(b.start));
  for (const sem of sems)
    for (const which of ['start', 'end'] as const) {
      const w = roundWindow(sem, which, s.settings.prevention);
      if (now < w.to)
        return {
          ...w,
          upcoming: now < w.from,
          label: `${sem.name}${which === 'start' ? '开学初' : '期末'}集中家访`,
        };
    }
  return undefined;
}
