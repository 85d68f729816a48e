import type { StaffLike } from '../domain/roster';
import { chainOf, findStudent, staffNames, className, type StudentDoc } from '../roster/directory';
import { responsibleAt, type Chain } from '../domain/chain';
import { canActOnStudent } from '../domain/policy';
import {
  STEPS,
  reminderBefore,
  nextMorning,
  deadline,
  halfDayRecipients,
  type Step,
} from '../domain/ladder';
import { GATE } from '../domain/case-machine';
import { Obligation, HomeVisit, CaseEvent, type CaseDoc, type ObligationDoc } from '../models/case';
import { Student } from '../models/roster';
import { recordChange } from '../models/enrollment-change';
import { audit } from '../models/audit';
import { fromIsoDay, isoDay, formatDay, formatDeadline } from '../lib/time';
import type { CardAction } from './messages';
import { visitQuota } from '../domain/reports';
import { visitsThisSemester } from '../reports/visits';
import { LadderCore, type DayPart } from './core';
import {
  addEvent,
  caseJobKey,
  createCase,
  createObligation,
  getCase,
  MoveRefused,
  openCaseOf,
  settleObligations,
  updateCase,
  type Channel,
} from './store';

export type { DayPart };
const PART_LABEL: Record<DayPart, string> = { full: '全天', am: '上午', pm: '下午', half: '半天' };

/**
 * The absence ladder as operations: each is a thin sequence of policy check → state move →
 * event → obligations/jobs → pushes, returning the short Chinese reply for the teacher.
 * The rules themselves are pure (src/domain); the shared steps are in core.ts, the scheduled
 * work in jobs.ts.
 */
export class Ladder extends LadderCore {
  // ───────────────────────── 缺勤 ─────────────────────────

  async reportAbsence(
    actor: StaffLike,
    student: StudentDoc,
    day: string,
    part: DayPart,
    reason: string,
    channel: Channel,
    now: Date,
  ): Promise<string> {
    if (!canActOnStudent(actor, 'report', student))
      return this.refuse(actor, 'report', student, 'absence', now);
    if (student.status !== 'enrolled')
      return `${student.name} 的学籍状态不是在读，无需报告缺勤。如有变化请联系学校学籍管理员。`;
    const bad = this.checkDay(day, now);
    if (bad) return bad;

    let c = await openCaseOf(student.studentNo);
    if (
      c?.state === 'leave' &&
      c.leaveUntil &&
      day >= (c.leaveFrom ?? day) &&
      day <= c.leaveUntil
    ) {
      return `${student.name} 已请假（${formatDay(c.leaveFrom!)} 至 ${formatDay(c.leaveUntil)}），请假期间不计无故缺勤。`;
    }
    if (c?.state === 'returned') {
      // A new absence during the return check-ins starts a new episode.
      await updateCase(c.caseId, 'complete', () => ({}));
      await addEvent(c, {
        type: 'complete',
        actor: actor.userid,
        channel,
        at: now,
        detail: '帮扶期内再次缺勤，另立新案',
      });
      await this.s.scheduler.cancelPrefix(`${c.caseId}:`);
      c = null;
    }
    const chain = await chainOf(student);
    const isNew = !c;
    if (!c) {
      const made = await createCase(student, 'watch', actor.userid, now);
      c = made.doc;
      if (made.created)
        await addEvent(c, {
          type: 'opened',
          actor: actor.userid,
          channel,
          at: now,
          to: 'watch',
          day,
          detail: reason || undefined,
        });
    }

    if (part !== 'full')
      return this.recordHalfDay(actor, student, c, chain, day, part, reason, channel, now, isNew);
    const result = await this.recordFullDay(
      c,
      student,
      chain,
      day,
      actor.userid,
      channel,
      now,
      reason,
    );
    if (result.duplicate) {
      const by = await CaseEvent.findOne({ caseId: c.caseId, type: 'absence', day }).lean<{
        actor: string;
      }>();
      return `${student.name} ${formatDay(day)} 的缺勤已由${by ? ` ${await this.who([by.actor])} ` : ''}报告过，无需重复报告。${await this.nextStepLine(c.caseId)}`;
    }
    // Tell the deputy at once; the head teacher too when someone else reported it.
    const reporterRole = this.roleOf(actor, student);
    const tell = this.at(chain, 'deputy').filter((u) => u !== actor.userid);
    const line = `【缺勤报告】${await className(student.classId)} ${student.name} ${formatDay(day)} 全天无故缺勤（${actor.name} 报告${reason ? `，${reason}` : ''}）。`;
    await this.notify.text(
      c.caseId,
      tell,
      `${line}\n${await this.nextStepLine(c.caseId)}`,
      caseJobKey(c.caseId, 'told', day),
    );
    if (reporterRole !== 'headTeacher') {
      const heads = this.at(chain, 'headTeacher').filter((u) => u !== actor.userid);
      await this.notify.text(
        c.caseId,
        heads,
        `${line}\n请您按要求家访。`,
        caseJobKey(c.caseId, 'toldHead', day),
      );
    }
    const count = result.after.absentDays.length;
    return [
      `已记录：${student.name} ${formatDay(day)} 全天无故缺勤${count > 1 ? `（连续第 ${count} 个上学日）` : ''}。`,
      await this.nextStepLine(c.caseId),
      tell.length ? `已告知分管领导 ${await this.who(tell)}。` : '',
      isNew ? `报错了？${this.cfg.undoWindowMinutes} 分钟内可发送「撤销 ${student.name}」。` : '',
    ]
      .filter(Boolean)
      .join('\n');
  }

