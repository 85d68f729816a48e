import { DateTime } from 'luxon';
import type { Services } from '../services';
import type { StaffLike, StudentLike } from '../domain/roster';
import { canActOnSchool } from '../domain/policy';
import { School, SchoolClass, Student, type SchoolRow } from '../models/roster';
import { bureauStaff, schoolLeaders } from '../roster/directory';
import { Handoff, type HandoffDoc } from '../models/handoff';
import { HomeVisit } from '../models/case';
import { audit } from '../models/audit';
import { ZONE, formatDeadline } from '../lib/time';
import { opaque } from '../lib/opaque';
import { insertOnce } from '../db/connect';
import { JOBS } from '../jobs/kinds';

const GRADUATING_GRADE = 6;

/**
 * 义务教育交接 (二(三)2(1)): primary schools hand every graduate over to a local junior middle
 * school, which visits the families in advance; early in the autumn semester Baoxue checks that
 * every graduate handed over is on the junior school's roll (数字清楚、去向清楚).
 */
export class Handoffs {
  constructor(private readonly s: Services) {}

  /**
   * Spring semesters (ending in summer): a reminder three weeks before the end; a check a week
   * into autumn.
   */
  schedule(): { remind: { year: number; at: Date }[]; check: { year: number; at: Date }[] } {
    const semesters = this.s.settings.calendar.semesters;
    const remind: { year: number; at: Date }[] = [];
    const check: { year: number; at: Date }[] = [];
    for (const [i, sem] of semesters.entries()) {
      const end = DateTime.fromISO(sem.end, { zone: ZONE });
      if (end.month < 6 || end.month > 8) continue;
      remind.push({
        year: end.year,
        at: end.minus({ days: 21 }).set({ hour: 9 }).toJSDate(),
      });
      const next = semesters[i + 1];
      if (next)
        check.push({
          year: end.year,
          at: DateTime.fromISO(next.start, { zone: ZONE })
            .plus({ days: 7 })
            .set({ hour: 9 })
            .toJSDate(),
        });
    }
    return { remind, check };
  }

  async ensure(): Promise<void> {
    const now = this.s.clock.now();
    const { remind, check } = this.schedule();
    for (const r of remind)
      if (r.at > now) await this.s.scheduler.schedule(JOBS.handoffRemind, { year: r.year }, r.at);
    for (const c of check) {
      if (c.at > now) await this.s.scheduler.schedule(JOBS.handoffCheck, { year: c.year }, c.at);
    }
  }

  private leaders(codes: string[]): Promise<StaffLike[]> {
    return schoolLeaders(codes);
  }

  private push(userids: string[], content: string, key: string): Promise<void> {
    return this.s.notify.text(userids, content, key);
  }

  async onRemind(a: { year: number }): Promise<void> {
    const key = JOBS.handoffRemind.key(a);
    for (const school of await School.find({ kind: 'primary' }).lean()) {
      const n = await Student.countDocuments({
        schoolCode: school.code,
        grade: GRADUATING_GRADE,
        status: 'enrolled',
      });
      if (!n) continue;
      const leaders = (await this.leaders([school.code])).map((p) => p.userid);
      await this.push(
        leaders,
        `【毕业交接】${school.name} 六年级 ${n} 名毕业生须全部送入本地初中就读。` +
          '请在学期结束前发送「毕业交接 初中学校名」' +
          '（也可按班：「毕业交接 初中学校名 六年级1班」），把名单交给初中。',
        `${key}:${school.code}`,
      );
    }
  }

