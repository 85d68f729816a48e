import { LRUCache } from 'lru-cache';
import {
  Staff,
  Student,
  SchoolClass,
  School,
  type ClassRow,
  type StudentRow,
} from '../models/roster';
import {
  GRADE_LABEL,
  gradeLabel,
  ROLE_LABEL,
  type Role,
  type StaffLike,
  type StudentLike,
  type SchoolKind,
  type Place,
} from '../domain/roster';
import { chainFor, LEVELS, type Chain } from '../domain/chain';

/**
 * Read access to the roster for commands and jobs. Thin: the rules are in src/domain.
 * A student as read: the roster row itself (issue #8: named from the model, not restated).
 */
export type StudentDoc = StudentRow;

export async function findStaff(userid: string): Promise<StaffLike | null> {
  return Staff.findOne({ userid }).lean();
}

export async function staffNames(userids: string[]): Promise<Map<string, string>> {
  const rows = await Staff.find({ userid: { $in: userids } }).lean();
  return new Map(rows.map((r) => [r.userid, r.name]));
}

export async function findStudent(studentNo: string): Promise<StudentDoc | null> {
  return Student.findOne({ studentNo }).lean();
}

/** The staff of the student's school plus the bureau: enough to compute the chain. */
export async function chainOf(student: StudentLike): Promise<Chain> {
  return chainFor(student, await chainStaff(student));
}

/**
 * The staff a student's chain can name (chainFor picks from them): the class's teachers, the
 * school's leaders (grade leaders of every grade, a handful) and the bureau — not the school's
 * whole staff (issue #11: a report reads what its reply and pushes need). Each branch starts
 * an index: roles.classId, roles.schoolCode, roles.role.
 */
export async function chainStaff(p: Place): Promise<StaffLike[]> {
  return Staff.find({
    $or: [
      { 'roles.classId': p.classId },
      { 'roles.schoolCode': p.schoolCode, 'roles.role': { $in: [...SCHOOL_LEADERS] } },
      { 'roles.role': 'bureau' as const },
    ],
  }).lean();
}
const SCHOOL_LEADERS = ['gradeLeader', 'deputy', 'principal'] as const;

/** The staff of a school plus the bureau: enough to compute any of its students' chains. */
export async function schoolStaff(schoolCode: string): Promise<StaffLike[]> {
  return Staff.find({
    $or: [{ 'roles.schoolCode': schoolCode }, { 'roles.role': 'bureau' as const }],
  }).lean();
}

/**
 * School and class names change only with a roster import: a small, bounded cache with a short
 * life keeps them off every reply's round trips (issue #11 item 3). Misses are read together,
 * one find per kind.
 */
const SCHOOLS = new LRUCache<string, string>({ max: 5000, ttl: 60_000 });
const CLASSES = new LRUCache<string, ClassRow>({ max: 5000, ttl: 60_000 });
const STAFF_NAMES = new LRUCache<string, string>({ max: 10_000, ttl: 60_000 });

async function cached<V extends object | string>(
  cache: LRUCache<string, V>,
  ids: string[],
  load: (missing: string[]) => Promise<[string, V][]>,
): Promise<Map<string, V>> {
  const out = new Map<string, V>();
  const missing: string[] = [];
  for (const id of new Set(ids)) {
    const hit = cache.get(id);
    if (hit === undefined) missing.push(id);
    else out.set(id, hit);
  }
  if (missing.length)
    for (const [id, v] of await load(missing)) {
      cache.set(id, v);
      out.set(id, v);
    }
  return out;
}

/**
 * Staff names by userid for display in lists (逾期's 责任人), from the same minute-long cache
 * policy as school and class names; routing and authorization never read it.
 */
export async function staffNamesShown(userids: string[]): Promise<Map<string, string>> {
  return cached(STAFF_NAMES, userids, async (ids) => [...(await staffNames(ids))]);
}

