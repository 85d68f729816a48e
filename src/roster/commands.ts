import type { Command } from '../chat/command';
import { studentCommand } from '../chat/lookup';
import { whoami } from './queries/whoami';
import { myStudents } from './queries/my-students';
import { studentCard } from './queries/student-card';

/** Chat shells about who is responsible for whom: 我是谁, 我的学生, 查. */
export const rosterCommands: Command[] = [
  {
    name: '我是谁',
    aliases: ['whoami', '我的角色'],
    summary: '看看保学里登记的您的身份和职责',
    usage: '我是谁',
    run: (ctx) => whoami(ctx),
  },
  {
    name: '我的学生',
    aliases: ['我的班级', '我的年级', '我的学校'],
    summary: '看看您负责的班级和学生（含易辍对象）',
    usage: '我的学生 —— 按班级列出您负责的学生人数和易辍对象',
    run: (ctx) => myStudents(ctx),
  },
  studentCommand({
    name: '查',
    aliases: ['查询', '查看', 'info'],
    summary: '看一位学生的情况：班级、老师、学籍状态、监护人',
    usage:
      '查 <姓名或学籍号> —— 如：查 张三\n查 <姓名> 电话 —— 显示监护人完整电话（仅本班老师和学校领导）',
    about: (ctx, student, tail) => studentCard(ctx, student, tail),
  }),
];
