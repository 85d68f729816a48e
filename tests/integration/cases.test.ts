import { advance, clearCaseRecord, textOf, useBot } from '../support/harness';
import { Case, CaseFact, Duty, HomeVisit } from '../../src/models/case';
import { Staff, Student } from '../../src/models/roster';
import { ManualClock } from '../../src/lib/clock';
import { JOBS } from '../../src/jobs/kinds';
import { recountClasses } from '../../src/roster/counts';

/**
 * The absence ladder end to end through the encrypted callback with a controlled clock
 * (二(一)2(3), 二(三)2(2), 二(三)2(3)), and issue #9's nine findings, each a test.
 * Monday 2026-11-30, 08:00 Asia/Shanghai.
 */
const MON = '2026-11-30T08:00:00+08:00';

const t = useBot({ clock: new ManualClock(MON) });
beforeEach(async () => {
  await clearCaseRecord();
  await Student.updateMany({}, { $set: { status: 'enrolled' } });
  await recountClasses(); // as a roster write would
  t.bot.clock.set(MON);
  t.wecom.sent.length = 0;
  t.wecom.updates.length = 0;
});

type Who = { userid: string };
const { say } = t;
const pushesTo = (who: Who) => t.wecom.to(who.userid).map(textOf);
const flush = () => advance(t.bot, t.bot.clock.now());
const at = (iso: string) => advance(t.bot, `${iso}+08:00`);
const cardOf = (who: Who, title: RegExp) =>
  t.wecom
    .to(who.userid)
    .filter((m) => title.test(m.card?.main_title?.title ?? ''))
    .pop()?.card;
const click = async (who: Who, card: any, text: string) => {
  const button = card.button_list.find((b: any) => b.text === text);
  const res = await t.bot.say({
    as: who.userid,
    event: 'template_card_event',
    key: button.key,
    taskId: card.task_id,
    responseCode: `RC-${Math.random()}`,
  });
  await flush();
  return res;
};
const theCase = async () => (await Case.findOne({}).lean())!;
const duties = async (kind?: string) =>
  Duty.find(kind ? { kind: kind as never } : {})
    .sort({ openAt: 1 })
    .lean();

/** Monday absent, Tuesday confirmed still away, the grade leader visits: persuasion begins. */
async function intoPersuasion() {
  await say(t.d.head, `缺勤 ${t.d.plain.name}`);
  await at('2026-12-01T09:00:00');
  await click(t.d.head, cardOf(t.d.head, /今天到校了吗/), '仍未到校');
  t.bot.clock.set('2026-12-01T16:00:00+08:00');
  await say(t.d.gradeLeader, `家访 ${t.d.plain.name} 与班主任一同上门，家长不同意返校`);
  expect((await theCase()).gate).toBe('persuasion');
}

