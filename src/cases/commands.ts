import type { Command } from '../chat/command';
import { Answer } from '../chat/command';
import { studentCommand } from '../chat/lookup';
import { dateFrom, parseAbsence, parseLeave } from '../chat/parse';
import { isoDay } from '../lib/time';
import { reportAbsence } from './ops/report-absence';
import { reportLeave } from './ops/report-leave';
import { reportPresent } from './ops/report-present';
import { confirmStillAway } from './ops/still-away';
import { recordVisit } from './ops/record-visit';
import { recordPersuasion } from './ops/record-persuasion';
import { recordPlan } from './ops/record-plan';
import { confirmDropout } from './ops/confirm-dropout';
import { reportGovernment } from './ops/report-government';
import { assignMentoring } from './ops/assign-mentoring';
import { checkIn } from './ops/check-in';
import { withdrawReport } from './ops/withdraw';
import { followUp } from './ops/follow-up';
import { todo } from './queries/todo';
import { progress } from './queries/progress';
import { overview } from './queries/overview';
import { overdueList } from './queries/overdue';
import { openCaseList } from './queries/open-cases';
import { confirmRegistration } from './registration';
import { classRoster } from '../roster/directory';
import { findStudentFor } from '../chat/lookup';
import type { ChatContext } from '../chat/command';
import type { StudentDoc } from '../roster/directory';

/** 报到 全班 [除 …] | 报到 张三 李四: names resolved like any command; the whole class by role. */
async function registerCommand(ctx: ChatContext, args: string): Promise<string> {
  const [all, except = ''] = args.split(/\s*(?:除了?|except)\s*/);
  const whole = /^全班/.test(all.trim());
  const names = (whole ? except : all).split(/[\s，,、]+/).filter(Boolean);
  const picked: StudentDoc[] = [];
  for (const n of names) picked.push((await findStudentFor(ctx, '报到', n)).student);
  if (!whole) {
    if (!picked.length) throw new Answer('请写明报到的学生，或「报到 全班」。');
    return confirmRegistration(ctx, picked);
  }
  const classes = ctx.actor.roles.filter((r) => r.role === 'headTeacher').map((r) => r.classId!);
  if (!classes.length) throw new Answer('「报到 全班」由班主任使用；其他老师请写明学生姓名。');
  const skip = new Set(picked.map((s) => s.studentNo));
  const everyone = (await classRoster(classes)).filter(
    (s) => s.status === 'enrolled' && !skip.has(s.studentNo),
  );
  return confirmRegistration(ctx, everyone);
}

/** Chat shells of the case feature: find the student, parse the parts, call one operation. */
const ok = <T extends object>(r: T | { error: string }): T => {
  if ('error' in r) throw new Answer(r.error);
  return r;
};

/** The first date in a free text (劝返计划 … 12月20日), and the text without it. */
function splitDate(tail: string, now: Date): { day?: string; text: string } {
  const words = tail.split(/\s+/);
  const i = words.findIndex((w) => dateFrom(w, now) && dateFrom(w, now) !== 'invalid');
  if (i < 0) return { text: tail };
  const day = dateFrom(words[i], now) as string;
  return { day, text: [...words.slice(0, i), ...words.slice(i + 1)].join(' ') };
}

