import nock from 'nock';
import { startBot, mockWecom, setupNock, advance, textOf, type TestBot } from '../support/harness';
import { demo } from '../support/demo';
import { Case, Obligation, CaseEvent } from '../../src/models/case';
import { Student } from '../../src/models/roster';
import { ManualClock } from '../../src/lib/clock';

// Monday 2026-11-30, 08:00 Asia/Shanghai.
const MON = '2026-11-30T08:00:00+08:00';
let bot: TestBot;
let wecom: ReturnType<typeof mockWecom>;
let d: Awaited<ReturnType<typeof demo>>;

beforeAll(async () => {
  setupNock();
  wecom = mockWecom();
  bot = await startBot({ clock: new ManualClock(MON) });
  d = await demo(bot);
});
afterAll(async () => {
  await bot.close();
  nock.cleanAll();
});
beforeEach(async () => {
  await Promise.all([Case.deleteMany({}), Obligation.deleteMany({}), CaseEvent.deleteMany({})]);
  await bot.services.scheduler.cancelPrefix('C');
  await Student.updateMany({}, { $set: { status: 'enrolled' } });
  bot.clock.set(MON);
  wecom.sent.length = 0;
  wecom.updates.length = 0;
});

const say = async (who: { userid: string }, text: string) =>
  (await bot.say(text, who.userid)).reply ?? '';
const pushesTo = (who: { userid: string }) => wecom.to(who.userid).map(textOf);
const flush = () => advance(bot, bot.clock.now());