describe('the absence ladder (二(一)2(3), 二(三)2(2))', () => {
  it('half a day: the deputy and the head teacher are told at once when a subject teacher reports', async () => {
    const reply = await say(t.d.subject, `缺勤 ${t.d.plain.name} 上午`);
    expect(reply).toMatch(/已记录.*上午无故缺勤/);
    expect(reply).toMatch(/早上我会请班主任确认是否到校/);
    await flush();
    expect(pushesTo(t.d.deputy).join()).toMatch(new RegExp(`${t.d.plain.name}.*上午未到校`));
    expect(pushesTo(t.d.head).join()).toMatch(new RegExp(`${t.d.plain.name}.*上午未到校`));
  });

  it('one day then back: a visit duty with its deadline, then everything closes and everyone told is told', async () => {
    const reply = await say(t.d.head, `缺勤 ${t.d.plain.name} 全天 电话联系不上家长`);
    expect(reply).toMatch(/已记录.*11月30日 周一 全天缺勤（原因：电话联系不上家长）/);
    expect(reply).toMatch(/班主任家访（您）须在 12月1日 周二 18:00 前完成/);
    // Whoever is told is named with their place in the chain (the sandbox week: a bare name
    // left the teacher guessing who 袁博文 is).
    expect(reply).toContain(`已告知 分管领导 ${t.d.deputy.name}`);
    await flush();
    expect(pushesTo(t.d.deputy).join()).toMatch(/【缺勤报告】/);
    expect(await say(t.d.head, '待办')).toMatch(
      new RegExp(`1\\. ${t.d.plain.name}：班主任家访，截止 12月1日 周二 18:00`),
    );
    t.bot.clock.set('2026-11-30T15:00:00+08:00');
    expect(await say(t.d.head, `到校 ${t.d.plain.name}`)).toMatch(/已到校，相关待办已全部关闭/);
    await flush();
    expect(pushesTo(t.d.deputy).join()).toMatch(/【已结案】.*学生已到校/);
    expect(await Duty.countDocuments({ status: { $in: ['open', 'missed'] } })).toBe(0);
    expect(await say(t.d.head, '待办')).toMatch(/没有待办/);
  });

  it('visits on time: no escalation; the second day asks a school leader to visit', async () => {
    await say(t.d.head, `缺勤 ${t.d.plain.name}`);
    t.bot.clock.set('2026-11-30T17:00:00+08:00');
    expect(await say(t.d.head, `家访 ${t.d.plain.name} 上门见到母亲，孩子发烧在家`)).toMatch(
      /已完成：班主任家访/,
    );
    await at('2026-12-01T09:00:00');
    const ask = cardOf(t.d.head, /今天到校了吗/);
    expect(ask.button_list.map((b: any) => b.text)).toEqual(['已到校', '仍未到校', '查看详情']);
    await click(t.d.head, ask, '仍未到校');
    expect(cardOf(t.d.gradeLeader, /学校领导亲自家访/)).toBeDefined();
    t.bot.clock.set('2026-12-01T16:00:00+08:00');
    expect(await say(t.d.gradeLeader, `家访 ${t.d.plain.name} 与班主任一同上门`)).toMatch(
      /已完成：学校领导亲自家访/,
    );
    t.bot.clock.set('2026-12-02T08:10:00+08:00');
    await say(t.d.head, `到校 ${t.d.plain.name}`);
    await at('2026-12-02T12:00:00');
    expect(t.wecom.sent.map(textOf).join()).not.toMatch(/逾期/);
  });

  it('a missed visit escalates to the grade leader and the deputy; the holder is told', async () => {
    await say(t.d.head, `缺勤 ${t.d.plain.name}`);
    await at('2026-12-01T18:01:00');
    expect(cardOf(t.d.gradeLeader, /^【逾期】班主任家访/)).toBeDefined();
    expect(cardOf(t.d.deputy, /^【逾期】班主任家访/)).toBeDefined();
    expect(pushesTo(t.d.head).join()).toMatch(/已逾期.*已报告/);
    expect(t.wecom.to(t.d.principal.userid).some((m) => /逾期/.test(textOf(m)))).toBe(false);
  });

  it('Friday and Monday are consecutive school days; weekends and holidays do not count', async () => {
    t.bot.clock.set('2026-12-04T08:00:00+08:00'); // Friday
    expect(await say(t.d.head, `缺勤 ${t.d.plain.name}`)).toMatch(/须在 12月7日 周一 18:00 前完成/);
    await at('2026-12-07T09:00:00');
    expect((await theCase()).awayDays).toBe(2);
    expect(await say(t.d.head, `缺勤 ${t.d.plain.name} 12月5日`)).toMatch(/是周末，不是上学日/);
  });

  it('across National Day the count goes on; the 调休 Saturday is a school day', async () => {
    t.bot.clock.set('2026-09-30T08:00:00+08:00');
    expect(await say(t.d.head, `缺勤 ${t.d.plain.name}`)).toMatch(/须在 10月8日 周四 18:00 前完成/);
    await at('2026-10-10T12:00:00');
    // Sep 30, Oct 8 (Thu), Oct 9 (Fri) and the make-up Saturday Oct 10.
    expect((await theCase()).awayDays).toBe(4);
  });

  it('leave that ends without news asks the head teacher; "still away" starts the ladder', async () => {
    expect(await say(t.d.head, `请假 ${t.d.plain.name} 两天 发烧`)).toMatch(
      /已登记请假.*11月30日 周一 至 12月1日 周二（2 个上学日）.*事由：发烧/,
    );
    expect(await say(t.d.subject, `缺勤 ${t.d.plain.name}`)).toMatch(/已请假.*不计无故缺勤/);
    await at('2026-12-02T09:00:00');
    const ask = cardOf(t.d.head, /今天到校了吗/);
    expect(ask).toBeDefined();
    expect(await duties('headVisit')).toHaveLength(0);
    await click(t.d.head, ask, '仍未到校');
    expect((await theCase()).gate).toBe('tracking');
    expect((await duties('headVisit'))[0]?.status).toBe('open');
  });

  it('two teachers reporting at once make one case and one duty', async () => {
    const [a, b] = await Promise.all([
      say(t.d.head, `缺勤 ${t.d.plain.name}`),
      say(t.d.subject, `缺勤 ${t.d.plain.name} 全天`),
    ]);
    expect(await Case.countDocuments({})).toBe(1);
    expect([a, b].filter((r) => /已记录/.test(r)).length).toBeGreaterThanOrEqual(1);
    expect(await Duty.countDocuments({ kind: 'headVisit' })).toBe(1);
  });

  it('a teacher outside the class cannot report; the bureau is refused politely', async () => {
    expect(await say(t.d.otherHead, `缺勤 ${t.d.plain.name}`)).toMatch(/没有找到/);
    expect(await say(t.d.bureau, `缺勤 ${t.d.plain.studentNo}`)).toMatch(/不在您负责的范围内/);
    expect(await Case.countDocuments({})).toBe(0);
  });

  it('the full ladder: persuasion, the decision, 辍学确认关 then 报告关, a return with mentoring and check-ins', async () => {
    await intoPersuasion();
    await flush();
    expect(pushesTo(t.d.deputy).join()).toMatch(/【进入劝返】.*学校领导已亲自家访，学生仍未返校/);
    t.bot.clock.set('2026-12-02T10:00:00+08:00');
    expect(await say(t.d.deputy, `劝返 ${t.d.plain.name} 与家长面谈，家长仍不同意`)).toMatch(
      /已记录劝返/,
    );
    expect(await say(t.d.head, `确认辍学 ${t.d.plain.name} 外出打工`)).toMatch(/由本校校长操作/);
    expect(
      await say(t.d.principal, `确认辍学 ${t.d.plain.name} 随父母外出务工，多次劝返无效`),
    ).toMatch(/已确认.*辍学.*报告区教体局.*向当地政府报告/s);
    expect((await theCase()).gate).toBe('reporting');
    expect((await Student.findOne({ studentNo: t.d.plain.studentNo }).lean())!.status).toBe(
      'droppedOut',
    );
    await flush();
    expect(pushesTo(t.d.bureau).join()).toMatch(/【辍学上报】/);
    expect(
      await say(t.d.principal, `报告政府 ${t.d.plain.name} 已书面报告竟成镇政府，请其督促监护人`),
    ).toMatch(/已记录报告政府/);
    expect((await theCase()).gate).toBe('reported');
    t.bot.clock.set('2026-12-07T08:00:00+08:00');
    expect(await say(t.d.head, `返校 ${t.d.plain.name}`)).toMatch(/返校复学.*帮扶/s);
    expect((await Student.findOne({ studentNo: t.d.plain.studentNo }).lean())!.status).toBe(
      'enrolled',
    );
    expect(await say(t.d.head, `帮扶 ${t.d.plain.name} ${t.d.subject.name} 李小红`)).toMatch(
      /已安排帮扶/,
    );
    await at('2027-01-10T00:00:00');
    expect((await theCase()).gate).toBe('closed');
  });
});

