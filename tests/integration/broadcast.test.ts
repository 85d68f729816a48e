import nock from 'nock';
import { startBot, setupNock, advance, API, type TestBot } from '../support/harness';
import { demo } from '../support/demo';
import { ManualClock } from '../../src/lib/clock';
import { OutboxMessage, OutboxSlot } from '../../src/outbox/model';
import { SharedThrottle } from '../../src/outbox/throttle';
import { Broadcast, type BroadcastDoc } from '../../src/models/broadcast';
import { AuditEntry } from '../../src/models/audit';
import { Report } from '../../src/models/report';
import { School, Staff } from '../../src/models/roster';
import type { StaffLike } from '../../src/domain/roster';

/**
 * Issue #12 "Broadcasts": 通知 with a preview and [发送] [取消], delivery in calls of ≤ 1,000
 * userids under the per-member limits, invaliduser recorded, 通知情况, 催报, school names never
 * codes. (Scheduled notices: tests/integration/broadcast-schedule.test.ts.)
 */
interface Call {
  touser: string[];
  content?: string;
  card?: Record<string, unknown>;
}
jest.setTimeout(60_000);

let bot: TestBot;
let calls: Call[];
let d: Awaited<ReturnType<typeof demo>>;
let zs02principal: StaffLike;
/** The next this many group calls (touser with several userids) answer -1 (system busy). */
let failGroups = 0;
let names: { ZS01: string; ZS02: string };

/** WeCom's message/send: answers `invaliduser` for the userids that start with "ghost". */
function mockWecom(): void {
  nock(API)
    .persist()
    .get('/cgi-bin/gettoken')
    .query(true)
    .reply(200, { errcode: 0, access_token: 'tok', expires_in: 7200 })
    .post('/cgi-bin/message/send')
    .query(true)
    .reply((_uri, raw) => {
      const body = raw as Record<string, unknown>;
      const touser = String(body.touser).split('|');
      if (touser.length > 1 && failGroups > 0) {
        failGroups--;
        calls.push({ touser: ['(refused)'], content: JSON.stringify(body) });
        return [200, { errcode: -1, errmsg: 'system busy' }];
      }
      calls.push({
        touser,
        content: (body.text as { content?: string } | undefined)?.content,
        card: body.template_card as Record<string, unknown> | undefined,
      });
      const invalid = touser.filter((u) => u.startsWith('ghost')).join('|');
      return [200, { errcode: 0, errmsg: 'ok', msgid: `m${calls.length}`, invaliduser: invalid }];
    })
    .post('/cgi-bin/message/update_template_card')
    .query(true)
    .reply(200, { errcode: 0, errmsg: 'ok' });
}

beforeAll(async () => {
  setupNock();
  calls = [];
  mockWecom();
  bot = await startBot({ clock: new ManualClock('2026-12-01T09:00:00+08:00') });
  d = await demo(bot);
  const staff = await Staff.find({}).lean<StaffLike[]>();
  zs02principal = staff.find((p) =>
    p.roles.some((r) => r.role === 'principal' && r.schoolCode === 'ZS02'),
  )!;
  const schools = await School.find({}).lean<{ code: string; name: string }[]>();
  names = {
    ZS01: schools.find((s) => s.code === 'ZS01')!.name,
    ZS02: schools.find((s) => s.code === 'ZS02')!.name,
  };
});
afterAll(async () => {
  await bot.close();
  nock.cleanAll();
});

const say = async (who: { userid: string }, text: string) =>
  (await bot.say(text, who.userid)).reply ?? '';
const to = (u: string) => calls.filter((c) => c.touser.includes(u));
/** The calls that delivered a notice (not the summary to its sender). */
const notices = (from: number, text: string) =>
  calls.slice(from).filter((c) => c.content?.startsWith('【通知】') && c.content.includes(text));
const pump = () => bot.services.outbox.pump();

/** The sender's latest preview card (pushed through the outbox) and its buttons. */
async function previewCard(who: StaffLike) {
  await pump();
  const card = to(who.userid)
    .reverse()
    .find((c) => c.card)?.card as {
    task_id: string;
    button_list: { text: string; key: string }[];
  };
  return card;
}

