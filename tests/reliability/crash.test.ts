import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, openSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import mongoose from 'mongoose';
import nock from 'nock';
import { freePort } from '../../src/lib/free-port';
import { ManualClock } from '../../src/lib/clock';
import { PiiCipher } from '../../src/lib/pii';
import { fromIsoDay, isoDay } from '../../src/lib/time';
import { SchoolCalendar } from '../../src/domain/calendar';
import { connectDb } from '../../src/db/connect';
import { Staff, Student } from '../../src/models/roster';
import { Duty } from '../../src/models/case';
import { OutboxMessage } from '../../src/outbox/model';
import { JobRun } from '../../src/jobs/scheduler';
import { loadDemoDistrict } from '../../src/roster/demo-load';
import { OFFICIAL, startBot, TEST_DATA_KEY, testSettings, testUri } from '../support/harness';
import { DedupeWecom, serveDedupe } from '../support/dedupe-wecom';
import { printSummary, deliveredOnce } from './summary';

/**
 * Issue #10 items 2 and 3, for real: the app in production mode as a child process against the
 * test's database, WeCom faked by a local HTTP server with the duplicate check, SIGKILLed while
 * its keyed jobs run and while the outbox sends, then restarted. Every due job must end done,
 * no push delivered twice, none lost.
 */
const ROOT = path.join(__dirname, '../..');
const MAIN = path.join(ROOT, 'src/main.ts');
/** Node itself with tsx's loader (the `tsx` wrapper would survive a SIGKILL of its child). */
const NODE_ARGS = [
  '--require',
  path.join(ROOT, 'node_modules/tsx/dist/preflight.cjs'),
  '--import',
  pathToFileURL(path.join(ROOT, 'node_modules/tsx/dist/loader.mjs')).href,
  MAIN,
];
const STUDENTS = 16;
const wait = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until(cond: () => Promise<boolean>, ms: number): Promise<boolean> {
  for (const t0 = Date.now(); Date.now() - t0 < ms; await wait(100)) if (await cond()) return true;
  return false;
}

function settingsFile() {
  const today = isoDay(new Date());
  const shift = (days: number) => isoDay(new Date(Date.now() + days * 86_400_000));
  const s = testSettings((x) => {
    x.calendar.semesters = [{ name: '测试学期', start: shift(-120), end: shift(120) }];
    x.outbox.pumpEverySeconds = 0.2;
    x.outbox.backoffBaseSeconds = 0.5;
    x.outbox.requestTimeoutSeconds = 2;
    x.outbox.sendLeaseSeconds = 4;
    x.jobs.leaseSeconds = 3;
    // The case sweeper runs every second; every escalation its own card (no digests), so each
    // missed deadline can be traced to its push.
    x.ladder.sweepEverySeconds = 1;
    x.ladder.digestOver = 50;
  });
  const file = path.join(mkdtempSync(path.join(tmpdir(), 'baoxue-crash-')), 'settings.json');
  writeFileSync(file, JSON.stringify(s));
  return { s, file, today };
}

/** Absences reported three school days ago: their reminders, deadlines and checks are all due. */
async function seed(uri: string, s: ReturnType<typeof testSettings>, today: string) {
  const cal = new SchoolCalendar(s.calendar);
  let day = today;
  for (let i = 0; i < 3; i++) day = cal.previousSchoolDay(day);
  const bot = await startBot({
    mongoUri: uri,
    settings: s,
    clock: new ManualClock(fromIsoDay(day, '08:00')),
  });
  await loadDemoDistrict(new PiiCipher(TEST_DATA_KEY), true);
  const students = await Student.find({}).sort({ classId: 1, studentNo: 1 }).lean();
  const count = new Map<string, number>();
  for (const st of students) count.set(st.name, (count.get(st.name) ?? 0) + 1);
  // A few per class, so no one person gets more than WeCom's 30 a minute.
  const perClass = new Map<string, number>();
  const picked: (typeof students)[number][] = [];
  for (const st of students) {
    if (count.get(st.name) !== 1 || (perClass.get(st.classId) ?? 0) >= 3) continue;
    perClass.set(st.classId, (perClass.get(st.classId) ?? 0) + 1);
    picked.push(st);
  }
  let reported = 0;
  for (const st of picked.slice(0, STUDENTS)) {
    const head = await Staff.findOne({
      roles: { $elemMatch: { role: 'headTeacher', classId: st.classId } },
    }).lean();
    const { reply } = await bot.say(`缺勤 ${st.name}`, head!.userid);
    if (/已记录|缺勤/.test(reply ?? '')) reported++;
  }
  await bot.close();
  return reported;
}

const appLog = () => (process.env.CRASH_LOG ? openSync(process.env.CRASH_LOG, 'a') : 'ignore');

function startApp(env: Record<string, string>): { child: ChildProcess; exited: Promise<unknown> } {
  const child = spawn(process.execPath, NODE_ARGS, {
    env: { PATH: process.env.PATH!, HOME: process.env.HOME ?? '/tmp', LOG_LEVEL: 'warn', ...env },
    // CRASH_LOG=/tmp/crash.log keeps the app's output (a start-up error shows there).
    stdio: ['ignore', appLog(), appLog()],
  });
  return { child, exited: new Promise((r) => child.once('exit', r)) };
}

beforeAll(() => {
  nock.enableNetConnect();
});

