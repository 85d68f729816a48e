import { DateTime } from 'luxon';
import { z } from 'zod';
import { SandboxMessage, type SandboxMessageRow } from '../wecom/sandbox/fake-api';
import { Staff, Student } from '../models/roster';
import type { StaffLike } from '../domain/roster';
import { ZONE, formatDeadline } from '../lib/time';
import type { SchoolCalendar } from '../domain/calendar';

/**
 * The guided demo: a scripted school week played through the real callback path — a head
 * teacher reports an absence, the visit is missed, the escalation reaches the grade leader,
 * who clicks the card and visits, and the student returns. Returns a readable transcript.
 */
export interface DemoDriver {
  now(): Date;
  say(as: string, text: string): Promise<string | null>;
  click(as: string, key: string, taskId: string): Promise<void>;
  advanceTo(at: Date): Promise<void>;
  flush(): Promise<void>;
  calendar: SchoolCalendar;
}

/**
 * The fields of a pushed template card the demo reads. The sandbox stores cards as WeCom sent
 * them (untyped, `Mixed`), so the demo checks these instead of claiming them with a cast.
 */
const demoCard = z.object({
  task_id: z.string().optional(),
  main_title: z.object({ title: z.string().optional(), desc: z.string().optional() }).optional(),
  button_list: z.array(z.object({ text: z.string(), key: z.string() })).optional(),
});

function cardOf(m: SandboxMessageRow): z.infer<typeof demoCard> {
  const parsed = demoCard.safeParse(m.card ?? {});
  return parsed.success ? parsed.data : {};
}

/** Who plays the week: class ZS01-3-1's head teacher, its grade leader and one of its students. */
async function cast() {
  const staff = await Staff.find({}).lean();
  const by = (pred: (r: StaffLike['roles'][number]) => boolean) =>
    staff.find((p) => p.roles.some(pred))!;
  const classId = 'ZS01-3-1';
  const head = by((r) => r.role === 'headTeacher' && r.classId === classId);
  const leader = by((r) => r.role === 'gradeLeader' && r.schoolCode === 'ZS01' && r.grade === 3);
  const students = await Student.find({ classId }).sort({ studentNo: 1 }).lean();
  const student = students.find(
    (s) => !s.atRisk && students.filter((t) => t.name === s.name).length === 1,
  )!;
  const names = new Map(staff.map((p) => [p.userid, p.name]));
  return { head, leader, student, who: (u: string) => names.get(u) ?? u };
}

function pushLine(m: SandboxMessageRow, who: (u: string) => string): string {
  if (!m.card) return `  推送 → ${who(m.to)}：${(m.content ?? '').replace(/\n/g, ' ')}`;
  const title = cardOf(m).main_title;
  const buttons = (cardOf(m).button_list ?? []).map((b) => b.text).join(' / ');
  return `  推送 → ${who(m.to)}：[卡片] ${title?.title}｜${title?.desc ?? ''}｜按钮：${buttons}`;
}

/** The transcript: what each person says, the replies, and the pushes since the last line. */
async function transcript(
  drv: DemoDriver,
  out: (line: string) => void,
  who: (u: string) => string,
) {
  let seen = new Set((await SandboxMessage.find({}).lean()).map((m) => String(m._id)));
  const stamp = () => `[${formatDeadline(drv.now())}]`;
  const showPushes = async () => {
    await drv.flush();
    const all = await SandboxMessage.find({ msgtype: { $nin: ['user', 'reply'] } })
      .sort({ at: 1 })
      .lean();
    for (const m of all.filter((x) => !seen.has(String(x._id)))) out(pushLine(m, who));
    seen = new Set(all.map((m) => String(m._id)).concat([...seen]));
  };
  const say = async (u: StaffLike, text: string) => {
    out(`${stamp()} ${u.name}：${text}`);
    const reply = await drv.say(u.userid, text);
    if (reply) out(`  保学 → ${u.name}：${reply.replace(/\n/g, ' ')}`);
    await showPushes();
  };
  const jump = async (at: Date, why: string) => {
    out(`[⏩ 快进到 ${formatDeadline(at)}] ${why}`);
    await drv.advanceTo(at);
    await showPushes();
  };
  return { stamp, showPushes, say, jump };
}

/** School day `dayOffset` after the next Monday that is a school day, at hh:mm. */
function schoolDays(drv: DemoDriver): (dayOffset: number, hhmm: string) => Date {
  let day = DateTime.fromJSDate(drv.now(), { zone: ZONE }).plus({ days: 1 });
  while (day.weekday !== 1 || !drv.calendar.isSchoolDay(day.toISODate()!))
    day = day.plus({ days: 1 });
  return (dayOffset, hhmm) => {
    const d = drv.calendar.addSchoolDays(day.toISODate()!, dayOffset);
    const [h, m] = hhmm.split(':').map(Number);
    return DateTime.fromISO(d, { zone: ZONE }).set({ hour: h, minute: m }).toJSDate();
  };
}

export async function playDemoWeek(
  drv: DemoDriver,
  print: (line: string) => void = () => {},
): Promise<string[]> {
  const lines: string[] = [];
  const out = (l: string) => {
    lines.push(l);
    print(l);
  };
  const { head, leader, student, who } = await cast();
  const t = await transcript(drv, out, who);
  const at = schoolDays(drv);

  out(`—— 保学演示：${student.name}（三年级1班）缺勤的一周 ——`);
  await t.jump(at(0, '08:00'), '周一早上');
  await t.say(head, `缺勤 ${student.name} 全天 电话联系不上家长`);
  await t.jump(at(1, '09:00'), '第二天早上：没有人报告到校');
  await t.jump(at(1, '18:01'), '班主任家访的截止时间已过');
  const card = (await SandboxMessage.find({ to: leader.userid }).sort({ at: -1 }).lean()).find(
    (m) => cardOf(m).main_title?.title?.startsWith('【逾期】'),
  );
  const { task_id: taskId, button_list: buttons } = card ? cardOf(card) : {};
  const button = buttons?.find((b) => b.text === '已家访');
  if (card && taskId && button) {
    out(`${t.stamp()} ${leader.name} 在逾期卡片上点击「已家访」`);
    await drv.click(leader.userid, button.key, taskId);
    await t.showPushes();
    const updated = await SandboxMessage.findOne({ _id: card._id }).lean();
    const replaced = updated?.updatedCard?.replaceName;
    if (updated?.updatedCard) out(`  卡片已更新：${String(replaced ?? '已处理')}`);
  }
  await t.jump(at(1, '19:30'), '');
  await t.say(
    leader,
    `家访 ${student.name} 与班主任一同上门，见到母亲，` +
      '孩子因与同学闹矛盾不愿上学，已沟通，家长承诺明早送到校',
  );
  await t.jump(at(2, '08:10'), '第三天早上');
  await t.say(head, `到校 ${student.name}`);
  await t.say(head, `进展 ${student.name}`);
  out('—— 演示结束 ——');
  return lines;
}
