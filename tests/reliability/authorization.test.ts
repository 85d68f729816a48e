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
import {
  actionFilter,
  candidatesInScope,
  nameCandidates,
  nearInScope,
} from '../../src/roster/find';
import type { StudentDoc } from '../../src/roster/directory';
import { InboundDelivery } from '../../src/models/inbound';
import { AuditEntry } from '../../src/models/audit';
import { Student } from '../../src/models/roster';
import { Case, CaseFact, Duty, type DutyRow } from '../../src/models/case';
import { Letter } from '../../src/models/prevention';
import { OutboxMessage } from '../../src/outbox/model';
import { Broadcast } from '../../src/models/broadcast';
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

let asked = 0;
async function ask(userid: string, text: string): Promise<string> {
  // The embedded server's inserts slow down as a collection grows (README, Benchmark): the
  // handled deliveries' claims (WeCom-retry bookkeeping only) are cleared between probes.
  if (++asked % 50 === 0) await InboundDelivery.deleteMany({ status: 'done' });
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

const refusals = (userid: string) =>
  AuditEntry.countDocuments({ actor: userid, outcome: 'refused' });
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
  for (const s of pool) if ((await uniqueName(s)) && (await quietInScope(actor, s.name))) return s;
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
    {
      form: '学籍号 (lower case)',
      real: target.studentNo.toLowerCase(),
      invented: no.toLowerCase(),
    },
  ];
}

/**
 * One probe of the matrix: the real out-of-scope student, then an invented one. `baseline` is
 * the student's footprint before any probe: a refused command writes nothing, so it stays.
 */
async function outOfScopeProbe(
  who: Who,
  c: Command,
  target: StudentDoc,
  f: Form,
  baseline: string,
): Promise<void> {
  const where = `${c.name} by ${who.label} (${f.form})`;
  const uid = who.actor.userid;
  tally.tried++;
  const refusedBefore = await refusals(uid);
  const real = await ask(uid, probeText(c, f.real));
  const [after, refusedAfter, row] = await Promise.all([
    footprint(target.studentNo),
    refusals(uid),
    newestRefusal(uid),
  ]);
  const invented = await ask(uid, probeText(c, f.invented));
  const same = mask(real, f.real) === mask(invented, f.invented);
  // Refused = not done and not shown: nothing written, the student's name never in the answer.
  const shown = f.form !== 'name' && real.includes(target.name);
  if (after === baseline && !shown) tally.refused++;
  else leaks.push(`${where}: ${after !== baseline ? 'a write' : 'the name revealed'}`);
  const audited = refusedAfter > refusedBefore && row?.action && row.outcome === 'refused';
  if (audited) tally.audited++;
  else leaks.push(`${where}: refusal not audited`);
  if (same) tally.indistinguishable++;
  else leaks.push(`${where}: 「${real}」 ≠ 「${invented}」 for an invented student`);
}

/** Every student command, every form, by one role, on its nearest out-of-scope student. */
async function outOfScopeRole(who: Who, commands: Command[]): Promise<void> {
  const target = await outOfScope(who.actor);
  // The bureau's scope is the district: nobody is outside it (its side is the in-scope one).
  if (!target) {
    expect(who.actor.roles.some((r) => r.role === 'bureau')).toBe(true);
    return;
  }
  const forms = await formsFor(target, who.actor);
  const baseline = await footprint(target.studentNo);
  for (const c of commands)
    for (const f of forms) await outOfScopeProbe(who, c, target, f, baseline);
}

/** In scope: the student is found (never the not-found answer); a refusal only by policy. */
async function inScopeProbe(who: Who, c: Command, s: StudentDoc): Promise<void> {
  const uid = who.actor.userid;
  const where = `${c.name} by ${who.label} in scope`;
  const refusedBefore = await refusals(uid);
  const reply = await ask(uid, probeText(c, s.name));
  const row = (await refusals(uid)) > refusedBefore ? await newestRefusal(uid) : null;
  const hidden = reply.includes(`没有找到「${s.name}」`);
  // A refusal of a policy action must be the policy's (other refusals are by role, e.g. 责任书).
  const policyAction = row !== null && (ACTIONS as readonly string[]).includes(row.action);
  const byPolicy = !policyAction || !canActOnStudent(who.actor, row.action as Action, s);
  if (!hidden && byPolicy) tally.inScope++;
  else leaks.push(`${where}: ${hidden ? 'the student was hidden' : 'refused against policy'}`);
}

