import type { Command } from '../command';
import type { StaffLike } from '../../domain/roster';
import { STATUS_LABEL, ROLE_LABEL } from '../../domain/roster';
import { canActOnStudent, refusal } from '../../domain/policy';
import {
  describeRole,
  namesFor,
  studentsInScope,
  chainOf,
  staffNames,
  className,
  schoolName,
} from '../../roster/directory';
import { aboutStudentOf } from '../lookup';
import { audit } from '../../models/audit';
import { maskAddress, maskPhone } from '../../lib/pii';

/** Commands about who is responsible for whom: 我是谁, 我的学生, 查. */
export function rosterCommands(me: (userid: string) => Promise<StaffLike | null>): Command[] {
  const whoami: Command = {
    name: '我是谁',
    aliases: ['whoami', '我的角色'],
    summary: '看看保学里登记的您的身份和职责',
    usage: '我是谁',
    async run(ctx) {
      const staff = (await me(ctx.userId))!;
      const names = await namesFor(staff.roles);
      const lines = staff.roles.map((r) => `· ${describeRole(r, names.classes, names.schools)}`);
      return `${staff.name}老师，您在保学中的职责：\n${lines.join('\n') || '· 暂无（请联系学校管理员补登）'}\n发送「我的学生」查看您负责的学生。`;
    },
  };

  const mine: Command = {
    name: '我的学生',
    aliases: ['我的班级', '我的年级', '我的学校'],
    summary: '看看您负责的班级和学生（含易辍对象）',
    usage: '我的学生 —— 按班级列出您负责的学生人数和易辍对象',
    async run(ctx) {
      const staff = (await me(ctx.userId))!;
      const students = await studentsInScope(staff, 'view');
      if (!students.length) return '您名下还没有学生。如有误，请联系学校分管领导更新花名册。';
      const byClass = new Map<string, typeof students>();
      for (const s of students) byClass.set(s.classId, [...(byClass.get(s.classId) ?? []), s]);
      const lines: string[] = [];
      for (const [classId, list] of [...byClass].sort(([a], [b]) => a.localeCompare(b))) {
        const atRisk = list.filter((s) => s.atRisk).map((s) => s.name);
        const enrolled = list.filter((s) => s.status === 'enrolled').length;
        lines.push(
          `· ${await schoolName(list[0].schoolCode)} ${await className(classId)}：在读 ${enrolled} 人${atRisk.length ? `，易辍对象 ${atRisk.join('、')}` : ''}`,
        );
        if (lines.length >= 30) {
          lines.push(`……共 ${byClass.size} 个班`);
          break;
        }
      }
      return `您负责 ${students.length} 名学生：\n${lines.join('\n')}\n发送「查 姓名」看某位学生的情况。`;
    },
  };

  const lookup: Command = {
    name: '查',
    aliases: ['查询', '查看', 'info'],
    summary: '看一位学生的情况：班级、老师、学籍状态、监护人',
    usage:
      '查 <姓名或学籍号> —— 如：查 张三\n查 <姓名> 电话 —— 显示监护人完整电话（仅本班老师和学校领导）',
    run: aboutStudentOf(me)('查', async (ctx, staff, s, tail) => {
      const full = /电话|手机|地址|完整/.test(tail);
      if (full && !canActOnStudent(staff, 'viewPersonal', s)) {
        await audit({
          actor: staff.userid,
          action: 'viewPersonal',
          target: s.studentNo,
          channel: 'wecom',
          outcome: 'refused',
          at: ctx.now,
        });
        return refusal('viewPersonal');
      }
      const chain = await chainOf(s);
      const names = await staffNames([
        ...chain.headTeacher,
        ...chain.gradeLeader,
        ...chain.deputy,
        ...(chain.atRiskLeader ? [chain.atRiskLeader] : []),
      ]);
      const who = (ids: string[]) => ids.map((id) => names.get(id) ?? id).join('、') || '（空缺）';
      const pii = ctx.services.pii;
      const guardians = s.guardians.map((g) => {
        const phone = pii.open(g.phoneSealed);
        return `${g.name}（${g.relation}）${full ? phone : maskPhone(phone)}`;
      });
      const address = s.addressSealed ? pii.open(s.addressSealed) : '';
      await audit({
        actor: staff.userid,
        action: full ? 'viewPersonal' : 'view',
        target: s.studentNo,
        channel: 'wecom',
        at: ctx.now,
      });
      const lines = [
        `【${s.name}】${s.gender}　${await schoolName(s.schoolCode)} ${await className(s.classId)}`,
        `学籍号：${s.studentNo}　学籍状态：${STATUS_LABEL[s.status] ?? s.status}`,
        `${ROLE_LABEL.headTeacher}：${who(chain.headTeacher)}　${ROLE_LABEL.gradeLeader}：${who(chain.gradeLeader)}　${ROLE_LABEL.deputy}：${who(chain.deputy)}`,
        s.atRisk
          ? `易辍对象，双包保：${who(chain.atRiskLeader ? [chain.atRiskLeader] : chain.gradeLeader)}、${who(chain.headTeacher)}`
          : '',
        `监护人：${guardians.join('；')}`,
        address ? `家庭住址：${full ? address : maskAddress(address)}` : '',
      ].filter(Boolean);
      if (!full) lines.push(`需要完整电话请发送「查 ${s.name} 电话」。`);
      return lines.join('\n');
    }),
  };

  return [whoami, mine, lookup];
}