  private async recordHalfDay(
    actor: StaffLike,
    student: StudentDoc,
    c: CaseDoc,
    chain: Chain,
    day: string,
    part: DayPart,
    reason: string,
    channel: Channel,
    now: Date,
    isNew: boolean,
  ): Promise<string> {
    const res = await updateCase(c.caseId, 'absence', (x) =>
      x.halfDays.some((h) => h.day === day && h.part === part) || x.absentDays.includes(day)
        ? undefined
        : { halfDays: [...x.halfDays, { day, part }] },
    );
    if (!res) return `${student.name} ${formatDay(day)} 的缺勤已经报告过，无需重复。`;
    await addEvent(c, {
      type: 'halfDay',
      actor: actor.userid,
      channel,
      at: now,
      day,
      detail: `${PART_LABEL[part]}${reason ? `，${reason}` : ''}`,
    });
    const tell = this.at(chain, ...halfDayRecipients(this.roleOf(actor, student))).filter(
      (u) => u !== actor.userid,
    );
    await this.notify.text(
      c.caseId,
      tell,
      `【缺勤报告】${await className(student.classId)} ${student.name} ${formatDay(day)}${PART_LABEL[part]}未到校（${actor.name} 报告${reason ? `，${reason}` : ''}）。如全天未到，请报告「缺勤 ${student.name} 全天」。`,
      caseJobKey(c.caseId, 'half', day, part),
    );
    const morning = await this.scheduleMorning(c.caseId, day);
    return [
      `已记录：${student.name} ${formatDay(day)}${PART_LABEL[part]}无故缺勤，已报告学校${tell.length ? `（已告知 ${await this.who(tell)}）` : ''}。`,
      `如全天未到校，请再发「缺勤 ${student.name} 全天」；${formatDay(morning.day)} 早上我会询问班主任是否到校。`,
      isNew ? `报错了？${this.cfg.undoWindowMinutes} 分钟内可发送「撤销 ${student.name}」。` : '',
    ]
      .filter(Boolean)
      .join('\n');
  }

  /** Adds a full absent day and applies what the new count brings (visits, persuasion). */
  // ───────────────────────── 请假 ─────────────────────────

