import { Answer, type ChatContext } from '../../chat/command';
import { authorize } from '../../domain/policy';
import { staffByName, type StudentDoc } from '../../roster/directory';
import { openCaseOrAnswer } from '../checks';
import { record } from '../record';

/** 帮扶 (二(一)2(3)): a mentor teacher and a student helper for a returned student. */
export async function assignMentoring(
  ctx: ChatContext,
  a: { student: StudentDoc; mentorName: string; helper: string; placement: string },
): Promise<string> {
  const { student } = a;
  authorize(ctx.actor, 'report', student);
  const c = await openCaseOrAnswer(student);
  if (c.gate !== 'return') throw new Answer('只有学生返校后才能安排帮扶。');
  if (!a.mentorName) {
    throw new Answer(`请写明帮扶教师（本校老师）的姓名，例如：帮扶 ${student.name} 王芳 李小红。`);
  }
  const mentor = await staffByName(student.schoolCode, a.mentorName);
  if (!mentor) throw new Answer(`本校没有找到老师「${a.mentorName}」，请核对姓名。`);
  const placement = a.placement || '原班级';
  await record(ctx, c, {
    type: 'mentoring',
    mentor: mentor.userid,
    ...(a.helper ? { helper: a.helper } : {}),
    placement,
  });
  if (mentor.userid !== ctx.actor.userid) {
    const text = `【帮扶安排】您被安排为 ${student.name} 的帮扶教师（返校复学）。请多关心，帮助其顺利完成九年义务教育。`;
    await ctx.services.notify.text([mentor.userid], text, `${c.caseId}:mentor`);
  }
  const helper = a.helper ? `，学生干部 ${a.helper}` : '';
  return `已安排帮扶：${student.name} 的帮扶教师 ${mentor.name}${helper}，安排：${placement}。此后每周我会提醒您跟进。`;
}
