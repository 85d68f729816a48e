import { advance, textOf, testSettings, useBot } from '../support/harness';
import { Case, CaseFact, Duty, HomeVisit } from '../../src/models/case';
import { Student } from '../../src/models/roster';
import {
  AtRisk,
  CampaignTick,
  ContactDuty,
  Letter,
  Reminder,
  StudentNote,
  VisitDraft,
} from '../../src/models/prevention';
import { AuditEntry } from '../../src/models/audit';
import { OutboxMessage } from '../../src/outbox/model';
import { ManualClock } from '../../src/lib/clock';
import { JOBS } from '../../src/jobs/kinds';
import { campaignStart } from '../../src/prevention/jobs';
import { recountClasses } from '../../src/roster/counts';

/**
 * Prevention end to end through the encrypted callback (issue #13): the at-risk register and
 * its contact rhythm (二(一)2(2)), visits as records, quotas and rounds (二(一)2(3)), letters
 * and campaign months (二(二)1(1)). Monday 2026-11-30, 08:00 Asia/Shanghai.
 */
const MON = '2026-11-30T08:00:00+08:00';

const settings = testSettings((s) => {
  // A spring 2026 semester so that March 2026 has school days (1 March is a Sunday).
  s.calendar.semesters.unshift({
    name: '2026年春季学期',
    start: '2026-03-02',
    end: '2026-07-03',
  });
});
const t = useBot({ clock: new ManualClock(MON), settings });
beforeEach(async () => {
  await Promise.all(
    [Case, CaseFact, Duty, HomeVisit, OutboxMessage, AtRisk, ContactDuty, Reminder]
      .concat([StudentNote, VisitDraft, Letter, CampaignTick] as never[])
      .map((m) => (m as typeof Case).deleteMany({})),
  );
  await Student.updateMany({}, { $set: { status: 'enrolled' } });
  // The register writes the roster copy: restore the demo's flags.
  await Student.updateOne({ studentNo: t.d.plain.studentNo }, { $set: { atRisk: false } });
  await Student.updateOne({ studentNo: t.d.atRisk.studentNo }, { $set: { atRisk: true } });
  await recountClasses(); // as a roster write would
  t.bot.clock.set(MON);
  t.wecom.sent.length = 0;
});

const { say, pushes: pushesTo } = t;
const flush = () => advance(t.bot, t.bot.clock.now());
const at = (iso: string) => advance(t.bot, `${iso}+08:00`);

