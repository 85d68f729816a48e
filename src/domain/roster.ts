/** The roster as the rules see it: plain data, no I/O (PROCEDURES.md "Words"). */
/** The roles, in the order of the chain of responsibility (科任教师 → … → 区教体局). */
export const ROLE_NAMES = [
  'subjectTeacher',
  'headTeacher',
  'gradeLeader',
  'deputy',
  'principal',
  'bureau',
] as const;
export type RoleName = (typeof ROLE_NAMES)[number];

export interface Role {
  role: RoleName;
  schoolCode?: string;
  grade?: number;
  classId?: string;
  subject?: string;
  /** 包学生: the students a subject teacher owns by name (学籍号). */
  students?: string[];
}

export interface StaffLike {
  userid: string;
  name: string;
  roles: Role[];
}

export type SchoolKind = 'primary' | 'junior' | 'nineYear';

/** The grades a school of this kind teaches: primary 1–6, junior 7–9, nine-year 1–9. */
export function gradesOfKind(kind: SchoolKind): number[] {
  const [from, to] = kind === 'primary' ? [1, 6] : kind === 'junior' ? [7, 9] : [1, 9];
  return Array.from({ length: to - from + 1 }, (_, i) => from + i);
}

/** The grades any of these schools teaches, in order (the notice form offers only these). */
export function gradesOfSchools(schools: { kind: SchoolKind }[]): number[] {
  return [...new Set(schools.flatMap((s) => gradesOfKind(s.kind)))].sort((a, b) => a - b);
}

/** Every enrollment status (学籍状态), as a list: the per-class counters keep one field each. */
export const ENROLLMENT_STATUSES = [
  'enrolled',
  'transferredInDistrict',
  'transferredOut',
  'suspended',
  'droppedOut',
  'graduated',
] as const;
export type EnrollmentStatus = (typeof ENROLLMENT_STATUSES)[number];

export interface StudentLike {
  studentNo: string;
  name: string;
  schoolCode: string;
  grade: number;
  classId: string;
  status: EnrollmentStatus;
  atRisk?: boolean;
  /** 双包保: the at-risk student's named school leader (userid); null once the register clears it. */
  atRiskLeader?: string | null;
}

/** Where a student sits: the scope fields every row about a student carries (scopeFilter). */
export type Place = Pick<StudentLike, 'schoolCode' | 'grade' | 'classId'>;

export function placeOf(s: Place): Place {
  return { schoolCode: s.schoolCode, classId: s.classId, grade: s.grade };
}

export const ROLE_LABEL: Record<RoleName, string> = {
  subjectTeacher: '科任教师',
  headTeacher: '班主任',
  gradeLeader: '中层领导（包年级）',
  deputy: '分管领导',
  principal: '校长',
  bureau: '区教体局',
};

export const STATUS_LABEL: Record<EnrollmentStatus, string> = {
  enrolled: '在读',
  transferredInDistrict: '区内转出',
  transferredOut: '转出区外',
  suspended: '休学',
  droppedOut: '辍学',
  graduated: '毕业',
};

export const GRADE_LABEL = [
  '',
  '一年级',
  '二年级',
  '三年级',
  '四年级',
  '五年级',
  '六年级',
  '七年级',
  '八年级',
  '九年级',
];

/** 三年级; a grade outside 1–9 (a bad import row) reads as "12年级". */
export function gradeLabel(grade: number | string): string {
  return GRADE_LABEL[Number(grade)] || `${grade}年级`;
}

export function classIdOf(schoolCode: string, grade: number, classNo: number): string {
  return `${schoolCode}-${grade}-${classNo}`;
}

export function classLabel(classId: string): string {
  const [, grade, no] = classId.split('-');
  return `${gradeLabel(grade)}${no}班`;
}
