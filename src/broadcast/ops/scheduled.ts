import { DateTime } from 'luxon';
import { Answer, type ChatContext } from '../../chat/command';
import type { Services } from '../../services';
import type { Settings } from '../../config/settings';
import {
  audienceFilter,
  describeAudience,
  fillTemplate,
  reminderDay,
  type Audience,
} from '../../domain/broadcast';
import { authorizeSchool } from '../../domain/policy';
import { periodOf, visitRounds } from '../../domain/reports';
import { JOBS } from '../../jobs/kinds';
import { ZONE, formatDeadline, fromIsoDay, isoDay } from '../../lib/time';
import { audit } from '../../models/audit';
import { Broadcast, NoticeSetting, type NoticeSettingRow } from '../../models/broadcast';
import { Report } from '../../models/report';
import { Staff } from '../../models/roster';
import { campaignStart } from '../../prevention/jobs';
import { namesOf } from './draft';
import { queueBroadcast } from './deliver';

export type NoticeId = keyof Settings['broadcasts']['scheduled'];

/** The scheduled notices, numbered as 定时通知 lists them. */
export const NOTICES: { id: NoticeId; title: string; audience: string }[] = [
  { id: 'monthlyReminder', title: '月报催报', audience: '未上报月报学校的校长' },
  { id: 'quarterlyReminder', title: '季报催报', audience: '未上报季报学校的校长' },
  { id: 'campaignKickoff', title: '活动月启动', audience: '全区校长' },
  { id: 'visitRound', title: '集中家访开始', audience: '全区教师' },
];
const SYSTEM = 'system';

/** Config, with what the bureau changed in chat on top. */
export async function effective(s: Services, id: NoticeId) {
  const base = s.settings.broadcasts.scheduled[id];
  const o = await NoticeSetting.findOne({ notice: id }).lean();
  return {
    at: base.at,
    template: o?.template ?? base.template,
    enabled: o?.enabled ?? base.enabled,
  };
}

/** A report reminder's next run: the last working day before the report's last day. */
function nextReminder(s: Services, id: NoticeId, now: Date) {
  const cfg = s.settings.reports;
  const monthly = id === 'monthlyReminder';
  let d = DateTime.fromJSDate(now, { zone: ZONE }).startOf('month');
  for (let i = 0; i < 24; i++, d = d.plus({ months: 1 })) {
    if (!monthly && d.month % 3 !== 0) continue;
    const last = d.set({ day: monthly ? cfg.monthlyDueDay - 1 : cfg.quarterlyDueDay });
    // The report opens on the 1st (its draft goes then): the reminder comes after.
    const opens = d.set({ day: 2 }).toISODate()!;
    const day = reminderDay(last.toISODate()!, (x) => s.cal.isWorkday(x), opens);
    const at = fromIsoDay(day, s.settings.broadcasts.scheduled[id].at);
    if (at > now) return { slot: d.toFormat('yyyy-MM'), at };
  }
  return undefined;
}

/** When a scheduled notice next goes out, and the slot (month or round) it is keyed by. */
export function nextNotice(
  s: Services,
  id: NoticeId,
  now: Date,
): { slot: string; at: Date } | undefined {
  const at = s.settings.broadcasts.scheduled[id].at;
  if (id === 'monthlyReminder' || id === 'quarterlyReminder') return nextReminder(s, id, now);
  if (id === 'campaignKickoff') {
    let d = DateTime.fromJSDate(now, { zone: ZONE }).startOf('month');
    for (let i = 0; i < 24; i++, d = d.plus({ months: 1 })) {
      if (!s.settings.reports.campaignMonths.includes(d.month)) continue;
      const month = d.toFormat('yyyy-MM');
      const when = fromIsoDay(isoDay(campaignStart(s, month)), at);
      if (when > now) return { slot: month, at: when };
    }
    return undefined;
  }
  const rounds = visitRounds(s.settings.calendar.semesters)
    .map((r) => ({ slot: r.key, at: fromIsoDay(isoDay(r.at), at) }))
    .filter((r) => r.at > now)
    .sort((a, b) => a.at.getTime() - b.at.getTime());
  return rounds[0];
}

/** Start-up: each scheduled notice's next run (keyed: scheduling again moves nothing). */
export async function ensureScheduledNotices(s: Services): Promise<void> {
  for (const n of NOTICES) {
    const next = nextNotice(s, n.id, s.clock.now());
    if (next)
      await s.scheduler.schedule(JOBS.scheduledNotice, { notice: n.id, slot: next.slot }, next.at);
  }
}

