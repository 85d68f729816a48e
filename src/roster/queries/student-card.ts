import type { ChatContext } from '../../chat/command';
import { ROLE_LABEL, STATUS_LABEL } from '../../domain/roster';
import { authorize } from '../../domain/policy';
import { auditChat } from '../../models/audit';
import { maskAddress, maskPhone } from '../../lib/pii';
import { chainFor } from '../../domain/chain';
import { className, schoolName, schoolStaffShown, staffNames, type StudentDoc } from '../directory';
import { joinLines } from '../../lib/lines';

/** 查: a student's card; guardians masked unless the sender may see them whole (audited). */
export async function studentCard(ctx: ChatContext, s: StudentDoc, tail: string): Promise<string> {
  const full = /电话|手机|地址|完整/.test(tail);
  authorize(ctx.actor, full ? 'viewPersonal' : 'view', s);
  // One read of the school's staff gives both the chain and its names (issue #11 item 3); for
  // display only, so it comes from the minute-long cache like the school and class names.
  const staff = await schoolStaffShown(s.schoolCode);
  const chain = chainFor(s, staff);
  const leader = chain.atRiskLeader ? [chain.atRiskLeader] : chain.gradeLeader;
  const names = new Map(staff.map((p) => [p.userid, p.name]));
  const missing = leader.filter((id) => !names.has(id));
  if (missing.length) for (const [id, n] of await staffNames(missing)) names.set(id, n);
  const who = (ids: string[]) => ids.map((id) => names.get(id) ?? id).join('、') || '（空缺）';
  const pii = ctx.services.pii;
  const guardians = s.guardians.map((g) => {
    const phone = pii.open(g.phoneSealed);
    return `${g.name}（${g.relation}）${full ? phone : maskPhone(phone)}`;
  });
  const address = s.addressSealed ? pii.open(s.addressSealed) : '';
  const action = full ? 'viewPersonal' : 'view';
  await auditChat(ctx, action, s.studentNo);
  const chainLine = [
    `${ROLE_LABEL.headTeacher}：${who(chain.headTeacher)}`,
    `${ROLE_LABEL.gradeLeader}：${who(chain.gradeLeader)}`,
    `${ROLE_LABEL.deputy}：${who(chain.deputy)}`,
  ].join('　');
  return joinLines(
    `【${s.name}】${s.gender}　${await schoolName(s.schoolCode)} ${await className(s.classId)}`,
    `学籍号：${s.studentNo}　学籍状态：${STATUS_LABEL[s.status] ?? s.status}`,
    chainLine,
    s.atRisk ? `易辍对象，双包保：${who(leader)}、${who(chain.headTeacher)}` : '',
    `监护人：${guardians.join('；')}`,
    address ? `家庭住址：${full ? address : maskAddress(address)}` : '',
    full ? '' : `需要完整电话请发送「查 ${s.name} 电话」。`,
  );
}
