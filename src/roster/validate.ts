import {
  classIdOf,
  GRADE_LABEL,
  gradeLabel,
  ROLE_LABEL,
  type Role,
  type SchoolKind,
  type StaffLike,
} from '../domain/roster';
import { chainFor } from '../domain/chain';
import type { ClassRow, SchoolRow, StudentBase } from '../models/roster';
import {
  ALLOWED,
  ROLE_WORDS,
  SCHOOL_KINDS,
  SHEETS,
  STATUS_WORDS,
  type RawRow,
  type RawWorkbook,
  type SheetKey,
} from './sheets';
import {
  halfWidth,
  normDate,
  normInt,
  normPhone,
  normStudentNo,
  normYesNo,
  studentNoProblem,
} from './normalize';

/** Everything the import writes, already validated. Personal data is still plaintext here. */
export interface RosterData {
  schools: SchoolRow[];
  classes: ClassRow[];
  staff: StaffLike[];
  students: StudentData[];
}

/** A student as imported: the roster row's fields, guardians' phones and address in plaintext. */
export interface StudentData extends StudentBase {
  guardians: { name: string; relation: string; phone: string }[];
  address: string;
  atRisk: boolean;
  atRiskLeader?: string;
}

export interface RowError {
  sheet: string;
  row: number;
  message: string;
}

export interface Validation {
  data: RosterData;
  /** Every problem of every row (a row with three mistakes has three entries). */
  errors: RowError[];
  /** Missing links in the chain of responsibility: imported, but someone should fix them. */
  warnings: string[];
}

const USERID = /^[A-Za-z0-9_.@-]{1,64}$/;
const GRADES: Record<SchoolKind, [number, number]> = {
  primary: [1, 6],
  junior: [7, 9],
  nineYear: [1, 9],
};
const oneOf = (column: string) => (ALLOWED[column] ?? []).join('、');

/** One row's problems, collected so that every mistake is reported in one run. */
class RowCheck {
  readonly problems: string[] = [];
  constructor(
    readonly sheet: SheetKey,
    readonly row: number,
    readonly v: Record<string, string>,
  ) {}
  add(message: string): void {
    this.problems.push(message);
  }
  get ok(): boolean {
    return this.problems.length === 0;
  }
  /** A cell as typed, trimmed (names and free text keep their characters). */
  text(column: string): string {
    return (this.v[column] ?? '').trim();
  }
  /** A code-like cell: half-width, no inner spaces. */
  code(column: string): string {
    return halfWidth(this.v[column]).replace(/\s+/g, '');
  }
}

/** What the sheets declare (valid or not) and what passed, so references resolve precisely. */
interface Ctx {
  errors: RowError[];
  data: RosterData;
  schools: Map<string, SchoolKind | undefined>;
  validSchools: Set<string>;
  classes: Set<string>;
  validClasses: Set<string>;
  staffRows: Map<string, boolean>;
  staff: Map<string, StaffLike>;
  studentNos: Set<string>;
}

function finish(ctx: Ctx, r: RowCheck): boolean {
  for (const message of r.problems)
    ctx.errors.push({ sheet: SHEETS[r.sheet].title, row: r.row, message });
  return r.ok;
}

function checkSchools(rows: RawRow[], ctx: Ctx): void {
  for (const { row, values } of rows) {
    const r = new RowCheck('schools', row, values);
    const code = r.code('学校代码');
    const name = r.text('学校名称');
    const kind = SCHOOL_KINDS[r.text('学段')];
    if (!code) r.add('缺少学校代码');
    else if (ctx.schools.has(code)) r.add(`学校代码 ${code} 重复`);
    if (!name) r.add('缺少学校名称');
    if (!kind) r.add(`学段「${r.text('学段')}」不对，应为 ${oneOf('学段')}`);
    if (code && !ctx.schools.has(code)) ctx.schools.set(code, kind);
    if (!finish(ctx, r)) continue;
    ctx.validSchools.add(code);
    ctx.data.schools.push({ code, name, kind });
  }
}

