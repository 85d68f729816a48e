import type mongoose from 'mongoose';
import { School, SchoolClass, Staff, Student } from '../models/roster';
import type { PiiCipher } from '../lib/pii';
import type { RosterData } from './validate';
import { recordChange } from '../models/enrollment-change';
import type { EnrollmentStatus } from '../domain/roster';
import { SCHOOL_KINDS, SHEETS, STATUS_WORDS, ROLE_WORDS, type SheetKey } from './sheets';

/** What an import changed, per kind: created, updated (with the fields), unchanged. */
export interface ImportReport {
  created: Record<string, number>;
  updated: Record<string, { key: string; fields: string[] }[]>;
  unchanged: Record<string, number>;
  /** Students in the database but not in the file (left as they are, reported). */
  notInFile: number;
}

/** The generic upsert below compares plain records whatever the model. */
type LooseModel = mongoose.Model<Record<string, unknown>>;
const loose = (m: unknown) => m as LooseModel;

type Progress = (done: number, total: number) => void;

function diff(before: Record<string, unknown>, after: Record<string, unknown>): string[] {
  return Object.keys(after).filter(
    (k) => JSON.stringify(before[k] ?? null) !== JSON.stringify(after[k] ?? null),
  );
}

/**
 * Upserts the validated roster; idempotent: re-importing the same data changes nothing.
 * Personal data is compared decrypted (a fresh IV would otherwise look like a change).
 */
export interface ImportMeta {
  actor: string;
  channel: 'cli' | 'sandbox';
  at: Date;
}

export async function applyRoster(
  data: RosterData,
  pii: PiiCipher,
  onProgress: Progress = () => {},
  meta: ImportMeta = { actor: 'import', channel: 'cli', at: new Date() },
): Promise<ImportReport> {
  const report: ImportReport = { created: {}, updated: {}, unchanged: {}, notInFile: 0 };
  // A school's first import is its baseline; later new students and status or school changes
  // are enrollment changes (学籍变动) and are recorded as such.
  const schoolsWithStudents = new Set(
    (await Student.find({}).lean<{ schoolCode: string }[]>()).map((s) => s.schoolCode),
  );
  const total =
    data.schools.length + data.classes.length + data.staff.length + data.students.length;
  let done = 0;
  const tick = () => onProgress(++done, total);

  async function upsert(
    kind: string,
    model: LooseModel,
    keyField: string,
    doc: Record<string, unknown>,
    compare: (d: Record<string, unknown>) => Record<string, unknown> = (d) => d,
    write: Record<string, unknown> = doc,
  ) {
    const key = String(doc[keyField]);
    const existing = await model.findOne({ [keyField]: key }).lean<Record<string, unknown>>();
    if (!existing) {
      await model.create(write);
      report.created[kind] = (report.created[kind] ?? 0) + 1;
    } else {
      const fields = diff(compare(existing), doc);
      if (fields.length) {
        await model.updateOne({ [keyField]: key }, { $set: write });
        (report.updated[kind] ??= []).push({ key, fields });
      } else report.unchanged[kind] = (report.unchanged[kind] ?? 0) + 1;
    }
    tick();
  }

  for (const s of data.schools) await upsert('学校', loose(School), 'code', s);
  for (const c of data.classes) await upsert('班级', loose(SchoolClass), 'classId', c);
  for (const p of data.staff) {
    const roles = p.roles.map((r) =>
      Object.fromEntries(Object.entries(r).filter(([, v]) => v !== undefined)),
    );
    await upsert('教职工', loose(Staff), 'userid', { ...p, roles });
  }
  for (const s of data.students) {
    const before = await Student.findOne({ studentNo: s.studentNo }).lean<{
      status: EnrollmentStatus;
      schoolCode: string;
    }>();
    if (!before && schoolsWithStudents.has(s.schoolCode)) {
      await recordChange({
        studentNo: s.studentNo,
        schoolCode: s.schoolCode,
        from: 'new',
        to: s.status,
        detail: '花名册导入新增',
        ...meta,
      });
    } else if (before && before.schoolCode !== s.schoolCode) {
      await recordChange({
        studentNo: s.studentNo,
        schoolCode: before.schoolCode,
        from: before.status,
        to: 'transferredInDistrict',
        destination: s.schoolCode,
        detail: '花名册导入：转到区内其他学校',
        ...meta,
      });
      await recordChange({
        studentNo: s.studentNo,
        schoolCode: s.schoolCode,
        from: 'new',
        to: s.status,
        detail: `花名册导入：从 ${before.schoolCode} 转入`,
        ...meta,
      });
    } else if (before && before.status !== s.status) {
      await recordChange({
        studentNo: s.studentNo,
        schoolCode: s.schoolCode,
        from: before.status,
        to: s.status,
        detail: '花名册导入',
        ...meta,
      });
    }
    const plain = { ...s, atRiskLeader: s.atRiskLeader ?? null };
    const sealed = {
      ...s,
      atRiskLeader: s.atRiskLeader ?? null,
      guardians: s.guardians.map((g) => ({
        name: g.name,
        relation: g.relation,
        phoneSealed: pii.seal(g.phone),
      })),
      addressSealed: pii.seal(s.address),
    } as Record<string, unknown>;
    delete sealed.address;
    await upsert(
      '学生',
      loose(Student),
      'studentNo',
      plain,
      (d) => ({
        ...d,
        guardians: (d.guardians as { name: string; relation: string; phoneSealed: string }[]).map(
          (g) => ({ name: g.name, relation: g.relation, phone: pii.open(g.phoneSealed) }),
        ),
        address: d.addressSealed ? pii.open(String(d.addressSealed)) : '',
        atRiskLeader: d.atRiskLeader ?? null,
      }),
      sealed,
    );
  }
  const inFile = new Set(data.students.map((s) => s.studentNo));
  const all = await Student.find({}).lean<{ studentNo: string }[]>();
  report.notInFile = all.filter((s) => !inFile.has(s.studentNo)).length;
  return report;
}

