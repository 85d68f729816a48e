import { ClassCount, type ClassCountRow } from '../models/class-count';
import { SchoolClass, Student, type StudentRow } from '../models/roster';
import { ENROLLMENT_STATUSES, type EnrollmentStatus, type Place } from '../domain/roster';

/** Classes per read of their students (~45 each) and per bulkWrite of their counters. */
const CHUNK = 100;

const zero = (p: Place): ClassCountRow => ({
  schoolCode: p.schoolCode,
  grade: p.grade,
  classId: p.classId,
  ...(Object.fromEntries(ENROLLMENT_STATUSES.map((s) => [s, 0])) as Record<
    EnrollmentStatus,
    number
  >),
  total: 0,
  atRisk: 0,
});

/** A counter field of a class row. */
export type Counter = EnrollmentStatus | 'total' | 'atRisk';

/**
 * The $group stage that sums some counters of class rows under `_id` (a field path such as
 * '$schoolCode', or a constant for one total): what 我的学生, 概况 and 巩固率 read instead of the
 * students.
 */
export function sumCounters(id: string, fields: readonly Counter[]) {
  return { $group: { _id: id, ...Object.fromEntries(fields.map((f) => [f, { $sum: `$${f}` }])) } };
}

/** The counters of some classes from their students (pure). */
export function tally(classes: Place[], students: StudentRow[]): ClassCountRow[] {
  const rows = new Map(classes.map((c) => [c.classId, zero(c)]));
  for (const s of students) {
    const known = rows.get(s.classId);
    // A class given by id alone takes its place fields from its students.
    const row = known?.schoolCode !== undefined ? known : { ...zero(s), ...counters(known) };
    row[s.status] = (row[s.status] ?? 0) + 1;
    row.total += 1;
    if (s.atRisk && s.status === 'enrolled') row.atRisk += 1;
    rows.set(s.classId, row);
  }
  return [...rows.values()];
}

/**
 * Recounts the per-class roster counters (`class_counts`) from the students themselves: of the
 * given classes, or of every class when none are given. Per 100 classes one read of their
 * students (a class is ~45) and one bulkWrite of upserts; a status change costs two round
 * trips. Called by every writer of students (import, 学籍变动, the at-risk register) after its
 * write; idempotent, so a crash in between is healed by the class's next write or by a recount.
 * (Not one grouped aggregate: the embedded server groups compound `_id` keys literally — see
 * tests/db-compat.) A class whose last student left keeps a row of zeros.
 */
export async function recountClasses(classIds?: string[]): Promise<number> {
  const places = classIds
    ? [...new Set(classIds)].map((classId) => ({ classId }) as Place)
    : await SchoolClass.find({}).lean();
  for (let i = 0; i < places.length; i += CHUNK) {
    const chunk = places.slice(i, i + CHUNK);
    const ids = chunk.map((c) => c.classId);
    const students = await Student.find({ classId: { $in: ids } }).lean();
    const rows = tally(chunk, students).filter((r) => r.schoolCode !== undefined);
    const emptied = ids.filter((id) => !rows.some((r) => r.classId === id));
    await ClassCount.bulkWrite(
      [
        ...rows.map((row) => ({
          updateOne: { filter: { classId: row.classId }, update: { $set: row }, upsert: true },
        })),
        // A class given by id alone whose students all left: its place fields stay as stored.
        ...emptied.map((classId) => ({
          updateOne: { filter: { classId }, update: { $set: counters(zero({} as Place)) } },
        })),
      ],
      { ordered: false },
    );
  }
  return places.length;
}

/** The counter fields alone. */
function counters(row?: ClassCountRow): Partial<ClassCountRow> {
  const rest: Partial<ClassCountRow> = { ...row };
  delete rest.schoolCode;
  delete rest.grade;
  delete rest.classId;
  return rest;
}

/**
 * Start-up: counts every class when there are students but no counters (a database from before
 * them, or a roster written outside Baoxue), before serving. When they are there, recounts them
 * all in the background once (a crash between a student write and its recount, or two writers
 * of one class at once, could leave a class off by one until its next write); a write racing
 * this recount is put right by its own recount. Returns the classes counted before serving.
 */
export async function ensureClassCounts(
  background: (p: Promise<unknown>) => unknown = (p) => p.catch(() => undefined),
) {
  if (!(await Student.findOne({}).lean())) return 0;
  if (!(await ClassCount.findOne({}).lean())) return recountClasses();
  background(recountClasses());
  return 0;
}