describe('issue #9: the case record the district can trust', () => {
  it('finding 1: absence keeps counting in persuasion, the principal must decide, long absences are reported', async () => {
    await intoPersuasion();
    await at('2026-12-15T09:00:00');
    expect((await theCase()).gate).toBe('confirmation');
    expect(cardOf(t.d.principal, /校长决定/)).toBeDefined();
    await at('2026-12-30T09:00:00');
    const c = await theCase();
    expect(c.awayDays).toBeGreaterThan(20);
    expect(c.longAbsence).toBe(true);
    expect(await say(t.d.principal, '概况')).toMatch(/超过 20 个上学日未到校/);
    expect(await say(t.d.head, `进展 ${t.d.plain.name}`)).toMatch(
      new RegExp(`已 ${c.awayDays} 个上学日未到校`),
    );
  });

  it('finding 1: a transfer of a student with an open case is a request until confirmed; the chain is told', async () => {
    await intoPersuasion();
    expect(await say(t.d.head, `转出 ${t.d.plain.name} 区外 浙江省义乌市稠城小学`)).toMatch(
      /已登记转学申请/,
    );
    await flush();
    expect((await theCase()).open).toBe(true);
    expect(pushesTo(t.d.principal).join()).toMatch(/【转学申请】/);
    expect((await Student.findOne({ studentNo: t.d.plain.studentNo }).lean())!.status).toBe(
      'enrolled',
    );
    expect(await say(t.d.deputy, `转学确认 ${t.d.plain.name} 已收到转学回执`)).toMatch(/转学完成/);
    expect((await theCase()).open).toBe(false);
    expect(await say(t.d.deputy, '待办')).toMatch(/没有待办/);
  });

  it('finding 2: a card click 已家访 is "visited, record pending", counted once and completed by the next 家访', async () => {
    await say(t.d.head, `缺勤 ${t.d.plain.name}`);
    await at('2026-11-30T09:00:00');
    const reply = await say(t.d.head, '家访统计');
    const before = Number(/已家访 (\d+) 人次/.exec(reply)?.[1] ?? 0);
    await at('2026-12-01T18:01:00');
    await click(t.d.gradeLeader, cardOf(t.d.gradeLeader, /^【逾期】班主任家访/), '已家访');
    expect(pushesTo(t.d.gradeLeader).join()).toMatch(/请补充家访记录/);
    expect(await HomeVisit.countDocuments({ visitor: t.d.gradeLeader.userid })).toBe(1);
    await say(t.d.gradeLeader, `家访 ${t.d.plain.name} 见到母亲，孩子与同学闹矛盾，约定明天送校`);
    expect(await HomeVisit.countDocuments({ visitor: t.d.gradeLeader.userid })).toBe(1);
    expect((await HomeVisit.findOne({ visitor: t.d.gradeLeader.userid }).lean())!.pending).toBe(
      false,
    );
    expect(Number(/已家访 (\d+) 人次/.exec(await say(t.d.head, '家访统计'))?.[1] ?? 0)).toBe(
      before,
    );
  });

  it('finding 2: a leader visiting instead meets only the holder duty, recorded so, and the holder is told', async () => {
    await say(t.d.head, `缺勤 ${t.d.plain.name}`);
    await at('2026-12-01T18:01:00');
    await click(t.d.deputy, cardOf(t.d.deputy, /^【逾期】班主任家访/), '已家访');
    const [visit] = await duties('headVisit');
    expect(visit).toMatchObject({
      status: 'met',
      metBy: t.d.deputy.userid,
      onBehalfOf: t.d.head.userid,
    });
    expect(pushesTo(t.d.head).join()).toMatch(/已代您完成「班主任家访/);
    const fact = await CaseFact.findOne({ type: 'visit' }).lean();
    expect(fact).toMatchObject({ actor: t.d.deputy.userid, onBehalfOf: t.d.head.userid });
  });

  it('finding 2: silence at the morning check is a missed duty that escalates, never an absence day', async () => {
    await say(t.d.subject, `缺勤 ${t.d.plain.name} 上午`);
    await at('2026-12-01T12:00:00');
    const [check] = await duties('checkAttendance');
    expect(check).toMatchObject({ status: 'missed', day: '2026-12-01' });
    expect(cardOf(t.d.gradeLeader, /^【逾期】确认到校情况/)).toBeDefined();
    expect(
      await CaseFact.countDocuments({ type: { $in: ['absence', 'stillAway'] }, day: '2026-12-01' }),
    ).toBe(0);
    expect(await duties('headVisit')).toHaveLength(0);
  });

  it('fix item 1: an unanswered check is asked again every school day and climbs to the bureau', async () => {
    t.bot.clock.set('2026-12-01T08:00:00+08:00');
    await say(t.d.head, `缺勤 ${t.d.plain.name}`);
    await at('2026-12-08T12:00:00');
    const asked = t.wecom
      .to(t.d.head.userid)
      .filter((m) => /今天到校了吗/.test(m.card?.main_title?.title ?? ''));
    // 12/2, 12/3, 12/4, 12/7, 12/8: one card a school day (none at the weekend).
    expect(asked).toHaveLength(5);
    const live = await Duty.find({ kind: 'checkAttendance', status: { $in: ['open', 'missed'] } });
    expect(live.map((d) => d.day)).toEqual(['2026-12-08']);
    expect(cardOf(t.d.gradeLeader, /^【逾期】确认到校情况/)).toBeDefined();
    expect(cardOf(t.d.deputy, /^【逾期】确认到校情况/)).toBeDefined();
    expect(cardOf(t.d.principal, /^【逾期】确认到校情况/)).toBeDefined();
    expect(cardOf(t.d.bureau, /^【逾期】确认到校情况/)).toBeDefined();
    expect(await CaseFact.countDocuments({ type: { $in: ['absence', 'stillAway'] } })).toBe(1);
    expect(await say(t.d.head, '待办')).toMatch(/确认到校情况/);
  });

  it("fix item 2: a leader's 更正 re-derives quietly — nobody is blamed for a check she had answered", async () => {
    const name = t.d.plain.name;
    await say(t.d.head, `请假 ${name} 到12月1日 发烧`);
    await at('2026-12-02T09:00:00');
    await click(t.d.head, cardOf(t.d.head, /今天到校了吗/), '仍未到校');
    await at('2026-12-08T09:00:00');
    t.wecom.sent.length = 0;
    const reply = await say(t.d.gradeLeader, `更正 ${name} 家长已请假`);
    expect(reply).toMatch(/已更正：.*「确认仍未到校（12月2日 周三）」/);
    expect(reply).toMatch(new RegExp(`请再发「请假 ${name} 到X月X日 事由」`));
    await flush();
    const head = pushesTo(t.d.head).join('\n');
    expect(head).not.toMatch(/逾期/);
    expect(head).toMatch(new RegExp(`${t.d.gradeLeader.name} 已更正.*撤销您报告的「确认仍未到校`));
    expect(head).toMatch(/原因：家长已请假/);
    expect(t.wecom.to(t.d.gradeLeader.userid).map(textOf).join()).not.toMatch(/逾期/);
    expect(await say(t.d.head, `进展 ${name}`)).toMatch(/当前：请假已结束（待确认到校）/);
    const check = await Duty.findOne({ dutyId: /check:2026-12-02$/ }).lean();
    expect(check?.escalatedTo ?? []).toEqual([]);
    // Today's check is real silence after the correction: told one level up, not to the bureau.
    await at('2026-12-08T10:01:00');
    expect(cardOf(t.d.gradeLeader, /^【逾期】确认到校情况/)).toBeDefined();
    expect(cardOf(t.d.bureau, /^【逾期】确认到校情况/)).toBeUndefined();
  });

  it('fix item 3: when a leave ends the case stops saying 请假中, and a confirmed absence reaches the deputy', async () => {
    const name = t.d.plain.name;
    await say(t.d.head, `请假 ${name} 到12月1日 发烧`);
    expect(await say(t.d.deputy, '案件')).toMatch(new RegExp(`请假中（1）[\\s\\S]*${name}`));
    await at('2026-12-02T08:00:00');
    expect((await theCase()).gate).toBe('leaveEnded');
    const list = await say(t.d.deputy, '案件');
    expect(list).not.toMatch(/请假中（1）/);
    expect(list).toMatch(new RegExp(`请假已结束（待确认到校）（1）[\\s\\S]*${name}`));
    expect(await say(t.d.head, `进展 ${name}`)).toMatch(/当前：请假已结束（待确认到校）/);
    await at('2026-12-02T09:00:00');
    await click(t.d.head, cardOf(t.d.head, /今天到校了吗/), '仍未到校');
    expect(pushesTo(t.d.deputy).join()).toMatch(
      new RegExp(`【缺勤报告】.*${name}.*12月2日.*请假结束后仍未到校`),
    );
    expect((await theCase()).gate).toBe('tracking');
  });

  it("fix item 4: whoever 督办'd a case hears how it ended; the head teacher and deputy learn of the 督办", async () => {
    const name = t.d.plain.name;
    await say(t.d.head, `缺勤 ${name}`);
    await at('2026-12-01T09:00:00');
    await click(t.d.head, cardOf(t.d.head, /今天到校了吗/), '仍未到校');
    t.wecom.sent.length = 0;
    const reply = await say(t.d.bureau, `督办 ${name} 请本周内上门`);
    expect(reply).toMatch(new RegExp(`已督办：${name}，已通知校长 ${t.d.principal.name}`));
    await flush();
    expect(pushesTo(t.d.principal).join()).toMatch(/【督办】区教体局.*请本周内上门/);
    for (const who of [t.d.head, t.d.deputy]) {
      const got = pushesTo(who).filter((x) => /【督办】/.test(x));
      expect(got).toHaveLength(1);
      expect(got[0]).toMatch(new RegExp(`区教体局 ${t.d.bureau.name} 正在督办 .*${name}`));
    }
    t.bot.clock.set('2026-12-01T15:00:00+08:00');
    await say(t.d.head, `到校 ${name}`);
    await flush();
    for (const who of [t.d.bureau, t.d.principal, t.d.deputy]) {
      expect(pushesTo(who).join()).toMatch(new RegExp(`【已结案】.*${name}：学生已到校`));
    }
  });

  it('fix item 5: moving to 劝返 tells the head teacher, in the same notice, that her visit duty passed on', async () => {
    await intoPersuasion();
    await flush();
    const moved = pushesTo(t.d.head).filter((x) => /【进入劝返】/.test(x));
    expect(moved).toHaveLength(1);
    expect(moved[0]).toMatch(
      new RegExp(
        `原待办「班主任家访」（${t.d.head.name}）不再单独办理，已转入劝返，由 ${t.d.deputy.name} 牵头`,
      ),
    );
    expect(await say(t.d.head, '待办')).not.toMatch(/班主任家访/);
  });

  it('finding 2: persuasion says why it started (a missed leader visit, inferred)', async () => {
    await say(t.d.head, `缺勤 ${t.d.plain.name}`);
    await at('2026-12-01T09:00:00');
    await click(t.d.head, cardOf(t.d.head, /今天到校了吗/), '仍未到校');
    await at('2026-12-02T18:01:00');
    expect((await theCase()).gate).toBe('persuasion');
    expect(pushesTo(t.d.deputy).join()).toMatch(/【进入劝返】.*学校领导亲自家访逾期未完成/);
    expect(await say(t.d.head, `进展 ${t.d.plain.name}`)).toMatch(
      /系统：学校领导亲自家访逾期未完成/,
    );
  });

  it('finding 3: a back-dated report escalates nothing that passed before it; undo works in the window', async () => {
    t.bot.clock.set('2026-12-11T10:00:00+08:00');
    const reply = await say(t.d.head, `缺勤 ${t.d.plain.name} 12月3日`);
    expect(reply).toMatch(/班主任家访（您）须在 12月14日 周一 18:00 前完成/);
    await flush();
    expect(t.wecom.sent.map(textOf).join()).not.toMatch(/逾期/);
    t.bot.clock.set('2026-12-11T10:20:00+08:00');
    expect(await say(t.d.head, `撤销 ${t.d.plain.name}`)).toMatch(/已撤销.*报告缺勤/);
    expect((await theCase()).gate).toBe('cancelled');
  });

  it('finding 3: after the window the author is refused and a deputy corrects, with a reason', async () => {
    await say(t.d.head, `缺勤 ${t.d.plain.name}`);
    await flush();
    t.bot.clock.set('2026-11-30T10:00:00+08:00');
    expect(await say(t.d.head, `撤销 ${t.d.plain.name}`)).toMatch(/更正/);
    expect(await say(t.d.deputy, `更正 ${t.d.plain.name}`)).toMatch(/请写明更正原因/);
    expect(await say(t.d.deputy, `更正 ${t.d.plain.name} 家长已补请假条`)).toMatch(/已更正/);
    await flush();
    expect(pushesTo(t.d.head).join()).toMatch(/【撤销】|已撤销/);
    expect(await Duty.countDocuments({ status: { $in: ['open', 'missed'] } })).toBe(0);
  });

  it('finding 4: an old card cannot act on new state', async () => {
    await say(t.d.head, `缺勤 ${t.d.plain.name}`);
    await at('2026-12-01T09:00:00');
    const oldCard = cardOf(t.d.head, /今天到校了吗/);
    await click(t.d.head, oldCard, '仍未到校');
    t.bot.clock.set('2026-12-01T16:00:00+08:00');
    await say(t.d.gradeLeader, `家访 ${t.d.plain.name} 家长不同意返校`);
    t.bot.clock.set('2026-12-02T10:00:00+08:00');
    await say(t.d.principal, `确认辍学 ${t.d.plain.name} 随父母外出务工`);
    t.bot.clock.set('2026-12-15T10:00:00+08:00');
    await click(t.d.head, oldCard, '已到校');
    expect(pushesTo(t.d.head).join()).toMatch(/此事项已处理/);
    expect((await theCase()).gate).toBe('reporting');
  });

  it('finding 5: 到校 settles overdue duties too; 待办 and 概况 show none of a closed case', async () => {
    await say(t.d.head, `缺勤 ${t.d.plain.name}`);
    await at('2026-12-01T18:01:00');
    expect(await say(t.d.gradeLeader, '待办')).toMatch(/已逾期/);
    await say(t.d.head, `到校 ${t.d.plain.name}`);
    expect(await say(t.d.head, '待办')).toMatch(/没有待办/);
    expect(await say(t.d.gradeLeader, '待办')).toMatch(/没有待办/);
    expect(await say(t.d.deputy, '概况')).toMatch(/没有逾期事项/);
  });

  it('finding 6: 报告关 is completed by 报告政府; the bureau acts on its card with 督办', async () => {
    await intoPersuasion();
    t.bot.clock.set('2026-12-02T10:00:00+08:00');
    await say(t.d.principal, `确认辍学 ${t.d.plain.name} 随父母外出务工`);
    await at('2026-12-07T18:01:00');
    const card = cardOf(t.d.bureau, /^【逾期】校长向当地政府报告/);
    expect(card.button_list.map((b: any) => b.text)).toContain('督办');
    await click(t.d.bureau, card, '督办');
    expect(pushesTo(t.d.principal).join()).toMatch(/【督办】区教体局/);
    expect(pushesTo(t.d.bureau).join()).not.toMatch(/不在您负责的范围内/);
    await say(t.d.principal, `报告政府 ${t.d.plain.name} 已报告竟成镇政府`);
    expect((await theCase()).gate).toBe('reported');
  });

  it('finding 7: tracking is named 缺勤跟踪; 辍学确认关 and 报告关 are separate moves', async () => {
    await say(t.d.head, `缺勤 ${t.d.plain.name}`);
    expect(await say(t.d.head, `进展 ${t.d.plain.name}`)).toMatch(/当前：缺勤跟踪/);
    await intoPersuasionFromTracking();
    await at('2026-12-15T09:00:00');
    expect(await say(t.d.head, `进展 ${t.d.plain.name}`)).toMatch(/当前：辍学确认关/);
    t.bot.clock.set('2026-12-15T10:00:00+08:00');
    await say(t.d.principal, `确认辍学 ${t.d.plain.name} 随父母外出务工`);
    expect(await say(t.d.head, `进展 ${t.d.plain.name}`)).toMatch(
      /当前：报告关（待向当地政府报告）/,
    );
  });

  it('finding 8: text that is not understood as a date is asked about, not dropped', async () => {
    expect(await say(t.d.head, `缺勤 ${t.d.plain.name} 13月40日`)).toMatch(
      /没看懂日期「13月40日」/,
    );
    expect(await say(t.d.head, `缺勤 ${t.d.plain.name} 上午 下午`)).toMatch(/同时写了上午、下午/);
    expect(await say(t.d.head, `缺勤 ${t.d.plain.name} 周一`)).toMatch(
      /11月30日 周一 全天无故缺勤/,
    );
    expect(await Case.countDocuments({})).toBe(1);
  });
});

