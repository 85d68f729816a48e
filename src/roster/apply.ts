import type { AnyBulkWriteOperation, Collection, Document } from 'mongodb';
import { School, SchoolClass, Staff, Student, type StudentRow } from '../models/roster';
import { EnrollmentChange, type ChangeInput } from '../models/enrollment-change';
import type { PiiCipher } from '../lib/pii';
import type { RosterData, StudentData } from './validate';
import { SHEETS } from './sheets';
import { recountClasses } from './counts';
import { renameInViews } from './rename';

export { exportRows } from './export-rows';

/** What an import changed, per kind: created, updated (with the fields), unchanged. */
export interface ImportReport {
  created: Record<string, number>;
  updated: Record<string, { key: string; fields: string[] }[]>;
  unchanged: Record<string, number>;
  /** Students in the database but not in the file (left as they are, reported). */
  notInFile: number;
}

export interface ImportMeta {
  actor: string;
  channel: 'cli' | 'sandbox';
  at: Date;
}

type Progress = (done: number, total: number) => void;
type Plain = Record<string, unknown>;

/** Rows per insertMany / bulkWrite: a handful of round trips for a whole county. */
export const BATCH_SIZE = 1000;

function diff(before: Plain, after: Plain): string[] {
  return Object.keys(after).filter(
    (k) => JSON.stringify(before[k] ?? null) !== JSON.stringify(after[k] ?? null),
  );
}

/** The writes one kind needs: new rows, changed rows (with what changed), and a tally. */
interface Plan {
  kind: string;
  keyField: string;
  inserts: Plain[];
  updates: { key: string; fields: string[]; set: Plain }[];
  unchanged: number;
}

function planKind<T>(
  kind: string,
  keyField: string,
  rows: T[],
  existing: Map<string, Plain>,
  shape: (row: T) => { compare: Plain; write: () => Plain },
): Plan {
  const plan: Plan = { kind, keyField, inserts: [], updates: [], unchanged: 0 };
  for (const row of rows) {
    const key = String((row as Plain)[keyField]);
    const before = existing.get(key);
    const { compare, write } = shape(row);
    if (!before) {
      plan.inserts.push(write());
      continue;
    }
    const fields = diff(before, compare);
    if (fields.length) plan.updates.push({ key, fields, set: write() });
    else plan.unchanged++;
  }
  return plan;
}

/** insertMany (unordered) and bulkWrite updateOne, in batches; reports progress per batch. */
async function writePlan(
  collection: Collection<Document>,
  plan: Plan,
  report: ImportReport,
  tick: (n: number) => void,
): Promise<void> {
  for (let i = 0; i < plan.inserts.length; i += BATCH_SIZE) {
    const batch = plan.inserts.slice(i, i + BATCH_SIZE);
    await collection.insertMany(batch, { ordered: false });
    tick(batch.length);
  }
  for (let i = 0; i < plan.updates.length; i += BATCH_SIZE) {
    const batch = plan.updates.slice(i, i + BATCH_SIZE);
    const ops: AnyBulkWriteOperation<Document>[] = batch.map((u) => ({
      updateOne: { filter: { [plan.keyField]: u.key }, update: { $set: u.set } },
    }));
    await collection.bulkWrite(ops, { ordered: false });
    tick(batch.length);
  }
  if (plan.inserts.length) report.created[plan.kind] = plan.inserts.length;
  if (plan.updates.length)
    report.updated[plan.kind] = plan.updates.map(({ key, fields }) => ({ key, fields }));
  if (plan.unchanged) report.unchanged[plan.kind] = plan.unchanged;
  tick(plan.unchanged);
}

const byKey = <T>(rows: T[], key: keyof T) =>
  new Map(rows.map((r) => [String(r[key]), r as unknown as Plain]));

/**
 * The students already stored that this file touches: those of the file's schools (one
 * query) and, when other schools have students, any of the file's students among them (a
 * student who moved school), by 学籍号 in batches.
 */
async function existingStudents(data: RosterData): Promise<{ rows: StudentRow[]; total: number }> {
  const schools = [...new Set(data.students.map((s) => s.schoolCode))];
  const rows = await Student.find({ schoolCode: { $in: schools } }).lean();
  const total = await Student.countDocuments({});
  if (total === rows.length) return { rows, total };
  const found = new Set(rows.map((r) => r.studentNo));
  const missing = data.students.map((s) => s.studentNo).filter((n) => !found.has(n));
  for (let i = 0; i < missing.length; i += BATCH_SIZE) {
    const nos = missing.slice(i, i + BATCH_SIZE);
    rows.push(...(await Student.find({ studentNo: { $in: nos } }).lean()));
  }
  return { rows, total };
}

