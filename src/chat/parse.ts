import { DateTime } from 'luxon';
import { ZONE, isoDay } from '../lib/time';
import type { DayPart } from '../domain/cases/facts';
import { PART_SEPARATORS } from './normalize';
import { smallNumber } from '../lib/cn-number';

/**
 * Forgiving parsers for the optional parts of a chat command, in any order: a day (今天/昨天/
 * 前天/周三/上周五/本周一/12月3日/12-3/2026-12-03), a part of day (上午/下午/半天/全天), a length
 * (3天/两天) or an end date (到12月3日). What is left is the reason or record. What looks like a
 * date but is not one (13月40日), or contradicts itself (上午 下午), is asked about, never dropped.
 */
const PARTS: [RegExp, DayPart][] = [
  [/^上午$/, 'am'],
  [/^下午$/, 'pm'],
  [/^半天$/, 'half'],
  [/^(全天|一天|整天|全日)$/, 'full'],
];
const WEEKDAY = '一二三四五六日天';
type DateResult = string | 'invalid' | undefined;

function weekday(token: string, today: DateTime): DateResult {
  const m = /^(上|本|这)?(周|星期|礼拜)([一二三四五六日天])$/.exec(token);
  if (!m) return undefined;
  const dow = Math.min(WEEKDAY.indexOf(m[3]) + 1, 7);
  let d = today.set({ weekday: dow as 1 | 2 | 3 | 4 | 5 | 6 | 7 });
  if (m[1] === '上') d = d.minus({ weeks: 1 });
  else if (!m[1] && d > today) d = d.minus({ weeks: 1 });
  return d.toISODate()!;
}

function relative(token: string, today: DateTime): DateResult {
  const words: Record<string, number> = {
    今天: 0,
    今日: 0,
    昨天: -1,
    昨日: -1,
    前天: -2,
    明天: 1,
    明日: 1,
    后天: 2,
  };
  return token in words ? today.plus({ days: words[token] }).toISODate()! : undefined;
}

function numeric(token: string, today: DateTime): DateResult {
  let m = /^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})[日号]?$/.exec(token);
  if (m) {
    const d = DateTime.fromObject({ year: +m[1], month: +m[2], day: +m[3] }, { zone: ZONE });
    return d.isValid ? d.toISODate()! : 'invalid';
  }
  m = /^(\d{1,2})[-/.月](\d{1,2})[日号]?$/.exec(token);
  if (!m) return /^\d{1,4}[月年]|\d[日号]$/.test(token) ? 'invalid' : undefined;
  // No year: the nearest such date not more than ~6 months in the future.
  let d = DateTime.fromObject({ year: today.year, month: +m[1], day: +m[2] }, { zone: ZONE });
  if (!d.isValid) return 'invalid';
  if (d.diff(today, 'days').days > 180) d = d.minus({ years: 1 });
  else if (d.diff(today, 'days').days < -180) d = d.plus({ years: 1 });
  return d.toISODate()!;
}

export function dateFrom(token: string, now: Date): DateResult {
  const today = DateTime.fromJSDate(now, { zone: ZONE }).startOf('day');
  return relative(token, today) ?? weekday(token, today) ?? numeric(token, today);
}

const BAD_DATE = (t: string) => `没看懂日期「${t}」，请写成 12月3日、昨天 或 周三 这样的格式。`;

export interface AbsenceArgs {
  day: string;
  part: DayPart;
  reason: string;
}

export function parseAbsence(tail: string, now: Date): AbsenceArgs | { error: string } {
  let day: string | undefined;
  const parts = new Set<DayPart>();
  const rest: string[] = [];
  for (const raw of tail.split(PART_SEPARATORS).filter(Boolean)) {
    const combo = /^(.+?)(上午|下午|半天|全天)$/.exec(raw);
    const tokens = combo && dateFrom(combo[1], now) ? [combo[1], combo[2]] : [raw];
    for (const token of tokens) {
      const p = PARTS.find(([re]) => re.test(token));
      if (p) {
        parts.add(p[1]);
        continue;
      }
      const d = dateFrom(token, now);
      if (d === 'invalid') return { error: BAD_DATE(token) };
      if (d && day && d !== day) return { error: `写了两个日期（${day}、${d}），请只写一个。` };
      if (d) {
        day = d;
        continue;
      }
      rest.push(token);
    }
  }
  if (parts.size > 1) {
    return {
      error:
        '同时写了上午、下午或全天，请说清是哪一段：全天未到请写「全天」，只缺半天请写「上午」或「下午」。',
    };
  }
  return { day: day ?? isoDay(now), part: [...parts][0] ?? 'full', reason: rest.join(' ') };
}

export interface LeaveArgs {
  from: string;
  until?: string;
  days?: number;
  reason: string;
}

export function parseLeave(tail: string, now: Date): LeaveArgs | { error: string } {
  let from = isoDay(now);
  let until: string | undefined;
  let days: number | undefined;
  const rest: string[] = [];
  for (const raw of tail.split(PART_SEPARATORS).filter(Boolean)) {
    const token = raw.replace(/^从/, '');
    const n = /^(\d{1,2}|[零一二两三四五六七八九十]{1,3})个?(上学日|天|日)$/.exec(token);
    if (n && smallNumber(n[1])) {
      days = smallNumber(n[1]);
      continue;
    }
    const to = /^(到|至)(.+)$/.exec(token);
    if (to) {
      const d = dateFrom(to[2], now);
      if (!d || d === 'invalid') return { error: BAD_DATE(to[2]) };
      until = d;
      continue;
    }
    const d = dateFrom(token, now);
    if (d === 'invalid') return { error: BAD_DATE(token) };
    if (d) {
      from = d;
      continue;
    }
    rest.push(raw);
  }
  if (!until && !days) {
    return {
      error: '请写明请假几天或到哪天，例如：请假 张三 3天 生病，或 请假 张三 到12月3日 家中有事。',
    };
  }
  return { from, until, days, reason: rest.join(' ') };
}
