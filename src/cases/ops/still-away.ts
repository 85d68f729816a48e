import type { ChatContext } from '../../chat/command';
import { authorize } from '../../domain/policy';
import { responsibleAt } from '../../domain/chain';
import type { StudentDoc } from '../../roster/directory';
import { formatDay } from '../../lib/time';
import { checkSchoolDay, openCaseOrAnswer } from '../checks';
import { nextSteps, record } from '../record';
import type { Synced } from '../sync';
import type { Notice } from '../notices';
import { R } from '../replies';
import { atRiskOwners } from '../../prevention/queries/owners';
import { joinLines } from '../../lib/lines';

/**
 * 仍未到校: a person confirms the student is still away on a school day (answers a check). When
 * that starts the absence (after a leave, at registration), the school is told as for 缺勤:
 * the deputy at once, and the head teacher when someone else confirmed it.
 */
export async function confirmStillAway(
  ctx: ChatContext,
  a: { student: StudentDoc; day: string; dutyId?: string },
): Promise<string> {
  authorize(ctx.actor, 'report', a.student);
  checkSchoolDay(ctx, a.day);
  const c = await openCaseOrAnswer(a.student);
  const starts = c.gate !== 'tracking';
  const owners = starts && a.student.atRisk ? await atRiskOwners(a.student) : [];
  const tell = (p: Synced): Notice[] =>
    starts && p.view.gate === 'tracking' ? absenceStarted(ctx, a, p, owners) : [];
  const synced = await record(
    ctx,
    c,
    { type: 'stillAway', day: a.day, dutyId: a.dutyId },
    { student: a.student, tell },
  );
  const n = synced.view.awayDays;
  return joinLines(
    `已确认：${a.student.name} ${formatDay(a.day)} 仍未到校${n ? `（已 ${n} 个上学日未到校）` : ''}。`,
    nextSteps(synced, ctx.actor.userid),
  );
}

function absenceStarted(
  ctx: ChatContext,
  a: { student: StudentDoc; day: string },
  p: Synced,
  owners: string[],
): Notice[] {
  const me = ctx.actor.userid;
  const heads = responsibleAt(p.chain, 'headTeacher').userids;
  const to = [...owners, ...responsibleAt(p.chain, 'deputy').userids, ...heads];
  const recipients = [...new Set(to)].filter((u) => u !== me);
  if (!recipients.length) return [];
  const before = p.view.moves.at(-2)?.gate;
  const afterLeave = before === 'leave' || before === 'leaveEnded';
  const why = afterLeave ? '请假结束后仍未到校' : '确认仍未到校';
  const text = R.absenceTold(p.about.className, a.student.name, a.day, 'full', ctx.actor.name, why);
  const line = `${a.student.name}：${formatDay(a.day)} ${why}`;
  return [{ to: recipients, key: `${p.row.caseId}:told:${a.day}:full`, text, line }];
}
