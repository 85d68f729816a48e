import mongoose from 'mongoose';
import { connectDb } from '../../src/db/connect';
import { ManualClock } from '../../src/lib/clock';
import { JobRun, Scheduler } from '../../src/jobs/scheduler';
import { testUri } from '../support/harness';

/** Issue #10 item 2: a job run is claimed, then marked done; a crashed or failed run runs again. */
const wait = (ms: number) => new Promise((r) => setTimeout(r, ms));

afterEach(async () => {
  await mongoose.disconnect();
});

describe('item 2: job runs are claimed, then marked done', () => {
  it('a handler that throws the first time runs again after its lease, then never again', async () => {
    const uri = testUri();
    await connectDb(uri);
    const clock = new ManualClock('2026-11-30T08:00:00+08:00');
    const s = new Scheduler(uri, { clock, lockLifetimeMs: 60_000 });
    const calls: string[] = [];
    s.define('test.flaky', async ({ key }) => {
      calls.push(clock.now().toISOString());
      if (calls.length === 1) throw new Error('database hiccup');
      expect(key).toBe('case1:deadline');
    });
    try {
      await s.at('test.flaky', 'case1:deadline', new Date('2026-11-30T09:00:00+08:00'));
      await s.runUntil(clock, new Date('2026-11-30T09:00:10+08:00'));
      expect(calls).toHaveLength(1);
      const claim = await JobRun.findOne({}).lean();
      expect(claim).toMatchObject({ status: 'running', attempts: 1, lastError: 'database hiccup' });

      await s.runUntil(clock, new Date('2026-11-30T10:00:00+08:00'));
      expect(calls).toHaveLength(2);
      expect(await JobRun.findOne({}).lean()).toMatchObject({ status: 'done', attempts: 2 });
      await s.runUntil(clock, new Date('2026-12-07T10:00:00+08:00'));
      expect(calls).toHaveLength(2);
    } finally {
      await s.stop();
    }
  });

  it('a run whose process died mid-handler (it never finished) is taken over by another instance', async () => {
    const uri = testUri();
    await connectDb(uri);
    const calls: string[] = [];
    let finished = 0;
    const make = (name: string) => {
      const s = new Scheduler(uri, {
        processEvery: 100,
        lockLifetimeMs: 1000,
        stopTimeoutMs: 100,
        name,
      });
      s.define('test.crashy', async () => {
        calls.push(name);
        if (calls.length === 1) return new Promise<void>(() => {}); // the process "dies" here
        finished++;
      });
      return s;
    };
    const a = make('a');
    const b = make('b');
    try {
      await a.at('test.crashy', 'k1', new Date(Date.now() + 100));
      await a.start();
      for (let i = 0; i < 50 && calls.length === 0; i++) await wait(100);
      expect(calls).toEqual(['a']);
      await a.stop(); // its lease is no longer renewed, as after a SIGKILL
      await b.start();
      for (let i = 0; i < 100 && finished === 0; i++) await wait(100);
      expect(calls).toEqual(['a', 'b']);
      expect(await JobRun.findOne({}).lean()).toMatchObject({ status: 'done', attempts: 2 });
      await wait(1500);
      expect(calls).toHaveLength(2);
    } finally {
      await b.stop();
    }
  });
});

describe('item 4: the daily housekeeping job', () => {
  it('runs every registered purge once a day at 07:00 Asia/Shanghai', async () => {
    const uri = testUri();
    await connectDb(uri);
    const clock = new ManualClock('2026-11-30T08:00:00+08:00');
    const s = new Scheduler(uri, { clock });
    const runs: string[] = [];
    try {
      s.registerPurge('inbound', async (now) => {
        runs.push(now.toISOString());
        return 0;
      });
      await s.enableHousekeeping('07:00');
      await s.enableHousekeeping('07:00'); // a second instance (or restart): still once a day
      expect(await s.pending()).toEqual([]); // the panel shows domain jobs only
      await s.runUntil(clock, new Date('2026-12-03T12:00:00+08:00'));
      expect(runs).toEqual([
        '2026-11-30T23:00:00.000Z',
        '2026-12-01T23:00:00.000Z',
        '2026-12-02T23:00:00.000Z',
      ]);
    } finally {
      await s.stop();
    }
  });
});
