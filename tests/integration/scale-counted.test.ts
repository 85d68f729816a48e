import nock from 'nock';
import {
  mockWecom,
  setupNock,
  startBot,
  testSettings,
  testUri,
  type TestBot,
} from '../support/harness';
import { ManualClock } from '../../src/lib/clock';
import {
  agendaClient,
  isCovered,
  monitorCommands,
  monitoredUri,
  shapeFields,
  type CommandMonitor,
  type FilterRecord,
} from '../../src/db/monitor';
import { writeDistrict } from '../../bench/district';
import { Staff, Student, type StudentRow } from '../../src/models/roster';
import { Case, CaseFact, Duty, HomeVisit, type CaseRow } from '../../src/models/case';
import { AtRisk } from '../../src/models/prevention';
import { AuditEntry } from '../../src/models/audit';
import { OutboxMessage } from '../../src/outbox/model';
import { PagedReply } from '../../src/models/paged-reply';
import { classIdOf, type RoleName, type StaffLike } from '../../src/domain/roster';

/**
 * Issue #11, "every chat command costs the same at 200 and at 56,000 students", counted.
 * Timing on the embedded jongodb cannot show it (it scans whole collections whatever the
 * indexes; README "Benchmark"); what carries to a real MongoDB is what can be counted. For
 * every role × chat command, on invented districts of 200 and 2,000 students (bench/district.ts,
 * two schools each), through the real encrypted callback, with the driver's command monitoring
 * (src/db/monitor.ts) on mongoose's and Agenda's clients:
 *   1. round trips (database commands) — the same at 2,000 as at 200, and within issue #11's
 *      budget (read ≤ 5, 缺勤 ≤ 10; tests/integration/round-trips.test.ts);
 *   2. documents the replies carried to the app — at 2,000 no more than at 200 plus one per
 *      extra line the reply shows (a command may read a document per line it shows, never one
 *      per student in scope);
 *   3. index coverage — every filter on a collection that grows with the district starts with
 *      an index's first key held by equality or $in (an $or: every branch), so a real MongoDB
 *      finds the documents without reading the collection.
 * Printed, not bounded: "grouped", the filters whose documents the server groups or counts
 * ($group, $facet…) — it examines every one they match (every student in scope), however few
 * rows come back, which the three counts above cannot see.
 * Each command is sent once to warm caches, then counted. Both districts have open cases in
 * proportion (one student in 50, reported the Wednesday before, the ladder run to Monday), so
 * the lists and counts have as much more to read at 2,000 as the roster has.
 */
const MON = '2026-11-30T08:00:00+08:00'; // a Monday, a school day: every command is sent then
/** Cases in proportion to the district: one student in 50 reported absent the Wednesday before. */
const SEEDED_FROM = '2026-11-25T08:00:00+08:00';
const ONE_IN = 50;
const SIZES = [200, 2000] as const;
type Size = (typeof SIZES)[number];
/** Every role's scope holds this class: its head teacher, grade 1's leader, S001's principal. */
const SUBJECTS_CLASS = classIdOf('S001', 1, 1);
const ROLES: RoleName[] = ['headTeacher', 'gradeLeader', 'principal', 'bureau'];

/** What each role's command is about: students of the one class every role's scope holds. */
interface Subjects {
  /** A student whose name is the only one in the district (查 finds exactly them). */
  named: string;
  /** For 缺勤: the warm-up's student and the counted one's (each a new case). */
  warmNo: string;
  countNo: string;
}
interface Cmd {
  label: string;
  text: (s: Subjects) => string;
  /** Issue #11's round-trip budget for the command. */
  budget: number;
  warm?: (s: Subjects) => string;
}
const READ = 5;
const COMMANDS: Cmd[] = [
  { label: '帮助', text: () => '帮助', budget: READ },
  { label: '查', text: (s) => `查 ${s.named}`, budget: READ },
  { label: '我的学生', text: () => '我的学生', budget: READ },
  { label: '概况', text: () => '概况', budget: READ },
  { label: '巩固率', text: () => '巩固率', budget: READ },
  { label: '待办', text: () => '待办', budget: READ },
  { label: '逾期', text: () => '逾期', budget: READ },
  { label: '案件', text: () => '案件', budget: READ },
  {
    label: '缺勤',
    text: (s) => `缺勤 ${s.countNo} 全天`,
    warm: (s) => `缺勤 ${s.warmNo} 全天`,
    budget: 10,
  },
];

/**
 * Bounds that fail today, as `<role> <command> <bound>` (bound: trips, documents, index). Each
 * is still measured and printed (once, after the suite); the lead empties this set as the
 * queries change, and a listed bound that passes is printed as such.
 */