describe('at-risk register with dual responsibility (二(一)2(2))', () => {
  it('二(一)2(2): the head teacher proposes, the deputy confirms and names a school leader; until then the grade leader stands in', async () => {
    const s = t.d.plain.name;
    expect(await say(t.d.head, `易辍 ${s} 父母外出务工，厌学`)).toMatch(/已请分管领导确认/);
    await flush();
    expect(pushesTo(t.d.deputy)).toMatch(new RegExp(`【易辍对象待确认】.*${s}`));
    expect(await say(t.d.head, `确认易辍 ${s}`)).toMatch(/分管领导或校长办理/);
    expect(await say(t.d.deputy, `确认易辍 ${s} ${t.d.head.name}`)).toMatch(/不是本校的校领导/);
    const stand = await say(t.d.deputy, `确认易辍 ${s}`);
    expect(stand).toMatch(/已确认/);
    expect(stand).toMatch(/年级组长暂代/);
    expect(await say(t.d.gradeLeader, '易辍名单')).toMatch(new RegExp(`${s}.*您暂代包保领导`));
    expect(await say(t.d.deputy, `确认易辍 ${s} ${t.d.principal.name}`)).toMatch(
      /已更新.*包保领导/,
    );
    const row = (await AtRisk.findOne({ studentNo: t.d.plain.studentNo }).lean())!;
    expect(row).toMatchObject({
      status: 'confirmed',
      source: 'chat',
      leader: t.d.principal.userid,
    });
    // The copy the ladder reads: the named leader visits on the second day.
    expect(await Student.findOne({ studentNo: t.d.plain.studentNo }).lean()).toMatchObject({
      atRisk: true,
      atRiskLeader: t.d.principal.userid,
    });
    expect(await say(t.d.head, '易辍名单')).toMatch(new RegExp(`\\d\\. ${s}：父母外出务工`));
  });

  it('二(一)2(2): the register owns the flag: an imported flag is adopted, a chat removal is not undone by it', async () => {
    const list = await say(t.d.head, '易辍名单');
    expect(list).toMatch(new RegExp(`${t.d.atRisk.name}：花名册导入`));
    expect((await AtRisk.findOne({ studentNo: t.d.atRisk.studentNo }).lean())!.source).toBe(
      'import',
    );
    await say(t.d.deputy, `移出易辍 ${t.d.atRisk.name} 已正常到校两个月`);
    // A re-import setting the roster column again (what the import must not do silently).
    await Student.updateOne({ studentNo: t.d.atRisk.studentNo }, { $set: { atRisk: true } });
    expect(await say(t.d.head, '易辍名单')).not.toMatch(t.d.atRisk.name);
    expect((await AtRisk.findOne({ studentNo: t.d.atRisk.studentNo }).lean())!.status).toBe(
      'removed',
    );
  });

  it('二(一)2(2): 档案 gathers reasons, visits, absences and notes; 备注 adds one; removal is audited', async () => {
    const s = t.d.plain.name;
    await say(t.d.deputy, `易辍 ${s} 家庭困难`);
    await say(t.d.head, `缺勤 ${s}`);
    await say(t.d.head, `家访 ${s} 电话联系母亲，孩子发烧`);
    await say(t.d.head, '跳过');
    expect(await say(t.d.head, `备注 ${s} 已申请困难补助`)).toMatch(/已添加备注/);
    const file = await say(t.d.head, `档案 ${s}`);
    expect(file).toMatch(/易辍对象（已确认）：家庭困难/);
    expect(file).toMatch(/电话，见到母亲/);
    expect(file).toMatch(/缺勤（最近 1 次）：11月30日/);
    expect(file).toMatch(/处理中/);
    expect(file).toMatch(/已申请困难补助/);
    expect(await say(t.d.head, `移出易辍 ${s} 好转`)).toMatch(/分管领导或校长办理/);
    expect(await say(t.d.deputy, `移出易辍 ${s} 家庭情况好转`)).toMatch(/已将.*移出易辍名单/);
    expect(
      await AuditEntry.countDocuments({ action: 'atRisk:remove', target: t.d.plain.studentNo }),
    ).toBe(1);
    expect((await Student.findOne({ studentNo: t.d.plain.studentNo }).lean())!.atRisk).toBe(false);
  });

  it('二(一)2(2): 易辍, 移出易辍 and 备注 without a written reason or note ask for one (requireText)', async () => {
    const s = t.d.plain.name;
    expect(await say(t.d.head, `易辍 ${s} 懒`)).toMatch(/请写上原因/);
    expect(await AtRisk.countDocuments({ studentNo: t.d.plain.studentNo })).toBe(0);
    await say(t.d.deputy, `易辍 ${s} 家庭困难`);
    expect(await say(t.d.deputy, `移出易辍 ${s} 好`)).toMatch(/请写上移出原因/);
    expect(await say(t.d.head, `备注 ${s} 嗯`)).toMatch(/请写上备注内容/);
    expect(await StudentNote.countDocuments({ studentNo: t.d.plain.studentNo })).toBe(0);
  });

  it('二(一)2(2): both owners are reminded on the rhythm; a lapsed rhythm creates a visit duty a visit meets', async () => {
    const s = t.d.plain.name;
    await say(t.d.deputy, `易辍 ${s} 厌学`);
    await say(t.d.deputy, `确认易辍 ${s} ${t.d.principal.name}`);
    t.wecom.sent.length = 0;
    await at('2026-12-14T08:00:00');
    expect(pushesTo(t.d.head)).not.toMatch(/【联系提醒】/);
    await at('2026-12-14T09:30:00');
    expect(pushesTo(t.d.head)).toMatch(new RegExp(`【联系提醒】易辍对象 ${s} 该联系了`));
    expect(pushesTo(t.d.principal)).toMatch(/【联系提醒】/);
    await at('2026-12-17T10:00:00');
    expect(pushesTo(t.d.head)).toMatch(/【易辍学生家访】.*访在前、防在先/);
    const duty = (await ContactDuty.findOne({}).lean())!;
    expect(duty.holders.sort()).toEqual([t.d.head.userid, t.d.principal.userid].sort());
    expect(await say(t.d.head, `家访 ${s} 上门见到爷爷，约定每周电话联系`)).toMatch(
      /已完成.*易辍学生家访任务/,
    );
    expect((await ContactDuty.findOne({}).lean())!.status).toBe('met');
    // The rhythm starts again from the visit.
    const row = (await AtRisk.findOne({}).lean())!;
    expect(row.contactDueAt!.toISOString()).toBe('2026-12-31T01:00:00.000Z');
  });

  it('二(一)2(2): the two owners are the first told of an absence of the student', async () => {
    const s = t.d.plain.name;
    await say(t.d.deputy, `易辍 ${s} 厌学`);
    await say(t.d.deputy, `确认易辍 ${s} ${t.d.principal.name}`);
    await flush();
    t.wecom.sent.length = 0;
    await say(t.d.subject, `缺勤 ${s} 上午`);
    await flush();
    const told = t.wecom.sent.filter((m) => /上午未到校/.test(textOf(m))).map((m) => m.touser);
    expect(told.slice(0, 2).sort()).toEqual([t.d.head.userid, t.d.principal.userid].sort());
    expect(told).toContain(t.d.deputy.userid);
  });
});

