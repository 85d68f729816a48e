import { DateTime } from 'luxon';
import { ZONE, isoDay } from '../lib/time';
import type { DayPart } from '../ladder/ladder';
import { PART_SEPARATORS } from './normalize';

/**
 * Forgiving parsers for the optional parts of a chat command, in any order:
 * a day (今天/昨天/前天/12月3日/12-3/2026-12-03), a part of day (上午/下午/半天/全天),
 * a length (3天) or an end date (到12月3日). What is left is the reason or record.
 */
const PARTS: [RegExp, DayPart][] = [
  [/上午/, 'am'],
  [/下午/, 'pm'],
  [/半天/, 'half'],
  [/全天|一天|整天|全日/, 'full'],
];

function dateFrom(token: string, now: Date): string | undefined {
  const today = DateTime.fromJSDate(now, { zone: ZONE }).startOf('day');
  if (token === '今天' || token === '今日') return today.toISODate()!;
  if (token === '昨天' || token === '昨日') return today.minus({ days: 1 }).toISODate()!;
  if (token === '前天') return today.minus({ days: 2 }).toISODate()!;
  if (token === '明天' || token === '明日') return today.plus({ days: 1 }).toISODate()!;
  if (token === '后天') return today.plus({ days: 2 }).toISODate()!;
  let m = /^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?$/.exec(token);
  if (m)
    return (
      DateTime.fromObject({ year: +m[1], month: +m[2], day: +m[3] }, { zone: ZONE }).toISODate() ??
      undefined
    );
  m = /^(\d{1,2})[-/.月](\d{1,2})[日号]?$/.exec(token);
  if (m) {
    // No year: the nearest such date not more than ~6 months in the future.
    let d = DateTime.fromObject({ year: today.year, month: +m[1], day: +m[2] }, { zone: ZONE });
    if (!d.isValid) return undefined;
    if (d.diff(today, 'days').days > 180) d = d.minus({ years: 1 });
    else if (d.diff(today, 'days').days < -180) d = d.plus({ years: 1 });
    return d.toISODate()!;
  }
  return undefined;
}

export interface AbsenceArgs {
  day: string;
  part: DayPart;
  reason: string;
}

export function parseAbsence(tail: string, now: Date): AbsenceArgs | { error: string } {
  let day = isoDay(now);
  let part: DayPart = 'full';
  const rest: string[] = [];
  let sawDay = false;
  for (const token of tail.split(PART_SEPARATORS).filter(Boolean)) {
    const d = !sawDay ? dateFrom(token, now) : undefined;
    if (d) {
      day = d;
      sawDay = true;
      continue;
    }
    const p = PARTS.find(([re]) => re.test(token) && token.replace(re, '').length === 0);
    if (p) {
      part = p[1];
      continue;
    }
    // "昨天上午" in one token
    const combo = /^(今天|昨天|前天|\d{1,2}月\d{1,2}[日号]?)(上午|下午|半天|全天)$/.exec(token);
    if (combo) {
      day = dateFrom(combo[1], now) ?? day;
      part = PARTS.find(([re]) => re.test(combo[2]))![1];
      sawDay = true;
      continue;
    }
    rest.push(token);
  }
  return { day, part, reason: rest.join(' ') };
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
    const n = /^(\d{1,2}|[一二三四五六七八九十])个?(上学日|天|日)$/.exec(token);
    if (n) {
      days = /\d/.test(n[1]) ? Number(n[1]) : '一二三四五六七八九十'.indexOf(n[1]) + 1;
      continue;
    }
    const to = /^(到|至)(.+)$/.exec(token);
    if (to) {
      const d = dateFrom(to[2], now);
      if (!d) return { error: `没看懂结束日期「${to[2]}」，请写成 12月3日 这样的格式。` };
      until = d;
      continue;
    }
    const d = dateFrom(token, now);
    if (d) {
      from = d;
      continue;
    }
    rest.push(raw);
  }
  if (!until && !days)
    return {
      error: '请写明请假几天或到哪天，例如：请假 张三 3天 生病，或 请假 张三 到12月3日 家中有事。',
    };
  return { from, until, days, reason: rest.join(' ') };
}