const EXPECTED_TO_FAIL_TODAY = new Set<string>([]);

/**
 * Round trips (paging's left out) over issue #11's budget today: asserted as they are, no more,
 * each with why. A command back within the budget is printed so its line can go.
 */
const BUDGET_NOW: Partial<Record<Key, number>> = {
  // A report by someone else than the duty's holder also sends the holder a card, recorded in
  // issued_cards (the head teacher's own report does not): one over 缺勤's 10.
  'gradeLeader 缺勤': 11,
  'principal 缺勤': 11,
};

/**
 * Collections that grow with the district, by their models (the real collection names): the
 * issue's students, cases, case_facts, duties, outbox and audit, and also staff (3,800 at
 * 56,000 students), home_visits and at_risk.
 */
type Indexed = {
  schema: { indexes(): [Record<string, unknown>, unknown][] };
  collection: { collectionName: string };
};
const GROWING: Indexed[] = [
  Student,
  Staff,
  Case,
  CaseFact,
  Duty,
  HomeVisit,
  AtRisk,
  OutboxMessage,
  AuditEntry,
];

/** Index key fields (in order) of the model that owns each growing collection, with `_id`. */
function indexKeys(): Map<string, string[][]> {
  const out = new Map<string, string[][]>();
  for (const m of GROWING) {
    const keys = m.schema.indexes().map(([fields]) => Object.keys(fields));
    out.set(m.collection.collectionName, [['_id'], ...keys]);
  }
  return out;
}

interface Counted {
  trips: number;
  documents: number;
  byCollection: Record<string, number>;
  /** Round trips on paged_replies: a reply longer than a page stores the rest (下一页). */
  paging: number;
  /** Lines of the whole reply (every page). */
  lines: number;
  trail: string;
  uncovered: FilterRecord[];
  /** Filters on growing collections whose documents the server groups or counts (printed). */
  grouped: string[];
}
type Key = `${RoleName} ${string}`;
const results = new Map<Size, Map<Key, Counted>>();
/** Printed once after the suite: bounds expected to fail, and entries that can go. */
const notices: string[] = [];

function uncoveredOf(filters: FilterRecord[], keys: Map<string, string[][]>): FilterRecord[] {
  return filters.filter((f) => {
    const indexes = keys.get(f.collection);
    if (!indexes) return false; // a collection that does not grow (schools, classes, jobs…)
    // A count of the whole collection is answered from its metadata.
    if (f.command === 'count' && !shapeFields(f.shape).length) return false;
    return !isCovered(f.shape, indexes);
  });
}

async function holderOf(role: RoleName): Promise<StaffLike> {
  const where =
    role === 'headTeacher'
      ? { roles: { $elemMatch: { role, classId: SUBJECTS_CLASS } } }
      : role === 'bureau'
        ? { 'roles.role': role }
        : {
            roles: {
              $elemMatch: {
                role,
                schoolCode: 'S001',
                ...(role === 'gradeLeader' ? { grade: 1 } : {}),
              },
            },
          };
  return (await Staff.findOne(where).sort({ userid: 1 }).lean<StaffLike>())!;
}

/**
 * Students of class S001-1-1 without a case and not at risk (the same path at both sizes), by
 * 学籍号: a name unique in the district for 查, two students per role for 缺勤.
 */
async function subjectsFor(): Promise<Subjects[]> {
  const withCase = new Set(
    (await Case.find({ classId: SUBJECTS_CLASS }).lean<CaseRow[]>()).map((c) => c.studentNo),
  );
  const kids = (
    await Student.find({ classId: SUBJECTS_CLASS, atRisk: false })
      .sort({ studentNo: 1 })
      .lean<StudentRow[]>()
  ).filter((k) => !withCase.has(k.studentNo));
  const counts = await Student.aggregate<{ _id: string; n: number }>([
    { $match: { name: { $in: kids.map((k) => k.name) } } },
    { $group: { _id: '$name', n: { $sum: 1 } } },
  ]);
  const unique = kids.find((k) => counts.find((c) => c._id === k.name)?.n === 1);
  if (!unique) throw new Error('no student of S001-1-1 has a name unique in the district');
  if (kids.length < 2 * ROLES.length) throw new Error('class S001-1-1 too small');
  return ROLES.map((_, i) => ({
    named: unique.name,
    warmNo: kids[2 * i].studentNo,
    countNo: kids[2 * i + 1].studentNo,
  }));
}

/**
 * Open cases in proportion to the district, as head teachers make them (缺勤 through chat, the
 * Wednesday before), then the ladder run to Monday (reminders, escalations, overdue duties; the
 * pushes stay in the outbox, as nobody sends them here): the lists and counts below have as much
 * more to read at 2,000 as the roster has. The first student by 学籍号 is one of them, so every
 * role's scope has a case at both sizes.
 */
