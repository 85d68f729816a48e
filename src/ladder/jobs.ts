import type { LadderCore } from './core';
import { STEPS } from '../domain/ladder';
import { responsibleAt } from '../domain/chain';
import { Obligation, type ObligationDoc } from '../models/case';
import { className } from '../roster/directory';
import { isoDay, formatDay, formatDeadline } from '../lib/time';
import { addEvent, caseJobKey, getCase, updateCase } from './store';

/**
 * The ladder's scheduled work: the morning check, reminders, missed deadlines (escalation),
 * the end of a leave and the weekly check-ins after a return. Each handler re-reads the state
 * from its key, so a late or repeated run does no harm.
 */
export class LadderJobs {
  constructor(private readonly core: LadderCore) {}

  private get s() {
    return this.core.s;
  }

  private get cfg() {
    return this.core.cfg;
  }

  /** Morning of a school day: not reported back → another absent day; ask the head teacher. */
  async onMorning(key: string): Promise<void> {
    const [caseId, , day] = key.split(':');
    const ctx = await this.core.load(caseId);
    if (!ctx || ctx.c.state !== 'watch' || !this.core.cal.isSchoolDay(day)) return;
    const now = this.s.clock.now();
    const { after, duplicate } = await this.core.recordFullDay(
      ctx.c,
      ctx.student,
      ctx.chain,
      day,
      'system',
      'job',
      now,
      '未报告到校',
    );
    if (duplicate) return;
    const heads = this.core.at(ctx.chain, 'headTeacher');
    await this.core.notify.card(
      heads,
      {
        title: `${ctx.student.name} 今天到校了吗？`,
        desc: `未收到到校报告，已记为连续第 ${after.absentDays.length} 个上学日缺勤；如已到校请点「已到校」`,
        lines: [
          ['学生', `${ctx.student.name} ${await className(ctx.student.classId)}`],
          ['日期', formatDay(day)],
        ],
        caseId,
        actions: ['back', 'absent', 'details'],
        arg: day,
      },
      ctx.student.name,
      caseJobKey(caseId, 'ask', day),
    );
  }

  async onRemind(key: string): Promise<void> {
    const o = await Obligation.findOne({ key }).lean<ObligationDoc>();
    if (!o || o.status !== 'open') return;
    const ctx = await this.core.load(o.caseId);
    if (!ctx) return;
    await this.core.notify.card(
      o.assignees,
      {
        title: `【提醒】${STEPS[o.step].label}：${ctx.student.name}`,
        desc: `截止 ${formatDeadline(o.dueAt)}，请按时完成`,
        lines: [
          ['学生', `${ctx.student.name} ${await className(ctx.student.classId)}`],
          ['截止', formatDeadline(o.dueAt)],
        ],
        caseId: o.caseId,
        actions:
          o.step === 'persuade' || o.step === 'govReport' || o.step === 'mentoring'
            ? ['details']
            : ['visited', 'back', 'details'],
      },
      ctx.student.name,
      caseJobKey(key, 'remind'),
    );
  }

