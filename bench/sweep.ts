/**
 * The 08:30 morning sweep at district scale (issue #11, "Sweep" and "Timing of pushes"). For
 * each size: a fresh database with an invented district (bench/district.ts), 2 % of the
 * students reported absent (full day, by their head teachers through the dispatcher) on Friday
 * 2026-11-27 at 10:00, the case sweeper and the outbox driven by a manual clock through the
 * weekend to Monday 08:29:59, then the Monday 08:30 sweep. The outbox then delivers to a fake
 * WeCom API in this process, the clock following the pump (a round, then on to the next row's
 * due time), as the production loop does. The fake refuses (45009) a member's 31st message in a
 * clock minute, as WeCom does; the outbox keeps those and retries.
 *   npm run bench:sweep                           (2,000 / 10,000 / 56,000 students)
 *   BENCH_SIZES=2000,10000 npm run bench:sweep
 *   MONGODB_URI=mongodb://… npm run bench:sweep   (a real MongoDB instead of the embedded one)
 * Prints per size: cases, pushes queued by the 08:30 sweep, distinct recipients, API calls,
 * seconds until every push is handed to WeCom (clock, from 08:30:00; and wall time), messages
 * refused by the per-member limit, pushes lost (must be 0) and the minute marks the sends used.
 */
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import Koa from 'koa';
import Router from '@koa/router';
import getRawBody from 'raw-body';
import mongoose from 'mongoose';
import { loadSettings } from '../src/config/settings';
import { startEmbedded, type EmbeddedServer } from '../src/db/embedded';
import { withDbName } from '../src/db/connect';
import { boot, type Baoxue } from '../src/boot';
import { ManualClock } from '../src/lib/clock';
import { PiiCipher } from '../src/lib/pii';
import { freePort } from '../src/lib/free-port';
import { Staff, Student } from '../src/models/roster';
import { Case } from '../src/models/case';
import { OutboxMessage, WAITING } from '../src/outbox/model';
import type { StaffLike, StudentLike } from '../src/domain/roster';
import { generateCredentials } from '../src/wecom/sandbox/simulator';
import { writeDistrict } from './district';

const SIZES = (process.env.BENCH_SIZES ?? '2000,10000,56000').split(',').map(Number);
const ABSENT = Number(process.env.BENCH_ABSENT ?? 0.02);
const FRIDAY = '2026-11-27T10:00:00+08:00';
const BEFORE = '2026-11-30T08:29:59+08:00';
const MARK = new Date('2026-11-30T08:30:00+08:00');
const PER_MEMBER_PER_MINUTE = 30;

interface Call {
  to: string;
  at: Date;
  refused: boolean;
}

/** A fake WeCom: token, message/send (counted, per-member limit), update_template_card. */
async function fakeWecom(clock: ManualClock) {
  const calls: Call[] = [];
  const perMinute = new Map<string, number>();
  const app = new Koa();
  const router = new Router({ prefix: '/cgi-bin' });
  router.get('/gettoken', (ctx) => {
    ctx.body = { errcode: 0, errmsg: 'ok', access_token: 'tok', expires_in: 7200 };
  });
  router.post('/message/send', async (ctx) => {
    const body = JSON.parse(await getRawBody(ctx.req, { encoding: 'utf8' })) as { touser: string };
    const to = body.touser;
    const at = clock.now();
    const k = `${to}|${Math.floor(at.getTime() / 60_000)}`;
    const n = (perMinute.get(k) ?? 0) + 1;
    perMinute.set(k, n);
    const refused = n > PER_MEMBER_PER_MINUTE;
    calls.push({ to, at, refused });
    ctx.body = refused
      ? { errcode: 45009, errmsg: 'api freq out of limit' }
      : { errcode: 0, errmsg: 'ok', msgid: randomBytes(6).toString('hex'), invaliduser: '' };
  });
  router.post('/message/update_template_card', (ctx) => {
    ctx.body = { errcode: 0, errmsg: 'ok', invaliduser: [] };
  });
  app.use(router.routes());
  const port = await freePort();
  const server = await new Promise<http.Server>((r) => {
    const s = app.listen(port, '127.0.0.1', () => r(s));
  });
  return { calls, url: `http://127.0.0.1:${port}`, close: () => server.close() };
}

/** 2 % of the students, spread over the district, reported absent by their head teachers. */
async function reportAbsences(bot: Baoxue, clock: ManualClock): Promise<number> {
  const heads = new Map<string, string>();
  for (const p of await Staff.find({ 'roles.role': 'headTeacher' }).lean<StaffLike[]>())
    for (const r of p.roles)
      if (r.role === 'headTeacher' && r.classId) heads.set(r.classId, p.userid);
  const all = await Student.find({}).sort({ studentNo: 1 }).lean<StudentLike[]>();
  const every = Math.max(1, Math.round(1 / ABSENT));
  const absent = all.filter((_, i) => i % every === every - 1);
  let n = 0;
  for (const s of absent) {
    const from = heads.get(s.classId);
    if (!from) continue;
    const content = `缺勤 ${s.studentNo} 全天 联系不上家长`;
    const createTime = Math.floor(clock.now().getTime() / 1000);
    await bot.dispatcher.handle({ kind: 'text', from, content, createTime, msgId: `b${n}` });
    n++;
  }
  return n;
}

