import { Answer, type ChatContext } from '../../chat/command';
import { authorize } from '../../domain/policy';
import { setStatus } from '../../enrollment/status';
import { bureauStaff, schoolName, type StudentDoc } from '../../roster/directory';
import { formatDeadline } from '../../lib/time';
import { openCaseOrAnswer } from '../checks';
import { record } from '../record';
import { joinLines } from '../../lib/lines';

/**
 * 辍学确认关: the principal confirms the dropout and its reasons; the bureau is told; the case
 * moves to 报告关, where the report to the local government is due.
 */
export async function confirmDropout(
  ctx: ChatContext,
  a: { student: StudentDoc; reason: string },
): Promise<string> {
  const { student } = a;
  authorize(ctx.actor, 'confirmDropout', student);
  if (a.reason.length < 2) {
    throw new Answer(
      `请写明辍学原因，例如：确认辍学 ${student.name} 随父母外出打工，多次劝返无效。`,
    );
  }
  const c = await openCaseOrAnswer(student);
  if (c.gate !== 'persuasion' && c.gate !== 'confirmation') {
    throw new Answer(
      '只有在劝返阶段（学校领导家访后仍未返校）才能确认辍学。请先按流程家访、劝返。',
    );
  }
  const synced = await record(ctx, c, { type: 'dropoutConfirmed', detail: a.reason });
  await setStatus(ctx, student, 'droppedOut', a.reason);
  const bureau = await bureauStaff();
  const school = await schoolName(student.schoolCode);
  const text =
    `【辍学上报】${school} ${synced.about.className} ${student.name}（学籍号 ${student.studentNo}）` +
    `经劝返确认辍学（校长 ${ctx.actor.name} 确认）。原因：${a.reason}。已计入本月流失生报告。`;
  await ctx.services.notify.text(bureau, text, `${c.caseId}:dropout`);
  const due = synced.view.duties.find((d) => d.kind === 'govReport')?.dueAt;
  return joinLines(
    `已确认 ${student.name} 辍学，原因已记录，已报告区教体局（${synced.about.who(bureau)}）。`,
    due
      ? `请您在 ${formatDeadline(due)} 前向当地政府报告，并发送「报告政府 ${student.name} 报告内容」。`
      : '',
    `学生返校时请发「到校 ${student.name}」。`,
  );
}