  /** `毕业交接 <初中> [班级]` by a primary school's principal or deputy. */
  async handOver(
    actor: StaffLike,
    juniorName: string,
    className: string,
    now: Date,
  ): Promise<string> {
    const own = actor.roles
      .filter((r) => (r.role === 'principal' || r.role === 'deputy') && r.schoolCode)
      .map((r) => r.schoolCode!);
    const from = (await School.find({ code: { $in: own }, kind: 'primary' }).lean())[0];
    if (!from || !canActOnSchool(actor, 'submitReport', from.code))
      return '毕业交接由小学的校长或分管领导办理。';
    if (!juniorName) return '请写明交给哪所初中，例如：毕业交接 珠山区第二中学';
    const to = await School.findOne({
      $or: [{ name: juniorName }, { code: juniorName }],
      kind: { $in: ['junior', 'nineYear'] },
    }).lean();
    if (!to) return `没有找到初中「${juniorName}」，请核对学校名称。`;
    const classes = await SchoolClass.find({
      schoolCode: from.code,
      grade: GRADUATING_GRADE,
    }).lean();
    const picked = className ? classes.filter((c) => c.name === className) : classes;
    if (className && !picked.length)
      return (
        `本校没有「${className}」，六年级的班级有：` +
        `${classes.map((c) => c.name).join('、') || '（无）'}。`
      );
    const students = await Student.find({
      classId: { $in: picked.map((c) => c.classId) },
      status: 'enrolled',
    })
      .sort({ classId: 1, studentNo: 1 })
      .lean();
    if (!students.length) return '没有需要交接的六年级在读学生。';
    const fresh = await this.record(actor, from, to, students, now);
    if (!fresh.length) return `这些学生已经交接过了（共 ${students.length} 人）。`;
    await this.tellJunior(actor, from, to, fresh, picked, now);
    return (
      `已把 ${fresh.length} 名毕业生的名单交给 ${to.name}，对方已收到并被提醒提前家访。` +
      '开学一周后我会核查他们是否都已在初中注册。'
    );
  }

  /** One handoff row per student (a student handed over before is skipped); audited. */
  private async record(
    actor: StaffLike,
    from: SchoolRow,
    to: SchoolRow,
    students: StudentLike[],
    now: Date,
  ): Promise<StudentLike[]> {
    const year = DateTime.fromJSDate(now, { zone: ZONE }).year;
    const fresh: StudentLike[] = [];
    for (const st of students) {
      const sent = await insertOnce(Handoff, {
        key: `${st.studentNo}:${year}`,
        studentNo: st.studentNo,
        fromSchool: from.code,
        toSchool: to.code,
        classId: st.classId,
        year,
        sentBy: actor.userid,
        sentAt: now,
      });
      if (sent) fresh.push(st);
    }
    await audit({
      actor: actor.userid,
      action: 'handoff',
      target: `${from.code}→${to.code}`,
      channel: 'wecom',
      at: now,
      detail: `${fresh.length} students`,
    });
    return fresh;
  }

  /** The junior school's leaders get the list and are asked to visit in advance. */
  private async tellJunior(
    actor: StaffLike,
    from: SchoolRow,
    to: SchoolRow,
    fresh: StudentLike[],
    picked: { classId: string; name: string }[],
    now: Date,
  ): Promise<void> {
    const year = DateTime.fromJSDate(now, { zone: ZONE }).year;
    const names = new Map(picked.map((c) => [c.classId, c.name]));
    const list = fresh.map(
      (st, i) =>
        `${i + 1}. ${st.name}（${names.get(st.classId)}，学籍号尾号 ${st.studentNo.slice(-4)}）`,
    );
    const text =
      `【毕业生交接】${from.name} 向贵校交接 ${fresh.length} 名小学毕业生` +
      `（${actor.name} 办理，${formatDeadline(now)}）：\n${list.join('\n')}\n` +
      '请提前组织教师深入学生家中，全面了解思想动态和家庭经济状况，做耐心细致的工作，' +
      '走访后发「交接家访 学籍号 记录」；新学期请及时在花名册中登记这些学生。';
    const batch = opaque(fresh.map((x) => x.studentNo).join(','));
    await this.push(
      (await this.leaders([to.code])).map((p) => p.userid),
      text,
      `handoff:${from.code}:${to.code}:${year}:${batch}`,
    );
  }

