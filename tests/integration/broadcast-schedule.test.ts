import nock from 'nock';
import {
  startBot,
  mockWecom,
  setupNock,
  advance,
  textOf,
  testSettings,
  type TestBot,
} from '../support/harness';
import { demo } from '../support/demo';
import { ManualClock } from '../../src/lib/clock';
import { Staff } from '../../src/models/roster';
import { Broadcast, type BroadcastDoc } from '../../src/models/broadcast';
import type { StaffLike } from '../../src/domain/roster';

/**
 * Issue #12 "Broadcasts", scheduled notices: the monthly-report reminder goes on the last
 * working day before the report's last day (February 2027: the 7th is a Sunday → Friday the
 * 5th), only to principals of schools that have not submitted; 定时通知 lists and edits them.
 */
jest.setTimeout(120_000);

let bot: TestBot;
let wecom: ReturnType<typeof mockWecom>;
let d: Awaited<ReturnType<typeof demo>>;
let zs02: StaffLike;

beforeAll(async () => {
  setupNock();
  wecom = mockWecom();
  const settings = testSettings((x) => (x.ladder.registrationCheckSchoolDay = 0));
  bot = await startBot({
    clock: new ManualClock('2027-01-31T20:00:00+08:00'),
    cycles: true,
    settings,
  });
  d = await demo(bot);
  const staff = await Staff.find({}).lean<StaffLike[]>();
  zs02 = staff.find((p) => p.roles.some((r) => r.role === 'principal' && r.schoolCode === 'ZS02'))!;
});
afterAll(async () => {
  await bot.close();
  nock.cleanAll();
});

const say = async (who: { userid: string }, text: string) =>
  (await bot.say(text, who.userid)).reply ?? '';
const reminders = (who: { userid: string }) =>
  wecom
    .to(who.userid)
    .map(textOf)
    .filter((t) => t.startsWith('【区教体局】'));

describe('scheduled notices in the bureau’s name (issue #12 Broadcasts 5)', () => {
  it('the monthly reminder is scheduled for Friday the 5th when the 7th is a Sunday', async () => {
    const jobs = await bot.services.scheduler.pending();
    const job = jobs.find((j) => j.key === 'notice:monthlyReminder:2027-02');
    expect(job?.at.toISOString()).toBe(new Date('2027-02-05T09:00:00+08:00').toISOString());
    // Quarterly: March 15th 2027 is a Monday → Friday the 12th.
    const q = jobs.find((j) => j.key.startsWith('notice:quarterlyReminder:'));
    expect(q?.key).toBe('notice:quarterlyReminder:2027-03');
  });

  it('定时通知 lists them for the bureau; 修改 changes the text; a principal is refused', async () => {
    const list = await say(d.bureau, '定时通知');
    expect(list).toContain('1. 月报催报（开，下次 2月5日 周五 09:00）');
    expect(list).toContain('3. 活动月启动（已暂停）');
    expect(await say(d.principal, '定时通知')).toContain('由区教体局办理');
    const changed = await say(d.bureau, '定时通知 修改 1 {期间}流失生月报请于{截止}前上报（测试）');
    expect(changed).toContain('已修改「月报催报」');
    expect(await say(d.bureau, '定时通知 暂停 2')).toContain('已暂停「季报催报」');
    expect(await say(d.bureau, '定时通知 恢复 2')).toContain('已恢复「季报催报」');
  });

  it('goes on the 5th, not before, only to principals of schools that have not submitted', async () => {
    await advance(bot, '2027-02-02T10:00:00+08:00');
    expect(await say(zs02, '提交月报')).toContain('已上报');
    await advance(bot, '2027-02-05T08:59:00+08:00');
    expect(reminders(d.principal)).toEqual([]);
    await advance(bot, '2027-02-05T09:30:00+08:00');
    expect(reminders(d.principal)).toEqual([
      expect.stringContaining('2027年1月流失生月报请于2月7日 周日 18:00前上报（测试）'),
    ]);
    expect(reminders(zs02)).toEqual([]);
    expect(reminders(d.deputy)).toEqual([]);
    const b = await Broadcast.findOne({ notice: 'monthlyReminder:2027-02' }).lean<BroadcastDoc>();
    expect(b).toMatchObject({ origin: 'scheduled', count: 1, status: 'done', delivered: 1 });
    for (const t of reminders(d.principal)) expect(t).not.toMatch(/ZS0\d/);
    // The next one is already scheduled: 7 March 2027 is a Sunday too.
    const next = (await bot.services.scheduler.pending()).find(
      (j) => j.key === 'notice:monthlyReminder:2027-03',
    );
    expect(next?.at.toISOString()).toBe(new Date('2027-03-05T09:00:00+08:00').toISOString());
  });

  it('the bureau finds it with 通知记录', async () => {
    expect(await say(d.bureau, '通知记录 流失生月报')).toContain('2027年1月流失生月报请于');
  });
});
