import {
  classIdOf,
  GRADE_LABEL,
  type EnrollmentStatus,
  type Role,
  type StaffLike,
} from '../domain/roster';
import { chainFor } from '../domain/chain';
import { ROLE_LABEL } from '../domain/roster';
import {
  ROLE_WORDS,
  SCHOOL_KINDS,
  SHEETS,
  STATUS_WORDS,
  type RawWorkbook,
  type SheetKey,
} from './sheets';

/** Everything the import writes, already validated. Personal data is still plaintext here. */
export interface RosterData {
  schools: { code: string; name: string; kind: 'primary' | 'junior' | 'nineYear' }[];
  classes: { classId: string; schoolCode: string; grade: number; classNo: number; name: string }[];
  staff: StaffLike[];
  students: {
    studentNo: string;
    name: string;
    gender: '男' | '女';
    birthDate: string;
    schoolCode: string;
    grade: number;
    classId: string;
    status: EnrollmentStatus;
    guardians: { name: string; relation: string; phone: string }[];
    address: string;
    atRisk: boolean;
    atRiskLeader?: string;
  }[];
}

export interface RowError {
  sheet: string;
  row: number;
  message: string;
}

export interface Validation {
  data: RosterData;
  errors: RowError[];
  /** Missing links in the chain of responsibility: imported, but someone should fix them. */
  warnings: string[];
}

const PHONE = /^(1[3-9]\d{9}|0\d{2,3}-?\d{7,8})$/;
const STUDENT_NO = /^[A-Za-z]?\d{8,19}[0-9Xx]?$/;
const USERID = /^[A-Za-z0-9_.@-]{1,64}$/;