  async reportLeave(
    actor: StaffLike,
    student: StudentDoc,
    from: string,
    until: string,
    reason: string,
    channel: Channel,
    now: Date,
  ): Promise<string> {
    if (!canActOnStudent(actor, 'report', student))
      return this.refuse(actor, 'report', student, 'leave', now);
    if (until < from) return '请假结束日期早于开始日期，请检查。';
    const start = this.cal.onOrAfter(from);
    const days = this.cal.schoolDaysBetween(this.cal.previousSchoolDay(start), until);
    if (days < 1) return `${formatDay(from)} 至 ${formatDay(until)} 没有上学日，无需请假。`;
    let c = await openCaseOf(student.studentNo);
    if (c && c.state !== 'leave' && c.state !== 'watch')
      return `${student.name} 目前处于「${GATE[c.state]}」，不能登记请假。请联系分管领导。`;
    if (!c)
      c = (
        await createCase(student, 'leave', actor.userid, now, {
          leaveFrom: start,
          leaveUntil: until,
          leaveReason: reason,
        })
      ).doc;
    else {
      try {
        await updateCase(c.caseId, 'leave', () => ({
          leaveFrom: start,
          leaveUntil: until,
          leaveReason: reason,
        }));
      } catch (err) {
        if (err instanceof MoveRefused) return err.message;
        throw err;
      }
      await settleObligations(this.s, c.caseId, 'cancelled', actor.userid, now);
      await this.cancelMornings(c.caseId);
    }
    await addEvent(c, {
      type: 'leave',
      actor: actor.userid,
      channel,
      at: now,
      to: 'leave',
      day: start,
      detail: `至 ${formatDay(until)}${reason ? `，${reason}` : ''}`,
    });
    const back = nextMorning(this.cal, this.cfg, until);
    await this.s.scheduler.at('ladder.leaveEnd', caseJobKey(c.caseId, 'leaveEnd'), back.at);
    return `已登记请假：${student.name} ${formatDay(start)} 至 ${formatDay(until)}（${days} 个上学日）${reason ? `，事由：${reason}` : ''}。请假期间不计缺勤；${formatDay(back.day)} 若仍未到校，将按无故缺勤处理并通知班主任家访。返校时请发「到校 ${student.name}」。`;
  }

  // ───────────────────────── 到校 / 返校 ─────────────────────────

  async reportBack(
    actor: StaffLike,
    student: StudentDoc,
    channel: Channel,
    now: Date,
  ): Promise<string> {
    if (!canActOnStudent(actor, 'report', student))
      return this.refuse(actor, 'report', student, 'back', now);
    const c = await openCaseOf(student.studentNo);
    if (!c) return `${student.name} 目前没有缺勤记录，无需报到校。`;
    if (c.state === 'returned') return `${student.name} 已登记返校，正在帮扶跟进中。`;
    const longAbsence = c.state === 'persuasion' || c.state === 'reported';
    const res = await updateCase(c.caseId, 'back', () => ({}));
    if (!res) return '请稍后再试。';
    await addEvent(c, {
      type: 'back',
      actor: actor.userid,
      channel,
      at: now,
      from: c.state,
      to: res.after.state,
      day: isoDay(now),
    });
    await settleObligations(this.s, c.caseId, 'met', actor.userid, now);
    await this.s.scheduler.cancelPrefix(`${c.caseId}:`);
    const told = res.after.notified.filter((u) => u !== actor.userid);
    await this.notify.text(
      c.caseId,
      told,
      `【已到校】${await className(student.classId)} ${student.name} 已于 ${formatDay(isoDay(now))} 到校（${actor.name} 报告）。相关待办已关闭。`,
      caseJobKey(c.caseId, 'back'),
    );
    if (!longAbsence) {
      return `已记录：${student.name} 已到校。相关待办已全部关闭${told.length ? `，已通知 ${await this.who(told)}` : ''}。`;
    }
    // 复学通知关: placement, mentor and helper, weekly check-ins.
    if (student.status !== 'enrolled') {
      await Student.updateOne({ studentNo: student.studentNo }, { $set: { status: 'enrolled' } });
      await recordChange({
        studentNo: student.studentNo,
        schoolCode: student.schoolCode,
        from: student.status,
        to: 'enrolled',
        detail: '劝返复学',
        actor: actor.userid,
        channel,
        at: now,
      });
    }
    const chain = await chainOf(student);
    const dueAt = deadline(this.cal, this.cfg, isoDay(now), 2);
    await createObligation(this.s, {
      key: caseJobKey(c.caseId, 'mentoring'),
      caseId: c.caseId,
      studentNo: student.studentNo,
      step: 'mentoring',
      assignees: this.holders(chain, 'mentoring'),
      dueAt,
      remindAt: reminderBefore(dueAt, this.cfg),
    });
    for (let week = 1; week <= this.cfg.returnCheckInWeeks; week++) {
      const day = this.cal.onOrAfter(isoDay(new Date(now.getTime() + week * 7 * 86_400_000)));
      await this.s.scheduler.at(
        'ladder.checkIn',
        caseJobKey(c.caseId, 'checkin', week),
        fromIsoDay(day, this.cfg.morningCheckAt),
      );
    }
    return [
      `已记录：${student.name} 返校复学。请不要歧视，根据学生意愿和离校时间合理安排班级。`,
      `请班主任在 ${formatDeadline(dueAt)} 前发送「帮扶 ${student.name} 帮扶教师姓名 学生干部姓名」安排帮扶。`,
      `此后 ${this.cfg.returnCheckInWeeks} 周每周我会提醒班主任跟进。已通知相关人员。`,
    ].join('\n');
  }

