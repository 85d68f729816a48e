import type { Services } from '../services';
import type { StaffLike, RoleName } from '../domain/roster';
import { SchoolCalendar } from '../domain/calendar';
import { chainOf, findStudent, staffNames, className, type StudentDoc } from '../roster/directory';
import { responsibleAt, type Chain } from '../domain/chain';
import { refusal, type Action } from '../domain/policy';
import {
  STEPS,
  stepsForDay,
  visitDeadline,
  reminderBefore,
  nextMorning,
  deadline,
  type Step,
} from '../domain/ladder';
import { Obligation, type CaseDoc, type ObligationDoc } from '../models/case';
import { audit } from '../models/audit';
import { isoDay, formatDay, formatDeadline } from '../lib/time';
import { Notifier } from './messages';
import { addEvent, caseJobKey, createObligation, getCase, updateCase, type Channel } from './store';

export type DayPart = 'full' | 'am' | 'pm' | 'half';

/**
 * What the ladder's operations (ladder.ts) and job handlers (jobs.ts) share: the calendar,
 * the pushes, who holds what, and the steps a new absent day brings. Internal to src/ladder.
 */
export class LadderCore {
  readonly cal: SchoolCalendar;
  readonly notify: Notifier;

  constructor(readonly s: Services) {
    this.cal = new SchoolCalendar(s.settings.calendar);
    this.notify = new Notifier(s);
  }
  get cfg() {
    return this.s.settings.ladder;
  }

  async refuse(
    actor: StaffLike,
    action: Action,
    student: StudentDoc,
    what: string,
    now: Date,
  ): Promise<string> {
    await audit({
      actor: actor.userid,
      action: what,
      target: student.studentNo,
      channel: 'wecom',
      outcome: 'refused',
      at: now,
    });
    return refusal(action);
  }

  holders(chain: Chain, step: Step): string[] {
    const rule = STEPS[step];
    if (rule.holder === 'atRiskLeader')
      return chain.atRiskLeader
        ? [chain.atRiskLeader]
        : responsibleAt(chain, 'gradeLeader').userids;
    return responsibleAt(chain, rule.holder).userids;
  }

  at(chain: Chain, ...levels: RoleName[]): string[] {
    return [...new Set(levels.flatMap((l) => responsibleAt(chain, l).userids))];
  }

  async who(ids: string[]): Promise<string> {
    const names = await staffNames(ids);
    return ids.map((id) => names.get(id) ?? id).join('、') || '（空缺）';
  }

  roleOf(actor: StaffLike, student: StudentDoc): RoleName | undefined {
    const r = actor.roles.find(
      (x) =>
        (x.role === 'headTeacher' || x.role === 'subjectTeacher') && x.classId === student.classId,
    );
    return r?.role;
  }

  /** Checks a reported day: a school day, not in the future. Returns an error reply or undefined. */
  checkDay(day: string, now: Date): string | undefined {
    if (day > isoDay(now)) return `${formatDay(day)} 还没到，不能提前报告缺勤。`;
    const why = this.cal.whyNot(day);
    if (why) return `${formatDay(day)} 是${why}，不是上学日，不计缺勤。`;
    return undefined;
  }

  async recordFullDay(
    c: CaseDoc,
    student: StudentDoc,
    chain: Chain,
    day: string,
    actor: string,
    channel: Channel,
    now: Date,
    detail?: string,
  ): Promise<{ duplicate: boolean; after: CaseDoc }> {
    const move = channel === 'job' ? 'dayAbsent' : 'absence';
    const res = await updateCase(c.caseId, move, (x) =>
      x.absentDays.includes(day) ? undefined : { absentDays: [...x.absentDays, day].sort() },
    );
    if (!res) return { duplicate: true, after: c };
    await addEvent(c, {
      type: channel === 'job' ? 'dayAbsent' : 'absence',
      actor,
      channel,
      at: now,
      day,
      detail,
    });
    let after = res.after;
    for (const step of stepsForDay(after.absentDays.length, this.cfg)) {
      if (step === 'startPersuasion')
        after = await this.startPersuasion(after, student, chain, now);
      else await this.openVisit(after, student, chain, step, day, actor);
    }
    if (after.state === 'watch') await this.scheduleMorning(c.caseId, day);
    return { duplicate: false, after };
  }

