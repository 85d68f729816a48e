import type { ChatContext } from '../../chat/command';
import { authorize } from '../../domain/policy';
import { schoolLeaders, type StudentDoc } from '../../roster/directory';
import { openCaseOrAnswer } from '../checks';
import { record } from '../record';

/** 督办: the bureau follows a case up; the principal is told the bureau is following it. */
export async function followUp(
  ctx: ChatContext,
  a: { student: StudentDoc; note: string; dutyId?: string },
): Promise<string> {
  authorize(ctx.actor, 'followUp', a.student);
  const c = await openCaseOrAnswer(a.student);
  const synced = await record(ctx, c, {
    type: 'followUp',
    detail: a.note || undefined,
    dutyId: a.dutyId,
  });
  const leaders = (await schoolLeaders([a.student.schoolCode]))
    .filter((p) => p.roles.some((r) => r.role === 'principal'))
    .map((p) => p.userid);
  const text =
    `【督办】区教体局 ${ctx.actor.name} 正在督办 ${synced.about.className} ${a.student.name} 的案件` +
    `（已 ${synced.view.awayDays} 个上学日未到校）${a.note ? `：${a.note}` : ''}。` +
    `请尽快办理并发「进展 ${a.student.name}」查看。`;
  await ctx.services.notify.text(leaders, text, `${c.caseId}:followup:${ctx.now.getTime()}`);
  return `已督办：${a.student.name}，已通知校长 ${synced.about.who(leaders)}。`;
}
