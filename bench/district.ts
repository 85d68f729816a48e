/**
 * A minimal invented district of a given size, written straight into the database with
 * insertMany (batches), for the benchmarks. Proportions of an average Chinese county (issue
 * #11): ~812 students per school (56,000 students → 69 schools), ~45 per class, two thirds
 * primary schools (grades 1–6) and one third junior middle schools (7–9); per class a head
 * teacher and a subject teacher, per grade a grade leader, per school a principal and a deputy,
 * three bureau staff. Names are drawn from a small pool, so homonyms occur as they do at scale.
 * Deterministic (seeded). The roster engineer's `roster generate` will replace this.
 */
import { School, SchoolClass, Staff, Student } from '../src/models/roster';
import { classIdOf, GRADE_LABEL, type Role } from '../src/domain/roster';
import type { PiiCipher } from '../src/lib/pii';
import { recountClasses } from '../src/roster/counts';

const SURNAMES = '王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘'.split(
  '',
);
const GIVEN =
  '浩然 子轩 宇航 俊杰 博文 天佑 明轩 欣怡 梓涵 诗涵 雨桐 可馨 佳怡 紫萱 一鸣 思远 家豪 文博 嘉懿 晨阳 雨欣 子涵 若曦 语嫣'.split(
    ' ',
  );

function rng(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface DistrictPlan {
  students: number;
  schools: number;
  classes: number;
  staff: number;
}

interface Built {
  schools: { code: string; name: string; kind: 'primary' | 'junior' }[];
  classes: { classId: string; schoolCode: string; grade: number; classNo: number; name: string }[];
  staff: { userid: string; name: string; roles: Role[] }[];
  seats: { classId: string; schoolCode: string; grade: number }[];
}

function build(students: number): Built {
  const nSchools = Math.max(2, Math.round(students / 812));
  const b: Built = { schools: [], classes: [], staff: [], seats: [] };
  let sid = 0;
  const person = (roles: Role[]) =>
    b.staff.push({ userid: `s${++sid}`, name: `教师${sid}`, roles });
  for (let i = 0; i < 3; i++) person([{ role: 'bureau' }]);
  for (let s = 0; s < nSchools; s++) {
    const kind = s % 3 === 2 ? 'junior' : 'primary';
    const code = `S${String(s + 1).padStart(3, '0')}`;
    b.schools.push({ code, name: `第${s + 1}${kind === 'junior' ? '中学' : '小学'}`, kind });
    person([{ role: 'principal', schoolCode: code }]);
    person([{ role: 'deputy', schoolCode: code }]);
    const grades = kind === 'junior' ? [7, 8, 9] : [1, 2, 3, 4, 5, 6];
    // This school's share of the students, spread over its grades and 45-seat classes.
    const mine = Math.floor(students / nSchools) + (s < students % nSchools ? 1 : 0);
    grades.forEach((grade, gi) => {
      const inGrade = Math.floor(mine / grades.length) + (gi < mine % grades.length ? 1 : 0);
      const nClasses = Math.max(1, Math.round(inGrade / 45));
      person([{ role: 'gradeLeader', schoolCode: code, grade }]);
      for (let c = 1; c <= nClasses; c++) {
        const classId = classIdOf(code, grade, c);
        b.classes.push({
          classId,
          schoolCode: code,
          grade,
          classNo: c,
          name: `${GRADE_LABEL[grade]}${c}班`,
        });
        person([{ role: 'headTeacher', schoolCode: code, grade, classId }]);
        person([{ role: 'subjectTeacher', schoolCode: code, grade, classId, subject: '数学' }]);
      }
      for (let k = 0; k < inGrade; k++)
        b.seats.push({
          classId: classIdOf(code, grade, (k % nClasses) + 1),
          schoolCode: code,
          grade,
        });
    });
  }
  return b;
}

/** Writes a district of `students` students; returns what it wrote. */
export async function writeDistrict(
  students: number,
  pii: PiiCipher,
  batch = 5000,
): Promise<DistrictPlan> {
  const b = build(students);
  const rand = rng(students);
  const pick = <T>(xs: T[]) => xs[Math.floor(rand() * xs.length)];
  await School.insertMany(b.schools);
  await SchoolClass.insertMany(b.classes);
  for (let i = 0; i < b.staff.length; i += batch)
    await Staff.insertMany(b.staff.slice(i, i + batch));
  const phone = pii.seal('13800000000');
  const address = pii.seal('某某镇某某村');
  for (let i = 0; i < b.seats.length; i += batch) {
    const rows = b.seats.slice(i, i + batch).map((seat, k) => ({
      studentNo: `G${String(i + k + 1).padStart(8, '0')}`,
      name: pick(SURNAMES) + pick(GIVEN),
      gender: rand() < 0.5 ? ('男' as const) : ('女' as const),
      birthDate: `${2020 - seat.grade}-0${1 + Math.floor(rand() * 9)}-15`,
      ...seat,
      status: 'enrolled' as const,
      guardians: [{ name: '家长', relation: '父亲', phoneSealed: phone }],
      addressSealed: address,
      atRisk: rand() < 0.02,
      atRiskLeader: null,
    }));
    await Student.insertMany(rows, { lean: true });
  }
  await recountClasses();
  return {
    students: b.seats.length,
    schools: b.schools.length,
    classes: b.classes.length,
    staff: b.staff.length,
  };
}
