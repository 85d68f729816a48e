import type { ChatContext } from '../../chat/command';
import { authorize } from '../../domain/policy';
import type { StudentDoc } from '../../roster/directory';
import { formatDay } from '../../lib/time';
import { checkSchoolDay, openCaseOrAnswer } from '../checks';
import { nextSteps, record } from '../record';
import { joinLines } from '../../lib/lines';

/** 仍未到校: a person confirms the student is still away on a school day (answers a check). */
export async function confirmStillAway(
  ctx: ChatContext,
  a: { student: StudentDoc; day: string; dutyId?: string },
): Promise<string> {
  authorize(ctx.actor, 'report', a.student);
  checkSchoolDay(ctx, a.day);
  const c = await openCaseOrAnswer(a.student);
  const synced = await record(ctx, c, { type: 'stillAway', day: a.day, dutyId: a.dutyId });
  const n = synced.view.awayDays;
  return joinLines(
    `已确认：${a.student.name} ${formatDay(a.day)} 仍未到校${n ? `（已 ${n} 个上学日未到校）` : ''}。`,
    nextSteps(synced, ctx.actor.userid),
  );
}
