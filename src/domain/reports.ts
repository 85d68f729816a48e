import { DateTime } from 'luxon';
import type { Settings } from '../config/settings';
import { ZONE } from '../lib/time';

/**
 * The bureau's reporting cycle as pure functions of `now` (Asia/Shanghai):
 * - monthly: last month's dropouts, in detail, before the 8th (二(三)2(2));
 * - quarterly: the enrollment-change statistics table by the 15th of Mar/Jun/Sep/Dec (二(三)2(3));
 * - campaign months: every March and September (二(二)1(1));
 * - visit rounds: at the start and the end of each semester (二(一)2(3)).
 */
export type Cycle = 'monthly' | 'quarterly' | 'campaign' | 'visitRound';

const OPEN_HOUR = 9;

function at(d: DateTime, hour = OPEN_HOUR): Date {
  return d.set({ hour, minute: 0, second: 0, millisecond: 0 }).toJSDate();
}

/** The first run of `cycle` strictly after `now`. */
export function nextRun(
  cycle: 'monthly' | 'quarterly' | 'campaign',
  now: Date,
  cfg: Settings['reports'],
): Date {
  let d = DateTime.fromJSDate(now, { zone: ZONE }).startOf('month');
  for (let i = 0; i < 24; i++, d = d.plus({ months: 1 })) {
    const when = at(d);
    if (when <= now) continue;
    if (cycle === 'monthly') return when;
    if (cycle === 'quarterly' && d.month % 3 === 0) return when;
    if (cycle === 'campaign' && cfg.campaignMonths.includes(d.month)) return when;
  }
  throw new Error(`no ${cycle} run within two years`);
}

/** The period a run reports on and when it is due. */
export function periodOf(
  cycle: 'monthly' | 'quarterly',
  runAt: Date,
  cfg: Settings['reports'],
): { period: string; label: string; dueAt: Date } {
  const d = DateTime.fromJSDate(runAt, { zone: ZONE });
  if (cycle === 'monthly') {
    const last = d.minus({ months: 1 });
    // "Before the 8th": due at the end of the 7th.
    return {
      period: last.toFormat('yyyy-MM'),
      label: `${last.year}年${last.month}月`,
      dueAt: at(d.set({ day: cfg.monthlyDueDay - 1 }), 18),
    };
  }
  const q = Math.ceil(d.month / 3);
  return {
    period: `${d.year}-Q${q}`,
    label: `${d.year}年第${q}季度`,
    dueAt: at(d.set({ day: cfg.quarterlyDueDay }), 18),
  };
}

/** Start and end of a monthly or quarterly period, for counting what happened in it. */
export function periodRange(period: string): { from: Date; to: Date } {
  const q = /^(\d{4})-Q([1-4])$/.exec(period);
  const start = q
    ? DateTime.fromObject({ year: +q[1], month: (+q[2] - 1) * 3 + 1, day: 1 }, { zone: ZONE })
    : DateTime.fromFormat(period, 'yyyy-MM', { zone: ZONE });
  const end = q ? start.plus({ months: 3 }) : start.plus({ months: 1 });
  return { from: start.toJSDate(), to: end.toJSDate() };
}

/** Visit rounds: the first school morning of the semester and two weeks before its end. */
export function visitRounds(
  semesters: Settings['calendar']['semesters'],
): { key: string; at: Date; label: string }[] {
  return semesters.flatMap((s) => [
    {
      key: `${s.start}:start`,
      at: at(DateTime.fromISO(s.start, { zone: ZONE })),
      label: `${s.name}开学初集中家访`,
    },
    {
      key: `${s.end}:end`,
      at: at(DateTime.fromISO(s.end, { zone: ZONE }).minus({ days: 14 })),
      label: `${s.name}期末集中家访`,
    },
  ]);
}

/** Home-visit quota per semester (二(一)2(3)): head teacher 20, subject teacher 15. */
export function visitQuota(roles: { role: string }[], cfg: Settings['quotas']): number {
  if (roles.some((r) => r.role === 'headTeacher')) return cfg.headTeacherVisitsPerSemester;
  if (roles.some((r) => r.role === 'subjectTeacher')) return cfg.subjectTeacherVisitsPerSemester;
  return 0;
}

/**
 * Quota pace checks (issue #13): at mid-semester teachers behind pace are reminded; when the
 * semester ends the principal gets who fell short. Keyed like the visit rounds.
 */
export function paceChecks(
  semesters: Settings['calendar']['semesters'],
): { key: string; at: Date; label: string }[] {
  return semesters.flatMap((s) => {
    const start = DateTime.fromISO(s.start, { zone: ZONE });
    const end = DateTime.fromISO(s.end, { zone: ZONE });
    const mid = start.plus({ days: Math.floor(end.diff(start, 'days').days / 2) });
    return [
      { key: `${s.start}:mid`, at: at(mid), label: `${s.name}期中家访进度` },
      { key: `${s.end}:close`, at: at(end, 17), label: `${s.name}家访任务完成情况` },
    ];
  });
}

/** A visit round's window (config `prevention.roundStartDays` / `roundEndDays`). */
export function roundWindow(
  sem: { start: string; end: string },
  which: 'start' | 'end',
  cfg: { roundStartDays: number; roundEndDays: number },
): { from: Date; to: Date } {
  const start = DateTime.fromISO(sem.start, { zone: ZONE });
  const end = DateTime.fromISO(sem.end, { zone: ZONE }).plus({ days: 1 });
  return which === 'start'
    ? { from: start.toJSDate(), to: start.plus({ days: cfg.roundStartDays }).toJSDate() }
    : { from: end.minus({ days: cfg.roundEndDays }).toJSDate(), to: end.toJSDate() };
}
