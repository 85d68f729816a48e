import { DateTime } from 'luxon';

/** All wall-clock reasoning happens in the district's zone, whatever TZ the process has. */
export const ZONE = 'Asia/Shanghai';

export function local(d: Date): DateTime {
  return DateTime.fromJSDate(d, { zone: ZONE });
}

export function isoDay(d: Date): string {
  return local(d).toISODate()!;
}

export function fromIsoDay(day: string, hhmm = '00:00'): Date {
  const [h, m] = hhmm.split(':').map(Number);
  return DateTime.fromISO(day, { zone: ZONE }).set({ hour: h, minute: m }).toJSDate();
}

/** "11月30日 周一 18:00" — how deadlines are shown to teachers. */
export function formatDeadline(d: Date): string {
  return local(d).setLocale('zh-CN').toFormat('M月d日 EEE HH:mm');
}

export function formatDay(day: string): string {
  return DateTime.fromISO(day, { zone: ZONE }).setLocale('zh-CN').toFormat('M月d日 EEE');
}