  // ───────────────────────── 家访 ─────────────────────────

  async recordVisit(
    actor: StaffLike,
    student: StudentDoc,
    record: string,
    channel: Channel,
    now: Date,
  ): Promise<string> {
    if (!canActOnStudent(actor, 'report', student))
      return this.refuse(actor, 'report', student, 'visit', now);
    const c = await openCaseOf(student.studentNo);
    await HomeVisit.create({
      studentNo: student.studentNo,
      caseId: c?.caseId,
      visitor: actor.userid,
      at: now,
      record,
      channel,
    });
    await audit({
      actor: actor.userid,
      action: 'visit',
      target: student.studentNo,
      channel: 'wecom',
      at: now,
    });
    const quota = visitQuota(actor.roles, this.s.settings.quotas);
    const count = await visitsThisSemester(
      this.cal,
      this.s.settings.calendar.semesters,
      actor.userid,
      now,
    );
    const tally = quota ? `本学期您已家访 ${count} 人次（要求不少于 ${quota} 人次）。` : '';
    if (!c) return `已记录对 ${student.name} 的家访。${tally}`;
    if (c.state !== 'closed')
      await updateCase(c.caseId, 'visit', () => ({})).catch((err) => {
        if (!(err instanceof MoveRefused)) throw err;
      });
    await addEvent(c, {
      type: 'visit',
      actor: actor.userid,
      channel,
      at: now,
      detail: record.slice(0, 500),
    });
    // A school leader's visit satisfies both visit duties; a teacher's only the head teacher's.
    const leader =
      actor.roles.some((r) => ['gradeLeader', 'deputy', 'principal'].includes(r.role)) ||
      (student.atRisk && student.atRiskLeader === actor.userid);
    const steps: Step[] = leader ? ['headVisit', 'leaderVisit'] : ['headVisit'];
    const met = (
      await settleObligations(this.s, c.caseId, 'met', actor.userid, now, steps, true)
    ).map((o) => `${STEPS[o.step].label}${o.status === 'missed' ? '（逾期后补做）' : ''}`);
    const next = await this.nextStepLine(c.caseId);
    return [
      `已记录家访：${student.name}。${met.length ? `已完成：${met.join('、')}。` : ''}`,
      record.length < 10
        ? `记录较简单，如方便请补充：见到谁、了解到什么、约定了什么（再发一次「家访 ${student.name} 详细记录」即可）。`
        : '',
      c.state === 'watch' ? `${student.name} 还未返校；到校后请发「到校 ${student.name}」。` : '',
      next,
      tally,
    ]
      .filter(Boolean)
      .join('\n');
  }

  // ───────────────────────── 劝返 / 确认辍学 ─────────────────────────

  async recordPersuasion(
    actor: StaffLike,
    student: StudentDoc,
    record: string,
    channel: Channel,
    now: Date,
  ): Promise<string> {
    if (!canActOnStudent(actor, 'report', student))
      return this.refuse(actor, 'report', student, 'persuasion', now);
    const c = await openCaseOf(student.studentNo);
    if (!c) return `${student.name} 目前没有未结的缺勤案件。`;
    try {
      await updateCase(c.caseId, 'persuasion', () => ({}));
    } catch (err) {
      if (err instanceof MoveRefused) return err.message;
      throw err;
    }
    await addEvent(c, {
      type: 'persuasion',
      actor: actor.userid,
      channel,
      at: now,
      detail: record.slice(0, 500),
    });
    await settleObligations(this.s, c.caseId, 'met', actor.userid, now, ['persuade'], true);
    const n = (await Obligation.countDocuments({ caseId: c.caseId, step: 'persuade' })) + 1;
    if (c.state === 'persuasion')
      await this.openPersuasionWindow(c, student, await chainOf(student), n, isoDay(now));
    return `已记录劝返：${student.name}。如学生返校请发「到校 ${student.name}」；如经动员确认已辍学，由校长发送「确认辍学 ${student.name} 原因」。${await this.nextStepLine(c.caseId)}`;
  }

