import { Answer, type ChatContext } from '../../chat/command';
import { authorize } from '../../domain/policy';
import { bureauStaff, schoolName, type StudentDoc } from '../../roster/directory';
import { openCaseOrAnswer } from '../checks';
import { record } from '../record';

/**
 * 报告关 (二(一)2(3)): the principal records the report to the local government (what, to whom,
 * when); later the government's measures on the guardians (`measures`). The bureau is told.
 */
export async function reportGovernment(
  ctx: ChatContext,
  a: { student: StudentDoc; content: string; measures?: boolean },
): Promise<string> {
  const { student } = a;
  authorize(ctx.actor, 'reportGovernment', student);
  const verb = a.measures ? '政府措施' : '报告政府';
  if (a.content.length < 4) {
    throw new Answer(
      a.measures
        ? `请写明当地政府采取的措施，例如：政府措施 ${student.name} 镇政府约谈家长，责令送返`
        : `请写明向谁报告、报告了什么，例如：报告政府 ${student.name} 已书面报告某某镇政府，请其督促监护人送返`,
    );
  }
  const c = await openCaseOrAnswer(student);
  if (c.gate !== 'reporting' && c.gate !== 'reported') {
    throw new Answer(`${student.name} 还没有确认辍学，无需${verb}。`);
  }
  await record(ctx, c, { type: a.measures ? 'govMeasures' : 'govReported', detail: a.content });
  const school = await schoolName(student.schoolCode);
  const text = `【${verb}】${school} ${student.name}：${a.content}（${ctx.actor.name} 记录）`;
  await ctx.services.notify.text(
    await bureauStaff(),
    text,
    `${c.caseId}:${verb}:${ctx.now.getTime()}`,
  );
  return `已记录${verb}：${student.name}，已告知区教体局。学生返校时请发「到校 ${student.name}」。`;
}
