import { randomBytes } from 'node:crypto';
import { Case, CaseFact, type CaseRow, type FactRow } from '../models/case';
import { isDuplicateKey } from '../db/connect';
import type { Fact } from '../domain/cases/facts';
import { placeOf, type Place, type StudentLike } from '../domain/roster';

/** Case persistence: facts are appended, never edited; the case row is the derived view. */
export function newCaseId(now: Date): string {
  return `C${now.toISOString().slice(0, 10).replaceAll('-', '')}${randomBytes(4).toString('hex')}`;
}

/** Time-ordered and unique, so facts recorded in one millisecond keep their order. */
let lastId = '';
export function newFactId(now: Date): string {
  let id = `F${now.getTime().toString(36).padStart(9, '0')}${randomBytes(3).toString('hex')}`;
  if (id <= lastId) id = `${lastId}0`;
  lastId = id;
  return id;
}

export async function openCaseOf(studentNo: string): Promise<CaseRow | null> {
  return Case.findOne({ studentNo, open: true }).lean();
}

export async function caseById(caseId: string): Promise<CaseRow | null> {
  return Case.findOne({ caseId }).lean();
}

/** A case as it is opened: at `gate`, nothing derived yet (the first sync fills the view). */
export function newCase(
  student: Pick<StudentLike, 'studentNo'> & Place,
  gate: CaseRow['gate'],
  actor: string,
  now: Date,
): CaseRow {
  return {
    caseId: newCaseId(now),
    studentNo: student.studentNo,
    ...placeOf(student),
    gate,
    open: true,
    openedAt: now,
    openedBy: actor,
    awayDays: 0,
    longAbsence: false,
    transferPending: false,
    moveCount: 0,
    notified: [],
    rev: 0,
  };
}

/**
 * The student's open case, or a new one. Two teachers reporting at the same moment make one
 * case: the partial unique index refuses the second insert and we return the first.
 */
export async function openOrCreateCase(
  student: StudentLike,
  actor: string,
  now: Date,
): Promise<{ row: CaseRow; created: boolean }> {
  const existing = await openCaseOf(student.studentNo);
  if (existing) return { row: existing, created: false };
  const row = newCase(student, 'tracking', actor, now);
  try {
    await Case.create(row);
    return { row, created: true };
  } catch (err) {
    if (!isDuplicateKey(err)) throw err;
    const other = await openCaseOf(student.studentNo);
    if (!other) throw err;
    return { row: other, created: false };
  }
}

/** A case row as opened at 缺勤跟踪, not yet written (`openWith` writes it in one go). */
export function newCaseRow(student: StudentLike, actor: string, now: Date): CaseRow {
  return newCase(student, 'tracking', actor, now);
}

/** A fact as an operation states it (ids, case and time are filled in here). */
export type FactInput = Omit<
  FactRow,
  'factId' | 'caseId' | 'studentNo' | 'schoolCode' | 'classId' | 'grade'
>;

export async function addFact(c: CaseRow, f: FactInput): Promise<FactRow> {
  const row = factRow(c, f);
  await CaseFact.create(row);
  return row;
}

/** A fact of the case, not yet written. */
export function factRow(c: CaseRow, f: FactInput): FactRow {
  return {
    factId: newFactId(f.at),
    caseId: c.caseId,
    studentNo: c.studentNo,
    ...placeOf(c),
    ...f,
  };
}

/** Writes a fact built by `factRow`. */
export async function insertFact(row: FactRow): Promise<void> {
  await CaseFact.create(row);
}

export async function factsOf(caseId: string): Promise<Fact[]> {
  const rows = await CaseFact.find({ caseId }).sort({ at: 1, factId: 1 }).lean();
  return rows.map((r) => r as unknown as Fact);
}

/** Facts of a case that still count (not withdrawn), optionally filtered. */
export async function standingFacts(
  caseId: string,
  filter: Partial<FactRow> = {},
): Promise<FactRow[]> {
  const rows = await CaseFact.find({ caseId, ...filter })
    .sort({ at: 1, factId: 1 })
    .lean();
  const withdrawn = await CaseFact.find({ caseId, type: 'withdraw' }).lean();
  const gone = new Set(withdrawn.map((f) => f.target));
  return rows.filter((f) => !gone.has(f.factId) && f.type !== 'withdraw');
}

/** Adds people told about the case outside a sync (they are told again when it ends). */
export async function remember(caseId: string, userids: string[]): Promise<void> {
  for (let i = 0; i < 5 && userids.length; i++) {
    const c = await Case.findOne({ caseId }).lean();
    if (!c) return;
    const merged = [...new Set([...c.notified, ...userids])];
    if (merged.length === c.notified.length) return;
    const r = await Case.updateOne(
      { caseId, rev: c.rev },
      { $set: { notified: merged, rev: c.rev + 1 } },
    );
    if (r.modifiedCount === 1) return;
  }
}
