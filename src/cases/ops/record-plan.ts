import { Answer, type ChatContext } from '../../chat/command';
import { authorize } from '../../domain/policy';
import type { StudentDoc } from '../../roster/directory';
import { formatDay, isoDay } from '../../lib/time';
import { openCaseOrAnswer } from '../checks';
import { nextSteps, record } from '../record';
import { joinLines } from '../../lib/lines';

/** 劝返计划: the principal decides to go on persuading, with the plan and the next decision day. */
export async function recordPlan(
  ctx: ChatContext,
  a: { student: StudentDoc; plan: string; nextDay?: string },
): Promise<string> {
  const { student } = a;
  authorize(ctx.actor, 'decide', student);
  const c = await openCaseOrAnswer(student);
  if (c.gate !== 'persuasion' && c.gate !== 'confirmation') {
    throw new Answer(`${student.name} 不在劝返阶段，无需劝返计划。`);
  }
  if (!a.nextDay || a.nextDay <= isoDay(ctx.now) || a.plan.length < 2) {
    throw new Answer(
      `请写明劝返计划和下次决定的日期，例如：劝返计划 ${student.name} 联系村委会共同上门 12月20日`,
    );
  }
  const synced = await record(ctx, c, { type: 'plan', nextDay: a.nextDay, detail: a.plan });
  return joinLines(
    `已记录劝返计划：${student.name}。${formatDay(a.nextDay)} 请您再作决定（确认辍学或继续劝返）。`,
    nextSteps(synced, ctx.actor.userid),
  );
}