async function seedCases(bot: TestBot): Promise<number> {
  const all = await Student.find({}).sort({ studentNo: 1 }).lean<StudentRow[]>();
  const chosen = all.filter((_, i) => i % ONE_IN === 0);
  for (const s of chosen) {
    const head = await Staff.findOne({
      roles: { $elemMatch: { role: 'headTeacher', classId: s.classId } },
    }).lean<StaffLike>();
    const res = await bot.say(`缺勤 ${s.studentNo} 全天`, head!.userid);
    if (!res.reply?.includes('已记录')) throw new Error(`seeding: 缺勤 got 「${res.reply}」`);
  }
  await bot.services.scheduler.runUntil(bot.clock, new Date(MON));
  return chosen.length;
}

async function countOne(bot: TestBot, monitor: CommandMonitor, who: string, text: string) {
  monitor.start();
  const res = await bot.say(text, who);
  monitor.stop();
  // A reply past the passive budget would come later, through the outbox: not counted here.
  if (res.status !== 200 || res.reply === undefined)
    throw new Error(`「${text}」 got no passive reply (status ${res.status})`);
  return res.reply;
}

const PAGES = PagedReply.collection.collectionName;

/**
 * The items a reply shows: its lines, and every further name a line lists (「易辍对象 甲、乙、丙」
 * is three). A long reply comes in pages (「第1/3页，回复「下一页」继续」), fetched with 下一页
 * after the count; the page footers are not lines of the reply.
 */
async function allLines(bot: TestBot, who: string, first: string): Promise<number> {
  const pages = Number(/第1\/(\d+)页/.exec(first)?.[1] ?? 1);
  const texts = [first];
  for (let i = 1; i < pages; i++) texts.push((await bot.say('下一页', who)).reply ?? '');
  const lines = texts.flatMap((t) => t.split('\n')).filter((l) => !/^第\d+\/\d+页/.test(l));
  return lines.reduce((n, l) => n + 1 + (l.match(/、/g)?.length ?? 0), 0);
}

/** Sends every role's commands, each once to warm the caches and once counted. */
async function countAll(bot: TestBot, monitor: CommandMonitor): Promise<Map<Key, Counted>> {
  const out = new Map<Key, Counted>();
  const keys = indexKeys();
  const subjects = await subjectsFor();
  for (const [i, role] of ROLES.entries()) {
    const who = (await holderOf(role)).userid;
    for (const c of COMMANDS) {
      await countOne(bot, monitor, who, (c.warm ?? c.text)(subjects[i])); // warm the caches
      const reply = await countOne(bot, monitor, who, c.text(subjects[i]));
      const trail = monitor.trail();
      const filters = monitor.filters();
      out.set(`${role} ${c.label}`, {
        trips: monitor.total(),
        documents: monitor.documentsTotal(),
        byCollection: monitor.documents(),
        paging: trail.filter((t) => t.endsWith(` ${PAGES}`)).length,
        trail: trail.join(', '),
        lines: await allLines(bot, who, reply), // after the count: 下一页 is not counted
        uncovered: uncoveredOf(filters, keys),
        grouped: filters.filter((f) => f.grouped && keys.has(f.collection)).map(describeText),
      });
    }
  }
  return out;
}

async function measure(size: Size): Promise<Map<Key, Counted>> {
  const settings = testSettings((s) => void (s.callback.passiveReplyBudgetMs = 4500));
  const bot = await startBot({
    clock: new ManualClock(SEEDED_FROM),
    mongoUri: monitoredUri(testUri()),
    settings,
  });
  const monitor = monitorCommands(agendaClient(bot.services.scheduler.agenda));
  try {
    const t0 = performance.now();
    await writeDistrict(size, bot.services.pii);
    const t1 = performance.now();
    const seeded = await seedCases(bot);
    const t2 = performance.now();
    const out = await countAll(bot, monitor);
    const s = (a: number, b: number) => `${((b - a) / 1000).toFixed(1)} s`;
    console.log(
      `${size} students: written in ${s(t0, t1)}; ${seeded} cases opened ${SEEDED_FROM} and ` +
        `the ladder run to ${MON} in ${s(t1, t2)}; ${out.size * 2} commands in ` +
        s(t2, performance.now()),
    );
    return out;
  } finally {
    monitor.detach();
    await bot.close();
  }
}

const fmt = (r: Record<string, number>) =>
  Object.entries(r)
    .map(([k, v]) => `${k} ${v}`)
    .join(', ');

