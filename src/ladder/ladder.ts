import type { Services } from '../services';
import type { StaffLike, RoleName } from '../domain/roster';
import { SchoolCalendar } from '../domain/calendar';
import { chainOf, findStudent, staffNames, className, type StudentDoc } from '../roster/directory';
import { responsibleAt, type Chain } from '../domain/chain';
import { canActOnStudent, refusal, type Action } from '../domain/policy';
import { STEPS, stepsForDay, visitDeadline, reminderBefore, nextMorning, deadline, halfDayRecipients, type Step } from '../domain/ladder';
import { GATE } from '../domain/case-machine';
import { Obligation, HomeVisit, CaseEvent, type CaseDoc, type ObligationDoc } from '../models/case';
import { Student } from '../models/roster';
import { audit } from '../models/audit';
import { fromIsoDay, isoDay, formatDay, formatDeadline } from '../lib/time';
import { Notifier, type CardAction } from './messages';
import {
  addEvent, caseJobKey, createCase, createObligation, getCase, MoveRefused, openCaseOf, settleObligations, updateCase, type Channel,
} from './store';

export type DayPart = 'full' | 'am' | 'pm' | 'half';
const PART_LABEL: Record<DayPart, string> = { full: '全天', am: '上午', pm: '下午', half: '半天' };

/**
 * The absence ladder as operations: each is a thin sequence of policy check → state move →
 * event → obligations/jobs → pushes, returning the short Chinese reply for the teacher.
 * The rules themselves are pure (src/domain); this class only sequences them.
 */
export class Ladder {
  readonly cal: SchoolCalendar;
  readonly notify: Notifier;

  constructor(private readonly s: Services) {
    this.cal = new SchoolCalendar(s.settings.calendar);
    this.notify = new Notifier(s);
  }

  private get cfg() {
    return this.s.settings.ladder;
  }

  private async refuse(actor: StaffLike, action: Action, student: StudentDoc, what: string, now: Date): Promise<string> {
    await audit({ actor: actor.userid, action: what, target: student.studentNo, channel: 'wecom', outcome: 'refused', at: now });
    return refusal(action);
  }

  private holders(chain: Chain, step: Step): string[] {
    const rule = STEPS[step];
    if (rule.holder === 'atRiskLeader') return chain.atRiskLeader ? [chain.atRiskLeader] : responsibleAt(chain, 'gradeLeader').userids;
    return responsibleAt(chain, rule.holder).userids;
  }

  private at(chain: Chain, ...levels: RoleName[]): string[] {
    return [...new Set(levels.flatMap((l) => responsibleAt(chain, l).userids))];
  }

  private async who(ids: string[]): Promise<string> {
    const names = await staffNames(ids);
    return ids.map((id) => names.get(id) ?? id).join('、') || '（空缺）';
  }

  private roleOf(actor: StaffLike, student: StudentDoc): RoleName | undefined {
    const r = actor.roles.find((x) => (x.role === 'headTeacher' || x.role === 'subjectTeacher') && x.classId === student.classId);
    return r?.role;
  }

  /** Checks a reported day: a school day, not in the future. Returns an error reply or undefined. */
  checkDay(day: string, now: Date): string | undefined {
    if (day > isoDay(now)) return `${formatDay(day)} 还没到，不能提前报告缺勤。`;
    const why = this.cal.whyNot(day);
    if (why) return `${formatDay(day)} 是${why}，不是上学日，不计缺勤。`;
    return undefined;
  }

  // ───────────────────────── 缺勤 ─────────────────────────

