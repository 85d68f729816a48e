import nock from 'nock';
import {
  startBot,
  mockWecom,
  setupNock,
  advance,
  clearCaseRecord,
  textOf,
  type TestBot,
} from '../support/harness';
import { demo } from '../support/demo';
import { Case, Duty, type DutyRow, type CaseRow } from '../../src/models/case';
import { School, Student, type SchoolRow } from '../../src/models/roster';
import { PagedReply } from '../../src/models/paged-reply';
import { ManualClock } from '../../src/lib/clock';
import { TEXT_LIMIT_BYTES } from '../../src/wecom/client';
import { NOTHING_PENDING } from '../../src/chat/paging';
import type { StudentLike } from '../../src/domain/roster';

/**
 * Issue #12 "Named lists in chat": 逾期 and 案件 with names for the bureau (district) and for
 * principals (their school), long replies paged to WeCom's 2,048-byte text limit (「下一页」),
 * the bureau's 待办 and its own escalation card (督办, 查看详情).
 */
const MON = '2026-11-30T08:00:00+08:00';
let bot: TestBot;
let wecom: ReturnType<typeof mockWecom>;
let d: Awaited<ReturnType<typeof demo>>;
let other: SchoolRow;

beforeAll(async () => {
  setupNock();
  wecom = mockWecom();
  bot = await startBot({ clock: new ManualClock(MON) });
  d = await demo(bot);
  other = (await School.findOne({ code: { $ne: 'ZS01' } }).lean<SchoolRow>())!;
});
afterAll(async () => {
  await bot.close();
  nock.cleanAll();
});
beforeEach(async () => {
  await Promise.all([clearCaseRecord(), PagedReply.deleteMany({})]);
  bot.clock.set(MON);
  wecom.sent.length = 0;
});

type Who = { userid: string };
const say = async (who: Who, text: string) => (await bot.say(text, who.userid)).reply ?? '';
const bytes = (s: string) => Buffer.byteLength(s);

/** Overdue duties (and their open cases) for `n` students, the i-th due i+1 days ago. */
async function overdue(students: StudentLike[], holder: string): Promise<void> {
  const now = bot.clock.now().getTime();
  const cases: Partial<CaseRow>[] = students.map((s, i) => ({
    caseId: `c-${s.studentNo}`,
    studentNo: s.studentNo,
    schoolCode: s.schoolCode,
    classId: s.classId,
    grade: s.grade,
    gate: i % 2 ? 'tracking' : 'persuasion',
    open: true,
    openedAt: new Date(now - 20 * 86_400_000),
    openedBy: holder,
    awayDays: i + 3,
  }));
  const duties: Partial<DutyRow>[] = students.map((s, i) => ({
    dutyId: `d-${s.studentNo}`,
    caseId: `c-${s.studentNo}`,
    studentNo: s.studentNo,
    schoolCode: s.schoolCode,
    classId: s.classId,
    grade: s.grade,
    kind: 'headVisit',
    holders: [holder],
    openAt: new Date(now - 20 * 86_400_000),
    dueAt: new Date(now - (i + 1) * 86_400_000 - 3_600_000),
    status: 'missed',
  }));
  await Case.insertMany(cases);
  await Duty.insertMany(duties);
}

