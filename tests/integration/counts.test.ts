import { useBot, advance } from '../support/harness';
import { ManualClock } from '../../src/lib/clock';
import { overdueDuties } from '../../src/web/queries/cases';
import { loadScope } from '../../src/web/scope';
import { Case, Duty, HomeVisit, type CaseRow, type DutyRow } from '../../src/models/case';
import { overdueDays, overdueText } from '../../src/lib/time';

/**
 * One number per idea everywhere (the sandbox tester's week): chat, the dashboard and
 * workbooks agree on days overdue and on which duties are overdue; visit counts agree.
 */
const s = useBot({ clock: new ManualClock('2026-11-30T08:00:00+08:00') });

describe('days overdue: Asia/Shanghai calendar days since the deadline day (item 1)', () => {
  it('counts calendar days, not whole 24-hour periods', () => {
    const at = (iso: string) => new Date(iso);
    expect(overdueDays(at('2026-12-02T10:00:00+08:00'), at('2026-12-03T08:31:00+08:00'))).toBe(1);
    expect(overdueText(at('2026-12-02T10:00:00+08:00'), at('2026-12-03T08:31:00+08:00'))).toBe(
      '逾期 1 天',
    );
    expect(overdueText(at('2026-12-01T18:00:00+08:00'), at('2026-12-03T08:31:00+08:00'))).toBe(
      '逾期 2 天',
    );
    expect(overdueText(at('2026-12-03T08:00:00+08:00'), at('2026-12-03T23:59:00+08:00'))).toBe(
      '今天逾期',
    );
    // 23:30 Shanghai is the next day in UTC: still the same calendar day.
    expect(overdueDays(at('2026-12-01T23:30:00+08:00'), at('2026-12-08T08:31:00+08:00'))).toBe(7);
  });

  it('chat 逾期 and the dashboard list the same duties with the same days', async () => {
    const { d } = s;
    await s.say(d.head, `缺勤 ${d.plain.name}`);
    await advance(s.bot, '2026-12-03T08:31:00+08:00');
    const wed = await s.say(d.principal, '逾期');
    expect(wed).toMatch(/确认到校情况，责任人 .*，逾期 2 天/);
    expect(wed).not.toMatch(/逾期 1 天|今天逾期/);
    await advance(s.bot, '2026-12-08T08:31:00+08:00');
    // A closed case's missed duty is history: listed by neither.
    const closed = await Duty.findOne({}).lean<DutyRow>();
    await Case.create({
      ...(await Case.findOne({ caseId: closed!.caseId }).lean<CaseRow>()),
      _id: undefined,
      caseId: 'closed-1',
      open: false,
    });
    // As a sync of the closed case writes it: its duties carry caseOpen false.
    await Duty.create({
      ...closed,
      _id: undefined,
      dutyId: 'closed-1:d',
      caseId: 'closed-1',
      caseOpen: false,
    });
    const chat = await s.say(d.principal, '逾期');
    const rows = await overdueDuties((await loadScope('ZS01'))!, s.bot.clock.now());
    expect(chat).toMatch(new RegExp(`共 ${rows.length} 项`));
    expect(rows).toHaveLength(2);
    for (const r of rows) {
      expect(chat).toContain(`${r.duty}，责任人 ${r.holders}，逾期 ${r.daysOverdue} 天`);
      expect(r.daysOverdue).toBe(7);
    }
    expect(await s.say(d.principal, '概况')).toMatch(/逾期事项 2 项/);
  });
});

describe('home visits: one count everywhere (item 2, README: a card click counts once)', () => {
  it('the 已家访 click reply, 家访统计 and 我的家访 say the same number; completing adds none', async () => {
    const { d } = s;
    await Promise.all([Case.deleteMany({}), Duty.deleteMany({}), HomeVisit.deleteMany({})]);
    s.bot.clock.set('2026-12-09T08:00:00+08:00');
    const [typed, clicked] = [d.students[4], d.students[5]];
    await s.say(d.head, `家访 ${typed.name} 见到母亲，一切正常`);
    await s.say(d.head, `缺勤 ${clicked.name}`);
    await advance(s.bot, '2026-12-10T17:00:00+08:00');
    const card = s.wecom
      .to(d.head.userid)
      .map((m) => m.card)
      .filter((c) => c?.button_list?.some((b: { text: string }) => b.text === '已家访'))
      .pop()!;
    const key = card.button_list!.find(
      (b: { text: string; key: string }) => b.text === '已家访',
    )!.key;
    s.wecom.sent.length = 0;
    await s.bot.say({ as: d.head.userid, event: 'template_card_event', key, taskId: card.task_id });
    await advance(s.bot, s.bot.clock.now());
    expect(s.pushes(d.head)).toMatch(/本学期您已家访 2 人次/);
    expect(await s.say(d.head, '家访统计')).toMatch(/您已家访 2 人次/);
    const mine = await s.say(d.head, '我的家访');
    expect(mine).toMatch(/已家访 2 人次/);
    expect(mine).not.toMatch(new RegExp(`[：、]${clicked.name}[、。]?`));
    const done = await s.say(d.head, `家访 ${clicked.name} 见到父亲，约定明天送校`);
    expect(done).toMatch(/本学期您已家访 2 人次/);
    expect(await s.say(d.head, '家访统计')).toMatch(/您已家访 2 人次/);
  });
});

describe("the bureau's 家访统计 (item 4)", () => {
  it('a line per school with its name, the teachers furthest behind with their school, no own count', async () => {
    const { d } = s;
    const reply = await s.say(d.bureau, '家访统计');
    expect(reply).not.toMatch(/您已家访/);
    expect(reply).toMatch(/^【家访统计 · 全区】/);
    expect(reply).toMatch(/· 珠山区第一小学：达标 \d+\/\d+ 位老师，共家访 \d+ 人次/);
    expect(reply).toMatch(/· 珠山区第二中学：达标 \d+\/\d+ 位老师/);
    expect(reply).toMatch(/差距最大的：[^，]+（珠山区第[一二][小中]学*[^）]*）0\/20/);
    // A head teacher still sees their own count, and no school list.
    expect(await s.say(d.head, '家访统计')).toMatch(/^2026年秋季学期您已家访 \d+ 人次/);
  });
});

describe('家访进度 shows the running or the next round, never a finished one (item 3)', () => {
  it('on 12月1日 the September round is over: the end-of-term round is announced, the semester so far shown', async () => {
    const { d } = s;
    await HomeVisit.deleteMany({});
    s.bot.clock.set('2026-12-01T08:30:00+08:00');
    await s.say(d.head, `家访 ${d.students[2].name} 见到母亲，一切正常`);
    const mine = await s.say(d.head, '家访进度');
    expect(mine).not.toMatch(/开学初/);
    expect(mine).toMatch(/^【家访进度】下一轮：2026年秋季学期期末集中家访（.*），尚未开始。/);
    expect(mine).toMatch(/本学期至今：\n您的学生已访 1\//);
    expect(mine).toMatch(/本学期您已家访 1 人次，要求不少于 20 人次。/);
    expect(await s.say(d.gradeLeader, '家访进度')).toMatch(
      /下一轮：.*期末集中家访[\s\S]*三年级1班：1\//,
    );
    // Inside the round it is the round's own progress.
    s.bot.clock.set('2026-09-03T08:30:00+08:00');
    expect(await s.say(d.head, '家访进度')).toMatch(/^【家访进度】2026年秋季学期开学初集中家访（/);
  });
});