describe('home visits as records (二(一)2(3))', () => {
  it('二(一)2(3): free text is accepted and the missing parts asked for; the next contact date becomes a reminder', async () => {
    const s = t.d.plain.name;
    const first = await say(t.d.head, `家访 ${s} 上门见到母亲，孩子在家帮忙干农活`);
    expect(first).toMatch(/已记录对 .* 的家访/);
    expect(first).toMatch(/和家长约定了什么/);
    expect(await say(t.d.head, '下周一送回学校')).toMatch(/下次什么时候再联系/);
    expect(await say(t.d.head, '随便')).toMatch(/没看懂/);
    expect(await say(t.d.head, '12月10日')).toMatch(/家访记录已完整：入户，见到母亲.*12月10日/);
    const v = (await HomeVisit.findOne({}).lean())!;
    expect(v).toMatchObject({
      how: '入户',
      whom: '母亲',
      agreed: '下周一送回学校',
      nextContact: '2026-12-10',
      classId: t.d.classId,
    });
    expect(await say(t.d.head, '待办')).not.toMatch(/家访补充/);
    await at('2026-12-10T08:30:00');
    expect(pushesTo(t.d.head)).toMatch(new RegExp(`【家访约定】.*${s}`));
  });

  it('二(一)2(3): 「跳过」 ends the exchange; a one-character record is refused', async () => {
    expect(await say(t.d.head, `家访 ${t.d.plain.name} 到`)).toMatch(/请写上家访记录/);
    await say(t.d.head, `家访 ${t.d.plain.name} 见到学生本人，情况良好`);
    expect(await say(t.d.head, '跳过')).toMatch(/已保存/);
    expect(await VisitDraft.countDocuments({})).toBe(0);
  });

  it('二(一)2(3): quotas count visits with records only, within the semester; 我的家访 shows pace and who is not visited', async () => {
    const base = { visitor: t.d.head.userid, channel: 'wecom', classId: t.d.classId };
    await HomeVisit.create([
      {
        ...base,
        visitId: 'v1',
        studentNo: t.d.students[0].studentNo,
        at: new Date(MON),
        record: 'x',
      },
      // A card click without its record yet: counted once (README: visited, record pending).
      {
        ...base,
        visitId: 'v2',
        studentNo: t.d.students[1].studentNo,
        at: new Date(MON),
        record: '-',
        pending: true,
      },
      // Last semester (spring 2026): not counted this semester.
      {
        ...base,
        visitId: 'v3',
        studentNo: t.d.students[2].studentNo,
        at: new Date('2026-06-01T02:00:00Z'),
        record: 'y',
      },
    ]);
    const mine = await say(t.d.head, '我的家访');
    expect(mine).toMatch(/2026年秋季学期已家访 2 人次，要求不少于 20 人次/);
    expect(mine).toMatch(/已落后/);
    expect(mine).toMatch(new RegExp(`还有 ${t.d.students.length - 2} 名本学期未家访`));
    expect(mine).not.toMatch(new RegExp(`：${t.d.students[0].name}、`));
  });

  it('二(一)2(3): at mid-semester only teachers behind pace are reminded; at the end the principal gets who fell short', async () => {
    const other = t.d.otherHead;
    const visits = Array.from({ length: 12 }, (_, i) => ({
      visitId: `p${i}`,
      studentNo: t.d.students[i % t.d.students.length].studentNo,
      visitor: other.userid,
      at: new Date('2026-10-10T02:00:00Z'),
      record: '见到家长',
      channel: 'wecom',
    }));
    await HomeVisit.create(visits);
    t.bot.clock.set('2026-11-01T08:00:00+08:00');
    const mid = new Date('2026-11-11T01:00:00Z');
    await t.bot.services.scheduler.schedule(JOBS.visitRound, { round: '2026-09-01:mid' }, mid);
    await at('2026-11-11T10:00:00');
    expect(pushesTo(t.d.head)).toMatch(/【家访进度提醒】学期过半，您已家访 0 人次/);
    expect(pushesTo(other)).not.toMatch(/【家访进度提醒】/);
    const end = new Date('2027-01-22T09:00:00Z');
    await t.bot.services.scheduler.schedule(JOBS.visitRound, { round: '2027-01-22:close' }, end);
    await at('2027-01-22T18:00:00');
    const short = pushesTo(t.d.principal);
    expect(short).toMatch(new RegExp(`【家访任务完成情况】.*${t.d.head.name} 0/20`));
    expect(short).toMatch(new RegExp(`${other.name} 12/20`));
  });

  it('二(一)2(3): the start round lists each teacher’s students without transferred ones; 家访进度 by class and grade', async () => {
    const gone = t.d.students[3];
    await Student.updateOne({ studentNo: gone.studentNo }, { $set: { status: 'transferredOut' } });
    await recountClasses(); // as a roster write would
    t.bot.clock.set('2026-09-01T08:00:00+08:00');
    const when = new Date('2026-09-01T01:00:00Z');
    await t.bot.services.scheduler.schedule(JOBS.visitRound, { round: '2026-09-01:start' }, when);
    await at('2026-09-01T09:30:00');
    const list = pushesTo(t.d.head);
    expect(list).toMatch(/【集中家访】2026年秋季学期开学初集中家访开始了/);
    expect(list).toMatch(new RegExp(`需要家访的学生（${t.d.students.length - 1} 人）`));
    expect(list).not.toMatch(new RegExp(`${gone.name}[、。]`));
    await say(t.d.head, `家访 ${t.d.plain.name} 电话联系母亲，一切正常`);
    await say(t.d.head, '跳过');
    expect(await say(t.d.head, '家访进度')).toMatch(
      new RegExp(`已访 1/${t.d.students.length - 1}`),
    );
    const grade = await say(t.d.gradeLeader, '家访进度');
    expect(grade).toMatch(/三年级1班：1\/\d+/);
    expect(grade).toMatch(new RegExp(`按教师：${t.d.head.name} 1 人次`));
  });
});