/** Case state back to none, the student rows as loaded (in-scope probes do write). */
async function resetCases(s?: StudentDoc): Promise<void> {
  await Promise.all([
    ...carriers().map((m) => m.deleteMany({})),
    Letter.deleteMany({}),
    OutboxMessage.deleteMany({}),
    s && Student.replaceOne({ studentNo: s.studentNo }, s),
  ]);
  bot.clock.set(MON);
}

describe('authorization: every student command × every role (issue #10 reliability suite)', () => {
  it('the registry holds the commands that take a student', () => {
    const names = registry()
      .filter(takesStudent)
      .map((c) => c.name);
    expect(names).toEqual(expect.arrayContaining(['缺勤', '查', '转出', '易辍', '交接家访']));
    expect(names.length).toBeGreaterThanOrEqual(25);
  });

  it('out of scope: refused, audited, answered as for a student who does not exist', async () => {
    const commands = registry().filter(takesStudent);
    const start = leaks.length;
    // One role after another: side by side was slower on the embedded server (69 s against 52 s).
    for (const who of roles()) await outOfScopeRole(who, commands);
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

/** A card the system pushes: `actions` on `dutyId`, to `userid`; returns its TaskId. */
async function issueCard(userid: string, dutyId: string, actions: CardAction[], name: string) {
  const spec: CardSpec = {
    title: '测试卡片',
    lines: [],
    buttons: actions.map((action) => ({ action, dutyId })),
    fallback: '测试卡片',
  };
  await bot.services.notify.card([userid], spec, `authz:${name}`);
  return taskId(`authz:${name}:${userid}`);
}

/** Everything a click could change: facts, duties, pushes (answers aside), used-up cards. */
async function caseState(): Promise<string> {
  const [facts, duties, pushes, cases] = await Promise.all([
    CaseFact.countDocuments({}),
    Duty.find({}).sort({ dutyId: 1 }).lean<DutyRow[]>(),
    OutboxMessage.countDocuments({ key: { $not: /^reply:/ } }),
    Case.find({}).lean(),
  ]);
  const strip = <T extends object>(rows: T[]) => rows.map((r) => ({ ...r, _id: undefined }));
  return JSON.stringify([facts, strip(duties), pushes, strip(cases)]);
}

async function click(userid: string, key: string, task: string): Promise<string> {
  const res = await bot.say({ as: userid, event: 'template_card_event', key, taskId: task });
  expect(res.status).toBe(200);
  return res.reply ?? (await lateReply(userid));
}

describe('authorization: every card button kind × every role (issue #10 reliability suite)', () => {
  let dutyId: string;
  let holderCard: string;
  const own = new Map<string, string>();

  beforeAll(async () => {
    await resetCases();
    await ask(d.head.userid, `缺勤 ${d.plain.name} 全天`);
    await advance(bot, '2026-12-01T09:00:00+08:00');
    const duty = await Duty.findOne({ studentNo: d.plain.studentNo, status: 'open' }).lean();
    dutyId = duty!.dutyId;
    // The holder's card with every button kind; every roster member's own card shows details.
    holderCard = await issueCard(d.head.userid, dutyId, [...CARD_ACTIONS], 'holder');
    for (const who of roles().filter((w) => w.actor.roles.length))
      own.set(who.actor.userid, await issueCard(who.actor.userid, dutyId, ['details'], 'own'));
    await OutboxMessage.deleteMany({});
  });

  it('the dispatcher routes two card prefixes (d: duties, b: broadcasts); the duty kinds', () => {
    const prefixes = [
      ...(bot.dispatcher as unknown as { cards: Map<string, unknown> }).cards.keys(),
    ];
    // d: a duty's buttons (below); b: a broadcast preview's 发送 / 取消 (its own block below).
    expect(prefixes.sort()).toEqual(['b', 'd']);
    expect(CARD_ACTIONS.length).toBeGreaterThanOrEqual(6);
  });

  it("another member's card, a key not on the card, a never-issued TaskId: nothing changes", async () => {
    const before = await caseState();
    const start = leaks.length;
    for (const who of roles()) {
      const uid = who.actor.userid;
      for (const action of CARD_ACTIONS) {
        const key = buttonKey(action, dutyId);
        const tries: [string, string][] = [[`never-issued TaskId`, `bx_${'0'.repeat(31)}f`]];
        if (uid !== d.head.userid) tries.push(["another member's card", holderCard]);
        if (own.has(uid) && action !== 'details')
          tries.push(['a key not on the card', own.get(uid)!]);
        for (const [what, task] of tries) {
          cardTally.tried++;
          const reply = await click(uid, key, task);
          const after = await caseState();
          const turnedAway = reply === CARD_NOT_YOURS || /花名册/.test(reply);
          if (after === before && turnedAway) cardTally.unchanged++;
          else leaks.push(`card ${action} by ${who.label} (${what}): ${reply}`);
        }
      }
    }
    expect(leaks.slice(start)).toEqual([]);
  });

  /** Every button of a card held by a member whose scope does not hold the student. */
  async function outOfScopeHolder(task: string, when: string): Promise<void> {
    const before = await caseState();
    const start = leaks.length;
    for (const action of CARD_ACTIONS) {
      cardTally.tried++;
      const refusedBefore = await refusals(d.otherHead.userid);
      const reply = await click(d.otherHead.userid, buttonKey(action, dutyId), task);
      const audited = (await refusals(d.otherHead.userid)) > refusedBefore;
      const same = (await caseState()) === before;
      if (same && audited && !reply.includes(d.plain.name)) cardTally.unchanged++;
      else
        leaks.push(`card ${action} out of scope (${when}): ${audited ? '' : 'unaudited '}${reply}`);
    }
    expect(leaks.slice(start)).toEqual([]);
  }

  it('a card held by a member whose scope does not hold the student: refused, audited, no change', async () => {
    // E.g. a head teacher moved to another class after the card was pushed.
    const task = await issueCard(d.otherHead.userid, dutyId, [...CARD_ACTIONS], 'moved');
    await OutboxMessage.deleteMany({});
    await outOfScopeHolder(task, 'duty open');
  });

  it('the holder’s own card works (the boundary from the allowed side)', async () => {
    const duties = () => Duty.find({}).sort({ dutyId: 1 }).lean<DutyRow[]>();
    const [facts0, duties0] = [await CaseFact.countDocuments({}), await duties()];
    // 查看详情 only reads (it re-derives the case, so the case's revision may move).
    const details = await click(d.head.userid, buttonKey('details', dutyId), holderCard);
    expect(details).toContain(d.plain.name);
    expect(await CaseFact.countDocuments({})).toBe(facts0);
    expect(await duties()).toEqual(duties0);
    const facts = await CaseFact.countDocuments({});
    const reply = await click(d.head.userid, buttonKey('present', dutyId), holderCard);
    expect(reply).not.toBe(CARD_NOT_YOURS);
    expect(await CaseFact.countDocuments({})).toBeGreaterThan(facts);
  });

  it('a settled duty’s card held out of scope: still refused, audited, no card update', async () => {
    await OutboxMessage.deleteMany({});
    await outOfScopeHolder(taskId(`authz:moved:${d.otherHead.userid}`), 'duty settled');
  });
});

/**
 * Injection (issue #10): operator-looking JSON, regex metacharacters (alone and around a real
 * name), very long input, RTL / zero-width characters. Name lookup builds regexes
 * (src/roster/find.ts): whatever it returns must be explained by the literal text — an exact
 * name or name prefix, the 学籍号, the same pinyin, or one character off after the same surname.
 */
const REAL = '黎嘉懿';
const PAYLOADS = [
  ...['{"$ne":null}', '{"$gt":""}', '{"$regex":".*"}', '{"$where":"1"}', '{"$in":[]}'],
  ...['$ne', '$where', 'name[$ne]=1', "'; return true; var x='", '__proto__', 'constructor'],
  ...['.*', '.+', '.', '..', '...', '^', '$', '^.*$', '|', '.*|.*', '(', ')', '[', ']', '[^]'],
  ...['\\', '\\d', '\\w+', '(?:)', '(?=.)', '.{2}', '.{3}', '?', '*', '+', '{1,}', '%', '_'],
  ...['黎.*', '黎..', '^黎', '黎|陈', '黎.', '.嘉懿', '黎[嘉]懿', '黎(嘉)懿', '黎\\嘉', '黎$'],
  ...['G.*', 'G\\d+', '^G', 'G3602.*', 'g.*', '.*0001', '%黎%', '*黎*'],
  ...['黎'.repeat(1000), '黎.'.repeat(900), 'a'.repeat(1999), '.*'.repeat(999)],
  ...[`\u202E${REAL}`, `黎\u200B嘉懿`, '\u200B', '\u200F', `\uFEFF${REAL}`, `${REAL}\u200D`],
  ...[`\u2066黎\u2069`, `\u202E.*`, `\u200B.*\u200B`, '黎\u0000', 'null', 'undefined'],
];

/** The matches the literal text explains (the oracle), for `rest` typed after a verb. */
function explained(s: StudentDoc, rest: string): boolean {
  const first = rest.trim().split(/[\s，,、；;：:]/)[0];
  const token = rest.trim();
  const [a, b] = [[...s.name], [...first]];
  const oneOff =
    a.length === b.length && a[0] === b[0] && a.filter((c, i) => c !== b[i]).length === 1;
  return (
    nameCandidates(rest).includes(s.name) ||
    s.studentNo.toUpperCase() === first.toUpperCase() ||
    pinyinOf(s.name) === pinyinOf(first) ||
    pinyinOf(s.name) === pinyinOf(token) ||
    oneOff
  );
}

describe('injection against name lookup (issue #10 reliability suite)', () => {
  it(`${PAYLOADS.length} payloads match nothing the literal text does not explain`, async () => {
    const everyone = await Student.find({}).lean<StudentDoc[]>();
    const start = leaks.length;
    let lookups = 0;
    for (const p of PAYLOADS) {
      const found = [
        ...(await candidatesInScope(d.bureau, 'view', {}, p)),
        ...(await nearInScope(d.bureau, 'view', {}, p.trim().split(/[\s，,、；;：:]/)[0])),
      ];
      lookups += 2;
      for (const s of found)
        if (!explained(s, p)) leaks.push(`lookup of ${JSON.stringify(p)} matched ${s.name}`);
      // Through the chat, by the widest and a narrow scope: no name the text does not explain.
      for (const who of [d.bureau, d.head]) {
        const reply = await ask(who.userid, `查 ${p}`);
        lookups++;
        for (const s of everyone)
          if (reply.includes(s.name) && !p.includes(s.name) && !explained(s, p))
            leaks.push(`查 ${JSON.stringify(p).slice(0, 40)} by ${who.userid} named ${s.name}`);
      }
    }
    injection = { payloads: PAYLOADS.length, lookups: lookups / PAYLOADS.length, extra: 0 };
    injection.extra = leaks.length - start;
    expect(leaks.slice(start)).toEqual([]);
  });
});

describe('authorization: a broadcast preview card (b:send / b:cancel) by every other role', () => {
  it("another member's preview card or a never-issued TaskId: the draft stays a draft, nothing sent", async () => {
    await ask(d.principal.userid, '通知 全体班主任 周五下午三点开会');
    const draft = await Broadcast.findOne({ sender: d.principal.userid, status: 'draft' }).lean();
    const id = String(draft!._id);
    const preview = taskId(`bc-preview:${id}:${d.principal.userid}`);
    const start = leaks.length;
    for (const who of roles().filter((w) => w.actor.userid !== d.principal.userid)) {
      for (const key of [`b:send:${id}`, `b:cancel:${id}`]) {
        for (const task of [preview, `bx_${'0'.repeat(31)}e`]) {
          cardTally.tried++;
          const reply = await click(who.actor.userid, key, task);
          const now = await Broadcast.findById(id).lean();
          const sent = await OutboxMessage.countDocuments({ kind: 'group_text' });
          if (now!.status === 'draft' && sent === 0 && !reply.includes('已发送'))
            cardTally.unchanged++;
          else leaks.push(`broadcast ${key} by ${who.label}: ${reply}`);
        }
      }
    }
    expect(leaks.slice(start)).toEqual([]);
    // The boundary from the other side: the sender's own click on that card sends it.
    await click(d.principal.userid, `b:send:${id}`, preview);
    expect((await Broadcast.findById(id).lean())!.status).not.toBe('draft');
  });
});
