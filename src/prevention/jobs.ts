import { DateTime } from 'luxon';
import type { Services } from '../services';
import type { RoleName } from '../domain/roster';
import { CAMPAIGN_ITEMS, firstSchoolDay, pace } from '../domain/prevention';
import { paceChecks, roundWindow, visitRounds } from '../domain/reports';
import { JOBS } from '../jobs/kinds';
import { Staff, Student } from '../models/roster';
import { bureauStaff, schoolLeaders } from '../roster/directory';
import { semesterRange } from '../reports/visits';
import { ZONE } from '../lib/time';
import { classesBehind, schoolCompletion } from './queries/campaign';
import { visitTally } from './queries/visit-count';
import { myStudentsFilter, notVisited } from './queries/visits';
import { P } from './replies';

/** Staff holding any of these roles. */
const staffWith = (roles: RoleName[]) => Staff.find({ 'roles.role': { $in: roles } }).lean();
const teachers = () => staffWith(['headTeacher', 'subjectTeacher']);

/** The campaign kickoff (二(二)1(1)): first school day, principals and head teachers. */
export async function campaignKickoff(s: Services, month: string, key: string): Promise<void> {
  const staff = await staffWith(['principal', 'headTeacher']);
  const m = DateTime.fromFormat(month, 'yyyy-MM', { zone: ZONE });
  const items = CAMPAIGN_ITEMS.map((i) => `☐ ${i.label}`);
  for (const p of staff) {
    const head = p.roles.some((r) => r.role === 'headTeacher');
    await s.notify.text([p.userid], P.kickoff(m.month, items, head), `${key}:${p.userid}`);
  }
  const last = m.endOf('month').startOf('day');
  await s.scheduler.schedule(
    JOBS.campaignCheck,
    { month, stage: 'behind' },
    last.minus({ days: 7 }).set({ hour: 9 }).toJSDate(),
  );
  await s.scheduler.schedule(
    JOBS.campaignCheck,
    { month, stage: 'end' },
    last.set({ hour: 17 }).toJSDate(),
  );
}

export function campaignStart(s: Services, month: string): Date {
  return firstSchoolDay(month, (d) => s.cal.isSchoolDay(d));
}

/** A week before the month ends, who is behind; at month end, every school's completion. */
export async function campaignCheck(s: Services, a: { month: string; stage: 'behind' | 'end' }) {
  const rows = await schoolCompletion(a.month);
  const m = DateTime.fromFormat(a.month, 'yyyy-MM', { zone: ZONE }).month;
  const key = JOBS.campaignCheck.key(a);
  const lines = rows.map(
    (r) => `${r.name}：${r.done}/${r.of}（${r.of ? Math.round((100 * r.done) / r.of) : 0}%）`,
  );
  if (a.stage === 'end') {
    await s.notify.text(await bureauStaff(), P.campaignEnd(m, lines), key);
    return;
  }
  const behind = rows.filter((r) => r.done < r.of);
  await s.notify.text(
    await bureauStaff(),
    P.campaignBehind(
      m,
      behind.map((r) => `${r.name}：${r.done}/${r.of}`),
    ),
    key,
  );
  for (const r of behind) {
    const classes = await classesBehind(a.month, r.schoolCode);
    const to = (await schoolLeaders([r.schoolCode])).filter((p) =>
      p.roles.some((x) => x.role === 'principal'),
    );
    const text = P.campaignBehindSchool(
      m,
      classes.map((c) => `${c.c.name}：${c.open.map((i) => i.label).join('、')}`),
    );
    await s.notify.text(
      to.map((p) => p.userid),
      text,
      `${key}:${r.schoolCode}`,
    );
  }
}

/** A visit round (二(一)2(3)): each teacher gets the students still to visit in the window. */
export async function visitRound(s: Services, roundKey: string, key: string): Promise<boolean> {
  const round = visitRounds(s.settings.calendar.semesters).find((r) => r.key === roundKey);
  if (!round) return false;
  const [day, which] = roundKey.split(':') as [string, 'start' | 'end'];
  const sem = s.settings.calendar.semesters.find(
    (x) => (which === 'start' ? x.start : x.end) === day,
  )!;
  const w = roundWindow(sem, which, s.settings.prevention);
  const now = s.clock.now();
  for (const t of await teachers()) {
    const filter = myStudentsFilter(t);
    if (!filter) continue;
    // Enrolled only: transferred students drop off the list.
    const mine = await Student.find(filter).sort({ studentNo: 1 }).lean();
    const todo = await notVisited(mine, { from: w.from, to: now > w.from ? now : w.from });
    const { quota, done } = await visitTally(s, t, now);
    const text = P.roundList(
      round.label,
      w.to,
      todo.map((x) => x.name),
      done,
      quota,
    );
    await s.notify.text([t.userid], text, `${key}:${t.userid}`);
  }
  return true;
}

/** Mid-semester: teachers behind pace reminded. Semester end: the principal gets who fell short. */
export async function paceCheck(s: Services, checkKey: string, key: string): Promise<boolean> {
  const check = paceChecks(s.settings.calendar.semesters).find((c) => c.key === checkKey);
  if (!check) return false;
  const now = s.clock.now();
  const range = semesterRange(s.cal, s.settings.calendar.semesters, check.at)!;
  const short = new Map<string, string[]>();
  for (const t of await teachers()) {
    const { quota, done } = await visitTally(s, t, check.at);
    const p = pace(quota, done, range, now);
    if (checkKey.endsWith(':mid') && p.behind) {
      await s.notify.text(
        [t.userid],
        P.paceReminder(done, quota, p.expected, p.perWeek),
        `${key}:${t.userid}`,
      );
    }
    if (checkKey.endsWith(':close') && done < quota) {
      const school = t.roles.find((r) => r.schoolCode)?.schoolCode ?? '';
      short.set(school, [...(short.get(school) ?? []), `${t.name} ${done}/${quota}`]);
    }
  }
  for (const [school, names] of short) {
    const to = (await schoolLeaders([school])).filter((p) =>
      p.roles.some((r) => r.role === 'principal'),
    );
    await s.notify.text(
      to.map((p) => p.userid),
      P.fellShort(range.name, names),
      `${key}:${school}`,
    );
  }
  return true;
}
