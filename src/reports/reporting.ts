import { DateTime } from 'luxon';
import type { Services } from '../services';
import type { StaffLike, StudentLike } from '../domain/roster';
import { STATUS_LABEL, type EnrollmentStatus } from '../domain/roster';
import { canActOnSchool } from '../domain/policy';
import { nextRun, paceChecks, periodOf, periodRange, visitRounds } from '../domain/reports';
import { campaignKickoff, campaignStart, paceCheck, visitRound } from '../prevention/jobs';
import { SchoolCalendar } from '../domain/calendar';
import { Report, type ReportDoc } from '../models/report';
import { Case } from '../models/case';
import { EnrollmentChange } from '../models/enrollment-change';
import { describeReconciliation, reconcile } from '../domain/enrollment';
import { visitStats } from './visit-stats';
import { bureauStaff, schoolLeaders } from '../roster/directory';
import { School, Student } from '../models/roster';
import { audit } from '../models/audit';
import { className } from '../roster/directory';
import { ZONE, formatDeadline, isoDay } from '../lib/time';
import { insertOnce } from '../db/connect';
import { JOBS } from '../jobs/kinds';
import { dropoutsIn } from './dropouts';

/**
 * The bureau's reporting cycle: monthly dropout reports (before the 8th), quarterly
 * enrollment-change tables (by the 15th of Mar/Jun/Sep/Dec), campaign months, visit rounds and
 * the home-visit quotas. Cycle jobs are keyed by their run and schedule the next one.
 */
type Kind = 'monthly' | 'quarterly';
const CYCLE_JOB = {
  monthly: JOBS.monthlyReport,
  quarterly: JOBS.quarterlyReport,
  campaign: JOBS.campaign,
} as const;
const KIND_LABEL: Record<Kind, string> = { monthly: '流失生月报', quarterly: '学籍变动季报' };
const SUBMIT_VERB: Record<Kind, string> = { monthly: '提交月报', quarterly: '提交季报' };

export class Reporting {
  private readonly cal: SchoolCalendar;

  constructor(private readonly s: Services) {
    this.cal = new SchoolCalendar(s.settings.calendar);
  }

  private get cfg() {
    return this.s.settings.reports;
  }

  /** Makes sure the next run of every cycle is scheduled (idempotent: jobs are keyed). */
  async ensureCycles(): Promise<void> {
    const now = this.s.clock.now();
    for (const cycle of ['monthly', 'quarterly', 'campaign'] as const) {
      await this.scheduleCycle(cycle, nextRun(cycle, now, this.cfg));
    }
    const semesters = this.s.settings.calendar.semesters;
    for (const round of [...visitRounds(semesters), ...paceChecks(semesters)]) {
      if (round.at > now)
        await this.s.scheduler.schedule(JOBS.visitRound, { round: round.key }, round.at);
    }
  }

  private scheduleCycle(cycle: 'monthly' | 'quarterly' | 'campaign', when: Date): Promise<void> {
    const month = DateTime.fromJSDate(when, { zone: ZONE }).toFormat('yyyy-MM');
    // The campaign starts on the month's first school day (issue #13).
    const at = cycle === 'campaign' ? campaignStart(this.s, month) : when;
    return this.s.scheduler.schedule(CYCLE_JOB[cycle], { month }, at);
  }

  /** A run keyed by month happens on the 1st of that month, 09:00. */
  private runAt(month: string): Date {
    return DateTime.fromFormat(month, 'yyyy-MM', { zone: ZONE }).set({ hour: 9 }).toJSDate();
  }

  private async leaders(schoolCode: string): Promise<string[]> {
    return (await schoolLeaders([schoolCode])).map((p) => p.userid);
  }

  private bureau(): Promise<string[]> {
    return bureauStaff();
  }

  private push(userids: string[], content: string, key: string): Promise<void> {
    return this.s.notify.text(userids, content, key);
  }

  // ───────────── report content (what the school submits) ─────────────