  async reportAbsence(actor: StaffLike, student: StudentDoc, day: string, part: DayPart, reason: string, channel: Channel, now: Date): Promise<string> {
    if (!canActOnStudent(actor, 'report', student)) return this.refuse(actor, 'report', student, 'absence', now);
    if (student.status !== 'enrolled') return `${student.name} 的学籍状态不是在读，无需报告缺勤。如有变化请联系学校学籍管理员。`;
    const bad = this.checkDay(day, now);
    if (bad) return bad;

    let c = await openCaseOf(student.studentNo);
    if (c?.state === 'leave' && c.leaveUntil && day >= (c.leaveFrom ?? day) && day <= c.leaveUntil) {
      return `${student.name} 已请假（${formatDay(c.leaveFrom!)} 至 ${formatDay(c.leaveUntil)}），请假期间不计无故缺勤。`;
    }
    if (c?.state === 'returned') {
      // A new absence during the return check-ins starts a new episode.
      await updateCase(c.caseId, 'complete', () => ({}));
      await addEvent(c, { type: 'complete', actor: actor.userid, channel, at: now, detail: '帮扶期内再次缺勤，另立新案' });
      await this.s.scheduler.cancelPrefix(`${c.caseId}:`);
      c = null;
    }
    const chain = await chainOf(student);
    const isNew = !c;
    if (!c) {
      const made = await createCase(student, 'watch', actor.userid, now);
      c = made.doc;
      if (made.created) await addEvent(c, { type: 'opened', actor: actor.userid, channel, at: now, to: 'watch', day, detail: reason || undefined });
    }

    if (part !== 'full') return this.recordHalfDay(actor, student, c, chain, day, part, reason, channel, now, isNew);
    const result = await this.recordFullDay(c, student, chain, day, actor.userid, channel, now, reason);
    if (result.duplicate) {
      const by = await CaseEvent.findOne({ caseId: c.caseId, type: 'absence', day }).lean<{ actor: string }>();
      return `${student.name} ${formatDay(day)} 的缺勤已由${by ? ` ${await this.who([by.actor])} ` : ''}报告过，无需重复报告。${await this.nextStepLine(c.caseId)}`;
    }
    // Tell the deputy at once; the head teacher too when someone else reported it.
    const reporterRole = this.roleOf(actor, student);
    const tell = this.at(chain, 'deputy').filter((u) => u !== actor.userid);
    const line = `【缺勤报告】${await className(student.classId)} ${student.name} ${formatDay(day)} 全天无故缺勤（${actor.name} 报告${reason ? `，${reason}` : ''}）。`;
    await this.notify.text(c.caseId, tell, `${line}\n${await this.nextStepLine(c.caseId)}`, caseJobKey(c.caseId, 'told', day));
    if (reporterRole !== 'headTeacher') {
      const heads = this.at(chain, 'headTeacher').filter((u) => u !== actor.userid);
      await this.notify.text(c.caseId, heads, `${line}\n请您按要求家访。`, caseJobKey(c.caseId, 'toldHead', day));
    }
    const count = result.after.absentDays.length;
    return [
      `已记录：${student.name} ${formatDay(day)} 全天无故缺勤${count > 1 ? `（连续第 ${count} 个上学日）` : ''}。`,
      await this.nextStepLine(c.caseId),
      tell.length ? `已告知分管领导 ${await this.who(tell)}。` : '',
      isNew ? `报错了？${this.cfg.undoWindowMinutes} 分钟内可发送「撤销 ${student.name}」。` : '',
    ].filter(Boolean).join('\n');
  }

  private async recordHalfDay(actor: StaffLike, student: StudentDoc, c: CaseDoc, chain: Chain, day: string, part: DayPart, reason: string, channel: Channel, now: Date, isNew: boolean): Promise<string> {
    const res = await updateCase(c.caseId, 'absence', (x) =>
      x.halfDays.some((h) => h.day === day && h.part === part) || x.absentDays.includes(day) ? undefined : { halfDays: [...x.halfDays, { day, part }] });
    if (!res) return `${student.name} ${formatDay(day)} 的缺勤已经报告过，无需重复。`;
    await addEvent(c, { type: 'halfDay', actor: actor.userid, channel, at: now, day, detail: `${PART_LABEL[part]}${reason ? `，${reason}` : ''}` });
    const tell = this.at(chain, ...halfDayRecipients(this.roleOf(actor, student))).filter((u) => u !== actor.userid);
    await this.notify.text(c.caseId, tell, `【缺勤报告】${await className(student.classId)} ${student.name} ${formatDay(day)}${PART_LABEL[part]}未到校（${actor.name} 报告${reason ? `，${reason}` : ''}）。如全天未到，请报告「缺勤 ${student.name} 全天」。`, caseJobKey(c.caseId, 'half', day, part));
    const morning = await this.scheduleMorning(c.caseId, day);
    return [
      `已记录：${student.name} ${formatDay(day)}${PART_LABEL[part]}无故缺勤，已报告学校${tell.length ? `（已告知 ${await this.who(tell)}）` : ''}。`,
      `如全天未到校，请再发「缺勤 ${student.name} 全天」；${formatDay(morning.day)} 早上我会询问班主任是否到校。`,
      isNew ? `报错了？${this.cfg.undoWindowMinutes} 分钟内可发送「撤销 ${student.name}」。` : '',
    ].filter(Boolean).join('\n');
  }

  /** Adds a full absent day and applies what the new count brings (visits, persuasion). */
  private async recordFullDay(c: CaseDoc, student: StudentDoc, chain: Chain, day: string, actor: string, channel: Channel, now: Date, detail?: string): Promise<{ duplicate: boolean; after: CaseDoc }> {
    const move = channel === 'job' ? 'dayAbsent' : 'absence';
    const res = await updateCase(c.caseId, move, (x) => (x.absentDays.includes(day) ? undefined : { absentDays: [...x.absentDays, day].sort() }));
    if (!res) return { duplicate: true, after: c };
    await addEvent(c, { type: channel === 'job' ? 'dayAbsent' : 'absence', actor, channel, at: now, day, detail });
    let after = res.after;
    for (const step of stepsForDay(after.absentDays.length, this.cfg)) {
      if (step === 'startPersuasion') after = await this.startPersuasion(after, student, chain, now);
      else await this.openVisit(after, student, chain, step, day, actor);
    }
    if (after.state === 'watch') await this.scheduleMorning(c.caseId, day);
    return { duplicate: false, after };
  }