/** Checks that a school code names a valid school; reports why not. */
function schoolRef(r: RowCheck, ctx: Ctx): string | undefined {
  const code = r.code('学校代码');
  if (!code || !ctx.schools.has(code)) {
    r.add(`学校代码「${code}」不在「学校」表中`);
    return undefined;
  }
  if (!ctx.validSchools.has(code)) r.add(`学校 ${code} 那一行有错误，本行随之不能导入`);
  return code;
}

function checkClasses(rows: RawRow[], ctx: Ctx): void {
  for (const { row, values } of rows) {
    const r = new RowCheck('classes', row, values);
    const school = schoolRef(r, ctx);
    const grade = normInt(values['年级']);
    const no = normInt(values['班号']);
    const [lo, hi] = GRADES[(school && ctx.schools.get(school)) || 'nineYear'];
    if (!grade || grade < lo || grade > hi)
      r.add(`年级「${r.text('年级')}」不对，应为 ${lo} 到 ${hi} 的数字`);
    if (!no || no > 99) r.add(`班号「${r.text('班号')}」不对，应为 1 到 99 的数字`);
    if (!school || !grade || !no) {
      finish(ctx, r);
      continue;
    }
    const classId = classIdOf(school, grade, no);
    const label = `${gradeLabel(grade)}${no}班`;
    if (ctx.classes.has(classId)) r.add(`${label} 重复`);
    ctx.classes.add(classId);
    if (!finish(ctx, r)) continue;
    ctx.validClasses.add(classId);
    const name = r.text('班级名称') || label;
    ctx.data.classes.push({ classId, schoolCode: school, grade, classNo: no, name });
  }
}

/** The class named by 学校代码 + 年级 + 班号; reports what is wrong. */
function classRef(r: RowCheck, ctx: Ctx): string | undefined {
  const school = r.code('学校代码');
  const grade = normInt(r.v['年级']);
  const no = normInt(r.v['班号']);
  if (!school || !grade || !no) {
    r.add('需要学校代码、年级和班号');
    return undefined;
  }
  const id = classIdOf(school, grade, no);
  const label = `${school} ${gradeLabel(grade)}${no}班`;
  if (!ctx.classes.has(id)) {
    r.add(`班级 ${label} 不存在（请先在「班级」表中添加）`);
    return undefined;
  }
  if (!ctx.validClasses.has(id)) r.add(`班级 ${label} 那一行有错误，本行随之不能导入`);
  return id;
}

/** The role one 教职工 row gives (undefined for 科任教师, whose classes are in 任课). */
function staffRole(r: RowCheck, ctx: Ctx, role: Role['role']): Role | undefined {
  if (role === 'bureau' || role === 'subjectTeacher')
    return role === 'bureau' ? { role } : undefined;
  const school = schoolRef(r, ctx);
  if (!school) return undefined;
  if (role === 'principal' || role === 'deputy') return { role, schoolCode: school };
  if (role === 'gradeLeader') {
    const grade = normInt(r.v['年级']);
    if (!grade || grade > 9) {
      r.add('中层领导需要填写所包的年级（1 到 9）');
      return undefined;
    }
    return { role, schoolCode: school, grade };
  }
  const classId = classRef(r, ctx);
  return classId ? { role, schoolCode: school, grade: normInt(r.v['年级'])!, classId } : undefined;
}

function checkStaff(rows: RawRow[], ctx: Ctx): void {
  for (const { row, values } of rows) {
    const r = new RowCheck('staff', row, values);
    const userid = r.code('企业微信账号');
    const name = r.text('姓名');
    const role = ROLE_WORDS[r.text('角色')];
    if (!USERID.test(userid))
      r.add(`企业微信账号「${userid}」不对（字母、数字、下划线、点、@ 或 -）`);
    if (!name) r.add('缺少姓名');
    if (!role) r.add(`角色「${r.text('角色')}」不对，应为 ${oneOf('角色')}`);
    const existing = ctx.staff.get(userid);
    if (existing && name && existing.name !== name)
      r.add(`账号 ${userid} 已对应姓名「${existing.name}」，与「${name}」不一致`);
    const given = role ? staffRole(r, ctx, role) : undefined;
    if (userid) ctx.staffRows.set(userid, (ctx.staffRows.get(userid) ?? true) && r.ok);
    if (!finish(ctx, r)) continue;
    const person = existing ?? { userid, name, roles: [] };
    if (given) person.roles.push(given);
    ctx.staff.set(userid, person);
  }
}