  async content(kind: Kind, schoolCode: string, period: string): Promise<string> {
    return (await this.figures(kind, schoolCode, period)).text;
  }

  /** The report's text, and for quarterly reports the roll at the time (checked next quarter). */
  async figures(
    kind: Kind,
    schoolCode: string,
    period: string,
  ): Promise<{ text: string; onRollEnd?: number }> {
    const students = await Student.find({ schoolCode }).lean();
    const bySchool = new Map(students.map((s) => [s.studentNo, s]));
    const dropouts = await dropoutsIn(period, { schoolCode });
    const lines = await Promise.all(
      dropouts.map(async (e, i) => {
        const st = bySchool.get(e.studentNo);
        const who = st ? `${st.name}，${await className(st.classId)}` : '（已不在本校）';
        const why = e.detail ?? '未填';
        return `${i + 1}. ${who}，学籍号 ${e.studentNo}，${isoDay(e.at)} 确认，原因：${why}`;
      }),
    );
    if (kind === 'monthly') {
      const long = await this.longAbsences(schoolCode, bySchool);
      const head = dropouts.length
        ? `流失生 ${dropouts.length} 人：`
        : `${monthLabel(period)}无流失生。`;
      return { text: [head, ...lines, ...long].join('\n') };
    }
    return this.quarterly(schoolCode, period, students, lines);
  }

  /** The quarterly table: counts by status, the quarter's changes, the roll reconciled. */
  private async quarterly(
    schoolCode: string,
    period: string,
    students: (StudentLike & { studentNo: string })[],
    lines: string[],
  ): Promise<{ text: string; onRollEnd?: number }> {
    const { from, to } = periodRange(period);
    const bySchool = new Map(students.map((s) => [s.studentNo, s]));
    const counts = new Map<EnrollmentStatus, number>();
    for (const st of students) counts.set(st.status, (counts.get(st.status) ?? 0) + 1);
    const table = (Object.keys(STATUS_LABEL) as EnrollmentStatus[])
      .map((k) => `${STATUS_LABEL[k]} ${counts.get(k) ?? 0}`)
      .join('，');
    const changes = await EnrollmentChange.find({ schoolCode, at: { $gte: from, $lt: to } })
      .sort({ at: 1 })
      .lean();
    const onRollNow = (counts.get('enrolled') ?? 0) + (counts.get('suspended') ?? 0);
    const previous = await latestReport({
      schoolCode,
      kind: 'quarterly',
      status: 'submitted',
      period: { $lt: period },
    });
    const transfers = changes
      .filter((c) => c.destination)
      .map((c) => `${bySchool.get(c.studentNo)?.name ?? c.studentNo} → ${c.destination}`);
    const text = [
      `学籍现状：${table}。`,
      describeReconciliation(reconcile(changes, onRollNow), previous?.onRollEnd ?? undefined),
      transfers.length ? `转出去向：${transfers.join('；')}` : '',
      lines.length ? `本季度辍学：\n${lines.join('\n')}` : '',
    ]
      .filter(Boolean)
      .join('\n');
    return { text, onRollEnd: onRollNow };
  }

  /** Anyone away more than the long-absence threshold is reported (confirmed or not). */
  private async longAbsences(
    schoolCode: string,
    bySchool: Map<string, StudentLike>,
  ): Promise<string[]> {
    const open = await Case.find({ schoolCode, open: true, longAbsence: true }).lean();
    if (!open.length) return [];
    const n = this.s.settings.ladder.longAbsenceSchoolDays;
    const names = open.map(
      (c) => `${bySchool.get(c.studentNo)?.name ?? c.studentNo}（${c.awayDays} 个上学日）`,
    );
    return [
      `另有 ${open.length} 人已超过 ${n} 个上学日未到校（尚未确认辍学）：${names.join('、')}`,
    ];
  }

  // ───────────── jobs ─────────────

