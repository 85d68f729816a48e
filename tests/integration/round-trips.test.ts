import nock from 'nock';
import { startBot, mockWecom, setupNock, testUri, useBot } from '../support/harness';
import { ManualClock } from '../../src/lib/clock';
import { agendaClient, CommandMonitor, monitorCommands, monitoredUri } from '../../src/db/monitor';

/**
 * Issue #11, "Round trips counted": database commands per chat command, counted with the
 * driver's command monitoring (src/db/monitor.ts) on mongoose's client and Agenda's.
 * The budget is read commands (帮助, 查, 我的学生, 待办, 概况) ≤ 5, 缺勤 ≤ 10, idle ≤ 2
 * commands per second per instance; the assertions below are that budget.
 */
const MON = '2026-11-30T08:00:00+08:00';

describe('round trips per chat command (issue #11 budget: read ≤ 5, 缺勤 ≤ 10)', () => {
  let monitor: CommandMonitor;

  const t = useBot({ clock: new ManualClock(MON), mongoUri: monitoredUri(testUri()) });
  beforeAll(async () => {
    monitor = monitorCommands(agendaClient(t.bot.services.scheduler.agenda));
  });
  afterAll(async () => {
    monitor.detach();
  });

  const counted = async (text: string) => {
    monitor.start();
    const res = await t.bot.say(text, t.d.head.userid);
    monitor.stop();
    expect(res.status).toBe(200);
    const byCommand = monitor.byCommand();
    const trail = monitor.trail().join(', ');
    return { text, reply: res.reply ?? '', total: monitor.total(), byCommand, trail };
  };

  it('counts the commands of 帮助, 查, 我的学生, 待办, 概况 and 缺勤 through the real callback', async () => {
    // A first message warms what a running instance has warm (the token, the indexes, and the
    // minute-long caches of school and class names that 我是谁 reads).
    await t.bot.say('我是谁', t.d.head.userid);
    // 查 reads the school's staff for the chain's names through a minute-long display cache:
    // counted cold (the first 查 about this school) and warm (the next one).
    const cold = await counted(`查 ${t.d.atRisk.name}`);
    const rows = [
      await counted('帮助'),
      await counted(`查 ${t.d.plain.name}`),
      await counted('我的学生'),
      await counted('待办'),
      await counted('概况'),
      await counted(`缺勤 ${t.d.plain.name} 全天`),
    ];
    // Printed, not budgeted: an at-risk student (its register and owners are read) and a
    // second report on a case already open (the first attempt's refused insert, then its facts).
    const more = [
      await counted(`缺勤 ${t.d.atRisk.name} 上午`),
      await counted(`缺勤 ${t.d.atRisk.name} 下午`),
    ];
    console.table(
      [cold, ...rows, ...more].map((r, i) => ({
        text: i ? r.text : `${r.text} (cold)`,
        total: r.total,
        ...r.byCommand,
      })),
    );
    console.log([cold, ...rows, ...more].map((r) => `${r.text}: ${r.trail}`).join('\n'));
    const [help, lookup, mine, todo, overview, absence] = rows;
    expect(help.reply).toMatch(/缺勤/);
    expect(lookup.reply).toContain(t.d.plain.name);
    expect(mine.reply).toMatch(/您负责/);
    expect(overview.reply).toMatch(/概况/);
    expect(absence.reply).toMatch(/已记录/);
    // Every command is counted: the dedupe insert of the delivery alone is one.
    for (const r of rows) expect(r.byCommand.insert).toBeGreaterThanOrEqual(1);
    // Issue #11's budget: read commands ≤ 5 (claim, sender, at most two reads or one read and
    // the audit, completion), 缺勤 ≤ 10 for a new case.
    for (const r of [help, lookup, mine, todo, overview]) expect(r.total).toBeLessThanOrEqual(5);
    expect(cold.total).toBeLessThanOrEqual(6); // + the school's staff, once a minute per school
    expect(absence.total).toBeLessThanOrEqual(10);
  });

  it('a duplicate delivery (WeCom retry) costs one failed insert and one read, no write', async () => {
    const msgId = '7000000000000000042';
    await t.bot.say({ as: t.d.head.userid, text: '帮助', msgId });
    monitor.start();
    const res = await t.bot.say({ as: t.d.head.userid, text: '帮助', msgId });
    monitor.stop();
    expect(res.reply).toBeUndefined();
    expect(monitor.byCommand()).toEqual({ find: 1, insert: 1 });
  });
});

describe('idle database commands of a running instance (issue #11 budget: ≤ 2 per second)', () => {
  it('counts what Agenda (processEvery 30 s, as in production) and the outbox pump loop issue over 31 s', async () => {
    setupNock();
    mockWecom();
    // Production's scheduler: Agenda's own loop, default processEvery (30 s: a job this instance
    // saves due sooner wakes it), the in-process outbox pump loop, the reporting cycles on.
    const bot = await startBot({
      mongoUri: monitoredUri(testUri()),
      startScheduler: true,
      cycles: true,
      // Polling does not depend on it; production's 60 s would keep a lock-refresh timer alive
      // for half a minute after close().
      lockLifetimeMs: 2000,
    });
    try {
      const monitor = monitorCommands(agendaClient(bot.services.scheduler.agenda));
      await new Promise((r) => setTimeout(r, 1500)); // past start-up
      monitor.start();
      const started = Date.now();
      // One full period of Agenda's look and of the pump loop's idle wait (30 s each), plus one.
      await new Promise((r) => setTimeout(r, 31_000));
      monitor.stop();
      const seconds = (Date.now() - started) / 1000;
      const perSecond = monitor.total() / seconds;
      console.table([{ seconds: +seconds.toFixed(1), perSecond: +perSecond.toFixed(1) }]);
      console.table([monitor.byCommand()]);
      monitor.detach();
      // Issue #11's budget (it measured ≈ 17/s with Agenda polling every type every second).
      expect(perSecond).toBeLessThanOrEqual(2);
    } finally {
      await bot.close();
      // Agenda's stop() leaves the client it opened for itself connected (jest would not exit).
      await agendaClient(bot.services.scheduler.agenda)?.close();
      nock.cleanAll();
    }
  }, 60_000);
});
