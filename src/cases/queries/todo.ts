import type { ChatContext } from '../../chat/command';
import { DUTY, actionCommand, type DutyKind } from '../../domain/cases/duties';
import { Duty, type DutyRow } from '../../models/case';
import { displayNames } from '../../roster/directory';
import { formatDay, formatDeadline } from '../../lib/time';
import { joinLines } from '../../lib/lines';
import { overdueDigest } from './overdue';
import { listedStudents } from './listed-students';
import { listWithCounts } from './list-scope';

const SHOWN = 20;

/** 待办: my open and overdue duties, soonest first; the footer says how to do what is listed. */
export async function todo(ctx: ChatContext): Promise<string> {
  const me = ctx.actor.userid;
  const live: DutyRow['status'][] = ['open', 'missed'];
  // My own duties, and those escalated to me that are still overdue.
  const filter = {
    $or: [
      { holders: me, status: { $in: live } },
      { escalatedTo: me, status: 'missed' as const },
    ],
  };
  // The first SHOWN and how many there are, in one aggregate (issue #11: 待办 within 5 trips).
  const { list, groups } = await listWithCounts(Duty, filter, { dueAt: 1 }, 'total', SHOWN);
  const total = groups[0]?.n ?? 0;
  if (!list.length) return nothingToDo(ctx);
  const names = await displayNames(await listedStudents(list));
  const lines = list.map((d, i) => {
    const mine = d.holders.includes(me) ? '' : '（已上报给您）';
    const day = d.day ? `（${formatDay(d.day)}）` : '';
    const name = names.get(d.studentNo) ?? '（已转出）';
    return `${i + 1}. ${name}：${DUTY[d.kind].label}${day}${mine}，${when(d, ctx.now)}`;
  });
  const more = total > SHOWN ? `……另有 ${total - SHOWN} 项。` : '';
  return joinLines(
    `您的待办（${total} 项，按截止时间）：`,
    ...lines,
    more,
    footer(list, names, me),
  );
}

/** Nothing of one's own; the bureau still sees the district's overdue duties in a digest. */
async function nothingToDo(ctx: ChatContext): Promise<string> {
  const bureau = ctx.actor.roles.some((r) => r.role === 'bureau');
  const digest = bureau ? await overdueDigest({}, ctx.now) : '';
  return digest ? `您目前没有上报给您的逾期事项。\n${digest}` : '您目前没有待办事项。👍';
}

function when(d: DutyRow, now: Date): string {
  const left = d.dueAt.getTime() - now.getTime();
  if (d.status === 'missed' || left < 0) return `已逾期（截止 ${formatDeadline(d.dueAt)}）`;
  const soon = left < 86_400_000 ? `，还剩 ${Math.max(1, Math.round(left / 3_600_000))} 小时` : '';
  return `截止 ${formatDeadline(d.dueAt)}${soon}`;
}

/** One hint per kind of duty on the list, naming the first student as the example. */
function footer(list: DutyRow[], names: Map<string, string>, me: string): string {
  const seen = new Set<DutyKind>();
  const hints: string[] = [];
  for (const d of list) {
    if (seen.has(d.kind)) continue;
    seen.add(d.kind);
    const name = names.get(d.studentNo) ?? '姓名';
    // Escalated to the bureau: it follows up (督办), it does not do the principal's step.
    if (!d.holders.includes(me) && DUTY[d.kind].escalatedActions.includes('followUp')) {
      hints.push(`「${actionCommand('followUp', name)}」`);
      continue;
    }
    const action = DUTY[d.kind].actions.find((a) => a !== 'details');
    const typed = HINT[d.kind]?.(name) ?? (action ? actionCommand(action, name) : undefined);
    if (typed) hints.push(`「${typed}」`);
  }
  return hints.length ? `办理：${hints.slice(0, 4).join(' ')}` : '';
}

const HINT: Partial<Record<DutyKind, (name: string) => string>> = {
  persuade: (n) => `劝返 ${n} 记录`,
  decide: (n) => `确认辍学 ${n} 原因`,
  govReport: (n) => `报告政府 ${n} 内容`,
  placement: (n) => `帮扶 ${n} 教师 学生干部`,
  transferConfirm: (n) => `转学确认 ${n}`,
};
