import { School, SchoolClass, Staff, Student, type StaffRow } from '../models/roster';
import type { PiiCipher } from '../lib/pii';
import type { Role } from '../domain/roster';
import { ROLE_WORDS, SCHOOL_KINDS, STATUS_WORDS, type SheetKey } from './sheets';

const invert = <T extends string>(m: Record<string, T>) =>
  Object.fromEntries(Object.entries(m).map(([k, v]) => [v, k])) as Record<T, string>;

const ROLE_WORD = { ...invert(ROLE_WORDS), gradeLeader: '中层领导', bureau: '教育局' };
const cls = (classId?: string) => (classId ? classId.split('-').slice(-2) : ['', '']);

/** 教职工 rows (one per non-teaching role, or one 科任教师 row) and 任课 rows. */
function staffRows(staff: StaffRow[]): { staff: string[][]; subjects: string[][] } {
  const out = { staff: [] as string[][], subjects: [] as string[][] };
  for (const p of staff) {
    if (!p.roles.some((r) => r.role !== 'subjectTeacher'))
      out.staff.push([p.userid, p.name, '科任教师', p.roles[0]?.schoolCode ?? '', '', '']);
    for (const r of p.roles as Role[]) {
      if (r.role === 'subjectTeacher') {
        const [g, n] = cls(r.classId);
        const students = (r.students ?? []).join('、');
        out.subjects.push([p.userid, r.schoolCode ?? '', g, n, r.subject ?? '', students]);
        continue;
      }
      const [g, n] =
        r.role === 'headTeacher' ? cls(r.classId) : [r.grade ? String(r.grade) : '', ''];
      out.staff.push([p.userid, p.name, ROLE_WORD[r.role], r.schoolCode ?? '', g, n]);
    }
  }
  return out;
}

/** The current roster in the workbook's columns (guardians' data decrypted: handle with care). */
export async function exportRows(pii: PiiCipher): Promise<Partial<Record<SheetKey, string[][]>>> {
  const kinds = invert(SCHOOL_KINDS);
  const statuses = invert(STATUS_WORDS);
  const schools = await School.find({}).sort({ code: 1 }).lean();
  const classes = await SchoolClass.find({}).sort({ classId: 1 }).lean();
  const staff = await Staff.find({}).sort({ userid: 1 }).lean();
  const students = await Student.find({}).sort({ studentNo: 1 }).lean();
  return {
    schools: schools.map((s) => [s.code, s.name, kinds[s.kind]]),
    classes: classes.map((c) => [c.schoolCode, String(c.grade), String(c.classNo), c.name]),
    ...staffRows(staff),
    students: students.map((s) => {
      const g = s.guardians.map((x) => ({ ...x, phone: pii.open(x.phoneSealed) }));
      const [grade, no] = cls(s.classId);
      const guardian = (i: number) => [g[i]?.name ?? '', g[i]?.relation ?? '', g[i]?.phone ?? ''];
      return [
        ...[s.studentNo, s.name, s.gender, s.birthDate, s.schoolCode, grade, no],
        statuses[s.status],
        ...guardian(0),
        ...guardian(1),
        s.addressSealed ? pii.open(s.addressSealed) : '',
        s.atRisk ? '是' : '否',
        s.atRiskLeader ?? '',
      ];
    }),
  };
}