function printTable(): void {
  const [small, large] = SIZES.map((s) => results.get(s)!);
  const rows = [...small.keys()].map((key) => {
    const [role, command] = key.split(' ');
    const a = small.get(key)!;
    const b = large.get(key)!;
    return {
      role,
      command,
      'trips 200': a.trips,
      'trips 2,000': b.trips,
      'paging 200': a.paging,
      'paging 2,000': b.paging,
      'docs 200': a.documents,
      'docs 2,000': b.documents,
      'lines 200': a.lines,
      'lines 2,000': b.lines,
      'grouped 2,000': b.grouped.length,
    };
  });
  console.table(rows);
  console.log(
    [...large.entries()]
      .map(
        ([k, r]) =>
          `${k} @2,000: ${r.trail}\n    documents: ${fmt(r.byCollection) || '—'}` +
          (r.grouped.length ? `\n    grouped on the server: ${r.grouped.join('; ')}` : ''),
      )
      .join('\n'),
  );
}

type Bound = 'trips' | 'budget' | 'documents' | 'index';

/** Documents a reply line may cost (see `broken`). */
const PER_LINE = 2;

/** The bounds a command breaks, each with what it measured (names and counts, no values). */
function broken(key: Key, c: Cmd, a: Counted, b: Counted): Map<Bound, string> {
  const out = new Map<Bound, string>();
  const why = `\n  200: ${a.trail}\n  2,000: ${b.trail}`;
  // A reply longer than one page stores the rest once (and the next command clears it): a step
  // at a reply's length, not a cost per student, so paging's trips are left out of the equality.
  if (b.trips - b.paging !== a.trips - a.paging)
    out.set('trips', `trips ${a.trips} at 200, ${b.trips} at 2,000${why}`);
  // The budget is on the command's own trips too (paging's left out, as above).
  const budget = BUDGET_NOW[key] ?? c.budget;
  if (b.trips - b.paging > budget) out.set('budget', `trips ${b.trips} > budget ${budget}${why}`);
  if (BUDGET_NOW[key] && b.trips - b.paging <= c.budget)
    notices.push(`within issue #11's budget now, remove it from BUDGET_NOW: ${key}`);
  // A command may read two documents per line its reply shows beyond the smaller district's
  // reply (a listed line: its duty or case and its namesake count; a line of 概况: a class's open
  // cases and its overdue duties), never one per student (or case, or class) in scope that it
  // does not show.
  const extraLines = Math.max(0, b.lines - a.lines);
  if (b.documents > a.documents + PER_LINE * extraLines)
    out.set(
      'documents',
      `documents ${b.documents} at 2,000 > ${a.documents} at 200 + ${PER_LINE} × ${extraLines} extra lines` +
        `\n  200: ${fmt(a.byCollection)}\n  2,000: ${fmt(b.byCollection)}`,
    );
  const uncovered = [...new Set([...a.uncovered, ...b.uncovered].map(describeText))];
  if (uncovered.length) out.set('index', `filters no index covers:\n  ${uncovered.join('\n  ')}`);
  return out;
}

const describeText = (f: FilterRecord) =>
  `${f.command} ${f.collection} (${f.at}): ${shapeFields(f.shape).join(', ') || 'no filter'}`;

describe('issue #11 counted: every chat command costs the same at 200 and at 2,000 students', () => {
  beforeAll(async () => {
    setupNock();
    mockWecom();
    for (const size of SIZES) results.set(size, await measure(size));
    printTable();
  }, 180_000);
  afterAll(() => {
    nock.cleanAll();
    if (notices.length) console.log(notices.join('\n'));
  });

  for (const role of ROLES)
    for (const c of COMMANDS) {
      const key: Key = `${role} ${c.label}`;
      it(`${key}: trips equal and in budget, documents bounded by lines, filters indexed`, () => {
        const [a, b] = SIZES.map((s) => results.get(s)!.get(key)!);
        const failing = broken(key, c, a, b);
        const bounds: Bound[] = ['trips', 'budget', 'documents', 'index'];
        for (const name of bounds) {
          const listed = EXPECTED_TO_FAIL_TODAY.has(`${key} ${name}`);
          if (listed && failing.has(name))
            notices.push(`expected to fail today: ${key} ${name}: ${failing.get(name)}`);
          if (listed && !failing.has(name))
            notices.push(`now passes, remove it from EXPECTED_TO_FAIL_TODAY: ${key} ${name}`);
          if (listed) failing.delete(name);
        }
        const unexpected = [...failing].map(([name, msg]) => `${key} ${name}: ${msg}`);
        if (unexpected.length) throw new Error(unexpected.join('\n'));
      });
    }
});