describe('逾期 and 案件 (issue #12 "Named lists in chat")', () => {
  it('the bureau sees names, holders, school names and days overdue, most overdue first', async () => {
    const zs01 = d.students.slice(0, 3);
    const elsewhere = await Student.find({ schoolCode: other.code }).limit(2).lean<StudentLike[]>();
    await overdue([...zs01, ...elsewhere], d.head.userid);
    const reply = await say(d.bureau, '逾期');
    expect(reply).toMatch(/^【逾期事项 · 全区】共 5 项/);
    expect(reply).toMatch(new RegExp(`按学校：珠山区第一小学 3，${other.name} 2`));
    const lines = reply.split('\n').filter((l) => /^\d+\. /.test(l));
    expect(lines).toHaveLength(5);
    // The most overdue (the fifth student, due 5 days ago) first.
    expect(lines[0]).toContain(elsewhere[1].name);
    expect(lines[0]).toMatch(
      new RegExp(`${other.name}.*班主任家访，责任人 ${d.head.name}，逾期 5 天`),
    );
    expect(lines[4]).toMatch(
      new RegExp(`^5\\. ${d.students[0].name}（珠山区第一小学 .*逾期 1 天$`),
    );
    expect(reply).not.toMatch(/ZS0\d|BX\d/);
    expect(await say(d.bureau, `逾期 ${other.name}`)).toMatch(/^【逾期事项 · .*】共 2 项/);
  });

  it('案件: open cases by gate with names and school days away; 案件 <学校> for the bureau', async () => {
    await overdue(d.students.slice(0, 4), d.head.userid);
    const reply = await say(d.bureau, '案件');
    expect(reply).toMatch(/^【未结案件 · 全区】共 4 件/);
    expect(reply).toMatch(/劝返关（2）：\n· .*（珠山区第一小学 .*）已 5 个上学日未到校/);
    expect(reply).toMatch(/缺勤跟踪（2）：/);
    expect(reply).toContain(d.students[3].name);
    expect(await say(d.bureau, '案件 第一小学')).toMatch(/^【未结案件 · 珠山区第一小学】共 4 件/);
    expect(await say(d.bureau, `案件 ${other.name}`)).toMatch(/没有未结的案件/);
  });

  it('a principal sees their school only; naming another school is refused', async () => {
    const elsewhere = await Student.find({ schoolCode: other.code }).limit(2).lean<StudentLike[]>();
    await overdue([d.students[0], ...elsewhere], d.head.userid);
    const mine = await say(d.principal, '逾期');
    expect(mine).toMatch(/^【逾期事项 · 珠山区第一小学】共 1 项/);
    expect(mine).toContain(d.students[0].name);
    expect(mine).not.toContain(elsewhere[0].name);
    expect(await say(d.principal, '案件')).toMatch(/^【未结案件 · 珠山区第一小学】共 1 件/);
    expect(await say(d.principal, `案件 ${other.name}`)).toMatch(/您只能查看本校的案件/);
    expect(await say(d.principal, `逾期 ${other.name}`)).toMatch(/逾期名单由校长/);
    expect(await say(d.head, '逾期')).toMatch(/逾期名单由校长、分管领导/);
  });
});

describe('帮助 lists the new commands for the roles that may use them (issue #12)', () => {
  it('the bureau and school leaders see 逾期, 案件, 导出; a head teacher does not', async () => {
    expect(await say(d.bureau, '帮助')).toMatch(/教体局：督办、报告情况、逾期、案件、导出/);
    expect(await say(d.principal, '帮助')).toMatch(/校领导：.*毕业交接、逾期、案件、导出/);
    expect(await say(d.deputy, '帮助')).toMatch(/逾期、案件、导出/);
    expect(await say(d.head, '帮助')).not.toMatch(/逾期|案件|导出/);
    expect(await say(d.bureau, '帮助 导出')).toMatch(/导出 月报 2026-11 珠山区第一小学/);
  });
});

describe('paging (issue #12: WeCom text limit 2,048 bytes)', () => {
  it('a long list comes in three pages, each within the limit; 下一页 walks them', async () => {
    const many = await Student.find({ schoolCode: 'ZS01' })
      .sort({ studentNo: 1 })
      .limit(40)
      .lean<StudentLike[]>();
    await overdue(many, d.head.userid);
    const first = await say(d.bureau, '逾期');
    expect(bytes(first)).toBeLessThanOrEqual(TEXT_LIMIT_BYTES);
    expect(first).toMatch(/\n第1\/3页，回复「下一页」继续$/);
    const second = await say(d.bureau, '下一页');
    expect(second).toMatch(/\n第2\/3页，回复「下一页」继续$/);
    const third = await say(d.bureau, '更多');
    expect(third).toMatch(/\n第3\/3页（完）$/);
    for (const p of [second, third]) expect(bytes(p)).toBeLessThanOrEqual(TEXT_LIMIT_BYTES);
    // Every row once, in order, cut at line boundaries.
    const numbers = [first, second, third]
      .join('\n')
      .split('\n')
      .map((l) => /^(\d+)\. /.exec(l)?.[1])
      .filter(Boolean)
      .map(Number);
    expect(numbers).toEqual(many.map((_, i) => i + 1));
    expect(await say(d.bureau, '下一页')).toBe(NOTHING_PENDING);
  });

  it('下一页 with nothing pending gets a helpful answer; another command replaces the pages', async () => {
    expect(await say(d.principal, '下一页')).toBe(NOTHING_PENDING);
    expect(NOTHING_PENDING).toMatch(/重新发送命令/);
    const many = await Student.find({ schoolCode: 'ZS01' }).limit(40).lean<StudentLike[]>();
    await overdue(many, d.head.userid);
    expect(await say(d.bureau, '逾期')).toMatch(/第1\/3页/);
    await say(d.bureau, '我是谁');
    expect(await say(d.bureau, '继续')).toBe(NOTHING_PENDING);
  });

  it('the dispatcher pages before the callback picks a passive or an outbox reply', async () => {
    const many = await Student.find({ schoolCode: 'ZS01' }).limit(40).lean<StudentLike[]>();
    await overdue(many, d.head.userid);
    const reply = await bot.dispatcher.handle({
      kind: 'text',
      from: d.bureau.userid,
      content: '逾期',
      msgId: '1',
    } as never);
    expect(reply).toMatch(/第1\/3页/);
    expect(bytes(reply!)).toBeLessThanOrEqual(TEXT_LIMIT_BYTES);
  });
});