export const caseCommands: Command[] = [
  {
    name: '报到',
    aliases: ['开学报到', '注册'],
    summary: '开学时确认学生已报到（入学注册关）',
    usage:
      '报到 全班 —— 本班学生都已到校\n报到 全班 除 张三 李四 —— 除这几位外都已到校\n报到 张三 李四',
    run: (ctx, args) => registerCommand(ctx, args),
  },
  studentCommand({
    name: '缺勤',
    aliases: [
      '旷课',
      '未到校',
      '没来',
      '缺课',
      '没到校',
      '没到',
      '未到',
      '逃课',
      '没来上学',
      '没上学',
    ],
    summary: '报告学生无故缺勤（半天或全天），系统会提醒家访、逐级上报',
    usage:
      '缺勤 <学生> [上午|下午|半天|全天] [昨天|周三|12月3日] [原因]\n' +
      '例：缺勤 张三 全天 电话联系不上家长\n例：缺勤 张三 上午\n' +
      '不写时间默认为今天全天。请假的学生请用「请假」。',
    about: (ctx, student, tail) =>
      reportAbsence(ctx, { student, ...ok(parseAbsence(tail, ctx.now)) }),
  }),
  studentCommand({
    name: '请假',
    aliases: ['事假', '病假'],
    summary: '登记请假（不计缺勤；到期后请班主任确认是否到校）',
    usage:
      '请假 <学生> <天数|到日期> [事由]\n例：请假 张三 3天 发烧住院\n例：请假 张三 到12月3日 家中有事',
    about: (ctx, student, tail) => {
      const a = ok(parseLeave(tail, ctx.now));
      const until =
        a.until ?? ctx.services.cal.addSchoolDays(a.from, Math.max(0, (a.days ?? 1) - 1));
      return reportLeave(ctx, { student, from: a.from, until, reason: a.reason });
    },
  }),
  studentCommand({
    name: '到校',
    aliases: ['返校', '已到校', '回来了', '复学', '来了', '到了', '已返校'],
    summary: '学生已到校：关闭待办并通知相关人员',
    usage: '到校 <学生> [日期]\n例：到校 张三',
    about: (ctx, student, tail) =>
      reportPresent(ctx, { student, day: splitDate(tail, ctx.now).day }),
  }),
  studentCommand({
    name: '仍未到校',
    aliases: ['还没来', '还没到校', '仍缺勤'],
    summary: '确认学生今天仍未到校（回答到校询问）',
    usage: '仍未到校 <学生> [日期]\n例：仍未到校 张三',
    about: (ctx, student, tail) =>
      confirmStillAway(ctx, { student, day: splitDate(tail, ctx.now).day ?? isoDay(ctx.now) }),
  }),
  studentCommand({
    name: '家访',
    aliases: ['家访记录'],
    summary: '记录一次家访（见到谁、了解到什么、约定了什么）',
    usage: '家访 <学生> <记录>\n例：家访 张三 上门见到母亲，孩子发烧在家，约定退烧后周三返校',
    about: (ctx, student, tail) => {
      if (tail.length < 4) {
        throw new Answer(
          `请写上家访记录，例如：家访 ${student.name} 上门见到母亲，了解到……，约定……`,
        );
      }
      return recordVisit(ctx, { student, record: tail });
    },
  }),
  studentCommand({
    name: '劝返',
    aliases: ['劝学'],
    summary: '记录一次劝返（劝其返校复学）',
    usage:
      '劝返 <学生> <记录>\n例：劝返 张三 与分管领导一同上门，宣讲义务教育法，家长同意下周一送回',
    about: (ctx, student, tail) => recordPersuasion(ctx, { student, record: tail }),
  }),
  studentCommand({
    name: '劝返计划',
    aliases: ['继续劝返'],
    summary: '（校长）记录劝返计划和下次决定日期',
    usage: '劝返计划 <学生> <计划> <下次日期>\n例：劝返计划 张三 联系村委会共同上门 12月20日',
    about: (ctx, student, tail) => {
      const { day, text } = splitDate(tail, ctx.now);
      return recordPlan(ctx, { student, plan: text, nextDay: day });
    },
  }),
  studentCommand({
    name: '确认辍学',
    aliases: [],
    summary: '（校长）经劝返确认辍学，写明原因，上报教体局',
    usage: '确认辍学 <学生> <原因>\n例：确认辍学 张三 随父母外出务工，多次劝返无效',
    about: (ctx, student, tail) => confirmDropout(ctx, { student, reason: tail }),
  }),
  studentCommand({
    name: '报告政府',
    aliases: ['上报政府'],
    summary: '（校长）记录向当地政府的报告（报告关）',
    usage:
      '报告政府 <学生> <向谁报告、报告内容>\n例：报告政府 张三 已书面报告某某镇政府，请其督促监护人送返',
    about: (ctx, student, tail) => reportGovernment(ctx, { student, content: tail }),
  }),
  studentCommand({
    name: '政府措施',
    aliases: [],
    summary: '（校长）记录当地政府对监护人采取的措施',
    usage: '政府措施 <学生> <措施>\n例：政府措施 张三 镇政府约谈家长，责令一周内送返',
    about: (ctx, student, tail) =>
      reportGovernment(ctx, { student, content: tail, measures: true }),
  }),
  studentCommand({
    name: '帮扶',
    aliases: [],
    summary: '为返校学生安排帮扶教师和学生干部',
    usage: '帮扶 <学生> <帮扶教师姓名> <学生干部姓名> [班级安排]\n例：帮扶 张三 王芳 李小红 原班级',
    about: (ctx, student, tail) => {
      const [mentorName = '', helper = '', ...placement] = tail.split(/\s+/).filter(Boolean);
      return assignMentoring(ctx, { student, mentorName, helper, placement: placement.join(' ') });
    },
  }),
  studentCommand({
    name: '跟进',
    aliases: [],
    summary: '记录对返校学生本周的跟进',
    usage: '跟进 <学生> [情况]\n例：跟进 张三 本周按时到校，作业能完成',
    about: (ctx, student, tail) => checkIn(ctx, { student, note: tail }),
  }),
  studentCommand({
    name: '撤销',
    aliases: ['撤回', '误报'],
    summary: '撤销您刚才的误报（限时），领导可「更正」',
    usage: '撤销 <学生>\n例：撤销 张三',
    about: (ctx, student) => withdrawReport(ctx, { student }),
  }),
  studentCommand({
    name: '更正',
    aliases: [],
    summary: '（年级/学校领导）撤回某学生最近一条报告，写明原因',
    usage: '更正 <学生> <原因>\n例：更正 张三 家长已补请假条，非无故缺勤',
    about: (ctx, student, tail) => withdrawReport(ctx, { student, reason: tail, asLeader: true }),
  }),
  studentCommand({
    name: '督办',
    aliases: [],
    summary: '（教体局）督办某学生的案件，校长会收到通知',
    usage: '督办 <学生> [要求]\n例：督办 张三 请本周内上门劝返',
    about: (ctx, student, tail) => followUp(ctx, { student, note: tail }),
  }),
  {
    name: '待办',
    aliases: ['todo', '我的待办', '任务'],
    summary: '查看我的待办，最近截止的在前',
    usage: '待办',
    run: (ctx) => todo(ctx),
  },
  studentCommand({
    name: '进展',
    aliases: ['进度', '历史'],
    summary: '查看某位学生的案件经过和下一步',
    usage: '进展 <学生>\n例：进展 张三',
    about: (ctx, student) => progress(ctx, { student }),
  }),
  {
    name: '概况',
    aliases: ['总览', '统计'],
    summary: '负责范围内的案件、逾期事项、长期缺勤、本月流失和易辍对象',
    usage: '概况 —— 班主任看本班，年级领导看本年级，校领导看全校，教体局看各校',
    run: (ctx) => overview(ctx),
  },
  {
    name: '逾期',
    aliases: ['逾期名单', '逾期事项', '超期'],
    summary: '（校领导/教体局）逾期事项名单：学生、责任人、学校、逾期天数',
    usage:
      '逾期 —— 校长、分管领导看本校，教体局看全区（逾期最久的在前）\n' +
      '逾期 珠山区第一小学 —— 教体局看某一所学校\n名单较长时分页，回复「下一页」继续',
    run: (ctx, args) => overdueList(ctx, args.trim()),
  },
  {
    name: '案件',
    aliases: ['案件名单', '未结案件', '在办案件'],
    summary: '（校领导/教体局）未结案件名单：按关口，含姓名和未到校天数',
    usage:
      '案件 —— 校长、分管领导看本校，教体局看全区\n' +
      '案件 珠山区第一小学 —— 教体局看某一所学校\n名单较长时分页，回复「下一页」继续',
    run: (ctx, args) => openCaseList(ctx, args.trim()),
  },
];
