import { ClassCount } from '../../models/class-count';
import { sumCounters } from '../../roster/counts';
import { BASE } from '../../reports/queries/retention';
import { rate } from '../../domain/retention';
import { DateTime } from 'luxon';
import type { Services } from '../../services';
import { visitsByVisitor } from '../../prevention/queries/visit-count';
import { Staff } from '../../models/roster';
import { Report, type ReportDoc } from '../../models/report';
import { visitQuota } from '../../domain/reports';
import type { Role } from '../../domain/roster';
import { semesterRange } from '../../reports/visits';
import { ZONE } from '../../lib/time';
import type { WebScope } from '../scope';

export interface VisitRow {
  school: string;
  teacher: string;
  role: string;
  visits: number;
  quota: number;
  met: boolean;
}

/**
 * Visit-quota compliance (二(一)2(3)): HomeVisit records per visitor this semester (one
 * `$group` in the database) against each teacher's quota (head teacher 20, subject teacher 15).
 */
export async function visitCompliance(
  scope: WebScope,
  services: Services,
  now: Date,
): Promise<{ semester: string; rows: VisitRow[] }> {
  const { cal, settings } = services;
  const range = semesterRange(cal, settings.calendar.semesters, now);
  const teaching = { $in: ['headTeacher', 'subjectTeacher'] };
  const codes = scope.schools.map((s) => s.code);
  const staff = await Staff.find({
    roles: { $elemMatch: { role: teaching, schoolCode: { $in: codes } } },
  })
    .sort({ userid: 1 })
    .lean();
  const counts = range
    ? await visitsByVisitor(
        staff.map((s) => s.userid),
        range,
      )
    : new Map<string, number>();
  const rows = staff.map((p) => {
    const roles = p.roles.filter((r) => codes.includes(r.schoolCode ?? ''));
    const visits = counts.get(p.userid) ?? 0;
    const quota = visitQuota(roles, settings.quotas);
    return {
      school: scope.schoolName(roles[0]?.schoolCode ?? ''),
      teacher: p.name,
      role: roleLabel(roles),
      visits,
      quota,
      met: visits >= quota,
    };
  });
  rows.sort((a, b) => a.school.localeCompare(b.school, 'zh') || a.visits - b.visits);
  return { semester: range?.name ?? '（不在学期内）', rows };
}

const roleLabel = (roles: Role[]) =>
  roles.some((r) => r.role === 'headTeacher') ? '班主任' : '科任教师';

export interface ReportRow {
  school: string;
  kind: string;
  period: string;
  status: string;
  dueAt?: Date;
  submittedAt?: Date;
}

/** The monthly report collected this month (last month's) and the latest quarter's. */
export function currentPeriods(now: Date): { monthly: string; quarterly: string } {
  const d = DateTime.fromJSDate(now, { zone: ZONE });
  const last = d.minus({ months: 1 });
  const q = d.minus({ months: d.month % 3 });
  return {
    monthly: last.toFormat('yyyy-MM'),
    quarterly: `${q.year}-Q${Math.ceil(q.month / 3)}`,
  };
}

const STATUS: Record<ReportDoc['status'], string> = {
  open: '待上报',
  submitted: '已上报',
  late: '逾期未报',
};

/** Report status (二(三)2(2), 2(3)): every school in scope × this month's and quarter's report. */
export async function reportStatus(scope: WebScope, now: Date): Promise<ReportRow[]> {
  const { monthly, quarterly } = currentPeriods(now);
  const rows = await Report.find({
    ...scope.filter,
    $or: [
      { kind: 'monthly', period: monthly },
      { kind: 'quarterly', period: quarterly },
    ],
  }).lean();
  return scope.schools.flatMap((s) =>
    (
      [
        ['monthly', monthly, '月报'],
        ['quarterly', quarterly, '季报'],
      ] as const
    ).map(([kind, period, label]) => {
      const r = rows.find((x) => x.schoolCode === s.code && x.kind === kind);
      const late = r?.status === 'open' && r.dueAt < now;
      return {
        school: s.name,
        kind: label,
        period: r?.label ?? period,
        status: r ? (late ? STATUS.late : STATUS[r.status]) : '未开始',
        dueAt: r?.dueAt,
        submittedAt: r?.submittedAt,
      };
    }),
  );
}

export interface RetentionRow {
  school: string;
  retained: number;
  dropped: number;
  rate: number;
}

/** 巩固率 per school (二(三)1(4)): enrolled+suspended vs dropped out, from the class counters. */
export async function retentionBySchool(scope: WebScope): Promise<RetentionRow[]> {
  type Sums = { _id: string; enrolled: number; suspended: number; droppedOut: number };
  const sums = await ClassCount.aggregate<Sums>([
    { $match: scope.filter },
    sumCounters('$schoolCode', BASE),
  ]);
  return scope.schools.map((school) => {
    const r = sums.find((x) => x._id === school.code);
    const retained = (r?.enrolled ?? 0) + (r?.suspended ?? 0);
    const dropped = r?.droppedOut ?? 0;
    return { school: school.name, retained, dropped, rate: rate(retained, dropped) };
  });
}