  private async openVisit(c: CaseDoc, student: StudentDoc, chain: Chain, step: 'headVisit' | 'leaderVisit', day: string, reporter: string): Promise<void> {
    const dueAt = visitDeadline(this.cal, this.cfg, step, day);
    const assignees = this.holders(chain, step);
    const key = caseJobKey(c.caseId, step);
    const made = await createObligation(this.s, { key, caseId: c.caseId, studentNo: student.studentNo, step, assignees, dueAt, remindAt: reminderBefore(dueAt, this.cfg), triggerDay: day });
    if (!made) return;
    const n = c.absentDays.length;
    await this.notify.card(assignees.filter((u) => u !== reporter), {
      title: `${STEPS[step].label}：${student.name}`,
      desc: `${step === 'headVisit' ? '无故缺勤一天，须当天或次日家访' : '连续第二天未到校，学校领导须亲自家访'}（珠教体字〔2021〕19号）`,
      lines: [['学生', `${student.name} ${await className(student.classId)}`], ['缺勤', `连续 ${n} 个上学日`], ['截止', formatDeadline(dueAt)]],
      caseId: c.caseId, actions: ['visited', 'back', 'details'],
    }, student.name, key);
  }

  private async startPersuasion(c: CaseDoc, student: StudentDoc, chain: Chain, now: Date): Promise<CaseDoc> {
    const res = await updateCase(c.caseId, 'startPersuasion', () => ({}));
    if (!res) return c;
    await addEvent(c, { type: 'persuasionStarted', actor: 'system', channel: 'job', at: now, from: 'watch', to: 'persuasion' });
    await this.cancelMornings(c.caseId);
    const deputy = this.at(chain, 'deputy');
    const team = [...new Set([...deputy, ...this.at(chain, 'headTeacher'), ...chain.subjectTeacher, ...(chain.atRiskLeader ? [chain.atRiskLeader] : [])])];
    await this.notify.text(c.caseId, team, `【进入劝返】${await className(student.classId)} ${student.name} 已连续 ${res.after.absentDays.length} 个上学日未到校，家访后仍未返校。请分管领导 ${await this.who(deputy)} 与包保责任人共同研究劝返措施；每次劝返后发送「劝返 ${student.name} 记录」。`, caseJobKey(c.caseId, 'persuasion'));
    await this.openPersuasionWindow(res.after, student, chain, 1, isoDay(now));
    return res.after;
  }

  private async openPersuasionWindow(c: CaseDoc, student: StudentDoc, chain: Chain, n: number, fromDay: string): Promise<void> {
    const dueAt = deadline(this.cal, this.cfg, fromDay, this.cfg.persuasionReminderEverySchoolDays);
    await createObligation(this.s, { key: caseJobKey(c.caseId, 'persuade', n), caseId: c.caseId, studentNo: student.studentNo, step: 'persuade', assignees: this.holders(chain, 'persuade'), dueAt, remindAt: reminderBefore(dueAt, this.cfg) });
  }

  private async scheduleMorning(caseId: string, day: string): Promise<{ day: string; at: Date }> {
    const next = nextMorning(this.cal, this.cfg, day);
    await this.s.scheduler.at('ladder.morning', caseJobKey(caseId, 'morning', next.day), next.at);
    return next;
  }

  private async cancelMornings(caseId: string): Promise<void> {
    await this.s.scheduler.cancelPrefix(`${caseId}:morning:`);
  }

  /** "班主任王芳需在 12月1日 周二 18:00 前家访" — the soonest open duties of a case. */
  async nextStepLine(caseId: string): Promise<string> {
    const open = (await Obligation.find({ caseId, status: { $in: ['open', 'missed'] } }).sort({ dueAt: 1 }).lean<ObligationDoc[]>());
    if (!open.length) return '';
    const parts = await Promise.all(open.map(async (o) => `${STEPS[o.step].label}（${await this.who(o.assignees)}）${o.status === 'missed' ? '已逾期' : `须在 ${formatDeadline(o.dueAt)} 前完成`}`));
    return `下一步：${parts.join('；')}。`;
  }

  // ───────────────────────── 请假 ─────────────────────────

  async reportLeave(actor: StaffLike, student: StudentDoc, from: string, until: string, reason: string, channel: Channel, now: Date): Promise<string> {
    if (!canActOnStudent(actor, 'report', student)) return this.refuse(actor, 'report', student, 'leave', now);
    if (until < from) return '请假结束日期早于开始日期，请检查。';
    const start = this.cal.onOrAfter(from);
    const days = this.cal.schoolDaysBetween(this.cal.previousSchoolDay(start), until);
    if (days < 1) return `${formatDay(from)} 至 ${formatDay(until)} 没有上学日，无需请假。`;
    let c = await openCaseOf(student.studentNo);
    if (c && c.state !== 'leave' && c.state !== 'watch') return `${student.name} 目前处于「${GATE[c.state]}」，不能登记请假。请联系分管领导。`;
    if (!c) c = (await createCase(student, 'leave', actor.userid, now, { leaveFrom: start, leaveUntil: until, leaveReason: reason })).doc;
    else {
      try {
        await updateCase(c.caseId, 'leave', () => ({ leaveFrom: start, leaveUntil: until, leaveReason: reason }));
      } catch (err) {
        if (err instanceof MoveRefused) return err.message;
        throw err;
      }
      await settleObligations(this.s, c.caseId, 'cancelled', actor.userid, now);
      await this.cancelMornings(c.caseId);
    }
    await addEvent(c, { type: 'leave', actor: actor.userid, channel, at: now, to: 'leave', day: start, detail: `至 ${until}${reason ? `，${reason}` : ''}` });
    const back = nextMorning(this.cal, this.cfg, until);
    await this.s.scheduler.at('ladder.leaveEnd', caseJobKey(c.caseId, 'leaveEnd'), back.at);
    return `已登记请假：${student.name} ${formatDay(start)} 至 ${formatDay(until)}（${days} 个上学日）${reason ? `，事由：${reason}` : ''}。请假期间不计缺勤；${formatDay(back.day)} 若仍未到校，将按无故缺勤处理并通知班主任家访。返校时请发「到校 ${student.name}」。`;
  }