async function intoPersuasionFromTracking() {
  await at('2026-12-01T09:00:00');
  await click(t.d.head, cardOf(t.d.head, /今天到校了吗/), '仍未到校');
  t.bot.clock.set('2026-12-01T16:00:00+08:00');
  await say(t.d.gradeLeader, `家访 ${t.d.plain.name} 家长不同意返校`);
}

describe('issue #9: never the wrong child', () => {
  it('a student with a namesake in the school is always shown with the 学籍号 tail', async () => {
    const twins = await Student.find({ name: '李浩然', schoolCode: 'ZS01' }).lean();
    expect(twins).toHaveLength(2);
    const s = twins[0];
    const head = (await Staff.findOne({
      roles: { $elemMatch: { role: 'headTeacher', classId: s.classId } },
    }).lean())!;
    await say(head, `缺勤 ${s.studentNo}`);
    await at('2026-12-01T18:01:00');
    const tail = `李浩然（尾号${s.studentNo.slice(-4)}）`;
    expect(pushesTo(t.d.deputy).join()).toContain(tail);
    expect(await say(head, '待办')).toContain(tail);
  });
});

describe('入学注册关 (二(三)2(3)): students not confirmed present by the Nth school day', () => {
  it('opens a case at the registration gate for the unconfirmed only, and asks the head teacher', async () => {
    t.bot.clock.set('2027-02-22T08:00:00+08:00'); // first school day of the spring semester
    const other = t.d.students.find((s) => s.studentNo !== t.d.plain.studentNo && !s.atRisk)!;
    expect(await say(t.d.head, `报到 全班 除 ${t.d.plain.name}`)).toMatch(
      /已确认报到 \d+ 人（本班已报到 \d+\/25）/,
    );
    const check = new Date('2027-02-24T18:00:00+08:00'); // the 3rd school day
    await t.bot.services.scheduler.schedule(
      JOBS.registrationCheck,
      { semester: '2027-02-22' },
      check,
    );
    await at('2027-02-25T09:00:00');
    const cases = await Case.find({ classId: t.d.classId }).lean();
    expect(cases.map((c) => c.studentNo)).toContain(t.d.plain.studentNo);
    expect(cases.map((c) => c.studentNo)).not.toContain(other.studentNo);
    expect(cases.find((c) => c.studentNo === t.d.plain.studentNo)!.gate).toBe('registration');
    const card = cardOf(t.d.head, new RegExp(`${t.d.plain.name} 今天到校了吗`));
    expect(card).toBeDefined();
    await click(t.d.head, card, '已到校');
    expect((await Case.findOne({ studentNo: t.d.plain.studentNo }).lean())!.gate).toBe('closed');
  });
});
