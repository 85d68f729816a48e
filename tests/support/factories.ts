import type { ClassRow, SchoolRow, StaffRow, StudentRow } from '../../src/models/roster';
import { classIdOf, classLabel, type StudentLike } from '../../src/domain/roster';

/**
 * Test factories (issue #8): rows typed as the models store them, with plausible defaults that a
 * test overrides field by field. One school S1, class S1-3-1 (三年级1班); numbers are sequential
 * so two built rows never collide on a unique key.
 */
let seq = 0;
const next = () => String(++seq).padStart(4, '0');

export function buildSchool(over: Partial<SchoolRow> = {}): SchoolRow {
  return { code: 'S1', name: '一小', kind: 'primary', ...over };
}

export function buildClass(over: Partial<ClassRow> = {}): ClassRow {
  const { schoolCode = 'S1', grade = 3, classNo = 1 } = over;
  const classId = over.classId ?? classIdOf(schoolCode, grade, classNo);
  return { classId, schoolCode, grade, classNo, name: classLabel(classId), ...over };
}

export function buildStaff(over: Partial<StaffRow> = {}): StaffRow {
  return { userid: `t${next()}`, name: '测试老师', roles: [], ...over };
}

/** A student row; also a StudentLike, so the pure domain functions take it as it is. */
export function buildStudent(
  over: Partial<StudentRow & StudentLike> = {},
): StudentRow & StudentLike {
  return {
    studentNo: `G${next()}`,
    name: '张三',
    gender: '女',
    birthDate: '2015-03-01',
    schoolCode: 'S1',
    grade: 3,
    classId: 'S1-3-1',
    status: 'enrolled',
    guardians: [],
    ...over,
  };
}
