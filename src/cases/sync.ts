import { Case, Duty, type CaseRow, type DutyRow } from '../models/case';
import { deriveCase, type CaseView, type Duty as DerivedDuty } from '../domain/cases/derive';
import { DUTY, escalationLevels, type HolderLevel } from '../domain/cases/duties';
import { responsibleAt, type Chain } from '../domain/chain';
import { lastCorrection, standing, type Fact } from '../domain/cases/facts';
import type { Services } from '../services';
import {
  className,
  schoolName,
  displayNames,
  findStudent,
  schoolLeaders,
  chainStaff,
  staffNames,
} from '../roster/directory';
import { chainFor } from '../domain/chain';
import { factsOf } from './store';
import { insertOnce } from '../db/connect';
import { deliver } from './deliver';
import * as N from './notices';

/**
 * Brings a case's stored view (the `cases` row and its `duties`) up to what its facts say now,
 * and returns what people must be told about the difference. The one place where a case
 * changes: commands append facts and call it; the sweeper calls it when a case's time comes.
 * Every notice is keyed, so syncing twice tells nobody twice.
 */
export interface Synced {
  row: CaseRow;
  view: CaseView;
  about: N.About;
  notices: N.Notice[];
  /** The student's chain as this sync read it (callers reuse it rather than read it again). */
  chain: Chain;
}

/** Notices a caller adds to a sync's own (told in the same write, remembered in `notified`). */
export type Tell = (p: Synced) => N.Notice[];

/**
 * Loads through a per-sweep memo: a sweep over hundreds of cases reads each school's staff,
 * each class name once (and the sweep seeds rows, facts and duties it read in bulk).
 */
export type Memo = <T>(key: string, load: () => Promise<T>) => Promise<T>;
export const noMemo: Memo = (_key, load) => load();

export function memo(seed: Map<string, unknown> = new Map()): Memo {
  return <T>(key: string, load: () => Promise<T>) => {
    if (!seed.has(key)) seed.set(key, load());
    return Promise.resolve(seed.get(key) as T | Promise<T>);
  };
}

/** A derived case ready to be told and then recorded (`commit`, rev-guarded). */
export interface Prepared extends Synced {
  commit(): Promise<boolean>;
  /** Adds people told by the caller to the row's `notified` before it is written. */
  alsoNotified(userids: string[]): void;
  /** A new case: inserts the synced row (the claim); false when the student has one open. */
  create(): Promise<boolean>;
  /** A new case, after `create`: writes its duties (one bulkWrite). */
  writeDuties(): Promise<void>;
}

export async function prepareSync(
  s: Services,
  caseId: string,
  now: Date,
  actor = 'system',
  m: Memo = noMemo,
): Promise<Prepared | undefined> {
  const row = await m(`case:${caseId}`, () => Case.findOne({ caseId }).lean());
  if (!row) return undefined;
  const facts = await m(`facts:${caseId}`, () => factsOf(caseId));
  const { holders, about, chain, student } = await context(row, facts, m);
  const view = deriveCase({ caseId, facts, cal: s.cal, rules: s.settings.ladder, now, holders });
  about.awayDays = view.awayDays;
  const stored = await m(`duties:${caseId}`, () => Duty.find({ caseId }).lean());
  const ctx: DiffContext = {
    a: about,
    holders,
    now,
    actor,
    correctedAt: lastCorrection(facts),
    name: student?.name,
  };
  const { writes, notices } = diffDuties(row, view, stored, ctx);
  const followers = standing(facts).flatMap((f) => (f.type === 'followUp' ? [f.actor] : []));
  const involved = [...stored.flatMap((d) => d.holders), ...followers];
  notices.push(...caseNotices(row, view, about, actor, involved, stored));
  const patch = viewPatch(view, [...new Set([...row.notified, ...notices.flatMap((n) => n.to)])]);
  if (student && student.name !== row.name) patch.name = student.name; // for the lists (案件)
  const synced: CaseRow = { ...row, ...patch, rev: row.rev + 1 };
  const commit = async () => {
    const set = { ...patch, rev: row.rev + 1 };
    const res = await Case.updateOne({ caseId, rev: row.rev }, { $set: set });
    if (res.modifiedCount !== 1) return false; // someone synced in between
    if (writes.length) await Duty.bulkWrite(writes);
    return true;
  };
  const create = () => insertOnce(Case, synced);
  const writeDuties = async () => {
    if (writes.length) await Duty.bulkWrite(writes);
  };
  const alsoNotified = (ids: string[]) => {
    patch.notified = [...new Set([...(patch.notified ?? []), ...ids])];
    synced.notified = patch.notified;
  };
  return { row: synced, view, about, notices, chain, commit, create, writeDuties, alsoNotified };
}

