import { Answer, type ChatContext } from '../../chat/command';
import { authorize } from '../../domain/policy';
import type { StudentDoc } from '../../roster/directory';
import { Duty } from '../../models/case';
import { openCaseOrAnswer } from '../checks';
import { nextSteps, record } from '../record';
import { joinLines } from '../../lib/lines';

/** 跟进: the head teacher's weekly check-in on a returned student (复学通知关). */
export async function checkIn(
  ctx: ChatContext,
  a: { student: StudentDoc; week?: number; note: string },
): Promise<string> {
  authorize(ctx.actor, 'report', a.student);
  const c = await openCaseOrAnswer(a.student);
  if (c.gate !== 'return') throw new Answer(`${a.student.name} 不在返校帮扶期，无需跟进。`);
  const open = await Duty.findOne({
    caseId: c.caseId,
    kind: 'checkIn',
    status: { $in: ['open', 'missed'] },
  })
    .sort({ openAt: 1 })
    .lean();
  const week = a.week ?? Number(open?.dutyId.split(':').pop());
  if (!week) throw new Answer(`${a.student.name} 本周的跟进还没开始，到时我会提醒您。`);
  const synced = await record(ctx, c, { type: 'checkIn', week, detail: a.note || undefined });
  return joinLines(
    `已记录第 ${week} 周跟进：${a.student.name}。`,
    nextSteps(synced, ctx.actor.userid),
  );
}