  // ───────────────────────── 到校 / 返校 ─────────────────────────

  async reportBack(actor: StaffLike, student: StudentDoc, channel: Channel, now: Date): Promise<string> {
    if (!canActOnStudent(actor, 'report', student)) return this.refuse(actor, 'report', student, 'back', now);
    const c = await openCaseOf(student.studentNo);
    if (!c) return `${student.name} 目前没有缺勤记录，无需报到校。`;
    if (c.state === 'returned') return `${student.name} 已登记返校，正在帮扶跟进中。`;
    const longAbsence = c.state === 'persuasion' || c.state === 'reported';
    const res = await updateCase(c.caseId, 'back', () => ({}));
    if (!res) return '请稍后再试。';
    await addEvent(c, { type: 'back', actor: actor.userid, channel, at: now, from: c.state, to: res.after.state, day: isoDay(now) });
    await settleObligations(this.s, c.caseId, 'met', actor.userid, now);
    await this.s.scheduler.cancelPrefix(`${c.caseId}:`);
    const told = res.after.notified.filter((u) => u !== actor.userid);
    await this.notify.text(c.caseId, told, `【已到校】${await className(student.classId)} ${student.name} 已于 ${formatDay(isoDay(now))} 到校（${actor.name} 报告）。相关待办已关闭。`, caseJobKey(c.caseId, 'back'));
    if (!longAbsence) {
      return `已记录：${student.name} 已到校。相关待办已全部关闭${told.length ? `，已通知 ${await this.who(told)}` : ''}。`;
    }
    // 复学通知关: placement, mentor and helper, weekly check-ins.
    if (student.status !== 'enrolled') await Student.updateOne({ studentNo: student.studentNo }, { $set: { status: 'enrolled' } });
    const chain = await chainOf(student);
    const dueAt = deadline(this.cal, this.cfg, isoDay(now), 2);
    await createObligation(this.s, { key: caseJobKey(c.caseId, 'mentoring'), caseId: c.caseId, studentNo: student.studentNo, step: 'mentoring', assignees: this.holders(chain, 'mentoring'), dueAt, remindAt: reminderBefore(dueAt, this.cfg) });
    for (let week = 1; week <= this.cfg.returnCheckInWeeks; week++) {
      const day = this.cal.onOrAfter(isoDay(new Date(now.getTime() + week * 7 * 86_400_000)));
      await this.s.scheduler.at('ladder.checkIn', caseJobKey(c.caseId, 'checkin', week), fromIsoDay(day, this.cfg.morningCheckAt));
    }
    return [
      `已记录：${student.name} 返校复学。请不要歧视，根据学生意愿和离校时间合理安排班级。`,
      `请班主任在 ${formatDeadline(dueAt)} 前发送「帮扶 ${student.name} 帮扶教师姓名 学生干部姓名」安排帮扶。`,
      `此后 ${this.cfg.returnCheckInWeeks} 周每周我会提醒班主任跟进。已通知相关人员。`,
    ].join('\n');
  }

  // ───────────────────────── 家访 ─────────────────────────

  async recordVisit(actor: StaffLike, student: StudentDoc, record: string, channel: Channel, now: Date): Promise<string> {
    if (!canActOnStudent(actor, 'report', student)) return this.refuse(actor, 'report', student, 'visit', now);
    const c = await openCaseOf(student.studentNo);
    await HomeVisit.create({ studentNo: student.studentNo, caseId: c?.caseId, visitor: actor.userid, at: now, record, channel });
    await audit({ actor: actor.userid, action: 'visit', target: student.studentNo, channel: 'wecom', at: now });
    if (!c) return `已记录对 ${student.name} 的家访。感谢您的辛勤工作！`;
    if (c.state !== 'closed') await updateCase(c.caseId, 'visit', () => ({})).catch((err) => { if (!(err instanceof MoveRefused)) throw err; });
    await addEvent(c, { type: 'visit', actor: actor.userid, channel, at: now, detail: record.slice(0, 500) });
    // A school leader's visit satisfies both visit duties; a teacher's only the head teacher's.
    const leader = actor.roles.some((r) => ['gradeLeader', 'deputy', 'principal'].includes(r.role)) || (student.atRisk && student.atRiskLeader === actor.userid);
    const steps: Step[] = leader ? ['headVisit', 'leaderVisit'] : ['headVisit'];
    const met: string[] = [];
    for (const o of await Obligation.find({ caseId: c.caseId, step: { $in: steps }, status: { $in: ['open', 'missed'] } }).lean<ObligationDoc[]>()) {
      await Obligation.updateOne({ key: o.key }, { $set: { status: 'met', metBy: actor.userid, metAt: now } });
      await this.s.scheduler.cancel('ladder.remind', o.key);
      await this.s.scheduler.cancel('ladder.deadline', o.key);
      met.push(`${STEPS[o.step].label}${o.status === 'missed' ? '（逾期后补做）' : ''}`);
    }
    const next = await this.nextStepLine(c.caseId);
    return [
      `已记录家访：${student.name}。${met.length ? `已完成：${met.join('、')}。` : ''}`,
      record.length < 10 ? `记录较简单，如方便请补充：见到谁、了解到什么、约定了什么（再发一次「家访 ${student.name} 详细记录」即可）。` : '',
      c.state === 'watch' ? `${student.name} 还未返校；到校后请发「到校 ${student.name}」。` : '',
      next,
    ].filter(Boolean).join('\n');
  }

