import type { Settings } from '../config/settings';
import type { SchoolCalendar } from './calendar';
import type { RoleName } from './roster';
import { fromIsoDay } from '../lib/time';

/**
 * The unexcused-absence ladder (二(一)2(3), 二(三)2(2)) as pure functions of the calendar,
 * the settings and the days. Obligations are duties with a deadline; a missed deadline
 * escalates one step up the chain.
 */
export type Step = 'headVisit' | 'leaderVisit' | 'persuade' | 'govReport' | 'mentoring';

export interface StepRule {
  /** Who holds the duty (an at-risk student's named leader replaces the grade leader). */
  holder: RoleName | 'atRiskLeader';
  /** Who is told when the deadline is missed. */
  escalateTo: RoleName[];
  label: string;
}

export const STEPS: Record<Step, StepRule> = {
  headVisit: { holder: 'headTeacher', escalateTo: ['gradeLeader', 'deputy'], label: '班主任家访' },
  leaderVisit: { holder: 'atRiskLeader', escalateTo: ['principal'], label: '学校领导亲自家访' },
  persuade: {
    holder: 'deputy',
    escalateTo: ['principal'],
    label: '劝返（分管领导与包保责任人共同研究措施）',
  },
  govReport: {
    holder: 'principal',
    escalateTo: ['bureau'],
    label: '校长了解辍学原因并向当地政府报告',
  },
  mentoring: {
    holder: 'headTeacher',
    escalateTo: ['gradeLeader'],
    label: '安排帮扶教师和学生干部',
  },
};

type Ladder = Settings['ladder'];

/** End of the n-th school day after `day` ("that day or the next" = n 1). */
export function deadline(cal: SchoolCalendar, cfg: Ladder, day: string, n: number): Date {
  return fromIsoDay(cal.addSchoolDays(day, n), cfg.endOfDayAt);
}

export function reminderBefore(due: Date, cfg: Ladder): Date {
  return new Date(due.getTime() - cfg.reminderHoursBeforeDeadline * 3_600_000);
}

/** The morning check of the next school day after `day`. */
export function nextMorning(
  cal: SchoolCalendar,
  cfg: Ladder,
  day: string,
): { day: string; at: Date } {
  const next = cal.nextSchoolDay(day);
  return { day: next, at: fromIsoDay(next, cfg.morningCheckAt) };
}

/**
 * What a new count of full unexcused school days brings: day 1 → the head teacher visits,
 * day 2 → a school leader visits, day N (default 3) → persuasion.
 */
export function stepsForDay(
  fullDays: number,
  cfg: Ladder,
): ('headVisit' | 'leaderVisit' | 'startPersuasion')[] {
  const out: ('headVisit' | 'leaderVisit' | 'startPersuasion')[] = [];
  if (fullDays === 1) out.push('headVisit');
  if (fullDays === 2) out.push('leaderVisit');
  if (fullDays === cfg.persuasionAfterSchoolDays) out.push('startPersuasion');
  return out;
}

/** Deadline for a visit step triggered by the absence of `day`. */
export function visitDeadline(
  cal: SchoolCalendar,
  cfg: Ladder,
  step: 'headVisit' | 'leaderVisit',
  day: string,
): Date {
  return deadline(
    cal,
    cfg,
    day,
    step === 'headVisit' ? cfg.headTeacherVisitWithinSchoolDays : cfg.leaderVisitWithinSchoolDays,
  );
}

/** A half-day absence: the deputy is told at once; so is the head teacher when a subject teacher reported it. */
export function halfDayRecipients(reporterRole: RoleName | undefined): RoleName[] {
  return reporterRole === 'subjectTeacher' ? ['deputy', 'headTeacher'] : ['deputy'];
}

/** Leave of `n` school days starting `day` ends on this day (inclusive). */
export function leaveEnd(cal: SchoolCalendar, day: string, n: number): string {
  return cal.addSchoolDays(day, Math.max(0, n - 1));
}