describe('the unexcused absence ladder (二(一)2(3), 二(三)2(2))', () => {
  it('half a day: the deputy and the head teacher are told at once when a subject teacher reports', async () => {
    const reply = await say(d.subject, `缺勤 ${d.plain.name} 上午`);
    expect(reply).toMatch(/已记录.*上午无故缺勤，已报告学校/);
    expect(reply).toMatch(/早上我会询问班主任/);
    await flush();
    expect(pushesTo(d.deputy).join()).toMatch(new RegExp(`${d.plain.name}.*上午未到校`));
    expect(pushesTo(d.head).join()).toMatch(new RegExp(`${d.plain.name}.*上午未到校`));
  });

  it('half a day reported by the head teacher tells only the deputy', async () => {
    await say(d.head, `缺勤 ${d.plain.name} 下午`);
    await flush();
    expect(pushesTo(d.deputy)).toHaveLength(1);
    expect(pushesTo(d.head)).toHaveLength(0);
  });

  it('one day then back: visit duty with deadline, then everything closes and the people told are told', async () => {
    const reply = await say(d.head, `缺勤 ${d.plain.name} 全天 电话联系不上家长`);
    expect(reply).toMatch(/已记录.*11月30日 周一 全天无故缺勤/);
    expect(reply).toMatch(/班主任家访.*须在 12月1日 周二 18:00 前完成/);
    expect(reply).toMatch(/已告知分管领导/);
    await flush();
    expect(pushesTo(d.deputy).join()).toMatch(/【缺勤报告】/);
    expect(await say(d.head, '待办')).toMatch(
      new RegExp(`1\\. ${d.plain.name}：班主任家访，截止 12月1日 周二 18:00`),
    );

    bot.clock.set('2026-11-30T15:00:00+08:00');
    const back = await say(d.head, `到校 ${d.plain.name}`);
    expect(back).toMatch(/已到校.*相关待办已全部关闭/);
    await flush();
    expect(pushesTo(d.deputy).join()).toMatch(/【已到校】/);
    expect(await Obligation.countDocuments({ status: 'open' })).toBe(0);
    expect(await bot.services.scheduler.pending()).toEqual([]);
    expect(await say(d.head, '待办')).toMatch(/没有待办/);
  });

  it('two days with visits on time: no escalation, the leader visit is asked of the grade leader', async () => {
    await say(d.head, `缺勤 ${d.plain.name}`);
    bot.clock.set('2026-11-30T17:00:00+08:00');
    expect(
      await say(d.head, `家访 ${d.plain.name} 上门见到母亲，孩子发烧在家，约定退烧后返校`),
    ).toMatch(/已完成：班主任家访/);
    await advance(bot, '2026-12-01T09:00:00+08:00'); // Tuesday morning check
    const headPushes = wecom.to(d.head.userid);
    const ask = headPushes.find((m) => m.card?.main_title?.title?.includes('今天到校了吗'));
    expect(ask?.card.button_list.map((b: any) => b.text)).toEqual([
      '已到校',
      '仍未到校',
      '查看详情',
    ]);
    const leaderCard = wecom
      .to(d.gradeLeader.userid)
      .find((m) => m.card?.main_title?.title?.includes('学校领导亲自家访'));
    expect(leaderCard).toBeDefined();
    bot.clock.set('2026-12-01T16:00:00+08:00');
    expect(
      await say(d.gradeLeader, `家访 ${d.plain.name} 与班主任一同上门，家长承诺明天送校`),
    ).toMatch(/学校领导亲自家访/);
    bot.clock.set('2026-12-02T08:10:00+08:00');
    await say(d.head, `到校 ${d.plain.name}`);
    await advance(bot, '2026-12-10T00:00:00+08:00');
    expect(wecom.sent.map(textOf).join()).not.toMatch(/逾期/);
  });

  it('a missed visit escalates to the grade leader and the deputy; a missed leader visit to the principal', async () => {
    await say(d.head, `缺勤 ${d.plain.name}`);
    await advance(bot, '2026-12-01T18:01:00+08:00');
    const glCard = wecom
      .to(d.gradeLeader.userid)
      .find((m) => m.card?.main_title?.title?.startsWith('【逾期】班主任家访'));
    expect(glCard).toBeDefined();
    expect(
      wecom
        .to(d.deputy.userid)
        .some((m) => m.card?.main_title?.title?.startsWith('【逾期】班主任家访')),
    ).toBe(true);
    expect(pushesTo(d.head).join()).toMatch(/已逾期.*已报告/);
    expect(wecom.to(d.principal.userid).some((m) => textOf(m).includes('逾期'))).toBe(false);
    await advance(bot, '2026-12-02T18:01:00+08:00');
    expect(
      wecom
        .to(d.principal.userid)
        .some((m) => m.card?.main_title?.title?.startsWith('【逾期】学校领导亲自家访')),
    ).toBe(true);
    expect(await say(d.gradeLeader, '待办')).toMatch(/已逾期/);
  });

  it('an escalation card button works: the grade leader clicks 已家访, the card is updated, the duty met', async () => {
    await say(d.head, `缺勤 ${d.plain.name}`);
    await advance(bot, '2026-12-01T18:01:00+08:00');
    const card = wecom
      .to(d.gradeLeader.userid)
      .find((m) => m.card?.main_title?.title?.startsWith('【逾期】班主任家访'))!.card;
    const button = card.button_list.find((b: any) => b.text === '已家访');
    const res = await bot.say({
      as: d.gradeLeader.userid,
      event: 'template_card_event',
      key: button.key,
      taskId: card.task_id,
      responseCode: 'RC-1',
    });
    expect(res.status).toBe(200);
    await flush();
    expect(wecom.updates).toEqual([
      expect.objectContaining({
        userids: [d.gradeLeader.userid],
        response_code: 'RC-1',
        button: { replace_name: '已家访' },
      }),
    ]);
    expect(pushesTo(d.gradeLeader).join()).toMatch(/已记录家访/);
    expect(await Obligation.findOne({ step: 'headVisit' }).lean()).toMatchObject({
      status: 'met',
      metBy: d.gradeLeader.userid,
    });
  });

  it('Friday + Monday are two consecutive school days', async () => {
    bot.clock.set('2026-12-04T08:00:00+08:00'); // Friday
    expect(await say(d.head, `缺勤 ${d.plain.name}`)).toMatch(/须在 12月7日 周一 18:00 前完成/);
    await advance(bot, '2026-12-06T23:00:00+08:00');
    expect((await Case.findOne({}).lean<any>()).absentDays).toEqual(['2026-12-04']);
    await advance(bot, '2026-12-07T09:00:00+08:00');
    expect((await Case.findOne({}).lean<any>()).absentDays).toEqual(['2026-12-04', '2026-12-07']);
  });

  it('an absence before the National Day holiday counts on after it; the 调休 Saturday is a school day', async () => {
    bot.clock.set('2026-09-30T08:00:00+08:00');
    expect(await say(d.head, `缺勤 ${d.plain.name}`)).toMatch(/须在 10月8日 周四 18:00 前完成/);
    await advance(bot, '2026-10-07T23:00:00+08:00');
    expect((await Case.findOne({}).lean<any>()).absentDays).toEqual(['2026-09-30']);
    await advance(bot, '2026-10-10T09:00:00+08:00');
    // Oct 8 (Thu), Oct 9 (Fri) and the make-up Saturday Oct 10 are school days: persuasion by then.
    const c = await Case.findOne({}).lean<any>();
    expect(c.absentDays).toEqual(['2026-09-30', '2026-10-08', '2026-10-09']);
    expect(c.state).toBe('persuasion');
  });

  it('a weekend or holiday absence is not counted', async () => {
    expect(await say(d.head, `缺勤 ${d.plain.name} 11月29日`)).toMatch(
      /是周末，不是上学日，不计缺勤/,
    );
    expect(await Case.countDocuments({})).toBe(0);
  });

  it('leave that runs out becomes an unexcused absence', async () => {
    const reply = await say(d.head, `请假 ${d.plain.name} 2天 发烧`);
    expect(reply).toMatch(/已登记请假.*11月30日 周一 至 12月1日 周二（2 个上学日）.*事由：发烧/);
    expect(await say(d.subject, `缺勤 ${d.plain.name}`)).toMatch(/已请假.*不计无故缺勤/);
    await advance(bot, '2026-12-02T09:00:00+08:00');
    const c = await Case.findOne({}).lean<any>();
    expect(c.state).toBe('watch');
    expect(c.absentDays).toEqual(['2026-12-02']);
    expect(pushesTo(d.head).join()).toMatch(/【请假到期】/);
    expect(await Obligation.findOne({ step: 'headVisit' }).lean()).toMatchObject({
      status: 'open',
    });
  });

  it('leave with the student back in time closes quietly', async () => {
    await say(d.head, `请假 ${d.plain.name} 到12月1日 家中有事`);
    bot.clock.set('2026-12-01T10:00:00+08:00');
    await say(d.head, `到校 ${d.plain.name}`);
    await advance(bot, '2026-12-05T00:00:00+08:00');
    expect(await Case.findOne({}).lean()).toMatchObject({ state: 'closed' });
  });

  it('the same absence reported by two teachers at once makes one case', async () => {
    const [a, b] = await Promise.all([
      say(d.head, `缺勤 ${d.plain.name}`),
      say(d.subject, `缺勤 ${d.plain.name} 全天`),
    ]);
    expect(await Case.countDocuments({})).toBe(1);
    expect([a, b].filter((r) => /已记录/.test(r))).toHaveLength(1);
    expect([a, b].filter((r) => /报告过，无需重复/.test(r))).toHaveLength(1);
    expect(await Obligation.countDocuments({ step: 'headVisit' })).toBe(1);
  });

  it('a teacher outside the class cannot report; the bureau is refused politely', async () => {
    expect(await say(d.otherHead, `缺勤 ${d.plain.name}`)).toMatch(/没有找到/);
    expect(await say(d.bureau, `缺勤 ${d.plain.studentNo}`)).toMatch(/不在您负责的范围内/);
    expect(await Case.countDocuments({})).toBe(0);
  });

  it('undo within the window cancels the case, its jobs, and tells who was told', async () => {
    await say(d.head, `缺勤 ${d.plain.name}`);
    await flush();
    bot.clock.set('2026-11-30T08:10:00+08:00');
    expect(await say(d.head, `撤销 ${d.plain.name}`)).toMatch(/已撤销/);
    await flush();
    expect(pushesTo(d.deputy).join()).toMatch(/【更正】/);
    expect(await Case.findOne({}).lean()).toMatchObject({ state: 'cancelled', open: false });
    expect(await bot.services.scheduler.pending()).toEqual([]);
  });

  it('undo after the window is refused for a teacher but allowed to a leader (a correction)', async () => {
    await say(d.head, `缺勤 ${d.plain.name}`);
    bot.clock.set('2026-11-30T10:00:00+08:00');
    expect(await say(d.head, `撤销 ${d.plain.name}`)).toMatch(
      /不能自行撤销.*联系年级组长或分管领导/,
    );
    expect(await say(d.gradeLeader, `撤销 ${d.plain.name}`)).toMatch(/已撤销/);
  });

  it('the full ladder: persuasion, dropout confirmed by the principal, the bureau told, then a return with mentoring and check-ins', async () => {
    await say(d.head, `缺勤 ${d.plain.name}`);
    await say(d.head, `家访 ${d.plain.name} 家长称孩子不想上学，约定明天再谈`);
    await advance(bot, '2026-12-02T09:00:00+08:00'); // Wed: third day → persuasion
    expect(await Case.findOne({}).lean()).toMatchObject({ state: 'persuasion' });
    expect(pushesTo(d.deputy).join()).toMatch(/【进入劝返】/);
    expect(await say(d.head, `确认辍学 ${d.plain.name} 外出打工`)).toMatch(/需要由本校校长操作/);
    expect(
      await say(d.deputy, `劝返 ${d.plain.name} 与包保责任人上门宣讲义务教育法，家长仍不同意`),
    ).toMatch(/已记录劝返/);
    const confirmed = await say(
      d.principal,
      `确认辍学 ${d.plain.name} 随父母外出务工，多次劝返无效`,
    );
    expect(confirmed).toMatch(/已报告区教体局/);
    expect(confirmed).toMatch(/向当地政府报告/);
    await flush();
    expect(pushesTo(d.bureau).join()).toMatch(new RegExp(`【辍学上报】.*${d.plain.name}`));
    expect(await Student.findOne({ studentNo: d.plain.studentNo }).lean()).toMatchObject({
      status: 'droppedOut',
    });
    expect(await Case.findOne({}).lean()).toMatchObject({ state: 'reported' });

    bot.clock.set('2026-12-14T08:00:00+08:00');
    const back = await say(d.head, `返校 ${d.plain.name}`);
    expect(back).toMatch(/返校复学.*不要歧视/);
    expect(back).toMatch(/帮扶 .* 帮扶教师姓名 学生干部姓名/);
    expect(await Student.findOne({ studentNo: d.plain.studentNo }).lean()).toMatchObject({
      status: 'enrolled',
    });
    expect(await say(d.head, `帮扶 ${d.plain.name} ${d.subject.name} 李小红 回原班就读`)).toMatch(
      new RegExp(`帮扶教师 ${d.subject.name}，学生干部 李小红`),
    );
    await advance(bot, '2027-01-15T00:00:00+08:00');
    const checkIns = wecom
      .to(d.head.userid)
      .filter((m) => m.card?.main_title?.title?.startsWith('返校帮扶第'));
    expect(checkIns).toHaveLength(4);
    expect(pushesTo(d.subject).join()).toMatch(/【帮扶安排】/);
    expect(await Case.findOne({}).lean()).toMatchObject({
      state: 'closed',
      mentor: d.subject.userid,
      helper: '李小红',
    });
    const history = await say(d.head, `进展 ${d.plain.name}`);
    expect(history).toMatch(/确认辍学/);
    expect(history).toMatch(/结案/);
  });

  it('概况 gives leaders and the bureau one message on open cases and overdue duties', async () => {
    await say(d.head, `缺勤 ${d.plain.name}`);
    await advance(bot, '2026-12-01T18:01:00+08:00');
    const school = await say(d.principal, '概况');
    expect(school).toMatch(/未结案件 1 件：入学注册关（缺勤跟踪） 1/);
    expect(school).toMatch(/逾期事项 1 项/);
    expect(school).toMatch(/· 三年级1班：未结 1，逾期 1/);
    const district = await say(d.bureau, '概况');
    expect(district).toMatch(/· 珠山区第一小学：未结 1，逾期 1/);
    expect(await say(d.otherHead, '概况')).toMatch(/没有未结的缺勤案件/);
  });

  it('dropout cannot be confirmed before persuasion (state machine)', async () => {
    await say(d.head, `缺勤 ${d.plain.name}`);
    expect(await say(d.principal, `确认辍学 ${d.plain.name} 外出打工`)).toMatch(/只有在劝返阶段/);
  });

  it("the at-risk student's named leader (双包保) gets the leader visit", async () => {
    const s = d.atRisk as any;
    await say(d.head, `缺勤 ${s.name}`);
    await advance(bot, '2026-12-01T09:00:00+08:00');
    const leaderCards = wecom.sent.filter((m) =>
      m.card?.main_title?.title?.includes('学校领导亲自家访'),
    );
    expect(leaderCards.map((m) => m.touser)).toEqual([s.atRiskLeader]);
  });
});
