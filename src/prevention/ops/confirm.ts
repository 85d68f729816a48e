import { Answer, type ChatContext } from '../../chat/command';
import { authorize } from '../../domain/policy';
import { AtRisk } from '../../models/prevention';
import { auditChat } from '../../models/audit';
import { Staff, type StaffRow } from '../../models/roster';
import type { StudentDoc } from '../../roster/directory';
import { allOwners, describeOwners, mirror, ownersOf, registered, rhythmFrom } from '../register';
import { P } from '../replies';

const LEADER_ROLES = ['gradeLeader', 'deputy', 'principal'];

/** A leader of the student's school by name: 中层领导、分管领导 or 校长 (双包保's second owner). */
async function schoolLeaderNamed(name: string, schoolCode: string): Promise<StaffRow | null> {
  return Staff.findOne({
    name,
    roles: { $elemMatch: { role: { $in: LEADER_ROLES }, schoolCode } },
  }).lean();
}

/**
 * 确认易辍 <学生> [领导姓名] (deputy or principal): confirms the proposal, names the second
 * owner (validated as a leader of that school) or leaves the grade leader standing in. The
 * rhythm starts; both owners are told.
 */
export async function confirmAtRisk(
  ctx: ChatContext,
  input: { student: StudentDoc; leaderName: string },
): Promise<string> {
  const { student } = input;
  authorize(ctx.actor, 'confirmAtRisk', student);
  const row = await registered(student.studentNo);
  if (!row || row.status === 'removed') throw new Answer(P.notProposed(student.name));
  let leader = row.leader ?? null;
  const name = input.leaderName.trim();
  if (name) {
    const found = await schoolLeaderNamed(name, student.schoolCode);
    if (!found) throw new Answer(P.notALeader(name));
    leader = found.userid;
  }
  const first = row.status !== 'confirmed';
  const set = {
    status: 'confirmed' as const,
    leader,
    ...(first
      ? {
          confirmedBy: ctx.actor.userid,
          confirmedAt: ctx.now,
          ...rhythmFrom(ctx.now, ctx.services.settings.prevention),
        }
      : {}),
  };
  await AtRisk.updateOne({ studentNo: student.studentNo }, { $set: set });
  await mirror(student, true, leader);
  await auditChat(ctx, first ? 'atRisk:confirm' : 'atRisk:leader', student.studentNo);
  const owners = await ownersOf(student, { ...row, ...set });
  const who = await describeOwners(owners);
  const to = allOwners(owners).filter((u) => u !== ctx.actor.userid);
  await ctx.services.notify.text(
    to,
    P.ownersTold(student.name, who, ctx.services.settings.prevention.contactEveryDays),
    `atrisk:${student.studentNo}:owners:${ctx.now.getTime()}`,
  );
  return P.confirmed(student.name, who, first);
}