/**
 * Told first, recorded after: every notice is keyed, so a crash between the two re-derives
 * the same notices on the next sync and the outbox sends none twice — and none is lost.
 */
export async function syncCase(
  ...[s, caseId, now, actor = 'system', m = noMemo, tell]: [
    ...Parameters<typeof prepareSync>,
    tell?: Tell,
  ]
): Promise<Synced | undefined> {
  for (let attempt = 0; attempt < 5; attempt++) {
    const p = await prepareSync(s, caseId, now, actor, attempt === 0 ? m : noMemo);
    if (!p) return undefined;
    const extra = tell ? tell(p) : [];
    p.alsoNotified(extra.flatMap((n) => n.to));
    await deliver(s, [...p.notices, ...extra]);
    if (await p.commit()) return p;
  }
  throw new Error(`case ${caseId}: too many concurrent syncs`);
}

function viewPatch(v: CaseView, notified: string[]): Partial<CaseRow> {
  return {
    gate: v.gate,
    open: v.open,
    awayDays: v.awayDays,
    longAbsence: v.longAbsence,
    transferPending: v.transferPending,
    moveCount: v.moves.length,
    notified,
    ...(v.closedAt ? { closedAt: v.closedAt } : {}),
    ...(v.absentSince ? { absentSince: v.absentSince } : {}),
    wakeAt: v.wakeAt ?? null,
  };
}

async function context(row: CaseRow, facts: Fact[], m: Memo) {
  const student = await m(`student:${row.studentNo}`, () => findStudent(row.studentNo));
  const place = student ?? row;
  const staff = await m(`chain:${place.classId}`, () => chainStaff(place));
  const chain: Chain = student
    ? chainFor(student, staff)
    : {
        subjectTeacher: [],
        headTeacher: [],
        gradeLeader: [],
        deputy: [],
        principal: [],
        bureau: [],
        missing: [],
      };
  const at = (l: Parameters<typeof responsibleAt>[1]) => responsibleAt(chain, l).userids;
  const transfer = [...facts].reverse().find((f) => f.type === 'transferRequested');
  const toSchool = transfer?.type === 'transferRequested' ? transfer.toSchool : undefined;
  const leaders = toSchool ? await m(`leaders:${toSchool}`, () => schoolLeaders([toSchool])) : [];
  const receiving = leaders.map((p) => p.userid);
  const holders: Record<HolderLevel, string[]> = {
    headTeacher: at('headTeacher'),
    visitLeader: chain.atRiskLeader ? [chain.atRiskLeader] : at('gradeLeader'),
    gradeLeader: at('gradeLeader'),
    deputy: at('deputy'),
    principal: at('principal'),
    bureau: at('bureau'),
    receivingLeaders: receiving.length ? receiving : at('deputy'),
  };
  const everyone = [...new Set([...Object.values(holders).flat(), ...facts.map((f) => f.actor)])];
  const known = new Map([...staff, ...leaders].map((p) => [p.userid, p.name]));
  const unknown = everyone.filter((u) => !known.has(u));
  const names = unknown.length ? new Map([...known, ...(await staffNames(unknown))]) : known;
  const shown = student
    ? await m(`shown:${student.studentNo}`, async () =>
        (await displayNames([student])).get(student.studentNo),
      )
    : undefined;
  const about: N.About = {
    caseId: row.caseId,
    name: shown ?? row.studentNo,
    className: await m(`class:${row.classId}`, () => className(row.classId)),
    schoolName: await m(`school:${row.schoolCode}`, () => schoolName(row.schoolCode)),
    awayDays: 0,
    who: (ids) => ids.map((id) => names.get(id) ?? id).join('、') || '（空缺）',
  };
  return { holders, about, chain, student };
}

