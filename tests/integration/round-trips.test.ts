import nock from 'nock';
import { startBot, mockWecom, setupNock, testUri, type TestBot } from '../support/harness';
import { demo } from '../support/demo';
import { ManualClock } from '../../src/lib/clock';
import { agendaClient, CommandMonitor, monitorCommands, monitoredUri } from '../../src/db/monitor';

/**
 * Issue #11, "Round trips counted": database commands per chat command, counted with the
 * driver's command monitoring (src/db/monitor.ts) on mongoose's client and Agenda's.
 * The budget is read commands ≤ 5, 缺勤 ≤ 10, idle ≤ 2 commands per second per
 * instance. Today's code is far above it (the ladder and lookup rewrites are under way), so the
 * assertions below pin what holds today; tighten them to the budget when those land.
 */
const MON = '2026-11-30T08:00:00+08:00';

describe('round trips per chat command (issue #11 budget: read ≤ 5, 缺勤 ≤ 10)', () => {
  let bot: TestBot;
  let d: Awaited<ReturnType<typeof demo>>;
  let monitor: CommandMonitor;

  beforeAll(async () => {
    setupNock();
    mockWecom();
    bot = await startBot({ clock: new ManualClock(MON), mongoUri: monitoredUri(testUri()) });
    d = await demo(bot);
    monitor = monitorCommands(agendaClient(bot.services.scheduler.agenda));
  });
  afterAll(async () => {
    monitor.detach();
    await bot.close();
    nock.cleanAll();
  });

  const counted = async (text: string) => {
    monitor.start();
    const res = await bot.say(text, d.head.userid);
    monitor.stop();
    expect(res.status).toBe(200);
    const byCommand = monitor.byCommand();
    const trail = monitor.trail().join(', ');
    return { text, reply: res.reply ?? '', total: monitor.total(), byCommand, trail };
  };

  it('counts the commands of 帮助, 查, 我的学生 and 缺勤 through the real callback', async () => {
    // A first message warms caches that a long-running instance has warm (token, indexes).
    await bot.say('我是谁', d.head.userid);
    const rows = [
      await counted('帮助'),
      await counted(`查 ${d.plain.name}`),
      await counted('我的学生'),
      await counted('待办'),
      await counted('概况'),
      await counted(`缺勤 ${d.plain.name} 全天`),
    ];
    console.table(rows.map((r) => ({ text: r.text, total: r.total, ...r.byCommand })));
    console.log(rows.map((r) => `${r.text}: ${r.trail}`).join('\n'));
    const [help, lookup, mine, , , absence] = rows;
    expect(help.reply).toMatch(/缺勤/);
    expect(lookup.reply).toContain(d.plain.name);
    expect(absence.reply).toMatch(/已记录/);
    // Every command is counted: the dedupe insert of the delivery alone is one.
    for (const r of rows) expect(r.byCommand.insert).toBeGreaterThanOrEqual(1);
    // What holds now (issue #11 measured 帮助 ≈ 3, 查 ≈ 9, 缺勤 ≈ 27; item 1/3 work: a new
    // message costs one insert, lookup one bounded find, the card one staff read, school and
    // class names cached). Budget still ahead: lookup/mine ≤ 5, absence ≤ 10 (sync batching).
    expect(help.total).toBeLessThanOrEqual(3);
    expect(lookup.total).toBeLessThanOrEqual(8);
    expect(mine.total).toBeLessThanOrEqual(7);
    expect(absence.total).toBeLessThanOrEqual(21);
  });

  it('a duplicate delivery (WeCom retry) costs one failed insert and one read, no write', async () => {
    const msgId = '7000000000000000042';
    await bot.say({ as: d.head.userid, text: '帮助', msgId });
    monitor.start();
    const res = await bot.say({ as: d.head.userid, text: '帮助', msgId });
    monitor.stop();
    expect(res.reply).toBeUndefined();
    expect(monitor.byCommand()).toEqual({ find: 1, insert: 1 });
  });
});

describe('idle database commands of a running instance (issue #11 budget: ≤ 2 per second)', () => {
  it('counts what Agenda (processEvery 1 s, as in production) and the outbox pump issue', async () => {
    setupNock();
    mockWecom();
    // Production's scheduler: Agenda's own loop, default processEvery, the reporting cycles on.
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
      await new Promise((r) => setTimeout(r, 5000));
      monitor.stop();
      const seconds = (Date.now() - started) / 1000;
      const perSecond = monitor.total() / seconds;
      console.table([{ seconds: +seconds.toFixed(1), perSecond: +perSecond.toFixed(1) }]);
      console.table([monitor.byCommand()]);
      monitor.detach();
      // What holds today (issue #11 measured ≈ 17/s); the budget is ≤ 2/s.
      expect(perSecond).toBeGreaterThan(0);
      expect(perSecond).toBeLessThanOrEqual(40);
    } finally {
      await bot.close();
      // Agenda's stop() leaves the client it opened for itself connected (jest would not exit).
      await agendaClient(bot.services.scheduler.agenda)?.close();
      nock.cleanAll();
    }
  }, 30_000);
});
