import type { Services } from '../services';
import type { StaffLike, EnrollmentStatus } from '../domain/roster';
import { STATUS_LABEL } from '../domain/roster';
import { canActOnStudent, refusal } from '../domain/policy';
import { School, Staff, Student } from '../models/roster';
import { recordChange } from '../models/enrollment-change';
import { audit } from '../models/audit';
import { className, type StudentDoc } from './directory';
import { openCaseOf, updateCase, addEvent, settleObligations } from '../ladder/store';
import { formatDay } from '../lib/time';
import { isoDay } from '../lib/time';
import { opaque } from '../lib/opaque';

/**
 * 学籍变动 by chat (二(三)2(1)): transfer out (in or out of the district), suspension and its
 * end. Each writes the status, an enrollment-change record and an audit entry; a transfer
 * ends the school's open absence case and tells the receiving school in the district.
 */
export class EnrollmentOps {
  constructor(private readonly s: Services) {}

  private async refuse(actor: StaffLike, student: StudentDoc, now: Date): Promise<string> {
    await audit({
      actor: actor.userid,
      action: 'changeEnrollment',
      target: student.studentNo,
      channel: 'wecom',
      outcome: 'refused',
      at: now,
    });
    return refusal('changeEnrollment');
  }

  private async setStatus(
    actor: StaffLike,
    student: StudentDoc,
    to: EnrollmentStatus,
    now: Date,
    detail: string,
    destination?: string,
  ): Promise<void> {
    await Student.updateOne({ studentNo: student.studentNo }, { $set: { status: to } });
    await recordChange({
      studentNo: student.studentNo,
      schoolCode: student.schoolCode,
      from: student.status,
      to,
      destination,
      detail,
      actor: actor.userid,
      channel: 'wecom',
      at: now,
    });
    await audit({
      actor: actor.userid,
      action: `enrollment:${to}`,
      target: student.studentNo,
      channel: 'wecom',
      at: now,
      detail,
    });
  }

  async transferOut(
    actor: StaffLike,
    student: StudentDoc,
    inDistrict: boolean,
    destination: string,
    note: string,
    now: Date,
  ): Promise<string> {
    if (!canActOnStudent(actor, 'changeEnrollment', student))
      return this.refuse(actor, student, now);
    if (student.status !== 'enrolled' && student.status !== 'suspended')
      return `${student.name} 的学籍状态是「${STATUS_LABEL[student.status]}」，不能再办理转出。`;
    if (!destination)
      return `请写明转入学校（去向），例如：转出 ${student.name} ${inDistrict ? '区内 珠山区第二中学' : '区外 浙江省义乌市某某小学'}`;
    const to: EnrollmentStatus = inDistrict ? 'transferredInDistrict' : 'transferredOut';
    await this.setStatus(
      actor,
      student,
      to,
      now,
      note || (inDistrict ? '区内转学' : '转出区外'),
      destination,
    );
    const c = await openCaseOf(student.studentNo);
    if (c) {
      await updateCase(c.caseId, 'transfer', () => ({ closedAt: now }));
      await addEvent(c, {
        type: 'transfer',
        actor: actor.userid,
        channel: 'wecom',
        at: now,
        from: c.state,
        to: 'closed',
        detail: `转出至 ${destination}`,
      });
      await settleObligations(this.s, c.caseId, 'cancelled', actor.userid, now);
      await this.s.scheduler.cancelPrefix(`${c.caseId}:`);
    }
    const lines = [
      `已登记转出：${student.name}（${await className(student.classId)}）→ ${destination}（${inDistrict ? '区内' : '区外'}），${formatDay(isoDay(now))}。`,
    ];
    if (c) lines.push('该生未结的缺勤案件已结束，相关待办已取消。');
    if (inDistrict) {
      const receiving = await School.findOne({
        $or: [{ name: destination }, { code: destination }],
      }).lean<{ code: string; name: string }>();
      if (receiving) {
        const leaders = await Staff.find({
          roles: {
            $elemMatch: { role: { $in: ['principal', 'deputy'] }, schoolCode: receiving.code },
          },
        }).lean<StaffLike[]>();
        for (const l of leaders) {
          await this.s.outbox.enqueue(
            l.userid,
            {
              kind: 'text',
              content: `【转入通知】${student.name}（学籍号 ${student.studentNo}）由本区其他学校转入贵校（${actor.name} 登记）。请办理转入手续、安排班级，并在花名册中登记。`,
            },
            `transfer-in:${opaque(student.studentNo)}:${isoDay(now)}:${l.userid}`,
          );
        }
        lines.push(`已通知 ${receiving.name} 办理转入。`);
      } else
        lines.push('区内转学须先办理转学手续；未找到这所学校，请转入学校登记后在花名册中导入。');
    } else lines.push('请及时在中小学学籍系统办理转学，做到去向清楚。');
    return lines.join('\n');
  }

  async suspend(actor: StaffLike, student: StudentDoc, reason: string, now: Date): Promise<string> {
    if (!canActOnStudent(actor, 'changeEnrollment', student))
      return this.refuse(actor, student, now);
    if (student.status !== 'enrolled')
      return `${student.name} 的学籍状态是「${STATUS_LABEL[student.status]}」，不能办理休学。`;
    if (!reason) return `请写明休学原因，例如：休学 ${student.name} 因病住院治疗，已有医院证明。`;
    await this.setStatus(actor, student, 'suspended', now, reason);
    return `已登记休学：${student.name}，原因：${reason}。休学期间不计缺勤；复课时请发「复课 ${student.name}」。`;
  }

  async resume(actor: StaffLike, student: StudentDoc, now: Date): Promise<string> {
    if (!canActOnStudent(actor, 'changeEnrollment', student))
      return this.refuse(actor, student, now);
    if (student.status !== 'suspended') return `${student.name} 没有在休学，无需复课。`;
    await this.setStatus(actor, student, 'enrolled', now, '休学期满复课');
    return `已登记复课：${student.name} 恢复在读。请不要歧视，帮助其跟上学习。`;
  }
}
