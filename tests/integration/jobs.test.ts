import nock from 'nock';
import mongoose from 'mongoose';
import { startBot, mockWecom, setupNock, advance, testUri } from '../support/harness';
import { demo } from '../support/demo';
import { ManualClock } from '../../src/lib/clock';
import { Scheduler } from '../../src/jobs/scheduler';
import { connectDb } from '../../src/db/connect';

beforeAll(() => {
  setupNock();
});
afterAll(() => {
  nock.cleanAll();
});

describe('jobs', () => {
  it('a restart loses no scheduled job: the deadline still escalates after it', async () => {
    const wecom = mockWecom();
    const uri = testUri();
    const clock = new ManualClock('2026-11-30T08:00:00+08:00');
    let bot = await startBot({ mongoUri: uri, clock });
    const d = await demo(bot);
    await bot.say(`缺勤 ${d.plain.name}`, d.head.userid);
    const before = await bot.services.scheduler.pending();
    await bot.close();

    bot = await startBot({ mongoUri: uri, clock });
    expect(await bot.services.scheduler.pending()).toEqual(before);
    await advance(bot, '2026-12-01T18:01:00+08:00');
    expect(
      wecom
        .to(d.gradeLeader.userid)
        .some((m) => m.card?.main_title?.title?.startsWith('【逾期】班主任家访')),
    ).toBe(true);
    await bot.close();
  });

  it('scheduling the same key twice keeps one job, at the newer time', async () => {
    const uri = testUri();
    await connectDb(uri);
    const s = new Scheduler(uri);
    try {
      s.define('test.noop', async () => {});
      await s.at('test.noop', 'k1', new Date('2030-01-01T00:00:00Z'));
      await s.at('test.noop', 'k1', new Date('2030-01-02T00:00:00Z'));
      expect(await s.pending()).toEqual([
        { name: 'test.noop', key: 'k1', at: new Date('2030-01-02T00:00:00Z') },
      ]);
      expect(await s.cancel('test.noop', 'k1')).toBe(1);
      expect(await s.pending()).toEqual([]);
    } finally {
      await s.stop();
      await mongoose.disconnect();
    }
  });

  it('two instances on one database run each due job exactly once (Agenda locking)', async () => {
    const uri = testUri();
    await connectDb(uri);
    const runs: Record<string, string[]> = {};
    const make = (name: string) => {
      const s = new Scheduler(uri, { processEvery: 100, lockLifetimeMs: 2000, name });
      s.define('test.once', async ({ key }) => {
        (runs[key] ??= []).push(name);
        await new Promise((r) => setTimeout(r, 20));
      });
      return s;
    };
    const a = make('a');
    const b = make('b');
    const due = new Date(Date.now() + 300);
    for (let i = 0; i < 12; i++) await a.at('test.once', `job${i}`, due);
    await Promise.all([a.start(), b.start()]);
    for (let i = 0; i < 60 && Object.keys(runs).length < 12; i++)
      await new Promise((r) => setTimeout(r, 100));
    await new Promise((r) => setTimeout(r, 500));
    await Promise.all([a.stop(), b.stop()]);
    await mongoose.disconnect();
    expect(Object.keys(runs)).toHaveLength(12);
    for (const list of Object.values(runs)) expect(list).toHaveLength(1);
  });
});