/** A userid column that must name someone in 教职工. */
function staffRef(r: RowCheck, ctx: Ctx, column: string, label: string): string | undefined {
  const userid = r.code(column);
  if (!userid) return undefined;
  if (!ctx.staffRows.has(userid))
    r.add(`${label}「${userid}」不在「教职工」表中（请先添加这位老师）`);
  else if (!ctx.staff.has(userid)) r.add(`${label} ${userid} 在「教职工」表中的行有错误`);
  return userid;
}

interface PendingSubject {
  check: RowCheck;
  userid: string;
  role: Role;
  students: string[];
}

function checkSubjects(rows: RawRow[], ctx: Ctx): PendingSubject[] {
  const pending: PendingSubject[] = [];
  for (const { row, values } of rows) {
    const r = new RowCheck('subjects', row, values);
    const userid = staffRef(r, ctx, '企业微信账号', '账号');
    if (!userid) r.add('缺少企业微信账号');
    const classId = classRef(r, ctx);
    const students = (values['包保学生学籍号'] ?? '')
      .split(/[、,，;；\s]+/)
      .map(normStudentNo)
      .filter(Boolean);
    if (!userid || !classId) {
      finish(ctx, r);
      continue;
    }
    const role: Role = {
      role: 'subjectTeacher',
      schoolCode: r.code('学校代码'),
      grade: normInt(values['年级'])!,
      classId,
      subject: r.text('科目') || undefined,
      ...(students.length ? { students } : {}),
    };
    pending.push({ check: r, userid, role, students });
  }
  return pending;
}

/** The subject rows, once the students are known (包学生 must name students of the file). */
function settleSubjects(pending: PendingSubject[], ctx: Ctx): void {
  const valid = new Set(ctx.data.students.map((s) => s.studentNo));
  for (const p of pending) {
    const unknown = p.students.filter((s) => !ctx.studentNos.has(s));
    if (unknown.length) p.check.add(`包保学生学籍号 ${unknown.join('、')} 不在「学生」表中`);
    const broken = p.students.filter((s) => ctx.studentNos.has(s) && !valid.has(s));
    if (broken.length) p.check.add(`包保学生 ${broken.join('、')} 在「学生」表中的行有错误`);
    if (finish(ctx, p.check)) ctx.staff.get(p.userid)?.roles.push(p.role);
  }
}

type Guardian = StudentData['guardians'][number];

function guardiansOf(r: RowCheck): Guardian[] {
  const out: Guardian[] = [];
  for (const p of ['', '2']) {
    const name = r.text(`监护人${p}姓名`);
    const typed = r.text(`监护人${p}电话`);
    if (!name && !typed) continue;
    const phone = normPhone(typed);
    if (!name) r.add(`监护人${p}电话已填，但缺少监护人${p}姓名`);
    if (!typed) r.add(`监护人${p}姓名已填，但缺少监护人${p}电话`);
    else if (!phone)
      r.add(`监护人${p}电话「${typed}」格式不对（手机 11 位，或带区号的座机，如 0798-8221234）`);
    if (name && phone) out.push({ name, relation: r.text(`监护人${p}关系`) || '监护人', phone });
  }
  if (r.ok && !out.length) r.add('至少需要一位监护人（姓名和电话）');
  return out;
}

function studentNoOf(r: RowCheck, ctx: Ctx, firstRow: Map<string, number>): string {
  const no = normStudentNo(r.v['学籍号']);
  const problem = no ? studentNoProblem(no, r.text('学籍号')) : '缺少学籍号';
  if (problem) r.add(problem);
  else if (firstRow.has(no)) r.add(`学籍号 ${no} 重复（第 ${firstRow.get(no)} 行已有）`);
  else firstRow.set(no, r.row);
  if (no) ctx.studentNos.add(no);
  return no;
}

