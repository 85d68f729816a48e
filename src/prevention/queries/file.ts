import type { ChatContext } from '../../chat/command';
import { authorize } from '../../domain/policy';
import {
  Case,
  HomeVisit,
  CaseFact,
  type CaseRow,
  type FactRow,
  type HomeVisitRow,
} from '../../models/case';
import { StudentNote } from '../../models/prevention';
import { auditChat } from '../../models/audit';
import { staffNames, type StudentDoc } from '../../roster/directory';
import { formatDay, isoDay } from '../../lib/time';
import { describeOwners, ownersOf, registered } from '../register';

const HOW_LINE = (v: HomeVisitRow) =>
  [v.how, v.whom && `见到${v.whom}`, v.found, v.agreed].filter(Boolean).join('，') || v.record;

const dayOfFact = (f: FactRow) => formatDay(f.day ?? isoDay(f.at));
const caseLine = (c: CaseRow) =>
  `${formatDay(isoDay(c.openedAt))}起 ${c.open ? '处理中' : '已结案'}`;

/** 档案 <学生>: reasons, difficulties, support, visits, absences, cases, notes in one place. */
export async function studentFile(ctx: ChatContext, student: StudentDoc): Promise<string> {
  authorize(ctx.actor, 'view', student);
  const no = student.studentNo;
  const [row, visits, absences, cases, notes] = await Promise.all([
    registered(no),
    HomeVisit.find({ studentNo: no }).sort({ at: -1 }).limit(5).lean(),
    CaseFact.find({ studentNo: no, type: 'absence' }).sort({ at: -1 }).limit(5).lean(),
    Case.find({ studentNo: no }).sort({ openedAt: -1 }).limit(3).lean(),
    StudentNote.find({ studentNo: no }).sort({ at: -1 }).limit(5).lean(),
  ]);
  const names = await staffNames([...visits.map((v) => v.visitor), ...notes.map((n) => n.author)]);
  const at = row && row.status !== 'removed' ? row : null;
  const lines = [
    `【学生档案】${student.name}`,
    at
      ? `易辍对象（${at.status === 'confirmed' ? '已确认' : '待分管领导确认'}）：${at.reasons.join('；')}`
      : row?.status === 'removed'
        ? `已移出易辍名单：${row.removedReason ?? ''}`
        : '不在易辍名单。',
    at ? `双包保：${await describeOwners(await ownersOf(student, at))}` : '',
    `家庭困难：${at?.difficulties ?? '未记录'}；帮扶措施：${at?.support ?? '未记录'}`,
    `家访（最近 ${visits.length} 次）：`,
    ...visits.map(
      (v) => `· ${formatDay(isoDay(v.at))} ${names.get(v.visitor) ?? ''}：${HOW_LINE(v)}`,
    ),
    `缺勤（最近 ${absences.length} 次）：${absences.map(dayOfFact).join('、') || '无'}`,
    `案件：${cases.map(caseLine).join('；') || '无'}`,
    `备注：`,
    ...notes.map((n) => `· ${formatDay(isoDay(n.at))} ${names.get(n.author) ?? ''}：${n.text}`),
    notes.length ? '' : '（无）发送「备注 姓名 内容」添加。',
  ];
  await auditChat(ctx, 'file:view', no);
  return lines.filter(Boolean).join('\n');
}
