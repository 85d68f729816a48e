import { Answer, requireText, type ChatContext } from '../../chat/command';
import { authorize, canActOnStudent } from '../../domain/policy';
import { AtRisk } from '../../models/prevention';
import { auditChat } from '../../models/audit';
import { chainOf, type StudentDoc } from '../../roster/directory';
import { responsibleAt } from '../../domain/chain';
import { confirmAtRisk } from './confirm';
import { registered } from '../register';
import { P } from '../replies';
import { placeOf } from '../../domain/roster';

/**
 * 易辍 <学生> <原因> (二(一)2(2)): the head teacher or a leader proposes; the deputy (or
 * principal) confirms and names the second owner. A deputy's own proposal is confirmed at once.
 */
export async function proposeAtRisk(
  ctx: ChatContext,
  input: { student: StudentDoc; reason: string },
): Promise<string> {
  const { student, reason } = input;
  authorize(ctx.actor, 'proposeAtRisk', student);
  if (student.status !== 'enrolled') throw new Answer(P.notEnrolled(student.name));
  requireText(reason, P.needReason(student.name));
  const row = await registered(student.studentNo);
  const reasons = [...(row && row.status !== 'removed' ? row.reasons : []), reason];
  const where = placeOf(student);
  if (row && row.status !== 'removed') {
    await AtRisk.updateOne({ studentNo: student.studentNo }, { $set: { reasons, ...where } });
  } else {
    const fresh = {
      ...where,
      status: 'proposed',
      source: 'chat',
      reasons,
      proposedBy: ctx.actor.userid,
      proposedAt: ctx.now,
      leader: null,
      wakeAt: null,
    };
    await AtRisk.updateOne({ studentNo: student.studentNo }, { $set: fresh }, { upsert: true });
  }
  await auditChat(ctx, 'atRisk:propose', student.studentNo);
  if (row?.status === 'confirmed') return P.reasonAdded(student.name);
  if (canActOnStudent(ctx.actor, 'confirmAtRisk', student)) {
    return confirmAtRisk(ctx, { student, leaderName: '' });
  }
  const deputies = responsibleAt(await chainOf(student), 'deputy').userids;
  await ctx.services.notify.text(
    deputies,
    P.proposalTold(student.name, ctx.actor.name, reason),
    `atrisk:${student.studentNo}:proposed:${ctx.now.getTime()}`,
  );
  return P.proposed(student.name);
}
