import { Answer, type ChatContext } from '../../chat/command';
import { canActOnStudent, Refused } from '../../domain/policy';
import { CaseFact } from '../../models/case';
import { findStudent, type StudentDoc } from '../../roster/directory';
import { openCaseOf } from '../../cases/store';
import { record } from '../../cases/record';
import { setStatus } from '../status';

/**
 * 转学确认: the receiving school's principal or deputy confirms arrival (in the district), or the
 * sending school's deputy confirms the paperwork (outside it); the case ends, the status moves.
 */
export async function confirmTransfer(
  ctx: ChatContext,
  a: { student: StudentDoc; note: string },
): Promise<string> {
  const { student } = a;
  const c = await openCaseOf(student.studentNo);
  const req =
    c &&
    (
      await CaseFact.find({ caseId: c.caseId, type: 'transferRequested' })
        .sort({ at: -1 })
        .limit(1)
        .lean()
    )[0];
  if (!c || !req || !c.transferPending) throw new Answer(`${student.name} 没有待确认的转学申请。`);
  const leads = ctx.actor.roles.filter((r) => r.role === 'principal' || r.role === 'deputy');
  const receiving = !!req.toSchool && leads.some((r) => r.schoolCode === req.toSchool);
  const sending = !req.toSchool && canActOnStudent(ctx.actor, 'confirmTransfer', student);
  if (!receiving && !sending) throw new Refused('confirmTransfer', student.studentNo);
  await record(ctx, c, { type: 'transferConfirmed', detail: a.note || undefined });
  const to = req.inDistrict ? 'transferredInDistrict' : 'transferredOut';
  const fresh = (await findStudent(student.studentNo)) ?? student;
  await setStatus(ctx, fresh, to, a.note || '转学手续已确认', req.destination);
  return `已确认：${student.name} 转学完成（→ ${req.destination}），原缺勤案件已结案，学籍变动已记录。`;
}

/** A student whose transfer into one of the sender's schools awaits confirmation. */
export async function incomingTransfer(
  ctx: ChatContext,
  token: string,
): Promise<StudentDoc | undefined> {
  const schools = ctx.actor.roles
    .filter((r) => r.role === 'principal' || r.role === 'deputy')
    .flatMap((r) => (r.schoolCode ? [r.schoolCode] : []));
  const reqs = await CaseFact.find({
    type: 'transferRequested',
    toSchool: { $in: schools },
  }).lean();
  for (const r of reqs) {
    const s = await findStudent(r.studentNo);
    if (s && (s.studentNo === token.toUpperCase() || s.name === token)) return s;
  }
  return undefined;
}