  async confirmDropout(
    actor: StaffLike,
    student: StudentDoc,
    reason: string,
    channel: Channel,
    now: Date,
  ): Promise<string> {
    if (!canActOnStudent(actor, 'confirmDropout', student))
      return this.refuse(actor, 'confirmDropout', student, 'confirmDropout', now);
    if (!reason || reason.length < 2)
      return `请写明辍学原因，例如：确认辍学 ${student.name} 随父母外出打工，多次劝返无效。`;
    const c = await openCaseOf(student.studentNo);
    if (!c) return `${student.name} 没有未结的缺勤案件，不能确认辍学。`;
    try {
      await updateCase(c.caseId, 'confirmDropout', () => ({ dropoutReason: reason }));
    } catch (err) {
      if (err instanceof MoveRefused) return err.message;
      throw err;
    }
    await addEvent(c, {
      type: 'dropoutConfirmed',
      actor: actor.userid,
      channel,
      at: now,
      from: 'persuasion',
      to: 'reported',
      detail: reason,
    });
    await Student.updateOne({ studentNo: student.studentNo }, { $set: { status: 'droppedOut' } });
    await recordChange({
      studentNo: student.studentNo,
      schoolCode: student.schoolCode,
      from: student.status,
      to: 'droppedOut',
      detail: reason,
      actor: actor.userid,
      channel,
      at: now,
    });
    await settleObligations(this.s, c.caseId, 'met', actor.userid, now, ['persuade']);
    const chain = await chainOf(student);
    const bureau = responsibleAt(chain, 'bureau').userids;
    await this.notify.text(
      c.caseId,
      bureau,
      `【辍学上报】${student.schoolCode} ${await className(student.classId)} ${student.name}（学籍号 ${student.studentNo}）经劝返确认辍学（校长 ${actor.name} 确认）。原因：${reason}。已计入本月流失生报告。`,
      caseJobKey(c.caseId, 'bureau'),
    );
    await addEvent(c, {
      type: 'reported',
      actor: 'system',
      channel: 'job',
      at: now,
      detail: `已报告区教体局：${await this.who(bureau)}`,
    });
    const dueAt = deadline(this.cal, this.cfg, isoDay(now), 3);
    await createObligation(this.s, {
      key: caseJobKey(c.caseId, 'govReport'),
      caseId: c.caseId,
      studentNo: student.studentNo,
      step: 'govReport',
      assignees: [actor.userid],
      dueAt,
      remindAt: reminderBefore(dueAt, this.cfg),
    });
    return [
      `已确认 ${student.name} 辍学，原因已记录，并已报告区教体局（${await this.who(bureau)}），计入本月流失生报告。`,
      `请您全面了解辍学原因，在 ${formatDeadline(dueAt)} 前向当地政府报告，协调对其监护人采取措施，促使其返校。`,
      `学生返校时请发「返校 ${student.name}」。`,
    ].join('\n');
  }

  // ───────────────────────── 撤销 ─────────────────────────