function checkStudent(r: RowCheck, ctx: Ctx, firstRow: Map<string, number>): void {
  const studentNo = studentNoOf(r, ctx, firstRow);
  const name = r.text('姓名');
  if (!name) r.add('缺少姓名');
  const gender = r.text('性别');
  if (gender !== '男' && gender !== '女') r.add(`性别「${gender}」应为 男 或 女`);
  const birthDate = normDate(r.v['出生日期']);
  if (!birthDate)
    r.add(`出生日期「${r.text('出生日期')}」不对，应为日期，如 2015-03-01 或 2015/3/1`);
  const classId = classRef(r, ctx);
  const status = STATUS_WORDS[r.text('学籍状态') || '在读'];
  if (!status) r.add(`学籍状态「${r.text('学籍状态')}」不对，应为 ${oneOf('学籍状态')}`);
  const atRisk = normYesNo(r.v['易辍对象']);
  if (atRisk === undefined) r.add(`易辍对象「${r.text('易辍对象')}」应为 是 或 否`);
  const leader = staffRef(r, ctx, '包保领导账号', '包保领导账号');
  const guardians = guardiansOf(r);
  if (!finish(ctx, r)) return;
  ctx.data.students.push({
    studentNo,
    name,
    gender: gender as '男' | '女',
    birthDate: birthDate!,
    schoolCode: r.code('学校代码'),
    grade: normInt(r.v['年级'])!,
    classId: classId!,
    status,
    guardians,
    address: r.text('家庭住址'),
    atRisk: atRisk!,
    ...(leader ? { atRiskLeader: leader } : {}),
  });
}

/** Checks every row and reports every problem of each; pure (no I/O). Bad rows are left out. */
export function validateRoster(wb: RawWorkbook): Validation {
  const ctx: Ctx = {
    errors: [],
    data: { schools: [], classes: [], staff: [], students: [] },
    schools: new Map(),
    validSchools: new Set(),
    classes: new Set(),
    validClasses: new Set(),
    staffRows: new Map(),
    staff: new Map(),
    studentNos: new Set(),
  };
  checkSchools(wb.schools ?? [], ctx);
  checkClasses(wb.classes ?? [], ctx);
  checkStaff(wb.staff ?? [], ctx);
  const pending = checkSubjects(wb.subjects ?? [], ctx);
  const firstRow = new Map<string, number>();
  for (const { row, values } of wb.students ?? [])
    checkStudent(new RowCheck('students', row, values), ctx, firstRow);
  settleSubjects(pending, ctx);
  ctx.data.staff = [...ctx.staff.values()];
  const order = Object.values(SHEETS).map((s) => s.title as string);
  ctx.errors.sort((a, b) => order.indexOf(a.sheet) - order.indexOf(b.sheet) || a.row - b.row);
  return { data: ctx.data, errors: ctx.errors, warnings: missingLinks(ctx.data) };
}

function where(level: string, c: RosterData['classes'][number], school?: string): string {
  if (level === 'headTeacher') return `${school} ${c.name}`;
  if (level === 'gradeLeader') return `${school} ${GRADE_LABEL[c.grade]}`;
  return level === 'bureau' ? '全区' : (school ?? c.schoolCode);
}

/** Classes with no head teacher, grades with no leader, schools with no deputy/principal. */
export function missingLinks(data: RosterData): string[] {
  const out = new Set<string>();
  const schoolName = new Map(data.schools.map((s) => [s.code, s.name]));
  // Only a school's own staff (and the bureau) can fill its links: chainFor over those alone
  // keeps this linear in the district's size.
  const bureau = data.staff.filter((p) => p.roles.some((r) => r.role === 'bureau'));
  const bySchool = new Map<string, StaffLike[]>();
  for (const p of data.staff)
    for (const code of new Set(p.roles.map((r) => r.schoolCode))) {
      if (!code) continue;
      const list = bySchool.get(code) ?? [];
      list.push(p);
      bySchool.set(code, list);
    }
  for (const c of data.classes) {
    const probe = {
      studentNo: '-',
      name: '-',
      schoolCode: c.schoolCode,
      grade: c.grade,
      classId: c.classId,
      status: 'enrolled' as const,
    };
    const staff = [...(bySchool.get(c.schoolCode) ?? []), ...bureau];
    for (const level of chainFor(probe, staff).missing) {
      if (level === 'subjectTeacher') continue;
      const place = where(level, c, schoolName.get(c.schoolCode));
      out.add(`${place} 没有${ROLE_LABEL[level]}：相关事项将转给上一级`);
    }
  }
  return [...out].sort((a, b) => a.localeCompare(b, 'zh'));
}
