import { Answer, type ChatContext } from '../chat/command';
import { authorize } from '../domain/policy';
import type { Services } from '../services';
import { Registration } from '../models/registration';
import { Case, CaseFact, type CaseRow, type FactRow } from '../models/case';
import { SchoolClass, Staff, Student } from '../models/roster';
import { fromIsoDay, formatDay, isoDay } from '../lib/time';
import { factRow, newCase } from './store';
import type { StudentDoc } from '../roster/directory';

/**
 * 入学注册关 (二(三)2(3)): at the start of a semester head teachers confirm who is present
 * (`报到 全班`, `报到 全班 除 张三`, `报到 张三 李四`); enrolled students not confirmed by the
 * semester's Nth school day open a case at this gate — an inferred fact, so the head teacher is
 * asked to confirm attendance, and the ladder takes it from there.
 */
export function semesterOf(s: Services, now: Date) {
  return s.cal.semesterOf(isoDay(now));
}

export async function confirmRegistration(
  ctx: ChatContext,
  students: StudentDoc[],
): Promise<string> {
  const sem = semesterOf(ctx.services, ctx.now);
  if (!sem) throw new Answer('现在不在学期内，开学后再报到。');
  for (const s of students) authorize(ctx.actor, 'report', s);
  const rows = students.map((s) => ({
    updateOne: {
      filter: { key: `${sem.start}:${s.studentNo}` },
      update: {
        $set: {
          key: `${sem.start}:${s.studentNo}`,
          studentNo: s.studentNo,
          classId: s.classId,
          semester: sem.start,
          confirmedBy: ctx.actor.userid,
          at: ctx.now,
        },
      },
      upsert: true,
    },
  }));
  if (rows.length) await Registration.bulkWrite(rows);
  const classIds = [...new Set(students.map((s) => s.classId))];
  const enrolled = await Student.countDocuments({ classId: { $in: classIds }, status: 'enrolled' });
  const done = await Registration.countDocuments({
    classId: { $in: classIds },
    semester: sem.start,
  });
  const checkDay = ctx.services.settings.ladder.registrationCheckSchoolDay;
  return (
    `已确认报到 ${students.length} 人（本班已报到 ${done}/${enrolled}）。` +
    `未确认报到的学生，第 ${checkDay} 个上学日后会列为「开学未报到」，请您确认到校情况。`
  );
}

/** The semester's Nth school day, end of day: when the check runs. */
export function registrationCheckAt(s: Services, start: string): Date {
  const day = s.cal.addSchoolDays(
    start,
    Math.max(0, s.settings.ladder.registrationCheckSchoolDay - 1),
  );
  return fromIsoDay(day, s.settings.ladder.endOfDayAt);
}

/** First school morning: head teachers are asked to confirm registration. */
export async function remindRegistration(s: Services, a: { semester: string }): Promise<void> {
  const heads = await Staff.find({ 'roles.role': 'headTeacher' }).lean();
  const by = formatDay(
    s.cal.addSchoolDays(a.semester, s.settings.ladder.registrationCheckSchoolDay - 1),
  );
  const text = `【开学报到】新学期开始了。请在 ${by} 前确认本班学生报到：全部到校发「报到 全班」，有未到的发「报到 全班 除 张三 李四」。`;
  await s.notify.text(
    heads.map((h) => h.userid),
    text,
    `registration:${a.semester}`,
  );
}

/** Unconfirmed enrolled students get a case at 入学注册关, in batches (the sweeper syncs them). */
export async function checkRegistration(s: Services, a: { semester: string }): Promise<number> {
  const now = s.clock.now();
  const day = s.cal.nextSchoolDay(isoDay(now));
  let opened = 0;
  for (const cls of await SchoolClass.find({}).lean()) {
    const confirmed = new Set(
      (await Registration.find({ classId: cls.classId, semester: a.semester }).lean()).map(
        (r) => r.studentNo,
      ),
    );
    const open = new Set(
      (await Case.find({ classId: cls.classId, open: true }).lean()).map((c) => c.studentNo),
    );
    const missing = (
      await Student.find({ classId: cls.classId, status: 'enrolled' }).lean()
    ).filter((st) => !confirmed.has(st.studentNo) && !open.has(st.studentNo));
    if (!missing.length) continue;
    const cases: CaseRow[] = missing.map((st) => ({
      ...newCase(st, 'registration', 'system', now),
      wakeAt: now,
    }));
    const facts: FactRow[] = cases.map((c) =>
      factRow(c, {
        type: 'registrationMissing',
        day,
        actor: 'system',
        channel: 'job',
        at: now,
        inferred: true,
      }),
    );
    await Case.insertMany(cases, { ordered: false });
    await CaseFact.insertMany(facts, { ordered: false });
    opened += cases.length;
  }
  return opened;
}
