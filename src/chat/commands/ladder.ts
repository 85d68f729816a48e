import type { Command } from '../command';
import type { StaffLike } from '../../domain/roster';
import type { Ladder } from '../../ladder/ladder';
import { aboutStudentOf } from '../lookup';
import { parseAbsence, parseLeave } from '../parse';
import { Staff } from '../../models/roster';

/**
 * Chat shells around the ladder: find the sender and the student, parse the optional parts,
 * call one Ladder operation. Each reply says what was recorded and what happens next.
 */
export function ladderCommands(
  me: (userid: string) => Promise<StaffLike | null>,
  ladder: Ladder,
): Command[] {
  const aboutStudent = aboutStudentOf(me);
  return [
    {
      name: '缺勤',
      aliases: ['旷课', '未到校', '没来'],
      summary: '报告学生无故缺勤（半天或全天），系统会提醒家访、逐级上报',
      usage:
        '缺勤 <学生> [上午|下午|半天|全天] [昨天|12月3日] [原因]\n例：缺勤 张三 全天 电话联系不上家长\n例：缺勤 张三 上午\n不写时间默认为今天全天。请假的学生请用「请假」。',
      run: aboutStudent('缺勤', async (ctx, staff, student, tail) => {
        const a = parseAbsence(tail, ctx.now);
        if ('error' in a) return a.error;
        return ladder.reportAbsence(staff, student, a.day, a.part, a.reason, 'wecom', ctx.now);
      }),
    },
    {
      name: '请假',
      aliases: ['事假', '病假'],
      summary: '登记请假（不计缺勤；到期未返校自动转为缺勤）',
      usage:
        '请假 <学生> <天数|到日期> [事由]\n例：请假 张三 3天 发烧住院\n例：请假 张三 到12月3日 家中有事',
      run: aboutStudent('请假', async (ctx, staff, student, tail) => {
        const a = parseLeave(tail, ctx.now);
        if ('error' in a) return a.error;
        const until = a.until ?? ladder.cal.addSchoolDays(a.from, Math.max(0, (a.days ?? 1) - 1));
        return ladder.reportLeave(staff, student, a.from, until, a.reason, 'wecom', ctx.now);
      }),
    },
    {
      name: '到校',
      aliases: ['返校', '已到校', '回来了', '复学'],
      summary: '学生已到校：关闭待办并通知相关人员',
      usage: '到校 <学生>\n例：到校 张三',
      run: aboutStudent('到校', (ctx, staff, student) =>
        ladder.reportBack(staff, student, 'wecom', ctx.now),
      ),
    },
    {
      name: '家访',
      aliases: ['家访记录'],
      summary: '记录一次家访（见到谁、了解到什么、约定了什么）',
      usage: '家访 <学生> <记录>\n例：家访 张三 上门见到母亲，孩子发烧在家，约定退烧后周三返校',
      run: aboutStudent('家访', async (ctx, staff, student, tail) => {
        if (!tail)
          return `请写上家访记录，例如：家访 ${student.name} 上门见到母亲，了解到……，约定……`;
        return ladder.recordVisit(staff, student, tail, 'wecom', ctx.now);
      }),
    },
    {
      name: '劝返',
      aliases: ['劝学'],
      summary: '记录一次劝返（劝其返校复学）',
      usage:
        '劝返 <学生> <记录>\n例：劝返 张三 与分管领导一同上门，宣讲义务教育法，家长同意下周一送回',
      run: aboutStudent('劝返', async (ctx, staff, student, tail) => {
        if (!tail) return `请写上劝返记录，例如：劝返 ${student.name} 与家长面谈，家长同意……`;
        return ladder.recordPersuasion(staff, student, tail, 'wecom', ctx.now);
      }),
    },
    {
      name: '确认辍学',
      aliases: [],
      summary: '（校长）经劝返确认辍学，上报教体局',
      usage: '确认辍学 <学生> <原因>\n例：确认辍学 张三 随父母外出务工，多次劝返无效',
      run: aboutStudent('确认辍学', (ctx, staff, student, tail) =>
        ladder.confirmDropout(staff, student, tail, 'wecom', ctx.now),
      ),
    },
    {
      name: '帮扶',
      aliases: [],
      summary: '为返校学生安排帮扶教师和学生干部',
      usage:
        '帮扶 <学生> <帮扶教师姓名> <学生干部姓名> [班级安排]\n例：帮扶 张三 王芳 李小红 回原班就读',
      run: aboutStudent('帮扶', async (ctx, staff, student, tail) => {
        const [mentorName, helper = '', ...placement] = tail.split(/\s+/).filter(Boolean);
        const mentor = mentorName
          ? ((await Staff.findOne({
              name: mentorName,
              'roles.schoolCode': student.schoolCode,
            }).lean<StaffLike>()) ?? undefined)
          : undefined;
        if (mentorName && !mentor) return `本校没有找到老师「${mentorName}」，请核对姓名。`;
        return ladder.assignMentoring(
          staff,
          student,
          mentor,
          helper,
          placement.join(' '),
          'wecom',
          ctx.now,
        );
      }),
    },
    {
      name: '撤销',
      aliases: ['撤回', '误报'],
      summary: '撤销刚才误报的缺勤或请假（限时），领导可更正',
      usage: '撤销 <学生>\n例：撤销 张三',
      run: aboutStudent('撤销', (ctx, staff, student) =>
        ladder.undo(staff, student, 'wecom', ctx.now),
      ),
    },
    {
      name: '待办',
      aliases: ['todo', '我的待办', '任务'],
      summary: '查看我的待办，最近截止的在前',
      usage: '待办',
      async run(ctx) {
        return ladder.todo((await me(ctx.userId))!, ctx.now);
      },
    },
    {
      name: '进展',
      aliases: ['进度', '历史'],
      summary: '查看某位学生的缺勤处理过程',
      usage: '进展 <学生>\n例：进展 张三',
      run: aboutStudent('进展', (ctx, staff, student) => ladder.progress(staff, student, ctx.now)),
    },
  ];
}