/** Checks every row; pure (no I/O). Rows with errors are left out of `data`. */
export function validateRoster(wb: RawWorkbook): Validation {
  const errors: RowError[] = [];
  const err = (sheet: SheetKey, row: number, message: string) =>
    errors.push({ sheet: SHEETS[sheet].title, row, message });
  const data: RosterData = { schools: [], classes: [], staff: [], students: [] };

  const schoolCodes = new Set<string>();
  for (const { row, values: v } of wb.schools ?? []) {
    const code = v['学校代码']?.trim();
    const kind = SCHOOL_KINDS[v['学段']?.trim()];
    if (!code) {
      err('schools', row, '缺少学校代码');
      continue;
    }
    if (schoolCodes.has(code)) {
      err('schools', row, `学校代码 ${code} 重复`);
      continue;
    }
    if (!v['学校名称']?.trim()) {
      err('schools', row, '缺少学校名称');
      continue;
    }
    if (!kind) {
      err('schools', row, `学段「${v['学段'] ?? ''}」不对，应为 小学、初中 或 九年一贯制`);
      continue;
    }
    schoolCodes.add(code);
    data.schools.push({ code, name: v['学校名称'].trim(), kind });
  }

  const int = (s: string | undefined, min: number, max: number): number | undefined => {
    const n = Number(s?.trim());
    return Number.isInteger(n) && n >= min && n <= max ? n : undefined;
  };

  const classIds = new Set<string>();
  for (const { row, values: v } of wb.classes ?? []) {
    const school = v['学校代码']?.trim();
    const grade = int(v['年级'], 1, 9);
    const no = int(v['班号'], 1, 99);
    if (!school || !schoolCodes.has(school)) {
      err('classes', row, `学校代码「${school ?? ''}」不在「学校」表中`);
      continue;
    }
    if (!grade) {
      err('classes', row, `年级「${v['年级'] ?? ''}」不对，应为 1 到 9 的数字`);
      continue;
    }
    if (!no) {
      err('classes', row, `班号「${v['班号'] ?? ''}」不对，应为数字`);
      continue;
    }
    const classId = classIdOf(school, grade, no);
    if (classIds.has(classId)) {
      err('classes', row, `${GRADE_LABEL[grade]}${no}班 重复`);
      continue;
    }
    classIds.add(classId);
    data.classes.push({
      classId,
      schoolCode: school,
      grade,
      classNo: no,
      name: v['班级名称']?.trim() || `${GRADE_LABEL[grade]}${no}班`,
    });
  }

  const staff = new Map<string, StaffLike>();
  const classOf = (sheet: SheetKey, row: number, v: Record<string, string>): string | undefined => {
    const school = v['学校代码']?.trim();
    const grade = int(v['年级'], 1, 9);
    const no = int(v['班号'], 1, 99);
    if (!school || !grade || !no) {
      err(sheet, row, '需要学校代码、年级和班号');
      return undefined;
    }
    const id = classIdOf(school, grade, no);
    if (!classIds.has(id)) {
      err(
        sheet,
        row,
        `班级 ${school} ${GRADE_LABEL[grade]}${no}班 不存在（请先在「班级」表中添加）`,
      );
      return undefined;
    }
    return id;
  };

  for (const { row, values: v } of wb.staff ?? []) {
    const userid = v['企业微信账号']?.trim();
    const name = v['姓名']?.trim();
    const role = ROLE_WORDS[v['角色']?.trim()];
    if (!userid || !USERID.test(userid)) {
      err('staff', row, `企业微信账号「${userid ?? ''}」不对`);
      continue;
    }
    if (!name) {
      err('staff', row, '缺少姓名');
      continue;
    }
    if (!role) {
      err(
        'staff',
        row,
        `角色「${v['角色'] ?? ''}」不对，应为 校长、分管领导、中层领导、班主任、科任教师 或 教育局`,
      );
      continue;
    }
    const existing = staff.get(userid);
    if (existing && existing.name !== name) {
      err('staff', row, `账号 ${userid} 已对应姓名「${existing.name}」，与「${name}」不一致`);
      continue;
    }
    if (role === 'subjectTeacher') {
      if (!existing) staff.set(userid, { userid, name, roles: [] });
      continue;
    }
    let r: Role | undefined;
    const school = v['学校代码']?.trim();
    if (role === 'bureau') r = { role };
    else if (!school || !schoolCodes.has(school)) {
      err('staff', row, `学校代码「${school ?? ''}」不在「学校」表中`);
      continue;
    } else if (role === 'principal' || role === 'deputy') r = { role, schoolCode: school };
    else if (role === 'gradeLeader') {
      const grade = int(v['年级'], 1, 9);
      if (!grade) {
        err('staff', row, '中层领导需要填写所包的年级（1 到 9）');
        continue;
      }
      r = { role, schoolCode: school, grade };
    } else {
      const classId = classOf('staff', row, v);
      if (!classId) continue;
      r = { role, schoolCode: school, grade: Number(v['年级']), classId };
    }
    const person = existing ?? { userid, name, roles: [] };
    person.roles.push(r);
    staff.set(userid, person);
  }

  const studentRows = new Map<string, number>();
  const pendingSubjects: { row: number; userid: string; role: Role; students: string[] }[] = [];
  for (const { row, values: v } of wb.subjects ?? []) {
    const userid = v['企业微信账号']?.trim();
    if (!userid || !staff.has(userid)) {
      err('subjects', row, `账号「${userid ?? ''}」不在「教职工」表中（请先添加这位老师）`);
      continue;
    }
    const classId = classOf('subjects', row, v);
    if (!classId) continue;
    const students = (v['包保学生学籍号'] ?? '')
      .split(/[、,，;；\s]+/)
      .map((s) => s.trim())
      .filter(Boolean);
    pendingSubjects.push({
      row,
      userid,
      students,
      role: {
        role: 'subjectTeacher',
        schoolCode: v['学校代码'].trim(),
        grade: Number(v['年级']),
        classId,
        subject: v['科目']?.trim() || undefined,
        ...(students.length ? { students } : {}),
      },
    });
  }

  for (const { row, values: v } of wb.students ?? []) {
    const no = v['学籍号']?.trim();
    if (!no || !STUDENT_NO.test(no)) {
      err('students', row, `学籍号「${no ?? ''}」格式不对`);
      continue;
    }
    if (studentRows.has(no)) {
      err('students', row, `学籍号 ${no} 重复（第 ${studentRows.get(no)} 行已有）`);
      continue;
    }
    const name = v['姓名']?.trim();
    if (!name) {
      err('students', row, '缺少姓名');
      continue;
    }
    const gender = v['性别']?.trim();
    if (gender !== '男' && gender !== '女') {
      err('students', row, `性别「${gender ?? ''}」应为 男 或 女`);
      continue;
    }
    const birth = v['出生日期']?.trim();
    if (!birth || !/^\d{4}-\d{2}-\d{2}$/.test(birth) || Number.isNaN(Date.parse(birth))) {
      err('students', row, `出生日期「${birth ?? ''}」应为 YYYY-MM-DD`);
      continue;
    }
    const classId = classOf('students', row, v);
    if (!classId) continue;
    const status = STATUS_WORDS[v['学籍状态']?.trim() || '在读'];
    if (!status) {
      err(
        'students',
        row,
        `学籍状态「${v['学籍状态']}」不对，应为 ${Object.keys(STATUS_WORDS).join('、')}`,
      );
      continue;
    }
    const guardians: RosterData['students'][number]['guardians'] = [];
    let bad = false;
    for (const p of ['', '2']) {
      const gName = v[`监护人${p}姓名`]?.trim();
      const phone = v[`监护人${p}电话`]?.replace(/\s/g, '');
      if (!gName && !phone) continue;
      if (!gName) {
        err('students', row, `监护人${p}电话已填，但缺少监护人${p}姓名`);
        bad = true;
        break;
      }
      if (!phone || !PHONE.test(phone)) {
        err(
          'students',
          row,
          `监护人${p}电话「${phone ?? ''}」格式不对（手机 11 位，或带区号的座机）`,
        );
        bad = true;
        break;
      }
      guardians.push({ name: gName, relation: v[`监护人${p}关系`]?.trim() || '监护人', phone });
    }
    if (bad) continue;
    if (!guardians.length) {
      err('students', row, '至少需要一位监护人（姓名和电话）');
      continue;
    }
    const atRisk = ['是', 'Y', 'y', '1', 'TRUE', 'true'].includes(v['易辍对象']?.trim() ?? '');
    const leader = v['包保领导账号']?.trim() || undefined;
    if (leader && !staff.has(leader)) {
      err('students', row, `包保领导账号「${leader}」不在「教职工」表中`);
      continue;
    }
    const school = v['学校代码'].trim();
    studentRows.set(no, row);
    data.students.push({
      studentNo: no,
      name,
      gender,
      birthDate: birth,
      schoolCode: school,
      grade: Number(v['年级']),
      classId,
      status,
      guardians,
      address: v['家庭住址']?.trim() ?? '',
      atRisk,
      ...(leader ? { atRiskLeader: leader } : {}),
    });
  }

  const known = new Set(data.students.map((s) => s.studentNo));
  for (const p of pendingSubjects) {
    const unknown = p.students.filter((s) => !known.has(s));
    if (unknown.length) {
      err('subjects', p.row, `包保学生学籍号 ${unknown.join('、')} 不在「学生」表中`);
      continue;
    }
    staff.get(p.userid)!.roles.push(p.role);
  }
  data.staff = [...staff.values()];
  return { data, errors, warnings: missingLinks(data) };
}

/** Classes with no head teacher, grades with no leader, schools with no deputy/principal. */
export function missingLinks(data: RosterData): string[] {
  const out = new Set<string>();
  const schoolName = new Map(data.schools.map((s) => [s.code, s.name]));
  for (const c of data.classes) {
    const probe = {
      studentNo: '-',
      name: '-',
      schoolCode: c.schoolCode,
      grade: c.grade,
      classId: c.classId,
      status: 'enrolled' as const,
    };
    const chain = chainFor(probe, data.staff);
    for (const level of chain.missing) {
      if (level === 'subjectTeacher') continue;
      const where =
        level === 'headTeacher'
          ? `${schoolName.get(c.schoolCode)} ${c.name}`
          : level === 'gradeLeader'
            ? `${schoolName.get(c.schoolCode)} ${GRADE_LABEL[c.grade]}`
            : level === 'bureau'
              ? '全区'
              : schoolName.get(c.schoolCode);
      out.add(`${where} 没有${ROLE_LABEL[level]}：相关事项将转给上一级`);
    }
  }
  return [...out].sort((a, b) => a.localeCompare(b, 'zh'));
}