  private async openReports(kind: Kind, month: string): Promise<void> {
    const runAt = this.runAt(month);
    const { period, label, dueAt } = periodOf(kind, runAt, this.cfg);
    for (const school of await School.find({}).lean()) {
      const reportKey = `${school.code}:${kind}:${period}`;
      const opened = await insertOnce(Report, {
        key: reportKey,
        schoolCode: school.code,
        kind,
        period,
        label,
        dueAt,
        status: 'open',
      });
      if (!opened) continue;
      const draft = await this.content(kind, school.code, period);
      await this.push(
        await this.leaders(school.code),
        [
          `【${KIND_LABEL[kind]}】${school.name} ${label}：\n${draft}\n`,
          `请核对后在 ${formatDeadline(dueAt)} 前发送「${SUBMIT_VERB[kind]}」上报区教体局。`,
        ].join(''),
        `report:${reportKey}`,
      );
      await this.s.scheduler.schedule(JOBS.reportDeadline, { report: reportKey }, dueAt);
    }
    await this.scheduleCycle(kind, nextRun(kind, runAt, this.cfg));
  }

  onMonthly(a: { month: string }): Promise<void> {
    return this.openReports('monthly', a.month);
  }

  onQuarterly(a: { month: string }): Promise<void> {
    return this.openReports('quarterly', a.month);
  }

  /** 二(二)1(1): the kickoff with the checklist, then the checks (src/prevention/jobs.ts). */
  async onCampaign(a: { month: string }): Promise<void> {
    await campaignKickoff(this.s, a.month, JOBS.campaign.key(a));
    await this.scheduleCycle('campaign', nextRun('campaign', this.runAt(a.month), this.cfg));
  }

  /** 二(一)2(3): a visit round's lists, or a quota pace check (src/prevention/jobs.ts). */
  async onVisitRound(a: { round: string }): Promise<void> {
    const key = JOBS.visitRound.key(a);
    if (await visitRound(this.s, a.round, key)) return;
    await paceCheck(this.s, a.round, key);
  }

  async onDeadline({ report: reportKey }: { report: string }): Promise<void> {
    const r = await Report.findOne({ key: reportKey }).lean();
    if (!r || r.status !== 'open') return;
    await Report.updateOne({ key: reportKey, status: 'open' }, { $set: { status: 'late' } });
    const school = await School.findOne({ code: r.schoolCode }).lean();
    await this.push(
      await this.bureau(),
      [
        `【逾期未报】${school?.name ?? r.schoolCode} ${r.label}${KIND_LABEL[r.kind]}`,
        `未在 ${formatDeadline(r.dueAt)} 前上报。`,
      ].join(''),
      `late:${reportKey}`,
    );
    await this.push(
      await this.leaders(r.schoolCode),
      [
        `您校 ${r.label}${KIND_LABEL[r.kind]}已逾期（截止 ${formatDeadline(r.dueAt)}），`,
        `已告知区教体局。请尽快发送「${SUBMIT_VERB[r.kind]}」。`,
      ].join(''),
      `late-school:${reportKey}`,
    );
  }

  // ───────────── commands ─────────────

  async submit(actor: StaffLike, kind: Kind, now: Date): Promise<string> {
    const schools = actor.roles
      .filter((r) => (r.role === 'principal' || r.role === 'deputy') && r.schoolCode)
      .map((r) => r.schoolCode!);
    if (!schools.length || !schools.every((c) => canActOnSchool(actor, 'submitReport', c))) {
      await audit({
        actor: actor.userid,
        action: `submit:${kind}`,
        channel: 'wecom',
        outcome: 'refused',
        at: now,
      });
      return '上报由学校校长或分管领导操作。';
    }
    const lines: string[] = [];
    for (const code of schools) lines.push(await this.submitFor(actor, kind, code, now));
    // 「区教体局已收到」 only when something was submitted now (not after 「已于…提交」 alone).
    const sent = lines.some((l) => l.startsWith('已上报'));
    return sent ? `${lines.join('\n')}\n区教体局已收到。` : lines.join('\n');
  }

