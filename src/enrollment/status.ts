import type { ChatContext } from '../chat/command';
import type { EnrollmentStatus } from '../domain/roster';
import { Student } from '../models/roster';
import { recordChange } from '../models/enrollment-change';
import { audit } from '../models/audit';
import { recountClasses } from '../roster/counts';
import type { StudentDoc } from '../roster/directory';

/** 学籍变动: the status, an append-only change record (with the destination), an audit entry. */
export async function setStatus(
  ctx: ChatContext,
  student: StudentDoc,
  to: EnrollmentStatus,
  detail: string,
  destination?: string,
): Promise<void> {
  await Student.updateOne({ studentNo: student.studentNo }, { $set: { status: to } });
  await recountClasses([student.classId]);
  const who = { actor: ctx.actor.userid, channel: 'wecom' as const, at: ctx.now };
  const from = student.status;
  await recordChange({
    studentNo: student.studentNo,
    schoolCode: student.schoolCode,
    from,
    to,
    destination,
    detail,
    ...who,
  });
  await audit({ ...who, action: `enrollment:${to}`, target: student.studentNo, detail });
}