/** A click through the real encrypted callback; the answer comes back through the outbox. */
async function click(as: string, key: string, taskId: string): Promise<string | undefined> {
  const res = await bot.say({ as, event: 'template_card_event', key, taskId });
  expect(res.status).toBe(200);
  const [row] = await OutboxMessage.find({ recipient: as, key: /^reply:/ })
    .sort({ createdAt: -1 })
    .limit(1)
    .lean<{ sealed?: string }[]>();
  await OutboxMessage.deleteMany({ key: /^reply:/ });
  return row?.sealed
    ? (JSON.parse(bot.services.pii.open(row.sealed)) as { content: string }).content
    : undefined;
}

describe('通知: preview first, nothing sent before 发送 (issue #12 Broadcasts 1–2)', () => {
  it('the bureau gets a preview card with the count, the audience by name and the buttons', async () => {
    const reply = await say(d.bureau, `通知 ${names.ZS01}、${names.ZS02} 全体校长 周五前提交月报`);
    expect(reply).toContain('发送');
    const card = await previewCard(d.bureau);
    expect(card.button_list.map((b) => b.text)).toEqual(['发送', '取消']);
    const json = JSON.stringify(card);
    expect(json).toContain(`${names.ZS01}、${names.ZS02}的全体校长`);
    expect(json).toContain('2 人');
    expect(json).toContain('周五前提交月报');
    // Nothing goes out before 发送, however long the preview waits.
    await advance(bot, '2026-12-01T10:00:00+08:00');
    expect(to(d.principal.userid)).toHaveLength(0);
    expect(to(zs02principal.userid)).toHaveLength(0);
  });

  it('发送 on the card sends once; a second click is told it went already', async () => {
    const card = await previewCard(d.bureau);
    const send = card.button_list.find((b) => b.text === '发送')!.key;
    expect(send).toMatch(/^b:send:/);
    expect(await click(d.bureau.userid, send, card.task_id)).toContain('已开始发送');
    await pump();
    expect(to(d.principal.userid).map((c) => c.content)).toEqual([
      expect.stringContaining('周五前提交月报'),
    ]);
    expect(to(zs02principal.userid)).toHaveLength(1);
    expect(await click(d.bureau.userid, send, card.task_id)).toContain('不会重复发送');
    expect(await say(d.bureau, '发送')).toContain('不会重复发送');
    await pump();
    expect(to(d.principal.userid)).toHaveLength(1);
  });

  it('取消 (typed) cancels; a late 发送 click is told it was cancelled', async () => {
    await say(d.bureau, '通知 全体班主任 明天下午三点开会');
    const card = await previewCard(d.bureau);
    expect(await say(d.bureau, '取消')).toContain('已取消');
    const send = card.button_list.find((b) => b.text === '发送')!.key;
    expect(await click(d.bureau.userid, send, card.task_id)).toContain('已取消');
    await advance(bot, '2026-12-01T11:00:00+08:00');
    expect(to(d.head.userid)).toHaveLength(0);
    const b = await Broadcast.findOne({ content: '明天下午三点开会' }).lean<BroadcastDoc>();
    expect(b?.status).toBe('cancelled');
  });

  it('a typed 发送 sends the latest preview; a grade across schools counts in the database', async () => {
    expect(await say(d.bureau, '通知 三年级班主任 本周完成家访')).toContain('发送');
    const b = await Broadcast.findOne({ content: '本周完成家访' }).lean<BroadcastDoc>();
    const heads = await Staff.countDocuments({
      roles: { $elemMatch: { role: 'headTeacher', grade: 3 } },
    });
    expect(b?.count).toBe(heads);
    expect(b?.audienceText).toBe('全区三年级班主任');
    expect(await say(d.bureau, '发送')).toContain(`共 ${heads} 人`);
    await pump();
    expect(to(d.head.userid).map((c) => c.content)).toEqual([
      expect.stringContaining('本周完成家访'),
    ]);
    expect(to(d.subject.userid)).toHaveLength(0);
  });

  it('an audience not understood gets the list of audiences, never silence', async () => {
    const reply = await say(d.bureau, '通知 城关九中 明天开会');
    expect(reply).toContain('没看懂要通知谁');
    expect(reply).toContain('全体校长');
    expect(reply).toContain(names.ZS01);
    expect(await say(d.bureau, '通知 全体校长')).toContain('通知内容');
  });
});