  async undo(actor: StaffLike, student: StudentDoc, channel: Channel, now: Date): Promise<string> {
    if (!canActOnStudent(actor, 'report', student))
      return this.refuse(actor, 'report', student, 'undo', now);
    const c = await openCaseOf(student.studentNo);
    if (!c) return `${student.name} 没有可以撤销的报告。`;
    const others = await CaseEvent.countDocuments({
      caseId: c.caseId,
      actor: { $nin: [actor.userid, 'system'] },
    });
    const inWindow =
      c.openedBy === actor.userid &&
      others === 0 &&
      now.getTime() - new Date(c.openedAt).getTime() <= this.cfg.undoWindowMinutes * 60_000;
    const asLeader = canActOnStudent(actor, 'correct', student);
    if (!inWindow && !asLeader) {
      await audit({
        actor: actor.userid,
        action: 'undo',
        target: student.studentNo,
        channel: 'wecom',
        outcome: 'refused',
        at: now,
      });
      return `超过 ${this.cfg.undoWindowMinutes} 分钟或已有其他人跟进，不能自行撤销。如确属误报，请联系年级组长或分管领导更正。`;
    }
    try {
      await updateCase(c.caseId, 'undo', () => ({ closedAt: now }));
    } catch (err) {
      if (err instanceof MoveRefused) return err.message;
      throw err;
    }
    await addEvent(c, {
      type: 'undo',
      actor: actor.userid,
      channel,
      at: now,
      from: c.state,
      to: 'cancelled',
      detail: inWindow ? '报告人撤销误报' : '领导更正',
    });
    await audit({
      actor: actor.userid,
      action: inWindow ? 'undo' : 'correct',
      target: student.studentNo,
      channel: 'wecom',
      at: now,
      detail: c.caseId,
    });
    await settleObligations(this.s, c.caseId, 'cancelled', actor.userid, now);
    await this.s.scheduler.cancelPrefix(`${c.caseId}:`);
    const told = c.notified.filter((u) => u !== actor.userid);
    await this.notify.text(
      c.caseId,
      told,
      `【更正】${actor.name} 撤销了 ${await className(student.classId)} ${student.name} 的${c.state === 'leave' ? '请假' : '缺勤'}报告（误报），相关待办已取消。`,
      caseJobKey(c.caseId, 'undo'),
    );
    return `已撤销 ${student.name} 的报告，相关待办已取消${told.length ? `，已通知 ${await this.who(told)}` : ''}。`;
  }

  // ───────────────────────── 帮扶 ─────────────────────────

  async assignMentoring(
    actor: StaffLike,
    student: StudentDoc,
    mentor: StaffLike | undefined,
    helper: string,
    placement: string,
    channel: Channel,
    now: Date,
  ): Promise<string> {
    if (!canActOnStudent(actor, 'report', student))
      return this.refuse(actor, 'report', student, 'mentoring', now);
    const c = await openCaseOf(student.studentNo);
    if (!c) return `${student.name} 没有返校帮扶中的案件。`;
    if (!mentor)
      return `请写明帮扶教师（本校老师）的姓名，例如：帮扶 ${student.name} 王芳 李小红。`;
    try {
      await updateCase(c.caseId, 'mentoring', () => ({
        mentor: mentor.userid,
        helper,
        placement: placement || '原班级',
      }));
    } catch (err) {
      if (err instanceof MoveRefused) return err.message;
      throw err;
    }
    await addEvent(c, {
      type: 'mentoring',
      actor: actor.userid,
      channel,
      at: now,
      detail: `帮扶教师 ${mentor.name}，学生干部 ${helper || '（未填）'}，安排：${placement || '原班级'}`,
    });
    await settleObligations(this.s, c.caseId, 'met', actor.userid, now, ['mentoring']);
    if (mentor.userid !== actor.userid) {
      await this.notify.text(
        c.caseId,
        [mentor.userid],
        `【帮扶安排】您被安排为 ${await className(student.classId)} ${student.name} 的帮扶教师（返校复学）。请多关心，帮助其顺利完成九年义务教育。`,
        caseJobKey(c.caseId, 'mentor'),
      );
    }
    return `已安排帮扶：${student.name} 的帮扶教师 ${mentor.name}${helper ? `，学生干部 ${helper}` : ''}，${placement || '在原班级'}就读。此后每周我会提醒跟进。`;
  }

  // ───────────────────────── 待办 / 进展 ─────────────────────────

  async todo(actor: StaffLike, now: Date): Promise<string> {
    const list = await Obligation.find({
      assignees: actor.userid,
      status: { $in: ['open', 'missed'] },
    })
      .sort({ dueAt: 1 })
      .limit(20)
      .lean<ObligationDoc[]>();
    if (!list.length) return '您目前没有待办事项。👍';
    const names = new Map(
      (
        await Student.find({ studentNo: { $in: list.map((o) => o.studentNo) } }).lean<
          StudentDoc[]
        >()
      ).map((s) => [s.studentNo, s.name]),
    );
    const lines = list.map((o, i) => {
      const left = o.dueAt.getTime() - now.getTime();
      const when =
        left < 0
          ? `已逾期（截止 ${formatDeadline(o.dueAt)}）`
          : `截止 ${formatDeadline(o.dueAt)}${left < 86_400_000 ? `，还剩 ${Math.max(1, Math.round(left / 3_600_000))} 小时` : ''}`;
      return `${i + 1}. ${names.get(o.studentNo) ?? o.studentNo}：${STEPS[o.step].label}，${when}`;
    });
    return `您的待办（按截止时间）：\n${lines.join('\n')}\n完成家访后发「家访 姓名 记录」，学生到校发「到校 姓名」。`;
  }