/** The pump as the production loop drives it, the clock following; returns wall seconds. */
async function deliverAll(bot: Baoxue, clock: ManualClock): Promise<number> {
  const t0 = performance.now();
  const outbox = bot.services.outbox;
  for (let round = 1; round <= 20_000; round++) {
    await outbox.pump();
    if (round % 500 === 0)
      console.log(`    pump round ${round}, clock ${clock.now().toISOString()}`);
    if (!(await OutboxMessage.exists({ status: { $in: WAITING } }))) break;
    const next = outbox.nextDueAt;
    const step = new Date(clock.now().getTime() + 1000);
    clock.set(next && next > step ? next : step);
  }
  return (performance.now() - t0) / 1000;
}

function marks(calls: Call[]): string {
  const byMinute = new Map<string, number>();
  for (const c of calls) {
    const hhmm = c.at.toLocaleTimeString('en-GB', { timeZone: 'Asia/Shanghai' }).slice(0, 5);
    byMinute.set(hhmm, (byMinute.get(hhmm) ?? 0) + 1);
  }
  return [...byMinute]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([m, n]) => `${m}×${n}`)
    .join(' ');
}

type Row = Record<string, string | number>;

async function oneSize(size: number, baseUri: string): Promise<Row> {
  const clock = new ManualClock(FRIDAY);
  const api = await fakeWecom(clock);
  const settings = loadSettings();
  const bot = await boot({
    settings,
    mongoUri: withDbName(baseUri, `bench_sweep_${size}_${randomBytes(3).toString('hex')}`),
    creds: generateCredentials(),
    apiBase: api.url,
    sandbox: false,
    dataKey: PiiCipher.generateKey(),
    clock,
    cycles: false,
  });
  try {
    const t0 = performance.now();
    const plan = await writeDistrict(size, bot.services.pii);
    const wrote = (performance.now() - t0) / 1000;
    const t1 = performance.now();
    const reported = await reportAbsences(bot, clock);
    const reporting = (performance.now() - t1) / 1000;
    console.log(
      `  ${size}: district ${wrote.toFixed(1)} s, ${reported} absences ${reporting.toFixed(1)} s`,
    );
    const t3 = performance.now();
    const pump = async () => void (await bot.services.outbox.pump());
    await bot.services.scheduler.runUntil(clock, new Date(BEFORE), pump);
    await deliverAll(bot, clock);
    console.log(
      `  ${size}: Friday → Monday 08:29:59 ${((performance.now() - t3) / 1000).toFixed(1)} s`,
    );
    const cases = await Case.countDocuments({ open: true });
    // The 08:30 sweep, then delivery.
    api.calls.length = 0;
    const t2 = performance.now();
    await bot.services.scheduler.runUntil(clock, MARK);
    const sweepWall = (performance.now() - t2) / 1000;
    const queued = await OutboxMessage.countDocuments({ createdAt: { $gte: MARK } });
    const rows = await OutboxMessage.find({ createdAt: { $gte: MARK } }).lean();
    const recipients = new Set(rows.map((r) => r.recipient)).size;
    const pumpWall = await deliverAll(bot, clock);
    const accepted = api.calls.filter((c) => !c.refused);
    const last = Math.max(...accepted.map((c) => c.at.getTime()), MARK.getTime());
    const lost = await OutboxMessage.countDocuments({
      createdAt: { $gte: MARK },
      status: { $nin: ['sent', 'merged'] },
    });
    const row: Row = {
      students: size,
      schools: plan.schools,
      'write s': +wrote.toFixed(1),
      'report s': +reporting.toFixed(1),
      cases,
      'pushes queued': queued,
      recipients,
      'API calls': accepted.length,
      'clock s to last push': Math.round((last - MARK.getTime()) / 1000),
      'wall s (sweep + pump)': +(sweepWall + pumpWall).toFixed(1),
      'refused (limit)': api.calls.length - accepted.length,
      lost,
      'sends at :00/:30': accepted.filter((c) => [0, 30].includes(minuteOf(c.at))).length,
    };
    console.log(`\n${size} students (${reported} absences reported Friday):`);
    console.log(row);
    console.log(`  minute marks used: ${marks(accepted)}`);
    if (process.env.MONGODB_URI) await mongoose.connection.dropDatabase();
    return row;
  } finally {
    await bot.close();
    api.close();
  }
}

function minuteOf(d: Date): number {
  return Number(d.toLocaleTimeString('en-GB', { timeZone: 'Asia/Shanghai' }).slice(3, 5));
}

async function main(): Promise<void> {
  let embedded: EmbeddedServer | undefined;
  const baseUri = process.env.MONGODB_URI ?? (embedded = await startEmbedded()).uri;
  console.log(
    `node ${process.version}, ${embedded ? 'embedded jongodb' : 'MONGODB_URI'}, ` +
      `${ABSENT * 100} % absent, push timing ${JSON.stringify(loadSettings().ladder.pushTiming)}`,
  );
  const rows: Row[] = [];
  try {
    for (const size of SIZES) rows.push(await oneSize(size, baseUri));
  } finally {
    await embedded?.stop();
  }
  console.table(rows);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
