import mongoose from 'mongoose';
import nock from 'nock';
import { startBot, mockWecom, setupNock, advance, type TestBot } from '../support/harness';
import { demo } from '../support/demo';
import type { Command } from '../../src/chat/command';
import type { StaffLike } from '../../src/domain/roster';
import { ACTIONS, canActOnStudent, type Action } from '../../src/domain/policy';
import { CARD_ACTIONS, type CardAction } from '../../src/domain/cases/duties';
import { buttonKey, taskId, type CardSpec } from '../../src/notify/cards';
import { CARD_NOT_YOURS } from '../../src/chat/dispatch';
import { pinyinOf } from '../../src/domain/resolve';
import { actionFilter, candidatesInScope, nameCandidates, nearInScope } from '../../src/roster/find';
import type { StudentDoc } from '../../src/roster/directory';
import { AuditEntry } from '../../src/models/audit';
import { Student } from '../../src/models/roster';
import { Case, CaseFact, Duty, type DutyRow } from '../../src/models/case';
import { Letter } from '../../src/models/prevention';
import { OutboxMessage } from '../../src/outbox/model';
import { ManualClock } from '../../src/lib/clock';
import { printSummary } from './summary';

/**
 * Issue #10, reliability suite, authorization: every chat command that takes a student (read
 * from the dispatcher's own registry, invoked as its own usage example shows) and every card
 * button kind, by every role of the demo district, on a student outside the actor's scope →
 * refused, audited, and answered exactly as for a student who does not exist (by name, by
 * 学籍号, by lower-case 学籍号); the same command in scope → not hidden. Card events carrying
 * another member's userid, another card's TaskId, a never-issued TaskId or a key not on the
 * card change nothing. Name lookup is fed injection payloads and matches nothing extra.
 */
jest.setTimeout(300_000);

const MON = '2026-11-30T08:00:00+08:00';
let bot: TestBot;
let d: Awaited<ReturnType<typeof demo>>;
const STRANGER: StaffLike = { userid: 'stranger', name: '', roles: [] };
const tally = { tried: 0, refused: 0, audited: 0, indistinguishable: 0, inScope: 0 };
const cardTally = { tried: 0, unchanged: 0 };
const leaks: string[] = [];
let injection = { payloads: 0, lookups: 0, extra: 0 };

beforeAll(async () => {
  setupNock();
  mockWecom();
  bot = await startBot({ clock: new ManualClock(MON) });
  d = await demo(bot);
});
afterAll(async () => {
  await bot.close();
  nock.cleanAll();
  printSummary('authorization (every student command and card button × every role)', {
    'commands × roles × forms tried (out of scope)': tally.tried,
    refused: tally.refused,
    audited: tally.audited,
    'indistinguishable from a non-existent student': tally.indistinguishable,
    'commands × roles in scope (not hidden)': tally.inScope,
    'card events tried (forged / out of scope)': cardTally.tried,
    'card events that changed nothing': cardTally.unchanged,
    'injection payloads × lookups': `${injection.payloads} × ${injection.lookups}`,
    'matched something extra': injection.extra,
    leaks: leaks.length,
  });
});

type Who = { label: string; actor: StaffLike };
const roles = (): Who[] => [
  { label: 'head teacher', actor: d.head },
  { label: 'subject teacher', actor: d.subject },
  { label: 'grade leader', actor: d.gradeLeader },
  { label: 'deputy', actor: d.deputy },
  { label: 'principal', actor: d.principal },
  { label: 'bureau', actor: d.bureau },
  { label: "another class's head teacher", actor: d.otherHead },
  { label: 'not in the roster', actor: STRANGER },
];

/** The commands as the dispatcher holds them (src/features.ts registers them all). */
const registry = () => (bot.dispatcher as unknown as { commands: Command[] }).commands;

/** A command takes a student when its usage names one (<学生>, <姓名…>, <学籍号>, 张三). */
const takesStudent = (c: Command) => /张三|<[^>]*(学生|姓名|学籍号)/.test(c.usage);

/** The command as its own usage example invokes it, the example's student replaced by `token`. */
function probeText(c: Command, token: string): string {
  const lines = c.usage.split('\n');
  const example = lines.find((l) => l.includes(`${c.name} 张三`));
  if (example) return example.slice(example.indexOf(`${c.name} 张三`)).replace('张三', token);
  const mine = lines.map((l) => l.replace(/^例：/, '')).filter((l) => l.startsWith(`${c.name} `));
  const first = mine.find((l) => /张三/.test(l));
  if (first) return first.replace('张三', token);
  const byNo = mine.find((l) => /G\d{18}/.test(l));
  if (byNo) return byNo.replace(/G\d{18}/, token);
  return `${c.name} ${token}`;
}