  /**
   * `交接家访 <学籍号> <记录>`: any staff member of the receiving school records the visit.
   * `onHidden` runs when the student is not handed to the sender's school (the caller audits it:
   * the answer is the same as for a student who does not exist).
   */
  async advanceVisit(
    actor: StaffLike,
    studentNo: string,
    record: string,
    now: Date,
    onHidden?: () => Promise<void>,
  ): Promise<string> {
    const schools = new Set(actor.roles.map((r) => r.schoolCode).filter(Boolean));
    const h = (
      await Handoff.find({ studentNo: studentNo.toUpperCase() }).sort({ year: -1 }).limit(1).lean()
    )[0];
    if (!h || !schools.has(h.toSchool)) {
      await onHidden?.();
      return `没有找到交接给贵校的学生「${studentNo}」。请用交接名单上的学籍号。`;
    }
    if (record.length < 4)
      return `请写上家访记录，例如：交接家访 ${studentNo} 见到父母，了解到……，约定……`;
    await HomeVisit.create({
      visitId: `V${now.getTime().toString(36)}${h.studentNo.slice(-6)}`,
      studentNo: h.studentNo,
      visitor: actor.userid,
      at: now,
      record: `（交接前家访）${record}`,
      channel: 'wecom',
    });
    await Handoff.updateOne({ key: h.key }, { $set: { visitedAt: now, visitedBy: actor.userid } });
    await audit({
      actor: actor.userid,
      action: 'handoff.visit',
      target: h.studentNo,
      channel: 'wecom',
      at: now,
    });
    const left = await Handoff.countDocuments({
      toSchool: h.toSchool,
      year: h.year,
      visitedAt: { $exists: false },
    });
    return (
      `已记录交接前家访（学籍号尾号 ${h.studentNo.slice(-4)}）。` +
      `本批交接学生还有 ${left} 人未家访。`
    );
  }

  /** A week into autumn: who was handed over but is not on the junior school's roll? */
  async onCheck(a: { year: number }): Promise<void> {
    const key = JOBS.handoffCheck.key(a);
    const year = a.year;
    const pending = await Handoff.find({ year, arrivedAt: { $exists: false } }).lean();
    const missing: HandoffDoc[] = [];
    for (const h of pending) {
      const st = await Student.findOne({ studentNo: h.studentNo }).lean();
      if (
        st &&
        st.schoolCode === h.toSchool &&
        (st.status === 'enrolled' || st.status === 'suspended')
      ) {
        await Handoff.updateOne({ key: h.key }, { $set: { arrivedAt: this.s.clock.now() } });
      } else missing.push(h);
    }
    if (!missing.length) return;
    const schools = new Map((await School.find({}).lean()).map((x) => [x.code, x.name]));
    const byPair = new Map<string, HandoffDoc[]>();
    for (const h of missing)
      byPair.set(`${h.fromSchool}>${h.toSchool}`, [
        ...(byPair.get(`${h.fromSchool}>${h.toSchool}`) ?? []),
        h,
      ]);
    const bureau = await bureauStaff();
    for (const [pair, list] of byPair) {
      const [fromCode, toCode] = pair.split('>');
      const names = (
        await Student.find({ studentNo: { $in: list.map((h) => h.studentNo) } }).lean()
      ).map((st) => st.name);
      const unvisited = list.filter((h) => !h.visitedAt).length;
      const text =
        `【交接核查】${schools.get(fromCode)} 交接给 ${schools.get(toCode)} 的毕业生中，` +
        `${list.length} 人开学一周后仍未在初中注册：${names.join('、')}` +
        `（其中 ${unvisited} 人未做交接前家访）。请两校核实去向，未入学的按控辍保学程序处理。`;
      await this.push(
        [...bureau, ...(await this.leaders([fromCode, toCode])).map((p) => p.userid)],
        text,
        `${key}:${pair}`,
      );
    }
  }
}
