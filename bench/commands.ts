/**
 * Reply time per role and command at four district sizes (issue #11: "every chat command costs
 * the same at 200 and at 56,000 students"). For each size: a fresh database, an invented
 * district written with insertMany (bench/district.ts), the whole app booted in this process,
 * and the load generator (autocannon, bench/load.ts) in its own process sending real encrypted
 * callbacks one at a time. Prints p50 per role × command × size and largest ÷ smallest.
 *   npm run bench:commands                       (200, 2,000, 10,000, 56,000 students; ~15 min)
 *   BENCH_SIZES=200,2000 BENCH_REQUESTS=5 npm run bench:commands
 *   MONGODB_URI=mongodb://… npm run bench:commands   (a real MongoDB instead of the embedded one)
 * The passive-reply budget is lifted (2 min) so a slow command is timed, not cut off at 3 s.
 */
import { randomBytes } from 'node:crypto';
import mongoose from 'mongoose';
import { loadSettings } from '../src/config/settings';
import { startEmbedded, type EmbeddedServer } from '../src/db/embedded';
import { withDbName } from '../src/db/connect';
import { boot } from '../src/boot';
import { ManualClock } from '../src/lib/clock';
import { PiiCipher } from '../src/lib/pii';
import { freePort } from '../src/lib/free-port';
import { Staff, Student } from '../src/models/roster';
import type { StaffLike, StudentLike, RoleName } from '../src/domain/roster';
import { generateCredentials, plaintextFor, sealDelivery } from '../src/wecom/sandbox/simulator';
import { writeDistrict } from './district';
import { LoadGenerator, median } from './fork';
import type { LoadJob } from './load';

const SIZES = (process.env.BENCH_SIZES ?? '200,2000,10000,56000').split(',').map(Number);
const REQUESTS = Number(process.env.BENCH_REQUESTS ?? 7);
const ROLES: RoleName[] = ['headTeacher', 'gradeLeader', 'principal', 'bureau'];
type Command = { label: string; text: (s: StudentLike) => string; perStudent?: boolean };
const COMMANDS: Command[] = [
  { label: '帮助', text: () => '帮助' },
  { label: '查 姓名', text: (s) => `查 ${s.name}`, perStudent: true },
  { label: '我的学生', text: () => '我的学生' },
  { label: '概况', text: () => '概况' },
  { label: '巩固率', text: () => '巩固率' },
  // By 学籍号, so every request opens a new case (a name may be a numbered choice at scale).
  { label: '缺勤 学籍号', text: (s) => `缺勤 ${s.studentNo} 全天`, perStudent: true },
  // Named lists (issue #12), after 缺勤 so there are cases: bounded by the list, not the roster.
  { label: '逾期', text: () => '逾期' },
  { label: '案件', text: () => '案件' },
];
type Creds = ReturnType<typeof generateCredentials>;

/** Students the role's holder is responsible for (first few), for 查 and 缺勤. */
async function studentsFor(person: StaffLike, n: number): Promise<StudentLike[]> {
  const r = person.roles[0];
  const q =
    r.role === 'bureau'
      ? {}
      : r.classId
        ? { classId: r.classId }
        : r.grade
          ? { schoolCode: r.schoolCode, grade: r.grade }
          : { schoolCode: r.schoolCode };
  return Student.find(q).sort({ studentNo: 1 }).limit(n).lean<StudentLike[]>();
}

function deliveries(creds: Creds, as: string, texts: string[]): LoadJob['requests'] {
  return texts.map((text) => {
    const d = sealDelivery(creds, plaintextFor(creds.corpId, creds.agentId, { as, text }));
    const path = `/wecom/callback?${new URLSearchParams(d.query)}`;
    return { method: 'POST' as const, path, body: d.body };
  });
}

type Row = Record<string, string | number>;

async function oneSize(size: number, baseUri: string, gen: LoadGenerator): Promise<Row[]> {
  const settings = loadSettings();
  settings.callback.passiveReplyBudgetMs = 120_000;
  const creds = generateCredentials();
  const port = await freePort();
  const bot = await boot({
    settings,
    mongoUri: withDbName(baseUri, `bench_cmd_${size}_${randomBytes(3).toString('hex')}`),
    creds,
    apiBase: 'http://127.0.0.1:9/unused', // pushes stay in the outbox: no pump runs here
    sandbox: false,
    dataKey: PiiCipher.generateKey(),
    clock: new ManualClock('2026-11-30T08:00:00+08:00'), // a Monday, a school day
    cycles: false,
  });
  const t0 = performance.now();
  const plan = await writeDistrict(size, bot.services.pii);
  const wrote = ((performance.now() - t0) / 1000).toFixed(1);
  console.log(
    `\n${size} students: ${plan.schools} schools, ${plan.classes} classes, ${plan.staff} staff ` +
      `(insertMany ${wrote} s)`,
  );
  await bot.listen(port);
  const rows: Row[] = [];
  for (const role of ROLES) {
    const holder = await Staff.findOne({ 'roles.role': role })
      .sort({ userid: 1 })
      .lean<StaffLike>();
    const students = await studentsFor(holder!, REQUESTS + 1);
    for (const c of COMMANDS) {
      const texts = Array.from({ length: REQUESTS + 1 }, (_, i) =>
        c.text(students[i % students.length]),
      );
      const requests = deliveries(creds, holder!.userid, texts);
      const url = `http://127.0.0.1:${port}`;
      await gen.run({ url, requests: requests.slice(0, 1), connections: 1, amount: 1 }); // warm-up
      const r = await gen.run({
        url,
        requests: requests.slice(1),
        connections: 1,
        amount: REQUESTS,
      });
      rows.push({ role, command: c.label, p50: r.p50, p99: r.p99, failed: r.non2xx + r.errors });
      console.log(`  ${role.padEnd(12)} ${c.label.padEnd(8)} p50 ${String(r.p50).padStart(6)} ms`);
    }
  }
  console.log(`  server RSS ${(process.memoryUsage().rss / 2 ** 20).toFixed(0)} MB`);
  if (process.env.MONGODB_URI) await mongoose.connection.dropDatabase(); // real MongoDB only
  await bot.close();
  return rows;
}

async function main(): Promise<void> {
  let embedded: EmbeddedServer | undefined;
  const baseUri = process.env.MONGODB_URI ?? (embedded = await startEmbedded()).uri;
  const gen = new LoadGenerator();
  console.log(
    `node ${process.version}, ${embedded ? 'embedded jongodb' : 'MONGODB_URI'}, ` +
      `${REQUESTS + 1} requests per role and command (the first warms up), one at a time`,
  );
  const bySize = new Map<number, Row[]>();
  try {
    for (const size of SIZES) bySize.set(size, await oneSize(size, baseUri, gen));
  } finally {
    await gen.close();
    await embedded?.stop();
  }
  const table = bySize.get(SIZES[0])!.map((row, i) => {
    const out: Row = { role: row.role, command: row.command };
    const p50s = SIZES.map((s) => Number(bySize.get(s)![i].p50));
    SIZES.forEach((s, k) => (out[`p50 @${s}`] = p50s[k]));
    out['largest ÷ smallest'] = +(p50s.at(-1)! / Math.max(1, p50s[0])).toFixed(1);
    return out;
  });
  console.log('\nreply p50 (ms) by district size (students):');
  console.table(table);
  const ratios = table.map((r) => Number(r['largest ÷ smallest']));
  console.log(
    `median largest ÷ smallest ${median(ratios).toFixed(1)} (issue #11 goal: every one ≤ 1.5)`,
  );
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
