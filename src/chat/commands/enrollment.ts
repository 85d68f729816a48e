import type { Command } from '../command';
import type { StaffLike } from '../../domain/roster';
import type { EnrollmentOps } from '../../roster/enrollment-ops';
import { aboutStudentOf } from '../lookup';

/** Chat shells for 学籍变动: 转出, 休学, 复课. */
export function enrollmentCommands(
  me: (userid: string) => Promise<StaffLike | null>,
  ops: EnrollmentOps,
): Command[] {
  const about = aboutStudentOf(me);
  return [
    {
      name: '转出',
      aliases: ['转学'],
      summary: '登记学生转学（区内或区外），写明去向',
      usage:
        '转出 <学生> <区内|区外> <转入学校> [手续说明]\n例：转出 张三 区内 珠山区第二中学 已办理转学手续\n例：转出 张三 区外 浙江省义乌市稠城小学 随父母务工',
      run: about('转出', (ctx, staff, student, tail) => {
        const m = /^(区内|区外)?\s*(\S*)\s*(.*)$/.exec(tail)!;
        if (!m[1])
          return Promise.resolve(
            `请写明区内还是区外，例如：转出 ${student.name} 区内 珠山区第二中学`,
          );
        return ops.transferOut(staff, student, m[1] === '区内', m[2], m[3], ctx.now);
      }),
    },
    {
      name: '休学',
      aliases: [],
      summary: '登记学生休学（写明原因）',
      usage: '休学 <学生> <原因>\n例：休学 张三 因病住院治疗，已有医院证明',
      run: about('休学', (ctx, staff, student, tail) => ops.suspend(staff, student, tail, ctx.now)),
    },
    {
      name: '复课',
      aliases: [],
      summary: '休学的学生恢复在读',
      usage: '复课 <学生>\n例：复课 张三',
      run: about('复课', (ctx, staff, student) => ops.resume(staff, student, ctx.now)),
    },
  ];
}