/** Class rows (name, school) by classId (cached); an unknown class is absent from the map. */
export async function classRows(classIds: string[]): Promise<Map<string, ClassRow>> {
  return cached(CLASSES, classIds, async (ids) =>
    (await SchoolClass.find({ classId: { $in: ids } }).lean()).map((c) => [c.classId, c]),
  );
}

/** Class names by classId (cached); an unknown class is absent from the map. */
export async function classNames(classIds: string[]): Promise<Map<string, string>> {
  const rows = await classRows(classIds);
  return new Map([...rows].map(([id, c]) => [id, c.name]));
}

/** School names by code (cached); an unknown school is absent from the map. */
export async function schoolNames(codes: string[]): Promise<Map<string, string>> {
  return cached(SCHOOLS, codes, async (ids) =>
    (await School.find({ code: { $in: ids } }).lean()).map((x) => [x.code, x.name]),
  );
}

/** The kinds (小学/初中/九年一贯) of these schools. */
export async function schoolKinds(codes: string[]): Promise<SchoolKind[]> {
  if (!codes.length) return [];
  const rows = await School.find({ code: { $in: codes } }).lean();
  return [...new Set(rows.map((r) => r.kind))];
}

export async function className(classId: string): Promise<string> {
  return (await classNames([classId])).get(classId) ?? classId;
}

export async function schoolName(code: string): Promise<string> {
  return (await schoolNames([code])).get(code) ?? code;
}

/**
 * The staff of a school for display only (the chain's names on 查): cached like the names, so a
 * card shows a roster change up to a minute late. Routing (duties, notices) reads schoolStaff.
 */
const SHOWN_STAFF = new LRUCache<string, StaffLike[]>({ max: 500, ttl: 60_000 });

export async function schoolStaffShown(schoolCode: string): Promise<StaffLike[]> {
  const hit = SHOWN_STAFF.get(schoolCode);
  if (hit) return hit;
  const staff = await schoolStaff(schoolCode);
  SHOWN_STAFF.set(schoolCode, staff);
  return staff;
}

const owns = (r: Role) => (r.students?.length ? `（包保 ${r.students.length} 名学生）` : '');

export function describeRole(
  r: Role,
  classNames: Map<string, string>,
  schoolNames: Map<string, string>,
): string {
  const school = r.schoolCode ? (schoolNames.get(r.schoolCode) ?? r.schoolCode) : '';
  const cls = r.classId ? (classNames.get(r.classId) ?? r.classId) : '';
  switch (r.role) {
    case 'principal':
      return `${school} 校长`;
    case 'deputy':
      return `${school} 分管领导（控辍保学）`;
    case 'gradeLeader':
      return `${school} ${gradeLabel(r.grade ?? 0)} ${ROLE_LABEL.gradeLeader}`;
    case 'headTeacher':
      return `${school} ${cls} 班主任`;
    case 'subjectTeacher':
      return `${school} ${cls} ${r.subject ?? ''}科任教师${owns(r)}`;
    case 'bureau':
      return '区教体局';
  }
}

export async function namesFor(
  roles: Role[],
): Promise<{ classes: Map<string, string>; schools: Map<string, string> }> {
  const classIds = roles.map((r) => r.classId).filter(Boolean) as string[];
  const codes = roles.map((r) => r.schoolCode).filter(Boolean) as string[];
  const [classes, schools] = await Promise.all([classNames(classIds), schoolNames(codes)]);
  return { classes, schools };
}

/** The principals and deputies of these schools (school-level notices go to them). */
export async function schoolLeaders(codes: string[]): Promise<StaffLike[]> {
  const role = { $in: ['principal', 'deputy'] };
  return Staff.find({ roles: { $elemMatch: { role, schoolCode: { $in: codes } } } }).lean();
}

export async function bureauStaff(): Promise<string[]> {
  return (await Staff.find({ 'roles.role': 'bureau' }).lean()).map((p) => p.userid);
}