  async progress(actor: StaffLike, student: StudentDoc, now: Date): Promise<string> {
    if (!canActOnStudent(actor, 'view', student))
      return this.refuse(actor, 'view', student, 'progress', now);
    await audit({
      actor: actor.userid,
      action: 'view',
      target: student.studentNo,
      channel: 'wecom',
      at: now,
      detail: 'progress',
    });
    const last = (
      await CaseEvent.find({ studentNo: student.studentNo })
        .sort({ at: -1 })
        .limit(1)
        .lean<{ caseId: string }[]>()
    )[0];
    if (!last) return `${student.name} 没有缺勤或请假记录。`;
    const c = await getCase(last.caseId);
    const events = await CaseEvent.find({ caseId: last.caseId })
      .sort({ at: 1 })
      .lean<{ type: string; actor: string; at: Date; detail?: string; day?: string }[]>();
    const names = await staffNames([...new Set(events.map((e) => e.actor))]);
    const lines = events
      .slice(-15)
      .map(
        (e) =>
          `· ${formatDeadline(e.at)} ${e.actor === 'system' ? '系统' : (names.get(e.actor) ?? e.actor)}：${EVENT_LABEL[e.type] ?? e.type}${e.day ? `（${formatDay(e.day)}）` : ''}${e.detail ? `，${e.detail.slice(0, 60)}` : ''}`,
      );
    return [
      `【${student.name}】当前：${GATE[c!.state]}，累计缺勤 ${c!.absentDays.length} 个上学日`,
      ...lines,
      await this.nextStepLine(last.caseId),
    ]
      .filter(Boolean)
      .join('\n');
  }

  // ───────────────────────── card clicks ─────────────────────────

  async onCardClick(
    actor: StaffLike,
    action: CardAction,
    caseId: string,
    arg: string | undefined,
    responseCode: string,
    now: Date,
  ): Promise<string> {
    const c = await getCase(caseId);
    const student = c && (await findStudent(c.studentNo));
    if (!c || !student) return '这张卡片对应的记录已不存在。发送「待办」查看当前事项。';
    if (!canActOnStudent(actor, action === 'details' ? 'view' : 'report', student))
      return this.refuse(actor, 'report', student, `card:${action}`, now);
    const done = (label: string) => this.notify.updateCard(actor.userid, responseCode, label);
    switch (action) {
      case 'details':
        return this.progress(actor, student, now);
      case 'back': {
        const reply = await this.reportBack(actor, student, 'wecom', now);
        await done('已到校');
        return reply;
      }
      case 'absent':
        if (c.open)
          await addEvent(c, {
            type: 'confirmedAbsent',
            actor: actor.userid,
            channel: 'wecom',
            at: now,
            day: arg,
          });
        await done('已确认：仍未到校');
        return `已确认 ${student.name} 仍未到校。${await this.nextStepLine(caseId)}`;
      case 'visited': {
        const reply = await this.recordVisit(
          actor,
          student,
          '（通过卡片确认已家访，详细记录待补）',
          'wecom',
          now,
        );
        await done('已家访');
        return `${reply}\n请补充家访记录：「家访 ${student.name} 见到谁、了解到什么、约定了什么」。`;
      }
      case 'ack':
        if (c.open)
          await addEvent(c, { type: 'ack', actor: actor.userid, channel: 'wecom', at: now });
        await done('已跟进');
        return `已记录您的跟进：${student.name}。`;
    }
  }
}

const EVENT_LABEL: Record<string, string> = {
  opened: '立案',
  absence: '报告全天缺勤',
  halfDay: '报告半天缺勤',
  dayAbsent: '未报到校，记缺勤',
  visit: '家访',
  back: '报告到校',
  persuasionStarted: '进入劝返阶段',
  persuasion: '劝返',
  dropoutConfirmed: '确认辍学',
  reported: '上报教体局',
  escalated: '逾期上报',
  leave: '请假',
  leaveExpired: '请假到期未到校',
  undo: '撤销',
  mentoring: '安排帮扶',
  checkIn: '帮扶跟进',
  complete: '结案',
  confirmedAbsent: '确认仍未到校',
  ack: '已跟进',
};