  // ───────────────────────── 劝返 / 确认辍学 ─────────────────────────

  async recordPersuasion(actor: StaffLike, student: StudentDoc, record: string, channel: Channel, now: Date): Promise<string> {
    if (!canActOnStudent(actor, 'report', student)) return this.refuse(actor, 'report', student, 'persuasion', now);
    const c = await openCaseOf(student.studentNo);
    if (!c) return `${student.name} 目前没有未结的缺勤案件。`;
    try {
      await updateCase(c.caseId, 'persuasion', () => ({}));
    } catch (err) {
      if (err instanceof MoveRefused) return err.message;
      throw err;
    }
    await addEvent(c, { type: 'persuasion', actor: actor.userid, channel, at: now, detail: record.slice(0, 500) });
    const open = (await Obligation.find({ caseId: c.caseId, step: 'persuade', status: { $in: ['open', 'missed'] } }).lean<ObligationDoc[]>());
    for (const o of open) {
      await Obligation.updateOne({ key: o.key }, { $set: { status: 'met', metBy: actor.userid, metAt: now } });
      await this.s.scheduler.cancel('ladder.remind', o.key);
      await this.s.scheduler.cancel('ladder.deadline', o.key);
    }
    const n = (await Obligation.countDocuments({ caseId: c.caseId, step: 'persuade' })) + 1;
    if (c.state === 'persuasion') await this.openPersuasionWindow(c, student, await chainOf(student), n, isoDay(now));
    return `已记录劝返：${student.name}。如学生返校请发「到校 ${student.name}」；如经动员确认已辍学，由校长发送「确认辍学 ${student.name} 原因」。${await this.nextStepLine(c.caseId)}`;
  }

  async confirmDropout(actor: StaffLike, student: StudentDoc, reason: string, channel: Channel, now: Date): Promise<string> {
    if (!canActOnStudent(actor, 'confirmDropout', student)) return this.refuse(actor, 'confirmDropout', student, 'confirmDropout', now);
    if (!reason || reason.length < 2) return `请写明辍学原因，例如：确认辍学 ${student.name} 随父母外出打工，多次劝返无效。`;
    const c = await openCaseOf(student.studentNo);
    if (!c) return `${student.name} 没有未结的缺勤案件，不能确认辍学。`;
    try {
      await updateCase(c.caseId, 'confirmDropout', () => ({ dropoutReason: reason }));
    } catch (err) {
      if (err instanceof MoveRefused) return err.message;
      throw err;
    }
    await addEvent(c, { type: 'dropoutConfirmed', actor: actor.userid, channel, at: now, from: 'persuasion', to: 'reported', detail: reason });
    await Student.updateOne({ studentNo: student.studentNo }, { $set: { status: 'droppedOut' } });
    await settleObligations(this.s, c.caseId, 'met', actor.userid, now, ['persuade']);
    const chain = await chainOf(student);
    const bureau = responsibleAt(chain, 'bureau').userids;
    await this.notify.text(c.caseId, bureau, `【辍学上报】${student.schoolCode} ${await className(student.classId)} ${student.name}（学籍号 ${student.studentNo}）经劝返确认辍学（校长 ${actor.name} 确认）。原因：${reason}。已计入本月流失生报告。`, caseJobKey(c.caseId, 'bureau'));
    await addEvent(c, { type: 'reported', actor: 'system', channel: 'job', at: now, detail: `已报告区教体局：${await this.who(bureau)}` });
    const dueAt = deadline(this.cal, this.cfg, isoDay(now), 3);
    await createObligation(this.s, { key: caseJobKey(c.caseId, 'govReport'), caseId: c.caseId, studentNo: student.studentNo, step: 'govReport', assignees: [actor.userid], dueAt, remindAt: reminderBefore(dueAt, this.cfg) });
    return [
      `已确认 ${student.name} 辍学，原因已记录，并已报告区教体局（${await this.who(bureau)}），计入本月流失生报告。`,
      `请您全面了解辍学原因，在 ${formatDeadline(dueAt)} 前向当地政府报告，协调对其监护人采取措施，促使其返校。`,
      `学生返校时请发「返校 ${student.name}」。`,
    ].join('\n');
  }

  // ───────────────────────── 撤销 ─────────────────────────