describe('with cards off (settings notifications.cards: false) (issue #12 Broadcasts 2)', () => {
  it('the preview is the reply and says to answer 发送 or 取消; 发送 works', async () => {
    bot.services.settings.notifications.cards = false;
    try {
      const before = to(d.bureau.userid).length;
      const reply = await say(d.bureau, `通知 ${names.ZS02} 校长 请回电话`);
      expect(reply).toContain(`对象：${names.ZS02}的全体校长，共 1 人`);
      expect(reply).toContain('回复「发送」');
      expect(reply).toContain('回复「取消」');
      await pump();
      expect(to(d.bureau.userid)).toHaveLength(before); // no card
      expect(to(zs02principal.userid).filter((c) => c.content?.includes('请回电话'))).toEqual([]);
      expect(await say(d.bureau, '发送')).toContain('已开始发送');
      await pump();
      expect(to(zs02principal.userid).filter((c) => c.content?.includes('请回电话'))).toHaveLength(
        1,
      );
    } finally {
      bot.services.settings.notifications.cards = true;
    }
  });
});

describe('a principal or deputy addresses their own school only (issue #12 Broadcasts 1)', () => {
  it("another school's staff is refused and audited", async () => {
    const reply = await say(d.principal, `通知 ${names.ZS02} 全体教师 明天开会`);
    expect(reply).toContain('只能通知本校');
    const refused = await AuditEntry.findOne({
      actor: d.principal.userid,
      action: 'broadcast',
      outcome: 'refused',
    }).lean();
    expect(refused).toBeTruthy();
    expect(await Broadcast.countDocuments({ sender: d.principal.userid })).toBe(0);
  });

  it('全体班主任 from a principal means the own school', async () => {
    await say(d.principal, '通知 全体班主任 周三放学后开会');
    const b = await Broadcast.findOne({ sender: d.principal.userid }).lean<BroadcastDoc>();
    expect(b?.audience.schools).toEqual(['ZS01']);
    expect(b?.audienceText).toBe(`${names.ZS01}的全体班主任`);
    const heads = await Staff.countDocuments({
      roles: { $elemMatch: { role: 'headTeacher', schoolCode: 'ZS01' } },
    });
    expect(b?.count).toBe(heads);
    expect(await say(d.principal, '取消')).toContain('已取消');
  });

  it('a head teacher may not broadcast', async () => {
    expect(await say(d.head, '通知 全体班主任 明天开会')).toContain('只能通知本校');
  });
});

describe('delivery in calls of ≤ 1,000 under the per-member limits (issue #12 Broadcasts 3)', () => {
  it('2,500 recipients → exactly 3 message/send calls, none throttled away, invalid recorded', async () => {
    await School.create({ code: 'ZS09', name: '测试中学', kind: 'junior' });
    const people = Array.from({ length: 2500 }, (_, i) => ({
      userid: i < 3 ? `ghost${i}` : `t${String(i).padStart(5, '0')}`,
      name: `教师${i}`,
      roles: [{ role: 'headTeacher', schoolCode: 'ZS09', grade: 7, classId: `ZS09-7-${i}` }],
    }));
    await Staff.insertMany(people);
    const before = calls.length;
    await say(d.bureau, '通知 测试中学 全体班主任 请核对本班学籍');
    const card = await previewCard(d.bureau);
    expect(JSON.stringify(card)).toContain('2500 人');
    // Nothing but the preview before 发送.
    expect(notices(before, '请核对本班学籍')).toEqual([]);
    expect(await say(d.bureau, '发送')).toContain('共 2500 人');
    await advance(bot, '2026-12-01T11:30:00+08:00');
    const sends = notices(before, '请核对本班学籍');
    expect(sends.map((c) => c.touser.length)).toEqual([1000, 1000, 500]);
    expect(new Set(sends.flatMap((c) => c.touser)).size).toBe(2500);
    const b = await Broadcast.findOne({ content: '请核对本班学籍' }).lean<BroadcastDoc>();
    expect(b).toMatchObject({ status: 'done', delivered: 2497, failed: 0, batches: 3 });
    expect(b?.invalid?.sort()).toEqual(['ghost0', 'ghost1', 'ghost2']);
    expect(b?.recipients).toHaveLength(2500);
    // The sender is told when delivery ends.
    const summary = to(d.bureau.userid).find(
      (c) => c.content?.includes('通知送达情况') && c.content.includes('请核对本班学籍'),
    );
    expect(summary?.content).toContain('送达 2497 人');
    expect(summary?.content).toContain('找不到的账号 3 个');
  });

  it('a member at the per-minute limit is split off and sent a minute later, not dropped', async () => {
    // t00010 had 30 messages in the last minute (its 30 slots taken now).
    const now = bot.clock.now();
    await OutboxSlot.deleteMany({ recipient: 't00010' });
    await OutboxSlot.insertMany(
      Array.from({ length: 30 }, (_, i) => ({
        _id: `t00010#${i}`,
        recipient: 't00010',
        i,
        at: now,
      })),
    );
    expect(await new SharedThrottle(30, 1000).take('t00010', now)).toBeUndefined();
    const before = calls.length;
    await say(d.bureau, '通知 测试中学 全体班主任 第二次提醒');
    await say(d.bureau, '发送');
    await pump();
    const first = notices(before, '第二次提醒');
    expect(first.map((c) => c.touser.length)).toEqual([999, 1000, 500]);
    expect(first.some((c) => c.touser.includes('t00010'))).toBe(false);
    await advance(bot, new Date(now.getTime() + 5 * 60_000));
    const all = notices(before, '第二次提醒');
    expect(all.map((c) => c.touser.length)).toEqual([999, 1000, 500, 1]);
    expect(all[3].touser).toEqual(['t00010']);
    const b = await Broadcast.findOne({ content: '第二次提醒' }).lean<BroadcastDoc>();
    expect(b).toMatchObject({ status: 'done', delivered: 2497 });
  });
});

