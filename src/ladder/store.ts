import { randomBytes } from 'node:crypto';
import { Case, CaseEvent, Obligation, type CaseDoc, type ObligationDoc } from '../models/case';
import { transition, type CaseState, type Move } from '../domain/case-machine';
import type { StudentDoc } from '../roster/directory';
import type { Step } from '../domain/ladder';
import type { Services } from '../services';
import { isDuplicateKey } from '../db/connect';

/** Case persistence: every move is a guarded state change plus an appended event. */
export type Channel = 'wecom' | 'job' | 'cli' | 'sandbox';

export class MoveRefused extends Error {}

export function newCaseId(now: Date): string {
  return `C${now.toISOString().slice(0, 10).replaceAll('-', '')}${randomBytes(4).toString('hex')}`;
}

export async function openCaseOf(studentNo: string): Promise<CaseDoc | null> {
  return Case.findOne({ studentNo, open: true }).lean<CaseDoc>();
}

export async function getCase(caseId: string): Promise<CaseDoc | null> {
  return Case.findOne({ caseId }).lean<CaseDoc>();
}

/**
 * Creates the student's open case; when another report created one a moment earlier, the
 * partial unique index refuses ours and we return theirs (so two teachers make one case).
 */
export async function createCase(
  student: StudentDoc,
  state: CaseState,
  actor: string,
  now: Date,
  fields: Partial<CaseDoc> = {},
): Promise<{ doc: CaseDoc; created: boolean }> {
  const doc: CaseDoc = {
    caseId: newCaseId(now),
    studentNo: student.studentNo,
    schoolCode: student.schoolCode,
    classId: student.classId,
    state,
    open: true,
    rev: 0,
    openedAt: now,
    openedBy: actor,
    absentDays: [],
    halfDays: [],
    notified: [],
    checkIns: 0,
    ...fields,
  };
  try {
    await Case.create(doc);
    return { doc, created: true };
  } catch (err) {
    if (!isDuplicateKey(err)) throw err;
    const existing = await openCaseOf(student.studentNo);
    if (!existing) throw err;
    return { doc: existing, created: false };
  }
}

/**
 * Applies `change` to the latest version of the case, guarded by `rev`; retries on a
 * concurrent write. `move` (if any) must be allowed by the state machine.
 */
export async function updateCase(
  caseId: string,
  move: Move | undefined,
  change: (c: CaseDoc) => Partial<CaseDoc> | undefined,
): Promise<{ before: CaseDoc; after: CaseDoc } | undefined> {
  for (let attempt = 0; attempt < 10; attempt++) {
    const before = await getCase(caseId);
    if (!before) return undefined;
    let state = before.state;
    if (move) {
      const t = transition(before.state, move);
      if (!t.ok) throw new MoveRefused(t.reason);
      state = t.to;
    }
    const patch = change(before);
    if (patch === undefined) return undefined;
    const open = !['closed', 'cancelled'].includes(state);
    const set = {
      ...patch,
      state,
      open,
      rev: before.rev + 1,
      ...(open ? {} : { closedAt: patch.closedAt ?? new Date() }),
    };
    const res = await Case.updateOne({ caseId, rev: before.rev }, { $set: set });
    if (res.modifiedCount === 1) return { before, after: { ...before, ...set } as CaseDoc };
  }
  throw new Error(`case ${caseId}: too many concurrent updates`);
}

export async function addEvent(
  c: Pick<CaseDoc, 'caseId' | 'studentNo'>,
  e: {
    type: string;
    actor: string;
    channel: Channel;
    at: Date;
    from?: string;
    to?: string;
    detail?: string;
    day?: string;
  },
): Promise<void> {
  await CaseEvent.create({ caseId: c.caseId, studentNo: c.studentNo, ...e });
}

/** Creates the obligation (idempotent per case+step+window) and its reminder and deadline jobs. */
export async function createObligation(
  s: Services,
  o: Omit<ObligationDoc, 'status'>,
): Promise<boolean> {
  try {
    await Obligation.create({ ...o, status: 'open' });
  } catch (err) {
    if (isDuplicateKey(err)) return false;
    throw err;
  }
  if (o.remindAt && o.remindAt > s.clock.now())
    await s.scheduler.at('ladder.remind', o.key, o.remindAt);
  await s.scheduler.at('ladder.deadline', o.key, o.dueAt);
  return true;
}

/**
 * Closes open obligations (all, or of some steps) and cancels their jobs. `includeMissed`: a
 * late visit or persuasion also meets a duty that was already escalated. Returns them as they
 * were (so callers can tell a late one).
 */
export async function settleObligations(
  s: Services,
  caseId: string,
  status: 'met' | 'cancelled',
  by: string,
  now: Date,
  steps?: Step[],
  includeMissed = false,
): Promise<ObligationDoc[]> {
  const states: ObligationDoc['status'][] = includeMissed ? ['open', 'missed'] : ['open'];
  const open = (
    await Obligation.find({ caseId, status: { $in: states } }).lean<ObligationDoc[]>()
  ).filter((o) => !steps || steps.includes(o.step));
  for (const o of open) {
    await Obligation.updateOne(
      { key: o.key, status: o.status },
      { $set: { status, metBy: by, metAt: now } },
    );
    await s.scheduler.cancel('ladder.remind', o.key);
    await s.scheduler.cancel('ladder.deadline', o.key);
  }
  return open;
}

export function caseJobKey(caseId: string, ...parts: (string | number)[]): string {
  return [caseId, ...parts].join(':');
}