  async undo(actor: StaffLike, student: StudentDoc, channel: Channel, now: Date): Promise<string> {
    if (!canActOnStudent(actor, 'report', student)) return this.refuse(actor, 'report', student, 'undo', now);
    const c = await openCaseOf(student.studentNo);
    if (!c) return `${student.name} 没有可以撤销的报告。`;
    const others = await CaseEvent.countDocuments({ caseId: c.caseId, actor: { $nin: [actor.userid, 'system'] } });
    const inWindow = c.openedBy === actor.userid && others === 0 && now.getTime() - new Date(c.openedAt).getTime() <= this.cfg.undoWindowMinutes * 60_000;
    const asLeader = canActOnStudent(actor, 'correct', student);
    if (!inWindow && !asLeader) {
      await audit({ actor: actor.userid, action: 'undo', target: student.studentNo, channel: 'wecom', outcome: 'refused', at: now });
      return `超过 ${this.cfg.undoWindowMinutes} 分钟或已有其他人跟进，不能自行撤销。如确属误报，请联系年级组长或分管领导更正。`;
    }
    try {
      await updateCase(c.caseId, 'undo', () => ({ closedAt: now }));
    } catch (err) {
      if (err instanceof MoveRefused) return err.message;
      throw err;
    }
    await addEvent(c, { type: 'undo', actor: actor.userid, channel, at: now, from: c.state, to: 'cancelled', detail: inWindow ? '报告人撤销误报' : '领导更正' });
    await audit({ actor: actor.userid, action: inWindow ? 'undo' : 'correct', target: student.studentNo, channel: 'wecom', at: now, detail: c.caseId });
    await settleObligations(this.s, c.caseId, 'cancelled', actor.userid, now);
    await this.s.scheduler.cancelPrefix(`${c.caseId}:`);
    const told = c.notified.filter((u) => u !== actor.userid);
    await this.notify.text(c.caseId, told, `【更正】${actor.name} 撤销了 ${await className(student.classId)} ${student.name} 的${c.state === 'leave' ? '请假' : '缺勤'}报告（误报），相关待办已取消。`, caseJobKey(c.caseId, 'undo'));
    return `已撤销 ${student.name} 的报告，相关待办已取消${told.length ? `，已通知 ${await this.who(told)}` : ''}。`;
  }

  // ───────────────────────── 帮扶 ─────────────────────────

  async assignMentoring(actor: StaffLike, student: StudentDoc, mentor: StaffLike | undefined, helper: string, placement: string, channel: Channel, now: Date): Promise<string> {
    if (!canActOnStudent(actor, 'report', student)) return this.refuse(actor, 'report', student, 'mentoring', now);
    const c = await openCaseOf(student.studentNo);
    if (!c) return `${student.name} 没有返校帮扶中的案件。`;
    if (!mentor) return `请写明帮扶教师（本校老师）的姓名，例如：帮扶 ${student.name} 王芳 李小红。`;
    try {
      await updateCase(c.caseId, 'mentoring', () => ({ mentor: mentor.userid, helper, placement: placement || '原班级' }));
    } catch (err) {
      if (err instanceof MoveRefused) return err.message;
      throw err;
    }
    await addEvent(c, { type: 'mentoring', actor: actor.userid, channel, at: now, detail: `帮扶教师 ${mentor.name}，学生干部 ${helper || '（未填）'}，安排：${placement || '原班级'}` });
    await settleObligations(this.s, c.caseId, 'met', actor.userid, now, ['mentoring']);
    if (mentor.userid !== actor.userid) {
      await this.notify.text(c.caseId, [mentor.userid], `【帮扶安排】您被安排为 ${await className(student.classId)} ${student.name} 的帮扶教师（返校复学）。请多关心，帮助其顺利完成九年义务教育。`, caseJobKey(c.caseId, 'mentor'));
    }
    return `已安排帮扶：${student.name} 的帮扶教师 ${mentor.name}${helper ? `，学生干部 ${helper}` : ''}，${placement || '在原班级'}就读。此后每周我会提醒跟进。`;
  }

  // ───────────────────────── 待办 / 进展 ─────────────────────────

  async todo(actor: StaffLike, now: Date): Promise<string> {
    const list = await Obligation.find({ assignees: actor.userid, status: { $in: ['open', 'missed'] } }).sort({ dueAt: 1 }).limit(20).lean<ObligationDoc[]>();
    if (!list.length) return '您目前没有待办事项。👍';
    const names = new Map((await Student.find({ studentNo: { $in: list.map((o) => o.studentNo) } }).lean<StudentDoc[]>()).map((s) => [s.studentNo, s.name]));
    const lines = list.map((o, i) => {
      const left = o.dueAt.getTime() - now.getTime();
      const when = left < 0 ? `已逾期（截止 ${formatDeadline(o.dueAt)}）` : `截止 ${formatDeadline(o.dueAt)}${left < 86_400_000 ? `，还剩 ${Math.max(1, Math.round(left / 3_600_000))} 小时` : ''}`;
      return `${i + 1}. ${names.get(o.studentNo) ?? o.studentNo}：${STEPS[o.step].label}，${when}`;
    });
    return `您的待办（按截止时间）：\n${lines.join('\n')}\n完成家访后发「家访 姓名 记录」，学生到校发「到校 姓名」。`;
  }