/** What a run sends, to whom: undefined when there is nobody to tell. */
async function compose(s: Services, id: NoticeId, slot: string, template: string) {
  if (id === 'monthlyReminder' || id === 'quarterlyReminder') {
    const kind = id === 'monthlyReminder' ? 'monthly' : 'quarterly';
    const opened = DateTime.fromFormat(slot, 'yyyy-MM', { zone: ZONE }).set({ hour: 9 });
    const { period, label, dueAt } = periodOf(kind, opened.toJSDate(), s.settings.reports);
    const open = await Report.find({ kind, period, status: 'open' }).lean();
    if (!open.length) return undefined;
    const schools = [...new Set(open.map((r) => r.schoolCode))].sort();
    const content = fillTemplate(template, { 期间: label, 截止: formatDeadline(dueAt) });
    return { audience: { schools, roles: ['principal'] } as Audience, content };
  }
  if (id === 'campaignKickoff') {
    const m = DateTime.fromFormat(slot, 'yyyy-MM', { zone: ZONE });
    const content = fillTemplate(template, { 月份: `${m.year}年${m.month}月` });
    return { audience: { schools: 'all', roles: ['principal'] } as Audience, content };
  }
  const round = visitRounds(s.settings.calendar.semesters).find((r) => r.key === slot);
  if (!round) return undefined;
  const content = fillTemplate(template, { 名称: round.label });
  return { audience: { schools: 'all', roles: ['staff'] } as Audience, content };
}

/** The job: sends this run's notice (when on and someone is to be told), then the next one. */
export async function runScheduledNotice(
  s: Services,
  a: { notice: string; slot: string },
): Promise<void> {
  const id = a.notice as NoticeId;
  if (!NOTICES.some((n) => n.id === id)) return;
  const cfg = await effective(s, id);
  const what = cfg.enabled ? await compose(s, id, a.slot, cfg.template) : undefined;
  if (what) await sendInBureauName(s, { ...what, notice: `${id}:${a.slot}` });
  const next = nextNotice(s, id, s.clock.now());
  if (next)
    await s.scheduler.schedule(JOBS.scheduledNotice, { notice: id, slot: next.slot }, next.at);
}

/** A notice in the bureau's name, straight to sending (kept like every broadcast). */
async function sendInBureauName(
  s: Services,
  a: { audience: Audience; content: string; notice: string },
): Promise<void> {
  if (await Broadcast.findOne({ notice: a.notice }).lean()) return;
  const now = s.clock.now();
  const count = await Staff.countDocuments(audienceFilter(a.audience));
  if (!count) return;
  const doc = await Broadcast.create({
    sender: SYSTEM,
    senderName: '区教体局（定时）',
    origin: 'scheduled',
    notice: a.notice,
    audience: a.audience,
    audienceText: describeAudience(a.audience, await namesOf(a.audience)),
    content: a.content,
    text: `【区教体局】${a.content}`,
    count,
    status: 'sending',
    createdAt: now,
    decidedAt: now,
    checkAt: now,
  });
  await queueBroadcast(s, doc._id);
}

/** 定时通知: every scheduled notice with its next date, audience, text and on/off. */
export async function listScheduled(ctx: ChatContext): Promise<string> {
  authorizeSchool(ctx.actor, 'broadcastDistrict', '*');
  const lines = ['定时通知（以区教体局名义发送）：'];
  for (const [i, n] of NOTICES.entries()) {
    const cfg = await effective(ctx.services, n.id);
    const next = nextNotice(ctx.services, n.id, ctx.now);
    const when = next ? formatDeadline(next.at) : '—';
    const state = cfg.enabled ? `开，下次 ${when}` : '已暂停';
    lines.push(`${i + 1}. ${n.title}（${state}）对象：${n.audience}\n   内容：${cfg.template}`);
  }
  lines.push('修改：定时通知 修改 1 新内容；暂停：定时通知 暂停 1；恢复：定时通知 恢复 1');
  return lines.join('\n');
}

/** 定时通知 修改 <编号> <内容> / 暂停 <编号> / 恢复 <编号> (the bureau). */
export async function editScheduled(ctx: ChatContext, args: string): Promise<string> {
  authorizeSchool(ctx.actor, 'broadcastDistrict', '*');
  const m = /^(修改|更改|暂停|停止|关闭|恢复|开启|打开)\s*(\d+)\s*(.*)$/s.exec(args.trim());
  const n = m ? NOTICES[Number(m[2]) - 1] : undefined;
  if (!m || !n) throw new Answer(`没看懂。${await listScheduled(ctx)}`);
  const verb = m[1];
  const set: Partial<NoticeSettingRow> = {};
  if (verb === '修改' || verb === '更改') {
    const text = m[3].trim();
    if (!text) throw new Answer(`请写上新的内容，例如：定时通知 修改 ${m[2]} 新内容`);
    if ([...text].length > 600) throw new Answer('内容太长，请控制在 600 字以内。');
    set.template = text;
  } else set.enabled = ['恢复', '开启', '打开'].includes(verb);
  await NoticeSetting.updateOne(
    { notice: n.id },
    { $set: { ...set, updatedBy: ctx.actor.userid, updatedAt: ctx.now } },
    { upsert: true },
  );
  await audit({
    actor: ctx.actor.userid,
    action: `notice:${verb}`,
    target: n.id,
    channel: ctx.channel,
    at: ctx.now,
  });
  const next = nextNotice(ctx.services, n.id, ctx.now);
  if (set.template)
    return `已修改「${n.title}」的内容，下次（${next ? formatDeadline(next.at) : '—'}）按新内容发送。`;
  return set.enabled
    ? `已恢复「${n.title}」，下次 ${next ? formatDeadline(next.at) : '—'} 发送。`
    : `已暂停「${n.title}」，恢复请发送「定时通知 恢复 ${m[2]}」。`;
}