type Write = Parameters<typeof Duty.bulkWrite>[0][number];

function toRow(c: CaseRow, d: DerivedDuty, v: CaseView, x: DiffContext, prev?: DutyRow): DutyRow {
  return {
    ...d,
    caseId: c.caseId,
    caseOpen: v.open,
    ...(x.name ? { name: x.name } : {}),
    studentNo: c.studentNo,
    schoolCode: c.schoolCode,
    classId: c.classId,
    grade: c.grade,
    ...(prev?.reminded ? { reminded: true } : {}),
    ...(prev?.escalatedTo ? { escalatedTo: prev.escalatedTo } : {}),
  };
}

interface DiffContext {
  a: N.About;
  holders: Record<HolderLevel, string[]>;
  now: Date;
  actor: string;
  /** The case's latest correction (a withdrawal), if any. */
  correctedAt?: Date;
  /** The student's name as the roster has it (copied onto duties for the lists). */
  name?: string;
}

/** Compares the derived duties with the stored ones: what to write, whom to tell. */
function diffDuties(
  c: CaseRow,
  v: CaseView,
  stored: DutyRow[],
  x: DiffContext,
): { writes: Write[]; notices: N.Notice[] } {
  const { a, actor } = x;
  const before = new Map(stored.map((d) => [d.dutyId, d]));
  const writes: Write[] = [];
  const notices: (N.Notice | undefined)[] = [];
  for (const d of v.duties) {
    const prev = before.get(d.dutyId);
    const row = toRow(c, d, v, x, prev);
    notices.push(...transitions(d, prev, row, x));
    if (!prev || JSON.stringify(strip(prev)) !== JSON.stringify(strip(row))) {
      writes.push({ replaceOne: { filter: { dutyId: d.dutyId }, replacement: row, upsert: true } });
    }
  }
  const derived = new Set(v.duties.map((d) => d.dutyId));
  for (const gone of stored.filter((d) => !derived.has(d.dutyId) && d.status !== 'cancelled')) {
    writes.push({
      updateOne: { filter: { dutyId: gone.dutyId }, update: { $set: { status: 'cancelled' } } },
    });
    const told = [...gone.holders, ...(gone.escalatedTo ?? [])].filter((u) => u !== actor);
    const live = gone.status === 'open' || gone.status === 'missed';
    if (live && told.length)
      notices.push(N.dutyWithdrawn(a, DUTY[gone.kind].label, gone.dutyId, told));
  }
  return { writes, notices: notices.filter((n): n is N.Notice => !!n) };
}

function strip(d: DutyRow): Record<string, unknown> {
  const { ...rest } = d as DutyRow & { _id?: unknown };
  delete (rest as { _id?: unknown })._id;
  return Object.fromEntries(
    Object.entries(rest)
      .sort(([x], [y]) => x.localeCompare(y))
      .map(([k, val]) => [k, val instanceof Date ? val.toISOString() : val]),
  );
}

/**
 * A correction reopened it: its deadline passed before the record was corrected, and the last
 * view had it answered (or did not have it). Nobody missed it live, so nobody is blamed.
 */
function reopened(d: DerivedDuty, prev: DutyRow | undefined, correctedAt?: Date): boolean {
  if (!correctedAt || d.dueAt >= correctedAt) return false;
  return !prev || (prev.status !== 'open' && prev.status !== 'missed');
}

