/**
 * Issue 11: a county's roster into an empty database, and start-up on it.
 *   npm run bench:import                       (56,000 students, 69 schools, 3,800 staff)
 *   BENCH_STUDENTS=10000 npm run bench:import  (another size)
 *   MONGODB_URI=mongodb://… npm run bench:import   (a real MongoDB instead of jongodb; the
 *                                                  database `baoxue_bench_import` is used)
 * Prints the time of each phase — generate, write the workbook, read it, validate, write to
 * the database — with the database round trips counted by the driver's command monitoring,
 * then a second import of the same file (nothing to write), then a full start-up (boot) on
 * the loaded database and the wait for its index check.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import mongoose from 'mongoose';
import { startEmbedded, type EmbeddedServer } from '../src/db/embedded';
import { connectDb, indexesReady, withDbName } from '../src/db/connect';
import { generateCounty } from '../src/roster/generate';
import { readRoster, writeRoster } from '../src/roster/workbook';
import { validateRoster } from '../src/roster/validate';
import { applyRoster } from '../src/roster/apply';
import { PiiCipher } from '../src/lib/pii';
import { boot } from '../src/boot';
import { loadSettings } from '../src/config/settings';
import { generateCredentials } from '../src/wecom/sandbox/simulator';
import { ManualClock } from '../src/lib/clock';
import { Student } from '../src/models/roster';

const STUDENTS = Number(process.env.BENCH_STUDENTS ?? 56000);
const SCHOOLS = Number(process.env.BENCH_SCHOOLS ?? 69);
const STAFF = Number(process.env.BENCH_STAFF ?? 3800);

const commands = new Map<string, number>();
const count = (name: string) => commands.set(name, (commands.get(name) ?? 0) + 1);
function roundTrips(): string {
  const total = [...commands.values()].reduce((a, b) => a + b, 0);
  const parts = [...commands].map(([k, v]) => `${k} ${v}`).join(', ');
  commands.clear();
  return `${total} round trips (${parts || 'none'})`;
}

async function timed<T>(label: string, f: () => Promise<T> | T, trips = false): Promise<T> {
  const t = performance.now();
  const out = await f();
  const s = ((performance.now() - t) / 1000).toFixed(1);
  console.log(`${label.padEnd(34)} ${s.padStart(6)} s${trips ? `   ${roundTrips()}` : ''}`);
  return out;
}

async function main(): Promise<void> {
  process.env.LOG_LEVEL ??= 'warn';
  const dir = mkdtempSync(path.join(tmpdir(), 'bench-import-'));
  const file = path.join(dir, 'county.xlsx');
  const embedded: EmbeddedServer | undefined = process.env.MONGODB_URI
    ? undefined
    : await startEmbedded();
  const uri = withDbName(process.env.MONGODB_URI ?? embedded!.uri, 'baoxue_bench_import');
  const key = PiiCipher.generateKey();
  const pii = new PiiCipher(key);
  console.log(
    `roster import: ${STUDENTS} students, ${SCHOOLS} schools, ~${STAFF} staff; ` +
      `${embedded ? 'embedded jongodb' : 'MONGODB_URI'}; Node ${process.version}`,
  );
  try {
    const rows = await timed('generate (in memory)', () =>
      generateCounty({ students: STUDENTS, schools: SCHOOLS, staff: STAFF }),
    );
    await timed('write workbook (.xlsx)', () => writeRoster(file, rows));
    const raw = await timed('read workbook', () => readRoster(file));
    const v = await timed('validate', () => validateRoster(raw));
    if (v.errors.length) throw new Error(`generated workbook invalid: ${v.errors[0].message}`);
    await connectDb(uri, { onCommand: count });
    if (await Student.findOne({}).lean()) throw new Error(`${uri} is not empty`);
    await indexesReady();
    roundTrips();
    const report = await timed(
      'write to database (first import)',
      () => applyRoster(v.data, pii),
      true,
    );
    console.log(`  created: ${JSON.stringify(report.created)}`);
    await timed('import again (same file)', () => applyRoster(v.data, pii), true);
    await mongoose.disconnect();
    await startUp(uri, key);
  } finally {
    await mongoose.disconnect();
    await embedded?.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** A full boot on the loaded database: connect, index check, jobs, routes. */
async function startUp(uri: string, dataKey: string): Promise<void> {
  const t = performance.now();
  const bot = await boot({
    settings: loadSettings(),
    mongoUri: uri,
    creds: generateCredentials(),
    apiBase: 'http://127.0.0.1:9',
    sandbox: false,
    dataKey,
    clock: new ManualClock('2026-11-30T08:00:00+08:00'),
    cycles: true,
  });
  const booted = (performance.now() - t) / 1000;
  const outcome = await indexesReady();
  const indexed = (performance.now() - t) / 1000;
  console.log(
    `${'start-up (boot) on that database'.padEnd(34)} ${booted.toFixed(1).padStart(6)} s`,
  );
  console.log(
    `${'  index check settled'.padEnd(34)} ${indexed.toFixed(1).padStart(6)} s   ` +
      `(present ${outcome.present.length}, built ${outcome.built.length}, ` +
      `background ${outcome.background.length}, failed ${outcome.failed.length})`,
  );
  await bot.close();
}

main().catch((err: Error) => {
  console.error(err);
  process.exitCode = 1;
});