  async progress(actor: StaffLike, student: StudentDoc, now: Date): Promise<string> {
    if (!canActOnStudent(actor, 'view', student)) return this.refuse(actor, 'view', student, 'progress', now);
    await audit({ actor: actor.userid, action: 'view', target: student.studentNo, channel: 'wecom', at: now, detail: 'progress' });
    const last = (await CaseEvent.find({ studentNo: student.studentNo }).sort({ at: -1 }).limit(1).lean<{ caseId: string }[]>())[0];
    if (!last) return `${student.name} 没有缺勤或请假记录。`;
    const c = await getCase(last.caseId);
    const events = await CaseEvent.find({ caseId: last.caseId }).sort({ at: 1 }).lean<{ type: string; actor: string; at: Date; detail?: string; day?: string }[]>();
    const names = await staffNames([...new Set(events.map((e) => e.actor))]);
    const lines = events.slice(-15).map((e) => `· ${formatDeadline(e.at)} ${e.actor === 'system' ? '系统' : names.get(e.actor) ?? e.actor}：${EVENT_LABEL[e.type] ?? e.type}${e.day ? `（${formatDay(e.day)}）` : ''}${e.detail ? `，${e.detail.slice(0, 60)}` : ''}`);
    return [`【${student.name}】当前：${GATE[c!.state]}，累计缺勤 ${c!.absentDays.length} 个上学日`, ...lines, await this.nextStepLine(last.caseId)].filter(Boolean).join('\n');
  }

  // ───────────────────────── jobs ─────────────────────────

  private async load(caseId: string): Promise<{ c: CaseDoc; student: StudentDoc; chain: Chain } | undefined> {
    const c = await getCase(caseId);
    if (!c || !c.open) return undefined;
    const student = await findStudent(c.studentNo);
    if (!student) return undefined;
    return { c, student, chain: await chainOf(student) };
  }

  /** Morning of a school day: not reported back → another absent day; ask the head teacher. */
  async onMorning(key: string): Promise<void> {
    const [caseId, , day] = key.split(':');
    const ctx = await this.load(caseId);
    if (!ctx || ctx.c.state !== 'watch' || !this.cal.isSchoolDay(day)) return;
    const now = this.s.clock.now();
    const { after, duplicate } = await this.recordFullDay(ctx.c, ctx.student, ctx.chain, day, 'system', 'job', now, '未报告到校');
    if (duplicate) return;
    const heads = this.at(ctx.chain, 'headTeacher');
    await this.notify.card(heads, {
      title: `${ctx.student.name} 今天到校了吗？`,
      desc: `未收到到校报告，已记为连续第 ${after.absentDays.length} 个上学日缺勤；如已到校请点「已到校」`,
      lines: [['学生', `${ctx.student.name} ${await className(ctx.student.classId)}`], ['日期', formatDay(day)]],
      caseId, actions: ['back', 'absent', 'details'], arg: day,
    }, ctx.student.name, caseJobKey(caseId, 'ask', day));
  }

  async onRemind(key: string): Promise<void> {
    const o = await Obligation.findOne({ key }).lean<ObligationDoc>();
    if (!o || o.status !== 'open') return;
    const ctx = await this.load(o.caseId);
    if (!ctx) return;
    await this.notify.card(o.assignees, {
      title: `【提醒】${STEPS[o.step].label}：${ctx.student.name}`,
      desc: `截止 ${formatDeadline(o.dueAt)}，请按时完成`,
      lines: [['学生', `${ctx.student.name} ${await className(ctx.student.classId)}`], ['截止', formatDeadline(o.dueAt)]],
      caseId: o.caseId, actions: o.step === 'persuade' || o.step === 'govReport' || o.step === 'mentoring' ? ['details'] : ['visited', 'back', 'details'],
    }, ctx.student.name, caseJobKey(key, 'remind'));
  }

  /** A missed deadline: mark it, escalate one step up, and tell the holder. */
  async onDeadline(key: string): Promise<void> {
    const o = await Obligation.findOne({ key }).lean<ObligationDoc>();
    if (!o || o.status !== 'open') return;
    const ctx = await this.load(o.caseId);
    if (!ctx) return;
    const now = this.s.clock.now();
    const targets = [...new Set(STEPS[o.step].escalateTo.flatMap((l) => responsibleAt(ctx.chain, l).userids))].filter((u) => !o.assignees.includes(u));
    await Obligation.updateOne({ key, status: 'open' }, { $set: { status: 'missed', escalatedTo: targets } });
    await addEvent(ctx.c, { type: 'escalated', actor: 'system', channel: 'job', at: now, detail: `${STEPS[o.step].label}逾期，已报告 ${await this.who(targets)}` });
    await this.notify.card(targets, {
      title: `【逾期】${STEPS[o.step].label}：${ctx.student.name}`,
      desc: `${await this.who(o.assignees)} 未在 ${formatDeadline(o.dueAt)} 前完成，请督促跟进`,
      lines: [['学生', `${ctx.student.name} ${await className(ctx.student.classId)}`], ['缺勤', `连续 ${ctx.c.absentDays.length} 个上学日`], ['应完成', await this.who(o.assignees)], ['截止', formatDeadline(o.dueAt)]],
      caseId: o.caseId, actions: o.step === 'headVisit' || o.step === 'leaderVisit' ? ['visited', 'back', 'details'] : ['ack', 'details'],
    }, ctx.student.name, caseJobKey(key, 'escalate'));
    await this.notify.text(o.caseId, o.assignees, `您负责的「${STEPS[o.step].label}：${ctx.student.name}」已逾期（截止 ${formatDeadline(o.dueAt)}），已报告 ${await this.who(targets)}。请尽快完成。`, caseJobKey(key, 'overdue'));
    if (o.step === 'persuade' && ctx.c.state === 'persuasion') {
      const n = Number(key.split(':').pop()) + 1;
      await this.openPersuasionWindow(ctx.c, ctx.student, ctx.chain, n, isoDay(now));
    }
  }

