import type { Command } from '../chat/command';
import { studentCommand } from '../chat/lookup';
import { dateFrom } from '../chat/parse';
import { proposeAtRisk } from './ops/propose';
import { confirmAtRisk } from './ops/confirm';
import { removeAtRisk } from './ops/remove';
import { addNote } from './ops/note';
import { answerExchange, ANSWER_VERB } from './ops/visit-exchange';
import { signLetters } from './ops/sign-letters';
import { tickCampaign } from './ops/tick-campaign';
import { studentFile } from './queries/file';
import { myAtRiskList } from './queries/my-list';
import { myVisits } from './queries/visits';
import { roundProgress } from './queries/round-progress';
import { letterProgress } from './queries/letters';
import { campaignProgress } from './queries/campaign';

/** Chat shells of prevention (issue #13): find the student, parse, call one operation. */
export const preventionCommands: Command[] = [
  studentCommand({
    name: '易辍',
    aliases: ['易辍对象', '列为易辍'],
    summary: '提出将学生列为易辍对象（写明原因），由分管领导确认',
    usage: '易辍 <学生> <原因>\n例：易辍 张三 父母外出务工，与爷爷同住，厌学',
    about: (ctx, student, tail) => proposeAtRisk(ctx, { student, reason: tail }),
  }),
  studentCommand({
    name: '确认易辍',
    aliases: ['包保领导'],
    summary: '（分管领导）确认易辍对象并指定包保领导',
    usage: '确认易辍 <学生> [包保领导姓名]\n例：确认易辍 张三 王强\n不写姓名时由年级组长暂代包保。',
    about: (ctx, student, tail) => confirmAtRisk(ctx, { student, leaderName: tail }),
  }),
  studentCommand({
    name: '移出易辍',
    aliases: [],
    summary: '（分管领导）将学生移出易辍名单，写明原因',
    usage: '移出易辍 <学生> <原因>\n例：移出易辍 张三 家庭情况好转，连续两月正常到校',
    about: (ctx, student, tail) => removeAtRisk(ctx, { student, reason: tail }),
  }),
  {
    name: '易辍名单',
    aliases: ['我的易辍'],
    summary: '我负责的易辍对象和联系情况',
    usage: '易辍名单',
    run: (ctx) => myAtRiskList(ctx),
  },
  studentCommand({
    name: '档案',
    aliases: ['学生档案'],
    summary: '学生档案：易辍原因、家访、缺勤、案件、备注',
    usage: '档案 <学生>\n例：档案 张三',
    about: (ctx, student) => studentFile(ctx, student),
  }),
  studentCommand({
    name: '备注',
    aliases: [],
    summary: '在学生档案中添加备注',
    usage: '备注 <学生> <内容>\n例：备注 张三 已申请困难补助',
    about: (ctx, student, tail) => addNote(ctx, { student, text: tail }),
  }),
  {
    name: '我的家访',
    aliases: [],
    summary: '我本学期的家访数、需要的进度和未家访的学生',
    usage: '我的家访',
    run: (ctx) => myVisits(ctx),
  },
  {
    name: '家访进度',
    aliases: ['集中家访'],
    summary: '集中家访进度（按班级、年级、学校）',
    usage: '家访进度',
    run: (ctx) => roundProgress(ctx),
  },
  {
    name: ANSWER_VERB,
    aliases: [],
    summary: '回答家访记录的补充问题（直接回复即可）',
    usage: '家访后按提示直接回复；回复「跳过」结束。',
    run: (ctx, args) =>
      answerExchange(ctx, args, (t) => {
        const d = dateFrom(t, ctx.now);
        return d && d !== 'invalid' ? d : undefined;
      }),
  },
  {
    name: '责任书',
    aliases: ['义务教育责任书'],
    summary: '登记已签订的责任书，查看本学年签订进度',
    usage: '责任书 已签 <姓名…>\n例：责任书 已签 张三 李四 王五\n责任书（查看进度）',
    run: (ctx, args) => {
      const m = /^已签\s*(.*)$/.exec(args.trim());
      if (!m) return letterProgress(ctx);
      return signLetters(ctx, m[1].split(/[\s,，、]+/).filter(Boolean));
    },
  },
  {
    name: '活动月',
    aliases: ['控辍保学活动月'],
    summary: '活动月清单：勾选完成事项，查看进度',
    usage: '活动月 已完成 <事项>\n例：活动月 已完成 家长会\n活动月（查看进度）',
    run: (ctx, args) => {
      const m = /^已完成\s*(.*)$/.exec(args.trim());
      return m ? tickCampaign(ctx, m[1]) : campaignProgress(ctx);
    },
  },
];