async function ask(userid: string, text: string): Promise<string> {
  const res = await bot.say(text, userid);
  expect(res.status).toBe(200);
  if (res.reply !== undefined) return res.reply;
  return lateReply(userid);
}

/** Card answers (and late text answers) come through the outbox, sealed. */
async function lateReply(userid: string): Promise<string> {
  const rows = await OutboxMessage.find({ recipient: userid, key: /^reply:/ })
    .sort({ createdAt: -1 })
    .lean<{ sealed?: string }[]>();
  await OutboxMessage.deleteMany({ key: /^reply:/ });
  const sealed = rows[0]?.sealed;
  return sealed ? (JSON.parse(bot.services.pii.open(sealed)) as { content: string }).content : '';
}

/**
 * Everything stored about one student, read from every model that carries a 学籍号 (found by
 * schema, not listed by hand), the 责任书 rows that name them, the student row itself, and
 * every push queued (an answer excepted).
 */
const carriers = () =>
  mongoose
    .modelNames()
    .sort()
    .filter((n) => n !== 'Student' && mongoose.model(n).schema.path('studentNo'))
    .map((n) => mongoose.model(n));

async function footprint(studentNo: string): Promise<string> {
  const models = carriers();
  const parts = await Promise.all([
    ...models.map(async (m) => `${m.modelName}:${await m.countDocuments({ studentNo })}`),
    Letter.countDocuments({ party: studentNo }).then((n) => `Letter:${n}`),
    OutboxMessage.countDocuments({ key: { $not: /^reply:/ } }).then((n) => `pushes:${n}`),
    Student.findOne({ studentNo })
      .lean<StudentDoc>()
      .then((row) => JSON.stringify({ ...row, _id: undefined })),
  ]);
  return parts.join(' ');
}

const refusals = (userid: string) => AuditEntry.countDocuments({ actor: userid, outcome: 'refused' });
const newestRefusal = (userid: string) =>
  AuditEntry.findOne({ actor: userid, outcome: 'refused' }).sort({ _id: -1 }).lean();

/** A name with a unique holder in the district. */
async function uniqueName(s: StudentDoc): Promise<boolean> {
  return (await Student.countDocuments({ name: s.name })) === 1;
}

/** Nothing in the actor's view scope that the lookup would offer for this name. */
async function quietInScope(actor: StaffLike, name: string): Promise<boolean> {
  const view = actionFilter(actor, 'view');
  if (!view) return true;
  const hits = await candidatesInScope(actor, 'view', view, name);
  const near = await nearInScope(actor, 'view', view, name);
  return hits.length === 0 && near.length === 0;
}

/**
 * The out-of-scope student nearest the actor (same school first) whose name is unique and
 * offers nothing in scope, so the only difference from an invented name is that it exists.
 */
async function outOfScope(actor: StaffLike): Promise<StudentDoc | undefined> {
  const school = actor.roles.find((r) => r.schoolCode)?.schoolCode;
  const all = await Student.find({}).sort({ studentNo: 1 }).lean<StudentDoc[]>();
  const pool = all
    .filter((s) => !canActOnStudent(actor, 'view', s))
    .sort((a, b) => Number(a.schoolCode !== school) - Number(b.schoolCode !== school));
  for (const s of pool)
    if ((await uniqueName(s)) && (await quietInScope(actor, s.name))) return s;
  return undefined;
}

const RARE = ['鼗', '鼙', '夔', '爨'];
/** A name of the same shape (surname kept, as many characters) that nobody has. */
async function inventName(real: string, actor: StaffLike): Promise<string> {
  const [surname, ...given] = [...real];
  const name = surname + given.map((_, i) => RARE[i % RARE.length]).join('');
  const taken = await Student.countDocuments({
    $or: [{ name }, { namePinyin: pinyinOf(name) }],
  });
  expect(taken).toBe(0);
  expect(await quietInScope(actor, name)).toBe(true);
  return name;
}

/** A 学籍号 of the same shape that nobody has. */
async function inventNo(real: string): Promise<string> {
  for (let n = 9999; ; n--) {
    const no = real.slice(0, -4) + String(n);
    if (!(await Student.countDocuments({ studentNo: no }))) return no;
  }
}

const mask = (reply: string, token: string) => reply.split(token).join('□');