  /** Submits one school's open (or late) report of this kind; one line for the reply. */
  private async submitFor(actor: StaffLike, kind: Kind, code: string, now: Date): Promise<string> {
    const r = await latestReport({ schoolCode: code, kind, status: { $in: ['open', 'late'] } });
    const school = await School.findOne({ code }).lean();
    if (!r) return this.nothingOpen(kind, code, school?.name ?? code);
    const { text: content, onRollEnd } = await this.figures(kind, code, r.period);
    await Report.updateOne(
      { key: r.key },
      {
        $set: {
          status: 'submitted',
          content,
          submittedBy: actor.userid,
          submittedAt: now,
          ...(onRollEnd === undefined ? {} : { onRollEnd }),
        },
      },
    );
    await this.s.scheduler.unschedule(JOBS.reportDeadline, { report: r.key });
    await audit({
      actor: actor.userid,
      action: `submit:${kind}`,
      target: r.key,
      channel: 'wecom',
      at: now,
    });
    await this.push(
      await this.bureau(),
      [
        `【${KIND_LABEL[kind]}·已上报】${school?.name ?? code} ${r.label}`,
        `（${actor.name} 上报${r.status === 'late' ? '，逾期' : ''}）：\n${content}`,
      ].join(''),
      `submitted:${r.key}`,
    );
    return [
      `已上报 ${school?.name ?? code} ${r.label}${KIND_LABEL[kind]}`,
      `${r.status === 'late' ? '（逾期）' : ''}：${content.split('\n')[0]}`,
    ].join('');
  }

  /** No open report: when the latest one was submitted, else that there is none to submit. */
  private async nothingOpen(kind: Kind, code: string, name: string): Promise<string> {
    const last = await latestReport({ schoolCode: code, kind, status: 'submitted' });
    if (!last?.submittedAt) return `${name}：目前没有待上报的${KIND_LABEL[kind]}。`;
    return (
      `${name}：${last.label}${KIND_LABEL[kind]}已于 ${formatDeadline(last.submittedAt)} 上报，` +
      '区教体局已收到，无需重复上报。'
    );
  }

  /** Bureau: every school's latest reports; a principal or deputy: their own school. */
  async status(actor: StaffLike): Promise<string> {
    const isBureau = actor.roles.some((r) => r.role === 'bureau');
    const own = actor.roles
      .filter((r) => r.role === 'principal' || r.role === 'deputy')
      .map((r) => r.schoolCode!);
    if (!isBureau && !own.length) return '报告情况由学校领导和区教体局查看。';
    const schools = await School.find(isBureau ? {} : { code: { $in: own } })
      .sort({ code: 1 })
      .lean();
    const lines: string[] = [];
    for (const kind of ['monthly', 'quarterly'] as const) {
      const latest = await latestReport({ kind });
      if (!latest) {
        lines.push(`${KIND_LABEL[kind]}：尚未开始`);
        continue;
      }
      lines.push(`${latest.label}${KIND_LABEL[kind]}（截止 ${formatDeadline(latest.dueAt)}）：`);
      for (const school of schools) {
        const r = await Report.findOne({
          key: `${school.code}:${kind}:${latest.period}`,
        }).lean();
        const state = !r
          ? '—'
          : r.status === 'submitted'
            ? `已上报（${r.content?.split('\n')[0]}）`
            : r.status === 'late'
              ? '逾期未报'
              : '待上报';
        lines.push(`· ${school.name}：${state}`);
      }
    }
    return lines.join('\n');
  }

  /** 家访统计 (`visitStats`, src/reports/visit-stats.ts). */
  visitStats(actor: StaffLike, now: Date): Promise<string> {
    return visitStats(this.cal, this.s.settings, actor, now);
  }
}

/** The newest report (by period) that matches `filter`. */
async function latestReport(filter: Record<string, unknown>): Promise<ReportDoc | undefined> {
  const [r] = await Report.find(filter).sort({ period: -1 }).limit(1).lean();
  return r;
}

/** "2026-11" → "2026年11月". */
function monthLabel(period: string): string {
  const [y, m] = period.split('-');
  return `${y}年${Number(m)}月`;
}