function transitions(
  d: DerivedDuty,
  prev: DutyRow | undefined,
  row: DutyRow,
  x: DiffContext,
): (N.Notice | undefined)[] {
  const { a, holders, now, actor } = x;
  const out: (N.Notice | undefined)[] = [];
  const wasLive = !prev || prev.status === 'open' || prev.status === 'missed';
  if (!prev && d.status === 'open') out.push(N.dutyOpened(a, d, actor));
  if (d.status === 'open' && d.remindAt && d.remindAt <= now && !prev?.reminded) {
    if (prev) out.push(N.dutyReminder(a, d));
    row.reminded = true;
  }
  if (d.status === 'missed' && !prev?.escalatedTo && reopened(d, prev, x.correctedAt)) {
    row.escalatedTo = []; // quietly back in the holder's 待办; the corrector knows
  } else if (d.status === 'missed' && !prev?.escalatedTo) {
    const targets = escalationLevels(d.kind, d.streak)
      .flatMap((l) => holders[l])
      .filter((u) => !d.holders.includes(u));
    row.escalatedTo = [...new Set(targets)];
    out.push(...N.dutyEscalated(a, d, row.escalatedTo));
  }
  if (d.status === 'met' && wasLive && prev) {
    if (d.onBehalfOf) out.push(N.dutyDoneInstead(a, d));
    const escalated = (prev.escalatedTo ?? []).filter((u) => u !== d.metBy);
    if (escalated.length) out.push(N.dutyDoneLate(a, d, escalated));
  }
  return out;
}

/**
 * Gate moves since the last sync, and the case being withdrawn as a whole: told to everyone
 * told before, every holder, and whoever followed the case up (督办), so they hear how it ends.
 */
function caseNotices(
  c: CaseRow,
  v: CaseView,
  a: N.About,
  actor: string,
  involved: string[],
  stored: DutyRow[],
): N.Notice[] {
  const everyone = [...new Set([...c.notified, ...involved])];
  const out: (N.Notice | undefined)[] = [];
  v.moves.slice(c.moveCount).forEach((m, i) => {
    const persuasion = m.gate === 'persuasion';
    const to = persuasion ? persuasionTeam(v, everyone) : everyone;
    const tail = persuasion ? passedOn(v, a, stored) : '';
    out.push(N.moved(a, m, c.moveCount + i, to, actor, tail));
  });
  if (v.gate === 'cancelled' && c.gate !== 'cancelled') {
    out.push(
      N.moved(
        a,
        { gate: 'cancelled', at: new Date(), by: actor, why: '撤销', inferred: false },
        -1,
        c.notified,
        actor,
      ),
    );
  }
  return out.filter((n): n is N.Notice => !!n);
}

/**
 * Duties the move into persuasion settled (a head teacher's visit…): one line in the move's
 * notice saying they are no longer done on their own but by whoever holds 劝返 now.
 */
function passedOn(v: CaseView, a: N.About, stored: DutyRow[]): string {
  const live = new Set(
    stored.filter((d) => d.status === 'open' || d.status === 'missed').map((d) => d.dutyId),
  );
  const settled = v.duties.filter(
    (d) => d.status === 'settled' && live.has(d.dutyId) && d.kind !== 'checkAttendance',
  );
  if (!settled.length) return '';
  const what = settled.map((d) => `「${DUTY[d.kind].label}」（${a.who(d.holders)}）`).join('、');
  const lead = v.duties.filter((d) => d.kind === 'persuade').flatMap((d) => d.holders);
  const by = lead.length ? `，由 ${a.who([...new Set(lead)])} 牵头` : '';
  return `原待办${what}不再单独办理，已转入劝返${by}。`;
}

function persuasionTeam(v: CaseView, everyone: string[]): string[] {
  const persuade = v.duties.filter((d) => d.kind === 'persuade').flatMap((d) => d.holders);
  return [...new Set([...persuade, ...everyone])];
}