describe('reliability: SIGKILL while jobs run and the outbox sends', () => {
  jest.setTimeout(120_000);

  it('after restarts every due job has run, no push is delivered twice, none is lost', async () => {
    const uri = testUri();
    const { s, file, today } = settingsFile();
    const reported = await seed(uri, s, today);
    await connectDb(uri);
    // Duties whose deadline passed while nobody ran: the first sweep after start escalates them.
    const deadlines = (await Duty.find({ status: 'open', dueAt: { $lte: new Date() } }).lean()).map(
      (o) => o.dutyId,
    );
    const dueJobs = await mongoose.connection
      .collection('jobs')
      .countDocuments({ 'data.key': { $exists: true }, nextRunAt: { $lte: new Date() } });

    const fake = new DedupeWecom();
    const api = await serveDedupe(fake, 30);
    const port = await freePort();
    const env = {
      PORT: String(port),
      HOST: '127.0.0.1',
      MONGODB_URI: uri,
      BAOXUE_CONFIG: file,
      BAOXUE_DATA_KEY: TEST_DATA_KEY,
      WECOM_CORP_ID: OFFICIAL.corpId,
      WECOM_AGENT_ID: OFFICIAL.agentId,
      WECOM_SECRET: OFFICIAL.secret,
      WECOM_TOKEN: OFFICIAL.token,
      WECOM_AES_KEY: OFFICIAL.aesKey,
      WECOM_API_BASE: api.url,
    };
    const kills: string[] = [];
    try {
      // 1: killed while the sweeper escalates (it writes pushes before it records the duties).
      let app = startApp(env);
      await until(async () => (await OutboxMessage.countDocuments({})) >= 3, 30_000);
      app.child.kill('SIGKILL');
      await app.exited;
      await wait(500); // writes already on the wire land
      kills.push(`jobs: ${await JobRun.countDocuments({ status: 'running' })} running`);
      // 2: killed the moment WeCom has taken a request, before its answer is read.
      const sentBefore = fake.requests.length;
      app = startApp(env);
      const child = app.child;
      fake.onRequest = (n) => {
        if (n >= sentBefore + 8) child.kill('SIGKILL');
      };
      await Promise.race([app.exited, wait(30_000)]);
      fake.onRequest = undefined;
      await wait(500);
      kills.push(`outbox: ${await OutboxMessage.countDocuments({ status: 'sending' })} sending`);
      // 3: runs to the end.
      app = startApp(env);
      let last = '';
      const quiet = await until(async () => {
        const [waiting, running, due] = await Promise.all([
          OutboxMessage.countDocuments({ status: { $in: ['pending', 'sending', 'merged'] } }),
          JobRun.countDocuments({ status: 'running' }),
          mongoose.connection.collection('jobs').countDocuments({
            'data.key': { $exists: true },
            nextRunAt: { $lte: new Date() },
          }),
        ]);
        last = `waiting ${waiting}, running ${running}, due ${due}`;
        return waiting + running + due === 0;
      }, 60_000);
      app.child.kill('SIGTERM');
      await app.exited;
      if (!quiet) {
        const w = await OutboxMessage.find({
          status: { $in: ['pending', 'sending', 'merged'] },
        }).lean();
        const due = await mongoose.connection
          .collection('jobs')
          .find({ 'data.key': { $exists: true }, nextRunAt: { $lte: new Date() } })
          .toArray();
        console.log(
          `not quiet: ${last}`,
          JSON.stringify(
            w.slice(0, 3).map((r) => ({
              k: r.key,
              s: r.status,
              to: r.recipient,
              n: r.nextAttemptAt,
              e: r.lastError,
            })),
          ),
          JSON.stringify(due.map((d) => [d.name, d.data, d.nextRunAt, d.lockedAt])),
        );
      }
      expect(quiet).toBe(true);
    } finally {
      await api.close();
    }

    const rows = await OutboxMessage.find({}).lean();
    const check = deliveredOnce(rows, new PiiCipher(TEST_DATA_KEY), fake);
    const runs = await JobRun.find({}).lean();
    const escalated = new Set(
      rows.filter((r) => /:escalate:/.test(r.key)).map((r) => r.key.split(':escalate:')[0]),
    );
    printSummary('crash (SIGKILL ×2, restart)', {
      'absences reported': reported,
      'jobs due at start': dueJobs,
      'deadlines due': deadlines.length,
      kills: kills.join('; '),
      'pushes queued': rows.length,
      'delivered once': check.once,
      'duplicates delivered': check.duplicates,
      'suppressed by duplicate check': fake.suppressed,
      failed: rows.filter((r) => r.status === 'failed').length,
      'jobs fired (runs done)': runs.filter((r) => r.status === 'done').length,
      're-run after a crash': runs.filter((r) => (r.attempts ?? 1) > 1).length,
      'deadlines escalated': deadlines.filter((k) => escalated.has(k)).length,
      lost: check.lost + runs.filter((r) => r.status === 'running').length,
    });
    await mongoose.disconnect();

    expect(reported).toBe(STUDENTS);
    expect(check.duplicates).toBe(0);
    expect(check.lost).toBe(0);
    expect(rows.filter((r) => r.status !== 'sent')).toEqual([]);
    expect(runs.filter((r) => r.status !== 'done')).toEqual([]);
    expect(fake.suppressed).toBeGreaterThan(0);
    expect(deadlines.filter((k) => !escalated.has(k))).toEqual([]);
  });
});
