import { Answer, type ChatContext } from '../../chat/command';
import { authorize } from '../../domain/policy';
import { AWAY_GATES } from '../../domain/cases/gates';
import { setStatus } from '../../enrollment/status';
import type { StudentDoc } from '../../roster/directory';
import { formatDay, formatDeadline, isoDay } from '../../lib/time';
import { openCaseOf } from '../store';
import { checkSchoolDay } from '../checks';
import { record } from '../record';
import { joinLines } from '../../lib/lines';

/** 到校 / 返校: every duty of the case is settled and everyone told is told. */
export async function reportPresent(
  ctx: ChatContext,
  a: { student: StudentDoc; day?: string; dutyId?: string },
): Promise<string> {
  const { student } = a;
  authorize(ctx.actor, 'report', student);
  const c = await openCaseOf(student.studentNo);
  if (!c) throw new Answer(`${student.name} 目前没有缺勤记录，无需报到校。`);
  if (c.gate === 'return') throw new Answer(`${student.name} 已登记返校，正在帮扶跟进中。`);
  const day = a.day ?? isoDay(ctx.now);
  checkSchoolDay(ctx, day);
  const afterPersuasion = AWAY_GATES.includes(c.gate);
  const synced = await record(ctx, c, { type: 'present', day, dutyId: a.dutyId });
  const told = [...new Set(synced.notices.flatMap((n) => n.to))].filter(
    (u) => u !== ctx.actor.userid,
  );
  const toldLine = told.length ? `已通知 ${synced.about.who(told)}。` : '';
  if (!afterPersuasion) {
    return `已记录：${student.name} ${formatDay(day)} 已到校，相关待办已全部关闭。${toldLine}`;
  }
  // A confirmed dropout who comes back is on the roll again (an enrollment change: 复学).
  if (student.status === 'droppedOut') await setStatus(ctx, student, 'enrolled', '劝返复学');
  const placement = synced.view.duties.find((d) => d.kind === 'placement');
  return joinLines(
    `已记录：${student.name} 返校复学。请不要歧视，根据学生意愿和离校时间合理安排班级。`,
    placement
      ? `请班主任在 ${formatDeadline(placement.dueAt)} 前发送「帮扶 ${student.name} 帮扶教师姓名 学生干部姓名」。`
      : '',
    `此后 ${ctx.services.settings.ladder.returnCheckInWeeks} 周每周我会提醒班主任跟进。${toldLine}`,
  );
}
