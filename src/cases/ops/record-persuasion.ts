import { Answer, type ChatContext } from '../../chat/command';
import { authorize } from '../../domain/policy';
import { AWAY_GATES } from '../../domain/cases/gates';
import type { StudentDoc } from '../../roster/directory';
import { openCaseOrAnswer } from '../checks';
import { nextSteps, record } from '../record';
import { joinLines } from '../../lib/lines';

/** 劝返: one persuasion attempt (the deputy with the responsible teachers, 二(一)2(3)). */
export async function recordPersuasion(
  ctx: ChatContext,
  a: { student: StudentDoc; record: string },
): Promise<string> {
  const { student } = a;
  authorize(ctx.actor, 'persuade', student);
  if (a.record.length < 2) {
    throw new Answer(`请写上劝返记录，例如：劝返 ${student.name} 与家长面谈，家长同意……`);
  }
  const c = await openCaseOrAnswer(student);
  if (!AWAY_GATES.includes(c.gate)) {
    throw new Answer('目前还不在劝返阶段：请先按要求家访；学校领导家访后仍未返校才进入劝返。');
  }
  const synced = await record(ctx, c, { type: 'persuasion', detail: a.record.slice(0, 500) });
  return joinLines(
    `已记录劝返：${student.name}。如学生返校请发「到校 ${student.name}」。`,
    nextSteps(synced, ctx.actor.userid),
  );
}