describe('a group row keeps the outbox guarantees (issue #12 Broadcasts 3)', () => {
  it('WeCom busy: the batch is retried later with the identical request, delivered once', async () => {
    const before = calls.length;
    failGroups = 1;
    await say(d.bureau, `通知 ${names.ZS01} 全体班主任 请周四交表`);
    await say(d.bureau, '发送');
    await pump();
    const refused = calls.slice(before).find((c) => c.touser[0] === '(refused)');
    expect(refused).toBeTruthy();
    const row = await OutboxMessage.findOne({ kind: 'group_text', status: 'pending' }).lean();
    expect(row?.attempts).toBe(1);
    expect(row?.request).toBeTruthy(); // stored: a retry sends exactly it
    await advance(bot, new Date(bot.clock.now().getTime() + 10 * 60_000));
    const sent = notices(before, '请周四交表');
    expect(sent).toHaveLength(1);
    const first = JSON.parse(refused!.content!) as { touser: string; text: { content: string } };
    expect(sent[0].touser.join('|')).toBe(first.touser);
    expect(sent[0].content).toBe(first.text.content);
    const b = await Broadcast.findOne({ content: '请周四交表' }).lean<BroadcastDoc>();
    expect(b).toMatchObject({ status: 'done', delivered: sent[0].touser.length, failed: 0 });
  });
});

describe('a crash between a split and the send loses nobody (issue #12 Broadcasts 3)', () => {
  it('a row left with `rest` recorded is split again without dropping either part', async () => {
    const now = bot.clock.now();
    // As a crash leaves it: the body already says c1 goes later, its row not written yet.
    const body = { content: '【通知】拆分测试', userids: ['c2', 'c3'], rest: ['c1'] };
    await OutboxMessage.create({
      key: 'bc:test:1',
      recipient: 'group:bc:test:1',
      kind: 'group_text',
      group: 'test',
      sealed: bot.services.pii.seal(JSON.stringify(body)),
      status: 'pending',
      attempts: 0,
      nextAttemptAt: now,
      createdAt: now,
    });
    // c2 is at its per-minute limit now.
    await OutboxSlot.insertMany(
      Array.from({ length: 30 }, (_, i) => ({ _id: `c2#${i}`, recipient: 'c2', i, at: now })),
    );
    const before = calls.length;
    await pump();
    expect(notices(before, '拆分测试').map((c) => c.touser)).toEqual([['c3']]);
    await advance(bot, new Date(now.getTime() + 5 * 60_000));
    const got = notices(before, '拆分测试').flatMap((c) => c.touser);
    expect(got.sort()).toEqual(['c1', 'c2', 'c3']);
  });
});

describe('SharedThrottle.takeMany shares the limits across instances (issue #12 Broadcasts 3)', () => {
  it('two concurrent batch takes over the same new members: each member granted once', async () => {
    const members = Array.from({ length: 40 }, (_, i) => `race${i}`);
    const now = bot.clock.now();
    // One message a minute and one an hour: a member can be granted by one take only.
    const [a, b] = await Promise.all([
      new SharedThrottle(1, 2).takeMany(members, now),
      new SharedThrottle(1, 2).takeMany(members, now),
    ]);
    expect(a.granted.length + b.granted.length).toBe(40);
    expect(a.granted.filter((m) => b.granted.includes(m))).toEqual([]);
    const again = await new SharedThrottle(1, 2).takeMany(
      members,
      new Date(now.getTime() + 120_000),
    );
    expect(again.granted).toEqual([]); // the hour's limit holds after the minute has passed
  });
});

