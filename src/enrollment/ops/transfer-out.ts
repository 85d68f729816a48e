import { Answer, type ChatContext } from '../../chat/command';
import { authorize } from '../../domain/policy';
import { STATUS_LABEL } from '../../domain/roster';
import { School, type SchoolRow } from '../../models/roster';
import { schoolLeaders, className, type StudentDoc } from '../../roster/directory';
import { chainOf } from '../../roster/directory';
import { responsibleAt } from '../../domain/chain';
import { formatDay, isoDay } from '../../lib/time';
import { opaque } from '../../lib/opaque';
import { openCaseOf } from '../../cases/store';
import { record } from '../../cases/record';
import { setStatus } from '../status';

export interface TransferInput {
  student: StudentDoc;
  inDistrict: boolean;
  destination: string;
  note: string;
}

/**
 * 转出 (二(三)2(1)): a transfer. With no open case it is recorded at once. With an open case it
 * is a request: the case stays open until the receiving school confirms arrival (in the
 * district) or the deputy confirms the paperwork (outside it), and the chain is told.
 */
export async function transferOut(ctx: ChatContext, t: TransferInput): Promise<string> {
  const { student } = t;
  authorize(ctx.actor, 'changeEnrollment', student);
  if (student.status !== 'enrolled' && student.status !== 'suspended') {
    throw new Answer(
      `${student.name} 的学籍状态是「${STATUS_LABEL[student.status]}」，不能再办理转出。`,
    );
  }
  if (!t.destination) {
    const eg = t.inDistrict ? '区内 珠山区第二中学' : '区外 浙江省义乌市某某小学';
    throw new Answer(`请写明转入学校（去向），例如：转出 ${student.name} ${eg}`);
  }
  const receiving = t.inDistrict
    ? await School.findOne({
        $or: [{ name: t.destination }, { code: t.destination }],
      }).lean()
    : null;
  const c = await openCaseOf(student.studentNo);
  if (c) return request(ctx, t, c, receiving);
  const to = t.inDistrict ? 'transferredInDistrict' : 'transferredOut';
  await setStatus(
    ctx,
    student,
    to,
    t.note || (t.inDistrict ? '区内转学' : '转出区外'),
    t.destination,
  );
  const where = `${t.destination}（${t.inDistrict ? '区内' : '区外'}）`;
  const lines = [
    `已登记转出：${student.name}（${await className(student.classId)}）→ ${where}，` +
      `${formatDay(isoDay(ctx.now))}。`,
  ];
  if (receiving) {
    await tellReceiving(ctx, student, receiving, '由本区其他学校转入贵校');
    lines.push(`已通知 ${receiving.name} 办理转入。`);
  } else if (t.inDistrict) lines.push('未找到这所学校：请转入学校办理转入并在花名册中登记。');
  else lines.push('请及时在中小学学籍系统办理转学，做到去向清楚。');
  return lines.join('\n');
}

async function request(
  ctx: ChatContext,
  t: TransferInput,
  c: NonNullable<Awaited<ReturnType<typeof openCaseOf>>>,
  receiving: SchoolRow | null,
) {
  const { student } = t;
  await record(ctx, c, {
    type: 'transferRequested',
    inDistrict: t.inDistrict,
    destination: t.destination,
    ...(receiving ? { toSchool: receiving.code } : {}),
    detail: t.note || undefined,
  });
  const chain = await chainOf(student);
  const up = ['gradeLeader', 'deputy', 'principal'] as const;
  const told = [...new Set(up.flatMap((l) => responsibleAt(chain, l).userids))].filter(
    (u) => u !== ctx.actor.userid,
  );
  const text =
    `【转学申请】${await className(student.classId)} ${student.name} 有未结的缺勤案件，` +
    `${ctx.actor.name} 登记转往 ${t.destination}。确认转学完成前，案件保持未结，仍计入本校。`;
  await ctx.services.notify.text(told, text, `${c.caseId}:transfer:${ctx.now.getTime()}`);
  if (receiving)
    await tellReceiving(ctx, student, receiving, '申请转入贵校（原校尚有未结的缺勤案件）');
  const who = receiving
    ? `${receiving.name} 确认学生已到校`
    : '本校分管领导确认转学手续（转学联系函/回执）';
  return (
    `已登记转学申请：${student.name} → ${t.destination}。该生有未结的缺勤案件，` +
    `须由${who}后才结案（发「转学确认 ${student.name}」）。已告知年级和学校领导。`
  );
}

async function tellReceiving(
  ctx: ChatContext,
  student: StudentDoc,
  school: SchoolRow,
  what: string,
) {
  const leaders = (await schoolLeaders([school.code])).map((p) => p.userid);
  const text =
    `【转入通知】${student.name}（学籍号 ${student.studentNo}）${what}（${ctx.actor.name} 登记）。` +
    `请办理转入手续、安排班级，学生到校后发「转学确认 ${student.studentNo}」。`;
  await ctx.services.notify.text(
    leaders,
    text,
    `transfer-in:${opaque(student.studentNo)}:${isoDay(ctx.now)}`,
  );
}
