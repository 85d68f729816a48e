import { Answer, type ChatContext } from '../../chat/command';
import { authorize } from '../../domain/policy';
import { STATUS_LABEL } from '../../domain/roster';
import type { StudentDoc } from '../../roster/directory';
import { setStatus } from '../status';

/** 休学: suspension of studies, with its reason (not counted as absence meanwhile). */
export async function suspend(
  ctx: ChatContext,
  a: { student: StudentDoc; reason: string },
): Promise<string> {
  const { student } = a;
  authorize(ctx.actor, 'changeEnrollment', student);
  if (student.status !== 'enrolled') {
    throw new Answer(
      `${student.name} 的学籍状态是「${STATUS_LABEL[student.status]}」，不能办理休学。`,
    );
  }
  if (!a.reason)
    throw new Answer(`请写明休学原因，例如：休学 ${student.name} 因病住院治疗，已有医院证明。`);
  await setStatus(ctx, student, 'suspended', a.reason);
  return `已登记休学：${student.name}，原因：${a.reason}。休学期间不计缺勤；复课时请发「复课 ${student.name}」。`;
}

/** 复课: a suspended student is back on the roll. */
export async function resume(ctx: ChatContext, a: { student: StudentDoc }): Promise<string> {
  const { student } = a;
  authorize(ctx.actor, 'changeEnrollment', student);
  if (student.status !== 'suspended') throw new Answer(`${student.name} 没有在休学，无需复课。`);
  await setStatus(ctx, student, 'enrolled', '休学期满复课');
  return `已登记复课：${student.name} 恢复在读。请不要歧视，帮助其跟上学习。`;
}