describe("the bureau's 待办 and its escalation card (issue #12)", () => {
  it('待办 lists the duties escalated to the bureau; else a digest of the district', async () => {
    await overdue(d.students.slice(0, 2), d.head.userid);
    const digest = await say(d.bureau, '待办');
    expect(digest).toMatch(/全区逾期事项 2 项。\n按学校：珠山区第一小学 2\n发送「逾期」查看名单/);
    await Duty.updateOne(
      { dutyId: `d-${d.students[0].studentNo}` },
      {
        $set: { kind: 'govReport', holders: [d.principal.userid], escalatedTo: [d.bureau.userid] },
      },
    );
    const todo = await say(d.bureau, '待办');
    expect(todo).toMatch(
      new RegExp(`${d.students[0].name}：校长向当地政府报告（已上报给您），已逾期`),
    );
  });
});

const flush = () => advance(bot, bot.clock.now());
const cardOf = (who: Who, title: RegExp) =>
  wecom
    .to(who.userid)
    .filter((m) => title.test(m.card?.main_title?.title ?? ''))
    .pop()?.card;
/** A click through the real callback; the answer comes through the outbox (a card event). */
async function click(who: Who, card: any, text: string): Promise<string> {
  const button = card.button_list.find((b: any) => b.text === text);
  const before = wecom.to(who.userid).length;
  await bot.say({
    as: who.userid,
    event: 'template_card_event',
    key: button.key,
    taskId: card.task_id,
    responseCode: `RC-${Math.random()}`,
  });
  await flush();
  return wecom.to(who.userid).slice(before).map(textOf).join('\n');
}

describe("the bureau's own escalation card works when the bureau clicks it (issue #12)", () => {
  it('a case escalated to the bureau: 待办 lists it, 督办 tells the principal, 查看详情 shows it', async () => {
    const s = d.plain;
    await say(d.head, `缺勤 ${s.name}`);
    await advance(bot, '2026-12-01T09:00:00+08:00');
    await click(d.head, cardOf(d.head, /今天到校了吗/), '仍未到校');
    bot.clock.set('2026-12-01T16:00:00+08:00');
    await say(d.gradeLeader, `家访 ${s.name} 与班主任一同上门，家长不同意返校`);
    bot.clock.set('2026-12-02T10:00:00+08:00');
    await say(d.principal, `确认辍学 ${s.name} 随父母外出务工`);
    await advance(bot, '2026-12-07T18:01:00+08:00');
    const card = cardOf(d.bureau, /^【逾期】校长向当地政府报告/);
    expect(card.button_list.map((b: any) => b.text)).toEqual(['督办', '查看详情']);
    const todo = await say(d.bureau, '待办');
    expect(todo).toMatch(new RegExp(`${s.name}：校长向当地政府报告（已上报给您），已逾期`));
    expect(todo).toMatch(new RegExp(`办理：「督办 ${s.name}」`));

    const details = await click(d.bureau, card, '查看详情');
    expect(details).toMatch(new RegExp(`${s.name}`));
    expect(details).toMatch(/当前：报告关（待向当地政府报告）/);
    expect(details).not.toMatch(/不在您负责的范围内|已失效|不是发给您的/);

    const principalBefore = wecom.to(d.principal.userid).length;
    const done = await click(d.bureau, card, '督办');
    expect(done).toMatch(new RegExp(`已督办：${s.name}，已通知校长`));
    const told = wecom.to(d.principal.userid).slice(principalBefore).map(textOf).join('\n');
    expect(told).toMatch(
      new RegExp(`【督办】区教体局 ${d.bureau.name} 正在督办 .*${s.name} 的案件`),
    );
    expect(told).not.toMatch(/ZS0\d/);
  });
});
