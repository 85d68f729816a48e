import { DateTime } from 'luxon';

/** All wall-clock reasoning happens in the district's zone, whatever TZ the process has. */
export const ZONE = 'Asia/Shanghai';

export function local(d: Date): DateTime {
  return DateTime.fromJSDate(d, { zone: ZONE });
}

/** The Asia/Shanghai calendar day of an instant (China has no DST: a fixed +08:00 offset). */
export function isoDay(d: Date): string {
  return new Date(d.getTime() + 8 * 3_600_000).toISOString().slice(0, 10);
}

const instants = new Map<string, number>();

/** A wall-clock time on a day in Asia/Shanghai (memoised: rules ask for the same ones often). */
export function fromIsoDay(day: string, hhmm = '00:00'): Date {
  const k = `${day} ${hhmm}`;
  let t = instants.get(k);
  if (t === undefined) {
    const [h, m] = hhmm.split(':').map(Number);
    t = DateTime.fromISO(day, { zone: ZONE }).set({ hour: h, minute: m }).toMillis();
    if (instants.size > 50_000) instants.clear();
    instants.set(k, t);
  }
  return new Date(t);
}

/** "11月30日 周一 18:00" — how deadlines are shown to teachers. */
export function formatDeadline(d: Date): string {
  return local(d).setLocale('zh-CN').toFormat('M月d日 EEE HH:mm');
}

export function formatDay(day: string): string {
  return DateTime.fromISO(day, { zone: ZONE }).setLocale('zh-CN').toFormat('M月d日 EEE');
}

/**
 * Days overdue, one number everywhere (chat 逾期, 待办, the dashboard, workbooks, pushes):
 * Asia/Shanghai calendar days from the deadline's day to today's. 0 means the deadline was
 * today; a duty due 12月1日 is 「逾期 2 天」 on 12月3日, whatever the hour.
 */
export function overdueDays(dueAt: Date, now: Date): number {
  const days =
    (fromIsoDay(isoDay(now)).getTime() - fromIsoDay(isoDay(dueAt)).getTime()) / 86_400_000;
  return Math.max(0, Math.round(days));
}

/** 「今天逾期」 or 「逾期 N 天」 (calendar days, see `overdueDays`). */
export function overdueText(dueAt: Date, now: Date): string {
  const days = overdueDays(dueAt, now);
  return days >= 1 ? `逾期 ${days} 天` : '今天逾期';
}