  /** A missed deadline: mark it, escalate one step up, and tell the holder. */
  async onDeadline(key: string): Promise<void> {
    const o = await Obligation.findOne({ key }).lean<ObligationDoc>();
    if (!o || o.status !== 'open') return;
    const ctx = await this.core.load(o.caseId);
    if (!ctx) return;
    const now = this.s.clock.now();
    const targets = [
      ...new Set(STEPS[o.step].escalateTo.flatMap((l) => responsibleAt(ctx.chain, l).userids)),
    ].filter((u) => !o.assignees.includes(u));
    await Obligation.updateOne(
      { key, status: 'open' },
      { $set: { status: 'missed', escalatedTo: targets } },
    );
    await addEvent(ctx.c, {
      type: 'escalated',
      actor: 'system',
      channel: 'job',
      at: now,
      detail: `${STEPS[o.step].label}逾期，已报告 ${await this.core.who(targets)}`,
    });
    await this.core.notify.card(
      targets,
      {
        title: `【逾期】${STEPS[o.step].label}：${ctx.student.name}`,
        desc: `${await this.core.who(o.assignees)} 未在 ${formatDeadline(o.dueAt)} 前完成，请督促跟进`,
        lines: [
          ['学生', `${ctx.student.name} ${await className(ctx.student.classId)}`],
          ['缺勤', `连续 ${ctx.c.absentDays.length} 个上学日`],
          ['应完成', await this.core.who(o.assignees)],
          ['截止', formatDeadline(o.dueAt)],
        ],
        caseId: o.caseId,
        actions:
          o.step === 'headVisit' || o.step === 'leaderVisit'
            ? ['visited', 'back', 'details']
            : ['ack', 'details'],
      },
      ctx.student.name,
      caseJobKey(key, 'escalate'),
    );
    await this.core.notify.text(
      o.caseId,
      o.assignees,
      `您负责的「${STEPS[o.step].label}：${ctx.student.name}」已逾期（截止 ${formatDeadline(o.dueAt)}），已报告 ${await this.core.who(targets)}。请尽快完成。`,
      caseJobKey(key, 'overdue'),
    );
    if (o.step === 'persuade' && ctx.c.state === 'persuasion') {
      const n = Number(key.split(':').pop()) + 1;
      await this.core.openPersuasionWindow(ctx.c, ctx.student, ctx.chain, n, isoDay(now));
    }
  }

  /** Leave ended and the student is not back: an unexcused absence from today. */
  async onLeaveEnd(key: string): Promise<void> {
    const caseId = key.split(':')[0];
    const ctx = await this.core.load(caseId);
    if (!ctx || ctx.c.state !== 'leave') return;
    const now = this.s.clock.now();
    const day = this.core.cal.onOrAfter(isoDay(now));
    await updateCase(caseId, 'leaveExpired', () => ({}));
    await addEvent(ctx.c, {
      type: 'leaveExpired',
      actor: 'system',
      channel: 'job',
      at: now,
      from: 'leave',
      to: 'watch',
      day,
      detail: `请假至 ${ctx.c.leaveUntil} 已结束，未报到校`,
    });
    const fresh = (await getCase(caseId))!;
    await this.core.recordFullDay(
      fresh,
      ctx.student,
      ctx.chain,
      day,
      'system',
      'job',
      now,
      '请假结束未到校',
    );
    const tell = this.core.at(ctx.chain, 'headTeacher', 'deputy');
    await this.core.notify.text(
      caseId,
      tell,
      `【请假到期】${await className(ctx.student.classId)} ${ctx.student.name} 请假至 ${formatDay(ctx.c.leaveUntil!)} 已结束，今天（${formatDay(day)}）未报到校，按无故缺勤处理。${await this.core.nextStepLine(caseId)} 如已到校请发「到校 ${ctx.student.name}」。`,
      caseJobKey(caseId, 'leaveEnd'),
    );
  }

  /** Weekly check-in after a return; the last one closes the case. */
  async onCheckIn(key: string): Promise<void> {
    const [caseId, , week] = key.split(':');
    const ctx = await this.core.load(caseId);
    if (!ctx || ctx.c.state !== 'returned') return;
    const now = this.s.clock.now();
    const n = Number(week);
    await updateCase(caseId, 'checkIn', (c) => ({ checkIns: Math.max(c.checkIns, n) }));
    await this.core.notify.card(
      this.core.at(ctx.chain, 'headTeacher'),
      {
        title: `返校帮扶第 ${n} 周：${ctx.student.name}`,
        desc: '请关注该生本周在校情况，与帮扶教师、学生干部保持沟通',
        lines: [
          ['学生', `${ctx.student.name} ${await className(ctx.student.classId)}`],
          ['周次', `${n} / ${this.cfg.returnCheckInWeeks}`],
        ],
        caseId,
        actions: ['ack', 'details'],
      },
      ctx.student.name,
      caseJobKey(caseId, 'checkin', n),
    );
    if (n >= this.cfg.returnCheckInWeeks) {
      await updateCase(caseId, 'complete', () => ({ closedAt: now }));
      await addEvent(ctx.c, {
        type: 'complete',
        actor: 'system',
        channel: 'job',
        at: now,
        from: 'returned',
        to: 'closed',
        detail: `返校帮扶 ${n} 周跟进完成`,
      });
    }
  }
}