describe('responsibility letters and campaign months (二(二)1(1))', () => {
  it('二(二)1(1): guardians’ letters in bulk; progress for the class, the school and the bureau', async () => {
    const [a, b] = t.d.students.filter(
      (s) => t.d.students.filter((u) => u.name === s.name).length === 1,
    );
    expect(await say(t.d.head, `责任书 已签 ${a.name} ${b.name} 查无此人`)).toMatch(
      /已登记 2 份监护人责任书.*未找到：查无此人/,
    );
    const mine = await say(t.d.head, '责任书');
    expect(mine).toMatch(new RegExp(`监护人责任书 2/${t.d.students.length}`));
    expect(mine).toMatch(/未签：/);
    expect(await say(t.d.principal, `责任书 已签 ${t.d.head.name}`)).toMatch(/已登记 1 份责任书/);
    expect(await say(t.d.bureau, `责任书 已签 ${t.d.principal.name}`)).toMatch(/已登记 1 份责任书/);
    const school = await say(t.d.principal, '责任书');
    expect(school).toMatch(/三年级1班：2\//);
    expect(school).toMatch(/教职工与校长签订 1\/\d+；校长与教体局已签/);
    expect(await say(t.d.bureau, '责任书')).toMatch(/监护人 2\/\d+；教职工与校长签订 1\//);
  });

  it('二(二)1(1): the kickoff is on the first school day (1 March 2026 is a Sunday → Monday 2 March); ticks; month-end completion to the bureau', async () => {
    const start = campaignStart(t.bot.services, '2026-03');
    expect(start.toISOString()).toBe('2026-03-02T01:00:00.000Z');
    t.bot.clock.set('2026-02-27T08:00:00+08:00');
    await t.bot.services.scheduler.schedule(JOBS.campaign, { month: '2026-03' }, start);
    await at('2026-03-01T23:00:00');
    expect(pushesTo(t.d.head)).not.toMatch(/活动月/);
    await at('2026-03-02T09:30:00');
    expect(pushesTo(t.d.head)).toMatch(/【控辍保学活动月】3月.*\n☐ 致家长一封信已发放/);
    expect(pushesTo(t.d.principal)).toMatch(/【控辍保学活动月】/);
    expect(await say(t.d.head, '活动月 已完成 家长会')).toMatch(
      /已记录：家长会已召开[\s\S]*☑ 家长会已召开/,
    );
    expect(await say(t.d.principal, '活动月')).toMatch(/完成 1\/\d+/);
    await at('2026-03-24T10:00:00');
    expect(pushesTo(t.d.bureau)).toMatch(/【活动月进度】3月活动月还有一周结束，以下学校尚未完成/);
    expect(pushesTo(t.d.principal)).toMatch(/三年级1班 ?：.*致家长一封信已发放/);
    await at('2026-03-31T18:00:00');
    expect(pushesTo(t.d.bureau)).toMatch(
      /【活动月总结】3月控辍保学活动月各校完成情况：\n.*：1\/\d+/,
    );
  });
});