const invert = <T extends string>(m: Record<string, T>) =>
  Object.fromEntries(Object.entries(m).map(([k, v]) => [v, k])) as Record<T, string>;

/** The current roster in the workbook's columns (guardians' data decrypted: handle the file with care). */
export async function exportRows(pii: PiiCipher): Promise<Partial<Record<SheetKey, string[][]>>> {
  const kinds = invert(SCHOOL_KINDS);
  const statuses = invert(STATUS_WORDS);
  const roleWord = invert(ROLE_WORDS);
  roleWord.gradeLeader = '中层领导';
  roleWord.bureau = '教育局';
  const schools = await School.find({}).sort({ code: 1 }).lean<any[]>();
  const classes = await SchoolClass.find({}).sort({ classId: 1 }).lean<any[]>();
  const staff = await Staff.find({}).sort({ userid: 1 }).lean<any[]>();
  const students = await Student.find({}).sort({ studentNo: 1 }).lean<any[]>();
  const cls = (classId?: string) => (classId ? classId.split('-').slice(-2) : ['', '']);
  const staffRows: string[][] = [];
  const subjectRows: string[][] = [];
  for (const p of staff) {
    if (!p.roles.some((r: any) => r.role !== 'subjectTeacher')) {
      staffRows.push([p.userid, p.name, '科任教师', p.roles[0]?.schoolCode ?? '', '', '']);
    }
    for (const r of p.roles) {
      if (r.role === 'subjectTeacher') {
        const [g, n] = cls(r.classId);
        subjectRows.push([
          p.userid,
          r.schoolCode ?? '',
          g,
          n,
          r.subject ?? '',
          (r.students ?? []).join('、'),
        ]);
      } else {
        const [g, n] =
          r.role === 'headTeacher' ? cls(r.classId) : [r.grade ? String(r.grade) : '', ''];
        staffRows.push([
          p.userid,
          p.name,
          roleWord[r.role as keyof typeof roleWord],
          r.schoolCode ?? '',
          g,
          n,
        ]);
      }
    }
  }
  return {
    schools: schools.map((s) => [s.code, s.name, kinds[s.kind as keyof typeof kinds]]),
    classes: classes.map((c) => [c.schoolCode, String(c.grade), String(c.classNo), c.name]),
    staff: staffRows,
    subjects: subjectRows,
    students: students.map((s) => {
      const g = s.guardians.map((x: any) => ({ ...x, phone: pii.open(x.phoneSealed) }));
      const [grade, no] = cls(s.classId);
      return [
        s.studentNo,
        s.name,
        s.gender,
        s.birthDate,
        s.schoolCode,
        grade,
        no,
        statuses[s.status as keyof typeof statuses],
        g[0]?.name ?? '',
        g[0]?.relation ?? '',
        g[0]?.phone ?? '',
        g[1]?.name ?? '',
        g[1]?.relation ?? '',
        g[1]?.phone ?? '',
        s.addressSealed ? pii.open(s.addressSealed) : '',
        s.atRisk ? '是' : '否',
        s.atRiskLeader ?? '',
      ];
    }),
  };
}

export { SHEETS };