  /** Leave ended and the student is not back: an unexcused absence from today. */
  async onLeaveEnd(key: string): Promise<void> {
    const caseId = key.split(':')[0];
    const ctx = await this.load(caseId);
    if (!ctx || ctx.c.state !== 'leave') return;
    const now = this.s.clock.now();
    const day = this.cal.onOrAfter(isoDay(now));
    await updateCase(caseId, 'leaveExpired', () => ({}));
    await addEvent(ctx.c, { type: 'leaveExpired', actor: 'system', channel: 'job', at: now, from: 'leave', to: 'watch', day, detail: `请假至 ${ctx.c.leaveUntil} 已结束，未报到校` });
    const fresh = (await getCase(caseId))!;
    await this.recordFullDay(fresh, ctx.student, ctx.chain, day, 'system', 'job', now, '请假结束未到校');
    const tell = this.at(ctx.chain, 'headTeacher', 'deputy');
    await this.notify.text(caseId, tell, `【请假到期】${await className(ctx.student.classId)} ${ctx.student.name} 请假至 ${formatDay(ctx.c.leaveUntil!)} 已结束，今天（${formatDay(day)}）未报到校，按无故缺勤处理。${await this.nextStepLine(caseId)} 如已到校请发「到校 ${ctx.student.name}」。`, caseJobKey(caseId, 'leaveEnd'));
  }

  /** Weekly check-in after a return; the last one closes the case. */
  async onCheckIn(key: string): Promise<void> {
    const [caseId, , week] = key.split(':');
    const ctx = await this.load(caseId);
    if (!ctx || ctx.c.state !== 'returned') return;
    const now = this.s.clock.now();
    const n = Number(week);
    await updateCase(caseId, 'checkIn', (c) => ({ checkIns: Math.max(c.checkIns, n) }));
    await this.notify.card(this.at(ctx.chain, 'headTeacher'), {
      title: `返校帮扶第 ${n} 周：${ctx.student.name}`,
      desc: '请关注该生本周在校情况，与帮扶教师、学生干部保持沟通',
      lines: [['学生', `${ctx.student.name} ${await className(ctx.student.classId)}`], ['周次', `${n} / ${this.cfg.returnCheckInWeeks}`]],
      caseId, actions: ['ack', 'details'],
    }, ctx.student.name, caseJobKey(caseId, 'checkin', n));
    if (n >= this.cfg.returnCheckInWeeks) {
      await updateCase(caseId, 'complete', () => ({ closedAt: now }));
      await addEvent(ctx.c, { type: 'complete', actor: 'system', channel: 'job', at: now, from: 'returned', to: 'closed', detail: `返校帮扶 ${n} 周跟进完成` });
    }
  }

  // ───────────────────────── card clicks ─────────────────────────

  async onCardClick(actor: StaffLike, action: CardAction, caseId: string, arg: string | undefined, responseCode: string, now: Date): Promise<string> {
    const c = await getCase(caseId);
    const student = c && (await findStudent(c.studentNo));
    if (!c || !student) return '这张卡片对应的记录已不存在。发送「待办」查看当前事项。';
    if (!canActOnStudent(actor, action === 'details' ? 'view' : 'report', student)) return this.refuse(actor, 'report', student, `card:${action}`, now);
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
        if (c.open) await addEvent(c, { type: 'confirmedAbsent', actor: actor.userid, channel: 'wecom', at: now, day: arg });
        await done('已确认：仍未到校');
        return `已确认 ${student.name} 仍未到校。${await this.nextStepLine(caseId)}`;
      case 'visited': {
        const reply = await this.recordVisit(actor, student, '（通过卡片确认已家访，详细记录待补）', 'wecom', now);
        await done('已家访');
        return `${reply}\n请补充家访记录：「家访 ${student.name} 见到谁、了解到什么、约定了什么」。`;
      }
      case 'ack':
        if (c.open) await addEvent(c, { type: 'ack', actor: actor.userid, channel: 'wecom', at: now });
        await done('已跟进');
        return `已记录您的跟进：${student.name}。`;
    }
  }
}

const EVENT_LABEL: Record<string, string> = {
  opened: '立案', absence: '报告全天缺勤', halfDay: '报告半天缺勤', dayAbsent: '未报到校，记缺勤', visit: '家访', back: '报告到校',
  persuasionStarted: '进入劝返阶段', persuasion: '劝返', dropoutConfirmed: '确认辍学', reported: '上报教体局', escalated: '逾期上报',
  leave: '请假', leaveExpired: '请假到期未到校', undo: '撤销', mentoring: '安排帮扶', checkIn: '帮扶跟进', complete: '结案',
  confirmedAbsent: '确认仍未到校', ack: '已跟进',
};