describe('通知情况 and 通知记录 (issue #12 Broadcasts 4)', () => {
  it('lists recent notices with delivered / failed / invalid, under 2,048 bytes', async () => {
    const reply = await say(d.bureau, '通知情况');
    expect(reply).toContain('送达 2497／失败 0／无效账号 3');
    expect(reply).toContain('已取消');
    expect(Buffer.byteLength(reply)).toBeLessThan(2048);
  });

  it('the bureau searches by keyword; a principal sees only their own', async () => {
    const found = await say(d.bureau, '通知记录 家访');
    expect(found).toContain('本周完成家访');
    expect(found).not.toContain('请核对本班学籍');
    const own = await say(d.principal, '通知情况');
    expect(own).toContain('周三放学后开会');
    expect(own).not.toContain('请核对本班学籍');
  });
});

describe('催报 reaches only the late or unsubmitted schools (issue #12 Broadcasts 5)', () => {
  it('preview to the ZS01 principal only; submitted schools hear nothing', async () => {
    const due = new Date('2026-12-07T18:00:00+08:00');
    const base = { kind: 'monthly' as const, period: '2026-11', label: '2026年11月', dueAt: due };
    await Report.create({
      ...base,
      key: 'ZS01:monthly:2026-11',
      schoolCode: 'ZS01',
      status: 'late',
    });
    await Report.create({
      ...base,
      key: 'ZS02:monthly:2026-11',
      schoolCode: 'ZS02',
      status: 'submitted',
    });
    expect(await say(d.principal, '催报')).toContain('区教体局');
    await say(d.bureau, '催报');
    const b = await Broadcast.findOne({ origin: 'urge' }).lean<BroadcastDoc>();
    expect(b).toMatchObject({ count: 1, audienceText: `${names.ZS01}的全体校长` });
    const before = to(d.principal.userid).length;
    const other = to(zs02principal.userid).length;
    await say(d.bureau, '发送');
    await pump();
    const got = to(d.principal.userid).slice(before);
    expect(got.map((c) => c.content)).toEqual([
      expect.stringContaining('2026年11月流失生月报尚未上报'),
    ]);
    expect(to(zs02principal.userid)).toHaveLength(other);
  });
});

describe('帮助 lists the broadcast commands for the roles that may use them (issue #12 item 7)', () => {
  it('the bureau, a principal, a head teacher', async () => {
    const bureau = await say(d.bureau, '帮助');
    for (const c of ['通知', '通知情况', '催报', '定时通知']) expect(bureau).toContain(c);
    const principal = await say(d.principal, '帮助');
    expect(principal).toMatch(/校领导：.*通知、通知情况/);
    expect(principal).not.toContain('催报');
    expect(await say(d.head, '帮助')).not.toContain('通知');
    expect(await say(d.bureau, '帮助 通知')).toContain('全体校长');
  });
  it('群发 / 广播 / 提醒 are 通知', async () => {
    expect(await say(d.bureau, '群发 全体校长 明早八点开会')).toContain('发送');
    expect(await say(d.bureau, '取消')).toContain('已取消');
    expect(await say(d.bureau, '提醒 所有学校 校长 提交月报')).toContain('发送');
    expect(await say(d.bureau, '取消')).toContain('已取消');
  });
});

describe('取消 during an open visit exchange still ends the exchange (no regression)', () => {
  it('a head teacher asked for the rest of a visit record answers 取消', async () => {
    const asked = await say(d.head, `家访 ${d.plain.name} 电话联系母亲，一切正常`);
    expect(asked).not.toBe('');
    expect(await say(d.head, '取消')).toContain('家访记录已保存');
    expect(await say(d.head, '取消')).toContain('您没有待确认的通知');
  });
});

describe('school names, never codes (issue #12)', () => {
  it('no message sent in this file carries a school code', async () => {
    const texts = calls.map((c) => c.content ?? JSON.stringify(c.card ?? {}));
    expect(texts.length).toBeGreaterThan(5);
    for (const t of texts) expect(t).not.toMatch(/ZS0\d/);
  });
});
