import { Answer, requireText, type ChatContext } from '../../chat/command';
import { authorize } from '../../domain/policy';
import { AtRisk, ContactDuty } from '../../models/prevention';
import { auditChat } from '../../models/audit';
import type { StudentDoc } from '../../roster/directory';
import { allOwners, mirror, ownersOf, registered } from '../register';
import { P } from '../replies';

/** 移出易辍 <学生> <原因> (deputy or principal): kept in the register as removed, audited. */
export async function removeAtRisk(
  ctx: ChatContext,
  input: { student: StudentDoc; reason: string },
): Promise<string> {
  const { student, reason } = input;
  authorize(ctx.actor, 'confirmAtRisk', student);
  const row = await registered(student.studentNo);
  if (!row || row.status === 'removed') throw new Answer(P.notOnRegister(student.name));
  requireText(reason, P.needRemoveReason(student.name));
  await AtRisk.updateOne(
    { studentNo: student.studentNo },
    {
      $set: {
        status: 'removed',
        removedAt: ctx.now,
        removedBy: ctx.actor.userid,
        removedReason: reason,
        wakeAt: null,
        contactDueAt: null,
        lapseAt: null,
      },
    },
  );
  await ContactDuty.updateMany(
    { studentNo: student.studentNo, status: 'open' },
    { $set: { status: 'met', metBy: ctx.actor.userid, metAt: ctx.now } },
  );
  await mirror(student, false);
  await auditChat(ctx, 'atRisk:remove', student.studentNo, reason.slice(0, 200));
  const to = allOwners(await ownersOf(student, row)).filter((u) => u !== ctx.actor.userid);
  await ctx.services.notify.text(
    to,
    P.removedTold(student.name, ctx.actor.name),
    `atrisk:${student.studentNo}:removed:${ctx.now.getTime()}`,
  );
  return P.removed(student.name);
}