type Form = { form: string; real: string; invented: string };
async function formsFor(target: StudentDoc, actor: StaffLike): Promise<Form[]> {
  const no = await inventNo(target.studentNo);
  return [
    { form: 'name', real: target.name, invented: await inventName(target.name, actor) },
    { form: '学籍号', real: target.studentNo, invented: no },
    { form: '学籍号 (lower case)', real: target.studentNo.toLowerCase(), invented: no.toLowerCase() },
  ];
}

/** One probe of the matrix: the real out-of-scope student, then an invented one. */
async function outOfScopeProbe(who: Who, c: Command, target: StudentDoc, f: Form): Promise<void> {
  const where = `${c.name} by ${who.label} (${f.form})`;
  const uid = who.actor.userid;
  tally.tried++;
  const before = await footprint(target.studentNo);
  const refusedBefore = await refusals(uid);
  const real = await ask(uid, probeText(c, f.real));
  const after = await footprint(target.studentNo);
  const refused = (await refusals(uid)) > refusedBefore;
  const row = refused ? await newestRefusal(uid) : null;
  const invented = await ask(uid, probeText(c, f.invented));
  const same = mask(real, f.real) === mask(invented, f.invented);
  // Refused = not done and not shown: nothing written, the student's name never in the answer.
  const shown = f.form !== 'name' && real.includes(target.name);
  if (after === before && !shown) tally.refused++;
  else leaks.push(`${where}: ${after !== before ? 'a write' : 'the name revealed'}`);
  if (row && row.actor === uid && row.action && row.outcome === 'refused') tally.audited++;
  else leaks.push(`${where}: refusal not audited`);
  if (same) tally.indistinguishable++;
  else leaks.push(`${where}: 「${real}」 ≠ 「${invented}」 for an invented student`);
}

/** In scope: the student is found (never the not-found answer); a refusal only by policy. */
async function inScopeProbe(who: Who, c: Command, s: StudentDoc): Promise<void> {
  const uid = who.actor.userid;
  const where = `${c.name} by ${who.label} in scope`;
  const refusedBefore = await refusals(uid);
  const reply = await ask(uid, probeText(c, s.name));
  const row = (await refusals(uid)) > refusedBefore ? await newestRefusal(uid) : null;
  const hidden =
    reply.includes(`没有找到「${s.name}」`) ||
    (row !== null && !(ACTIONS as readonly string[]).includes(row.action));
  const byPolicy =
    row === null || !canActOnStudent(who.actor, row.action as Action, s) || hidden;
  if (!hidden && byPolicy) tally.inScope++;
  else leaks.push(`${where}: ${hidden ? 'the student was hidden' : 'refused against policy'}`);
}

/** Case state back to none, the student rows as loaded (in-scope probes do write). */
async function resetCases(s: StudentDoc): Promise<void> {
  await Promise.all([
    ...carriers().map((m) => m.deleteMany({})),
    Letter.deleteMany({}),
    OutboxMessage.deleteMany({}),
    Student.replaceOne({ studentNo: s.studentNo }, s),
  ]);
  bot.clock.set(MON);
}

describe('authorization: every student command × every role (issue #10 reliability suite)', () => {
  it('the registry holds the commands that take a student', () => {
    const names = registry().filter(takesStudent).map((c) => c.name);
    expect(names).toEqual(expect.arrayContaining(['缺勤', '查', '转出', '易辍', '交接家访']));
    expect(names.length).toBeGreaterThanOrEqual(25);
  });

  it('out of scope: refused, audited, answered as for a student who does not exist', async () => {
    const commands = registry().filter(takesStudent);
    const start = leaks.length;
    for (const who of roles()) {
      const target = await outOfScope(who.actor);
      // The bureau's scope is the district: nobody is outside it (its side is the in-scope one).
      if (!target) {
        expect(who.actor.roles.some((r) => r.role === 'bureau')).toBe(true);
        continue;
      }
      const forms = await formsFor(target, who.actor);
      for (const c of commands)
        for (const f of forms) await outOfScopeProbe(who, c, target, f);
    }
    expect(leaks.slice(start)).toEqual([]);
    expect(tally.tried).toBeGreaterThan(0);
  });

  it('in scope: every role finds its own student with every command (refusals only by policy)', async () => {
    const commands = registry().filter(takesStudent);
    const snapshot = await Student.find({}).lean<StudentDoc[]>();
    const start = leaks.length;
    for (const who of roles().filter((w) => w.actor.roles.length)) {
      const mine = snapshot.filter((s) => canActOnStudent(who.actor, 'view', s));
      const s = mine.find((x) => snapshot.filter((y) => y.name === x.name).length === 1)!;
      for (const c of commands) {
        await inScopeProbe(who, c, s);
        await resetCases(s);
      }
    }
    expect(leaks.slice(start)).toEqual([]);
  });
});

