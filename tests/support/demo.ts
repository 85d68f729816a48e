import { Staff, Student } from '../../src/models/roster';
import { loadDemoDistrict } from '../../src/roster/demo-load';
import type { TestBot } from './harness';
import type { StaffLike } from '../../src/domain/roster';

/** The demo district's handy people, as `demo(bot)` returns them. */
export type Demo = Awaited<ReturnType<typeof demo>>;

/** Loads the demo district and returns handy people: a class, its head teacher and leaders. */
export async function demo(bot: TestBot) {
  await loadDemoDistrict(bot.services.pii, true);
  const staff = await Staff.find({}).lean();
  const holder = (pred: (r: StaffLike['roles'][number]) => boolean) =>
    staff.find((p) => p.roles.some(pred))!;
  const classId = 'ZS01-3-1';
  const head = holder((r) => r.role === 'headTeacher' && r.classId === classId);
  const otherHead = holder((r) => r.role === 'headTeacher' && r.classId === 'ZS01-3-2');
  // A subject teacher of the class who is not its head teacher and owns the whole class (no 包学生 list).
  const subject = staff.find(
    (p) =>
      p.userid !== head.userid &&
      p.roles.some((r) => r.role === 'subjectTeacher' && r.classId === classId && !r.students),
  )!;
  const gradeLeader = holder(
    (r) => r.role === 'gradeLeader' && r.schoolCode === 'ZS01' && r.grade === 3,
  );
  const deputy = holder((r) => r.role === 'deputy' && r.schoolCode === 'ZS01');
  const principal = holder((r) => r.role === 'principal' && r.schoolCode === 'ZS01');
  const bureau = holder((r) => r.role === 'bureau');
  const students = await Student.find({ classId }).sort({ studentNo: 1 }).lean();
  const plain = students.find(
    (s) =>
      !s.atRisk && s.name !== '张欣怡' && students.filter((t) => t.name === s.name).length === 1,
  )!;
  const atRisk = students.find((s) => s.atRisk)!;
  return {
    head,
    otherHead,
    subject,
    gradeLeader,
    deputy,
    principal,
    bureau,
    students,
    plain,
    atRisk,
    classId,
  };
}
