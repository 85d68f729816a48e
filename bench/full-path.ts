/**
 * The whole path a teacher's message takes, with the embedded database: HTTP → verify →
 * decrypt → dedupe insert → roster lookup → command → encrypted passive reply.
 *   npm run bench:full          (BENCH_SECONDS=5 BENCH_CONCURRENCY=8 by default)
 * Phases: read commands (帮助 / 查 / 我的学生) for a fixed time, then one absence report for
 * each of the 200 demo students (case, events, obligations, jobs, outbox rows).
 * Figures are for jongodb on this machine; a real MongoDB will differ.
 */
import { freePort } from '../src/lib/free-port';
import { loadSettings } from '../src/config/settings';
import { startEmbedded } from '../src/db/embedded';
import { withDbName } from '../src/db/connect';
import { boot } from '../src/boot';
import { ManualClock } from '../src/lib/clock';
import { PiiCipher } from '../src/lib/pii';
import { generateCredentials, plaintextFor, sealDelivery } from '../src/wecom/sandbox/simulator';
import { loadDemoDistrict } from '../src/roster/demo-load';
import { Staff, Student } from '../src/models/roster';
import type { StaffLike, StudentLike } from '../src/domain/roster';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 8);

function stats(latencies: number[], seconds: number) {
  const sorted = [...latencies].sort((a, b) => a - b);
  const q = (p: number) =>
    sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))].toFixed(1);
  return `${(latencies.length / seconds).toFixed(0).padStart(5)} req/s  p50 ${q(0.5)} ms  p99 ${q(0.99)} ms  (${latencies.length} requests)`;
}

async function main(): Promise<void> {
  process.env.LOG_LEVEL = 'silent';
  const embedded = await startEmbedded();
  const port = await freePort();
  const creds = generateCredentials();
  const url = `http://127.0.0.1:${port}`;
  const bot = await boot({
    settings: loadSettings(),
    mongoUri: withDbName(embedded.uri, 'bench'),
    creds,
    apiBase: `${url}/sandbox`,
    sandbox: true,
    dataKey: PiiCipher.generateKey(),
    clock: new ManualClock('2026-11-30T08:00:00+08:00'),
    selfUrl: () => url,
    cycles: false,
  });
  await bot.listen(port);
  await loadDemoDistrict(bot.services.pii);
  const staff = await Staff.find({}).lean<StaffLike[]>();
  const heads = staff.filter((p) => p.roles.some((r) => r.role === 'headTeacher'));
  const students = await Student.find({}).lean<StudentLike[]>();

  const post = async (as: string, text: string): Promise<number> => {
    const d = sealDelivery(creds, plaintextFor(creds.corpId, creds.agentId, { as, text }));
    const t = performance.now();
    const res = await fetch(`${url}/wecom/callback?${new URLSearchParams(d.query)}`, {
      method: 'POST',
      body: d.body,
    });
    await res.text();
    if (res.status !== 200) throw new Error(`HTTP ${res.status}`);
    return performance.now() - t;
  };

  // Phase 1: read commands, fixed time.
  const reads: number[] = [];
  const end = Date.now() + SECONDS * 1000;
  let n = 0;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (Date.now() < end) {
        const head = heads[n % heads.length];
        const mine = students.filter((s) => head.roles.some((r) => r.classId === s.classId));
        const text = ['帮助', `查 ${mine[n % mine.length].name}`, '我的学生'][n++ % 3];
        reads.push(await post(head.userid, text));
      }
    }),
  );

  // Phase 2: one absence report per student (writes: case, events, obligations, jobs, outbox).
  const writes: number[] = [];
  const t0 = performance.now();
  let i = 0;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (i < students.length) {
        const s = students[i++];
        const head = heads.find((p) =>
          p.roles.some((r) => r.role === 'headTeacher' && r.classId === s.classId),
        )!;
        writes.push(await post(head.userid, `缺勤 ${s.studentNo} 全天`));
      }
    }),
  );
  const writeSeconds = (performance.now() - t0) / 1000;

  console.log(`node ${process.version}, embedded jongodb, concurrency ${CONCURRENCY}`);
  console.log(`read commands (帮助/查/我的学生)   ${stats(reads, SECONDS)}`);
  console.log(`absence reports (缺勤, new case)  ${stats(writes, writeSeconds)}`);
  await bot.close();
  await embedded.stop();
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