/** 学籍变动 an import implies: new students of a school that had a roll, moves, status changes. */
function changesFor(
  s: StudentData,
  before: StudentRow | undefined,
  baseline: Set<string>,
  meta: ImportMeta,
): ChangeInput[] {
  const base = { studentNo: s.studentNo, ...meta };
  if (!before) {
    if (!baseline.has(s.schoolCode)) return [];
    return [
      { ...base, schoolCode: s.schoolCode, from: 'new', to: s.status, detail: '花名册导入新增' },
    ];
  }
  if (before.schoolCode !== s.schoolCode)
    return [
      {
        ...base,
        schoolCode: before.schoolCode,
        from: before.status,
        to: 'transferredInDistrict',
        destination: s.schoolCode,
        detail: '花名册导入：转到区内其他学校',
      },
      {
        ...base,
        schoolCode: s.schoolCode,
        from: 'new',
        to: s.status,
        detail: `花名册导入：从 ${before.schoolCode} 转入`,
      },
    ];
  if (before.status !== s.status)
    return [
      {
        ...base,
        schoolCode: s.schoolCode,
        from: before.status,
        to: s.status,
        detail: '花名册导入',
      },
    ];
  return [];
}

/** A stored student as the file states it: guardians' phones and address decrypted. */
function opened(pii: PiiCipher, b: StudentRow): Plain {
  return {
    ...b,
    guardians: b.guardians.map((g) => ({
      name: g.name,
      relation: g.relation,
      phone: pii.open(g.phoneSealed),
    })),
    address: b.addressSealed ? pii.open(b.addressSealed) : '',
    atRiskLeader: b.atRiskLeader ?? null,
  };
}

/** Students are compared decrypted (a fresh IV would look like a change) and sealed to write. */
function studentShape(pii: PiiCipher) {
  return (s: StudentData) => ({
    compare: { ...s, atRiskLeader: s.atRiskLeader ?? null } as Plain,
    write: () => {
      const { address, ...rest } = s;
      return {
        ...rest,
        atRiskLeader: s.atRiskLeader ?? null,
        guardians: s.guardians.map((g) => ({
          name: g.name,
          relation: g.relation,
          phoneSealed: pii.seal(g.phone),
        })),
        addressSealed: pii.seal(address),
      } as Plain;
    },
  });
}

const same = <T>(row: T) => ({ compare: row as Plain, write: () => row as Plain });
const staffShape = (p: RosterData['staff'][number]) => {
  const roles = p.roles.map((r) =>
    Object.fromEntries(Object.entries(r).filter(([, v]) => v !== undefined)),
  );
  return same({ ...p, roles });
};

/**
 * Writes the validated roster in batches: reads what exists with a few queries, compares in
 * memory, then inserts new rows and updates changed ones with insertMany / bulkWrite.
 * Idempotent: re-importing the same data writes nothing.
 */
export async function applyRoster(
  data: RosterData,
  pii: PiiCipher,
  onProgress: Progress = () => {},
  meta: ImportMeta = { actor: 'import', channel: 'cli', at: new Date() },
): Promise<ImportReport> {
  const report: ImportReport = { created: {}, updated: {}, unchanged: {}, notInFile: 0 };
  const total =
    data.schools.length + data.classes.length + data.staff.length + data.students.length;
  let done = 0;
  const tick = (n: number) => n && onProgress((done += n), total);
  const codes = data.schools.map((s) => s.code);
  const [schools, classes, staff, students] = await Promise.all([
    School.find({ code: { $in: codes } }).lean(),
    SchoolClass.find({ schoolCode: { $in: codes } }).lean(),
    Staff.find({}).lean(),
    existingStudents(data),
  ]);
  const before = new Map(students.rows.map((s) => [s.studentNo, s]));
  const baseline = new Set(students.rows.map((s) => s.schoolCode));
  const changes = data.students.flatMap((s) =>
    changesFor(s, before.get(s.studentNo), baseline, meta),
  );
  const plans = [
    planKind('学校', 'code', data.schools, byKey(schools, 'code'), same),
    planKind('班级', 'classId', data.classes, byKey(classes, 'classId'), same),
    planKind('教职工', 'userid', data.staff, byKey(staff, 'userid'), staffShape),
    planKind(
      '学生',
      'studentNo',
      data.students,
      new Map(students.rows.map((s) => [s.studentNo, opened(pii, s)])),
      studentShape(pii),
    ),
  ];
  const models = [School, SchoolClass, Staff, Student];
  for (const [i, plan] of plans.entries())
    await writePlan(models[i].collection as unknown as Collection<Document>, plan, report, tick);
  for (let i = 0; i < changes.length; i += BATCH_SIZE)
    await EnrollmentChange.insertMany(changes.slice(i, i + BATCH_SIZE), { ordered: false });
  // The per-class counters of every class a written student left or joined.
  const written = plans[3];
  const touched = [
    ...written.inserts.map((r) => r.classId),
    ...written.updates.flatMap((u) => [u.set.classId, before.get(u.key)?.classId]),
  ];
  if (touched.length) await recountClasses(touched.filter(isString));
  const renamed = written.updates.filter((u) => u.fields.includes('name'));
  await renameInViews(renamed.map((u) => ({ studentNo: u.key, name: String(u.set.name) })));
  report.notInFile = students.total - data.students.filter((s) => before.has(s.studentNo)).length;
  return report;
}

const isString = (x: unknown): x is string => typeof x === 'string';

export { SHEETS };
