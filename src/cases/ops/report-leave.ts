import { Answer, type ChatContext } from '../../chat/command';
import { authorize } from '../../domain/policy';
import { CHECK_GATES, GATE_LABEL } from '../../domain/cases/gates';
import type { StudentDoc } from '../../roster/directory';
import { formatDay } from '../../lib/time';
import { openCaseOf, openOrCreateCase } from '../store';
import { record } from '../record';

export interface LeaveInput {
  student: StudentDoc;
  from: string;
  until: string;
  reason: string;
}

/** 请假: excused leave is not an unexcused absence; after it ends, attendance is asked for. */
export async function reportLeave(ctx: ChatContext, a: LeaveInput): Promise<string> {
  const { student } = a;
  authorize(ctx.actor, 'report', student);
  const cal = ctx.services.cal;
  if (a.until < a.from) throw new Answer('请假结束日期早于开始日期，请检查。');
  const start = cal.onOrAfter(a.from);
  const days = cal.schoolDaysBetween(cal.previousSchoolDay(start), a.until);
  if (days < 1)
    throw new Answer(`${formatDay(a.from)} 至 ${formatDay(a.until)} 没有上学日，无需请假。`);
  const existing = await openCaseOf(student.studentNo);
  if (existing && !CHECK_GATES.includes(existing.gate)) {
    const gate = GATE_LABEL[existing.gate];
    throw new Answer(
      `${student.name} 目前处于「${gate}」，不能登记请假。如已返校请发「到校 ${student.name}」。`,
    );
  }
  const { row } = await openOrCreateCase(student, ctx.actor.userid, ctx.now);
  await record(ctx, row, {
    type: 'leave',
    day: start,
    until: a.until,
    detail: a.reason || undefined,
  });
  const back = cal.nextSchoolDay(a.until);
  return [
    `已登记请假：${student.name} ${formatDay(start)} 至 ${formatDay(a.until)}（${days} 个上学日）` +
      `${a.reason ? `，事由：${a.reason}` : ''}。请假期间不计缺勤。`,
    `${formatDay(back)} 早上我会请班主任确认是否到校；返校时请发「到校 ${student.name}」。`,
  ].join('\n');
}
