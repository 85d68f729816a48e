import { useBot } from '../support/harness';
import { ManualClock } from '../../src/lib/clock';
import { ClassCount, type ClassCountRow } from '../../src/models/class-count';
import { Student, type StudentRow } from '../../src/models/roster';
import { Case, Duty } from '../../src/models/case';
import { ensureClassCounts, recountClasses, tally } from '../../src/roster/counts';
import { ensureDutyCaseOpen } from '../../src/cases/queries/overdue-set';
import { renameInViews } from '../../src/roster/rename';

/**
 * Issue #11, "every chat command costs the same at 200 and at 56,000 students": 我的学生, 概况 and
 * 巩固率 read per-class counters (`class_counts`) instead of every student in scope. These tests
 * show the counters stay equal to a count of the students after each kind of write.
 */
const t = useBot({ clock: new ManualClock('2026-11-30T08:00:00+08:00') });

/** The counters as they should be: counted from the students themselves. */
async function expected(classId: string): Promise<ClassCountRow> {
  const students = await Student.find({ classId }).lean<StudentRow[]>();
  return tally(
    [{ classId, schoolCode: students[0].schoolCode, grade: students[0].grade }],
    students,
  )[0];
}
async function stored(classId: string): Promise<ClassCountRow | null> {
  return ClassCount.findOne({ classId }).lean<ClassCountRow>();
}
const same = async (classId: string) =>
  expect(await stored(classId)).toMatchObject({ ...(await expected(classId)) });

describe('per-class counters (issue #11: counts by maintained counters)', () => {
  it('the import writes them: every class of the demo district, equal to a count', async () => {
    const classes = await ClassCount.find({}).lean<ClassCountRow[]>();
    expect(classes.length).toBeGreaterThan(4);
    const total = classes.reduce((n, c) => n + c.total, 0);
    expect(total).toBe(await Student.countDocuments({}));
    await same(t.d.classId);
    expect((await stored(t.d.classId))!.atRisk).toBeGreaterThanOrEqual(1);
  });

  it('学籍变动 by chat (休学, 复课) moves the class counters at once', async () => {
    const s = t.d.students[5];
    const before = (await stored(s.classId))!;
    expect(await t.say(t.d.head, `休学 ${s.name} 因病住院治疗`)).toMatch(/已登记休学/);
    const after = (await stored(s.classId))!;
    expect(after.suspended).toBe(before.suspended + 1);
    expect(after.enrolled).toBe(before.enrolled - 1);
    await same(s.classId);
    expect(await t.say(t.d.head, '我的学生')).toMatch(
      new RegExp(`三年级1班：在读 ${after.enrolled} 人`),
    );
    await t.say(t.d.head, `复课 ${s.name}`);
    expect((await stored(s.classId))!.enrolled).toBe(before.enrolled);
  });

  it('the at-risk register (确认易辍 / 移出易辍) moves the at-risk counter', async () => {
    const before = (await stored(t.d.classId))!.atRisk;
    await t.say(t.d.head, '易辍名单'); // the register adopts the imported flag
    await t.say(t.d.deputy, `移出易辍 ${t.d.atRisk.name} 已正常到校两个月`);
    expect((await stored(t.d.classId))!.atRisk).toBe(before - 1);
    await same(t.d.classId);
    const overview = await t.say(t.d.head, '概况');
    expect(overview).toMatch(new RegExp(`易辍对象 ${before - 1} 人`));
  });

  it('a re-import moving a student to another class recounts both classes', async () => {
    const s = t.d.students[7];
    await Student.updateOne({ studentNo: s.studentNo }, { $set: { classId: 'ZS01-3-2' } });
    await recountClasses([s.classId, 'ZS01-3-2']);
    await same(s.classId);
    await same('ZS01-3-2');
    await Student.updateOne({ studentNo: s.studentNo }, { $set: { classId: s.classId } });
    await recountClasses([s.classId, 'ZS01-3-2']);
  });

  it('start-up fills missing counters (a database from before them), and only then', async () => {
    await ClassCount.deleteMany({});
    expect(await ensureClassCounts()).toBeGreaterThan(4);
    await same(t.d.classId);
    // With counters there, start-up recounts them in the background: a counter left off (a
    // crash between a write and its recount) is put right.
    await ClassCount.updateOne({ classId: t.d.classId }, { $inc: { enrolled: 7 } });
    let recount: Promise<unknown> | undefined;
    expect(await ensureClassCounts((p) => (recount = p))).toBe(0);
    await recount;
    await same(t.d.classId);
  });

  it('a rename by import reaches the names cases and duties carry for the lists', async () => {
    expect(await t.say(t.d.head, `缺勤 ${t.d.students[9].name} 全天`)).toMatch(/已记录/);
    const no = t.d.students[9].studentNo;
    expect((await Case.findOne({ studentNo: no }).lean())!.name).toBe(t.d.students[9].name);
    await renameInViews([{ studentNo: no, name: '改名后' }]);
    expect((await Case.findOne({ studentNo: no }).lean())!.name).toBe('改名后');
    const duties = await Duty.find({ studentNo: no }).lean();
    expect(duties.length).toBeGreaterThan(0);
    expect(duties.every((d) => d.name === '改名后')).toBe(true);
  });

  it('start-up copies caseOpen onto duties written before they carried it', async () => {
    expect(await t.say(t.d.head, `缺勤 ${t.d.plain.name} 全天`)).toMatch(/已记录/);
    const c = (await Case.findOne({ studentNo: t.d.plain.studentNo, open: true }).lean())!;
    expect(await Duty.countDocuments({ caseId: c.caseId, caseOpen: true })).toBeGreaterThan(0);
    await Duty.collection.updateMany({ caseId: c.caseId }, { $unset: { caseOpen: '' } });
    expect(await ensureDutyCaseOpen()).toBeGreaterThan(0);
    expect(await Duty.countDocuments({ caseId: c.caseId, caseOpen: true })).toBeGreaterThan(0);
    expect(await ensureDutyCaseOpen()).toBe(0);
    // Closing the case (the sync) turns every one of its duties to caseOpen false.
    expect(await t.say(t.d.head, `到校 ${t.d.plain.name}`)).toMatch(/已到校/);
    expect(await Duty.countDocuments({ caseId: c.caseId, caseOpen: true })).toBe(0);
    expect(await Duty.countDocuments({ caseId: c.caseId, caseOpen: false })).toBeGreaterThan(0);
    // A crash between the case's write and its duties' left one marked live: start-up mends it.
    await Duty.updateOne({ caseId: c.caseId }, { $set: { caseOpen: true, status: 'missed' } });
    expect(await ensureDutyCaseOpen()).toBe(1);
    expect(await Duty.countDocuments({ caseId: c.caseId, caseOpen: true })).toBe(0);
  });
});
