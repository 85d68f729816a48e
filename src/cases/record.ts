import type { ChatContext } from '../chat/command';
import type { CaseRow } from '../models/case';
import { DUTY } from '../domain/cases/duties';
import type { Duty } from '../domain/cases/derive';
import { formatDeadline } from '../lib/time';
import type { Fact } from '../domain/cases/facts';
import type { StudentDoc } from '../roster/directory';
import { addFact, factRow, insertFact, newCaseRow, type FactInput } from './store';
import { memo, prepareSync, syncCase, type Synced, type Tell } from './sync';
import { deliver } from './deliver';

type Stated = Omit<FactInput, 'actor' | 'channel' | 'at'> & { at?: Date };

/** A fact as the sender states it now: who, through which channel, when (unless it says). */
export function statedBy(ctx: ChatContext, fact: Stated): FactInput {
  return { actor: ctx.actor.userid, channel: ctx.channel, at: ctx.now, ...fact };
}

/** What an operation already read, handed to the sync so it is not read again (issue #11). */
export interface Known {
  student?: StudentDoc;
  /** The case's facts before this one, as `factsOf` reads them. */
  facts?: Fact[];
  /** Notices the operation adds (told in the same write, remembered in `notified`). */
  tell?: Tell;
  /** Loads an earlier sync of this operation made (school staff, names), shared. */
  seen?: Map<string, unknown>;
}

/**
 * The one sequence every case operation ends with: append the fact, re-derive the case, tell
 * whoever the change concerns. Returns the synced case for the reply.
 */
export async function record(
  ctx: ChatContext,
  c: CaseRow,
  fact: Stated,
  known: Known = {},
): Promise<Synced> {
  const f = await addFact(c, statedBy(ctx, fact));
  const seed = known.seen ?? new Map<string, unknown>();
  seed.set(`case:${c.caseId}`, c);
  if (known.student) seed.set(`student:${known.student.studentNo}`, known.student);
  if (known.facts) seed.set(`facts:${c.caseId}`, inOrder([...known.facts, f as unknown as Fact]));
  const synced = await syncCase(
    ctx.services,
    c.caseId,
    ctx.now,
    ctx.actor.userid,
    memo(seed),
    known.tell,
  );
  if (!synced) throw new Error(`case ${c.caseId} vanished`);
  return synced;
}

/**
 * A new case with its first fact in the fewest round trips (issue #11: 缺勤 ≤ 10): derived in
 * memory first, then the synced case row is inserted (the insert is the claim: one open case
 * per student), the fact, every notice in one outbox write, the duties in one bulkWrite.
 * Undefined, with nothing written, when the student has an open case already.
 */
export async function openWith(
  ctx: ChatContext,
  student: StudentDoc,
  fact: Stated,
  tell?: Tell,
  seed = new Map<string, unknown>(),
): Promise<Synced | undefined> {
  const row = newCaseRow(student, ctx.actor.userid, ctx.now);
  const f = factRow(row, statedBy(ctx, fact));
  seed.set(`case:${row.caseId}`, row);
  seed.set(`facts:${row.caseId}`, [f]);
  seed.set(`duties:${row.caseId}`, []);
  seed.set(`student:${student.studentNo}`, student);
  const p = await prepareSync(ctx.services, row.caseId, ctx.now, ctx.actor.userid, memo(seed));
  if (!p) throw new Error(`case ${row.caseId} vanished`);
  const extra = tell ? tell(p) : [];
  p.alsoNotified(extra.flatMap((n) => n.to));
  if (!(await p.create())) return undefined;
  await insertFact(f);
  await deliver(ctx.services, [...p.notices, ...extra]);
  await p.writeDuties();
  return p;
}

/** Facts in `factsOf`'s order (time, then id). */
function inOrder(facts: Fact[]): Fact[] {
  const key = (f: Fact) => f as unknown as { at: Date; factId: string };
  return [...facts].sort(
    (a, b) =>
      key(a).at.getTime() - key(b).at.getTime() || key(a).factId.localeCompare(key(b).factId),
  );
}

export async function resync(ctx: ChatContext, caseId: string): Promise<Synced> {
  const synced = await syncCase(ctx.services, caseId, ctx.now, ctx.actor.userid);
  if (!synced) throw new Error(`case ${caseId} vanished`);
  return synced;
}

/** "下一步：班主任家访（王芳）须在 12月1日 周二 18:00 前完成。" — each live duty once. */
export function nextSteps(s: Synced, viewer: string): string {
  const live = s.view.duties.filter((d) => d.status === 'open' || d.status === 'missed');
  if (!live.length) return '';
  const parts = live.map((d) => step(d, s.about.who, viewer));
  return `下一步：${[...new Set(parts)].join('；')}。`;
}

function step(d: Duty, who: (ids: string[]) => string, viewer: string): string {
  const holder = d.holders.includes(viewer) ? '您' : who(d.holders);
  const when = d.status === 'missed' ? '已逾期' : `须在 ${formatDeadline(d.dueAt)} 前完成`;
  return `${DUTY[d.kind].label}（${holder}）${when}`;
}