  async openVisit(
    c: CaseDoc,
    student: StudentDoc,
    chain: Chain,
    step: 'headVisit' | 'leaderVisit',
    day: string,
    reporter: string,
  ): Promise<void> {
    const dueAt = visitDeadline(this.cal, this.cfg, step, day);
    const assignees = this.holders(chain, step);
    const key = caseJobKey(c.caseId, step);
    const made = await createObligation(this.s, {
      key,
      caseId: c.caseId,
      studentNo: student.studentNo,
      step,
      assignees,
      dueAt,
      remindAt: reminderBefore(dueAt, this.cfg),
      triggerDay: day,
    });
    if (!made) return;
    const n = c.absentDays.length;
    await this.notify.card(
      assignees.filter((u) => u !== reporter),
      {
        title: `${STEPS[step].label}：${student.name}`,
        desc: `${step === 'headVisit' ? '无故缺勤一天，须当天或次日家访' : '连续第二天未到校，学校领导须亲自家访'}（珠教体字〔2021〕19号）`,
        lines: [
          ['学生', `${student.name} ${await className(student.classId)}`],
          ['缺勤', `连续 ${n} 个上学日`],
          ['截止', formatDeadline(dueAt)],
        ],
        caseId: c.caseId,
        actions: ['visited', 'back', 'details'],
      },
      student.name,
      key,
    );
  }

  async startPersuasion(
    c: CaseDoc,
    student: StudentDoc,
    chain: Chain,
    now: Date,
  ): Promise<CaseDoc> {
    const res = await updateCase(c.caseId, 'startPersuasion', () => ({}));
    if (!res) return c;
    await addEvent(c, {
      type: 'persuasionStarted',
      actor: 'system',
      channel: 'job',
      at: now,
      from: 'watch',
      to: 'persuasion',
    });
    await this.cancelMornings(c.caseId);
    const deputy = this.at(chain, 'deputy');
    const team = [
      ...new Set([
        ...deputy,
        ...this.at(chain, 'headTeacher'),
        ...chain.subjectTeacher,
        ...(chain.atRiskLeader ? [chain.atRiskLeader] : []),
      ]),
    ];
    await this.notify.text(
      c.caseId,
      team,
      `【进入劝返】${await className(student.classId)} ${student.name} 已连续 ${res.after.absentDays.length} 个上学日未到校，家访后仍未返校。请分管领导 ${await this.who(deputy)} 与包保责任人共同研究劝返措施；每次劝返后发送「劝返 ${student.name} 记录」。`,
      caseJobKey(c.caseId, 'persuasion'),
    );
    await this.openPersuasionWindow(res.after, student, chain, 1, isoDay(now));
    return res.after;
  }

  async openPersuasionWindow(
    c: CaseDoc,
    student: StudentDoc,
    chain: Chain,
    n: number,
    fromDay: string,
  ): Promise<void> {
    const dueAt = deadline(this.cal, this.cfg, fromDay, this.cfg.persuasionReminderEverySchoolDays);
    await createObligation(this.s, {
      key: caseJobKey(c.caseId, 'persuade', n),
      caseId: c.caseId,
      studentNo: student.studentNo,
      step: 'persuade',
      assignees: this.holders(chain, 'persuade'),
      dueAt,
      remindAt: reminderBefore(dueAt, this.cfg),
    });
  }

  async scheduleMorning(caseId: string, day: string): Promise<{ day: string; at: Date }> {
    const next = nextMorning(this.cal, this.cfg, day);
    await this.s.scheduler.at('ladder.morning', caseJobKey(caseId, 'morning', next.day), next.at);
    return next;
  }

  async cancelMornings(caseId: string): Promise<void> {
    await this.s.scheduler.cancelPrefix(`${caseId}:morning:`);
  }

  /** "班主任王芳需在 12月1日 周二 18:00 前家访" — the soonest open duties of a case. */
  async nextStepLine(caseId: string): Promise<string> {
    const open = await Obligation.find({ caseId, status: { $in: ['open', 'missed'] } })
      .sort({ dueAt: 1 })
      .lean<ObligationDoc[]>();
    if (!open.length) return '';
    const parts = await Promise.all(
      open.map(
        async (o) =>
          `${STEPS[o.step].label}（${await this.who(o.assignees)}）${o.status === 'missed' ? '已逾期' : `须在 ${formatDeadline(o.dueAt)} 前完成`}`,
      ),
    );
    return `下一步：${parts.join('；')}。`;
  }

  async load(
    caseId: string,
  ): Promise<{ c: CaseDoc; student: StudentDoc; chain: Chain } | undefined> {
    const c = await getCase(caseId);
    if (!c || !c.open) return undefined;
    const student = await findStudent(c.studentNo);
    if (!student) return undefined;
    return { c, student, chain: await chainOf(student) };
  }
}
