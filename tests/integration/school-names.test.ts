import nock from 'nock';
import { startBot, mockWecom, setupNock, advance, textOf, type TestBot } from '../support/harness';
import { demo } from '../support/demo';
import { School, type SchoolRow } from '../../src/models/roster';
import { ManualClock } from '../../src/lib/clock';

/**
 * Issue #12: school names, never codes (ZS01, BX71), in every message. The demo week's main
 * steps (absence, missed visit, escalation up to the principal and the bureau), then the main
 * commands as the bureau and as a principal; no reply and no push names a roster school code.
 */
const MON = '2026-11-30T08:00:00+08:00';
let bot: TestBot;
let wecom: ReturnType<typeof mockWecom>;
let d: Awaited<ReturnType<typeof demo>>;
let codes: string[];

beforeAll(async () => {
  setupNock();
  wecom = mockWecom();
  bot = await startBot({ clock: new ManualClock(MON) });
  d = await demo(bot);
  codes = (await School.find({}).lean<SchoolRow[]>()).map((s) => s.code);
});
afterAll(async () => {
  await bot.close();
  nock.cleanAll();
});

type Who = { userid: string };
const replies: { who: string; text: string; reply: string }[] = [];
const say = async (who: Who, text: string) => {
  const reply = (await bot.say(text, who.userid)).reply ?? '';
  replies.push({ who: who.userid, text, reply });
  return reply;
};
const card = (who: Who, title: RegExp) =>
  wecom
    .to(who.userid)
    .filter((m) => title.test(m.card?.main_title?.title ?? ''))
    .pop()?.card;
async function click(who: Who, c: any, text: string): Promise<void> {
  const button = c.button_list.find((b: any) => b.text === text);
  await bot.say({
    as: who.userid,
    event: 'template_card_event',
    key: button.key,
    taskId: c.task_id,
  });
  await advance(bot, bot.clock.now());
}

const withCode = (text: string) => codes.filter((c) => text.includes(c));

it('the demo week and the main commands of the bureau and a principal name schools, never codes', async () => {
  const s = d.plain;
  await say(d.head, `缺勤 ${s.name} 全天 电话联系不上家长`);
  await advance(bot, '2026-12-01T09:00:00+08:00');
  await click(d.head, card(d.head, /今天到校了吗/), '仍未到校');
  await advance(bot, '2026-12-01T18:01:00+08:00');
  bot.clock.set('2026-12-01T19:30:00+08:00');
  await say(d.gradeLeader, `家访 ${s.name} 与班主任一同上门，家长不同意返校`);
  bot.clock.set('2026-12-02T10:00:00+08:00');
  await say(d.principal, `确认辍学 ${s.name} 随父母外出务工`);
  await advance(bot, '2026-12-07T18:01:00+08:00');
  const main = ['帮助', '我是谁', '概况', '待办', '逾期', '案件', '报告情况', '巩固率'];
  for (const text of [...main, `进展 ${s.name}`, '导出 月报 2026-11', '家访统计'])
    await say(d.bureau, text);
  for (const text of [...main, '我的学生', `进展 ${s.name}`, '导出 月报 2026-11', '易辍名单'])
    await say(d.principal, text);
  await say(d.bureau, `督办 ${s.name} 请尽快报告政府`);
  await advance(bot, bot.clock.now());

  expect(replies.filter((r) => !r.reply)).toEqual([]);
  const bad = [
    ...replies.map((r) => ({ where: `${r.who} ${r.text}`, text: r.reply })),
    ...wecom.sent.map((m) => ({ where: `push → ${m.touser}`, text: textOf(m) })),
  ].filter((m) => withCode(m.text).length);
  expect(bad).toEqual([]);
  // The bureau's escalation card says which school, by name.
  expect(card(d.bureau, /^【逾期】/).horizontal_content_list).toContainEqual({
    keyname: '学校',
    value: '珠山区第一小学',
  });
  // The lists did name the school.
  expect(replies.find((r) => r.who === d.bureau.userid && r.text === '逾期')?.reply).toMatch(
    /珠山区第一小学/,
  );
});

afterAll(() => {
  if (process.env.SHOW_REPLIES)
    for (const r of replies) console.log(`【${r.who}】${r.text}\n${r.reply}\n`);
  if (process.env.SHOW_REPLIES)
    for (const m of wecom.sent) console.log(`推送 → ${m.touser}\n${textOf(m)}\n`);
});