/** A staff member of this school by name (帮扶 names the mentor teacher). */
export async function staffByName(schoolCode: string, name: string): Promise<StaffLike | null> {
  return Staff.findOne({ name, 'roles.schoolCode': schoolCode }).lean();
}

/**
 * The sender's scope as a query filter on anything carrying schoolCode / grade / classId
 * (students, cases, duties), so counts run in the database instead of over a loaded roster.
 * `undefined` means nothing; `{}` the whole district.
 */
export function scopeFilter(staff: StaffLike): Record<string, unknown> | undefined {
  const or: Record<string, unknown>[] = [];
  for (const r of staff.roles) {
    if (r.role === 'bureau') return {};
    if (r.role === 'subjectTeacher' || r.role === 'headTeacher') or.push({ classId: r.classId });
    else if (r.role === 'gradeLeader') or.push({ schoolCode: r.schoolCode, grade: r.grade });
    else or.push({ schoolCode: r.schoolCode });
  }
  return or.length ? { $or: or } : undefined;
}

/** Whether the sender's scope spans several schools (the bureau, or roles in two schools):
 * counts are then shown per school rather than per class. */
export function spansSchools(staff: StaffLike): boolean {
  if (staff.roles.some((r) => r.role === 'bureau')) return true;
  return new Set(staff.roles.map((r) => r.schoolCode)).size > 1;
}

/** How the scope is named in a heading: 全区, a school, a grade, a class. */
export async function scopeLabel(staff: StaffLike): Promise<string> {
  if (staff.roles.some((r) => r.role === 'bureau')) return '全区';
  const top = [...staff.roles].sort((a, b) => LEVELS.indexOf(b.role) - LEVELS.indexOf(a.role))[0];
  if (!top) return '';
  const school = top.schoolCode ? await schoolName(top.schoolCode) : '';
  if (top.role === 'principal' || top.role === 'deputy') return school;
  if (top.role === 'gradeLeader') return `${school} ${GRADE_LABEL[top.grade ?? 0] ?? ''}`;
  return `${school} ${top.classId ? await className(top.classId) : ''}`;
}

/**
 * How students are named to readers: with the 学籍号 tail whenever a namesake exists in the same
 * school, so a reply never leaves room for the wrong child (issue #9).
 */
export async function displayNames(
  students: Pick<StudentLike, 'studentNo' | 'name' | 'schoolCode'>[],
): Promise<Map<string, string>> {
  const schools = [...new Set(students.map((s) => s.schoolCode))];
  if (!schools.length) return new Map();
  // Namesakes counted per school in the database, one $group per school joined by $unionWith,
  // each under its own accumulator (n0, n1…): one row per listed name and school, never the
  // namesakes themselves (issue #11; the embedded server cannot group by two fields).
  const per = schools.map((code, i) => [
    {
      $match: {
        schoolCode: code,
        name: {
          $in: [...new Set(students.filter((s) => s.schoolCode === code).map((s) => s.name))],
        },
      },
    },
    { $group: { _id: '$name', [`n${i}`]: { $sum: 1 } } },
  ]);
  const [first, ...rest] = per;
  const rows = await Student.aggregate<Record<string, number> & { _id: string }>([
    ...first,
    ...rest.map((pipeline) => ({
      $unionWith: { coll: Student.collection.collectionName, pipeline },
    })),
  ]);
  const count = (s: Pick<StudentLike, 'name' | 'schoolCode'>) => {
    const field = `n${schools.indexOf(s.schoolCode)}`;
    return rows.find((r) => r._id === s.name && r[field] !== undefined)?.[field] ?? 0;
  };
  return new Map(
    students.map((s) => [
      s.studentNo,
      count(s) > 1 ? `${s.name}（尾号${s.studentNo.slice(-4)}）` : s.name,
    ]),
  );
}

/** The students of these classes (a class is small: 报到 全班 reads one class, not the school). */
export async function classRoster(classIds: string[]): Promise<StudentDoc[]> {
  return Student.find({ classId: { $in: classIds } }).lean();
}
