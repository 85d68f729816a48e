import { Answer, type Command } from '../chat/command';
import { findStudentFor, studentCommand } from '../chat/lookup';
import { transferOut } from './ops/transfer-out';
import { confirmTransfer, incomingTransfer } from './ops/transfer-confirm';
import { resume, suspend } from './ops/suspend';

/** Chat shells for 学籍变动: 转出, 转学确认, 休学, 复课. */
export const enrollmentCommands: Command[] = [
  studentCommand({
    name: '转出',
    aliases: ['转学'],
    summary: '登记学生转学（区内或区外），写明去向',
    usage:
      '转出 <学生> <区内|区外> <转入学校> [手续说明]\n例：转出 张三 区内 珠山区第二中学 已办理转学手续\n例：转出 张三 区外 浙江省义乌市稠城小学 随父母务工',
    about: (ctx, student, tail) => {
      const m = /^(区内|区外)?\s*(\S*)\s*(.*)$/.exec(tail)!;
      if (!m[1])
        throw new Answer(`请写明区内还是区外，例如：转出 ${student.name} 区内 珠山区第二中学`);
      return transferOut(ctx, {
        student,
        inDistrict: m[1] === '区内',
        destination: m[2],
        note: m[3],
      });
    },
  }),
  {
    name: '转学确认',
    aliases: ['转入确认', '转学回执'],
    summary: '（转入学校或本校分管领导）确认转学完成，结束原案件',
    usage: '转学确认 <学生或学籍号> [说明]\n例：转学确认 G360203201401010001 已到校报到',
    async run(ctx, args) {
      const [token = '', ...rest] = args.split(/\s+/);
      const incoming = token ? await incomingTransfer(ctx, token) : undefined;
      if (incoming) return confirmTransfer(ctx, { student: incoming, note: rest.join(' ') });
      const { student, tail } = await findStudentFor(ctx, '转学确认', args);
      return confirmTransfer(ctx, { student, note: tail });
    },
  },
  studentCommand({
    name: '休学',
    aliases: [],
    summary: '登记学生休学（写明原因）',
    usage: '休学 <学生> <原因>\n例：休学 张三 因病住院治疗，已有医院证明',
    about: (ctx, student, tail) => suspend(ctx, { student, reason: tail }),
  }),
  studentCommand({
    name: '复课',
    aliases: [],
    summary: '休学的学生恢复在读',
    usage: '复课 <学生>\n例：复课 张三',
    about: (ctx, student) => resume(ctx, { student }),
  }),
];
