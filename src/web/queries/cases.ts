import { GATES, GATE_LABEL, isOpenGate, type Gate } from '../../domain/cases/gates';
import { DUTY } from '../../domain/cases/duties';
import { Case, Duty } from '../../models/case';
import { SchoolClass, Student } from '../../models/roster';
import { displayNames, staffNames } from '../../roster/directory';
import { overdueDays } from '../../lib/time';
import { overdueFilter, overdueFrom } from '../../cases/queries/overdue-set';
import type { WebScope } from '../scope';
import type { Place } from '../../domain/roster';

/** Open cases per school and gate: one `$group` by school per open gate, in the database. */
export async function casesByGate(
  scope: WebScope,
): Promise<{ gates: Gate[]; rows: { school: string; counts: number[] }[] }> {
  const gates = GATES.filter(isOpenGate);
  const perGate = await Promise.all(
    gates.map((gate) =>
      Case.aggregate<{ _id: string; n: number }>([
        { $match: { ...scope.filter, open: true, gate } },
        { $group: { _id: '$schoolCode', n: { $sum: 1 } } },
      ]),
    ),
  );
  const used = gates.filter((_, i) => perGate[i].length > 0);
  const rows = scope.schools.map((s) => ({
    school: s.name,
    counts: used.map((g) => perGate[gates.indexOf(g)].find((r) => r._id === s.code)?.n ?? 0),
  }));
  return { gates: used, rows };
}

/** The cells naming a student: school, class and name. */
export interface StudentCells {
  school: string;
  className: string;
  student: string;
}

export interface LongAbsenceRow extends StudentCells {
  gate: string;
  absentSince?: Date;
  awayDays: number;
}

/** Long absences (the ladder's `longAbsence` flag on open cases), with names. */
export async function longAbsences(scope: WebScope): Promise<LongAbsenceRow[]> {
  const cases = await Case.find({ ...scope.filter, open: true, longAbsence: true })
    .sort({ schoolCode: 1, classId: 1, awayDays: -1 })
    .lean();
  const who = await whoCells(scope, cases);
  return cases.map((c) => ({
    ...who(c),
    gate: GATE_LABEL[c.gate],
    absentSince: c.absentSince ? dayCell(c.absentSince) : undefined,
    awayDays: c.awayDays,
  }));
}

export interface OverdueRow extends StudentCells {
  duty: string;
  holders: string;
  dueAt: Date;
  daysOverdue: number;
}

/** Overdue duties (`overdueFilter`: the same set and day count as chat's 逾期). */
export async function overdueDuties(scope: WebScope, now: Date): Promise<OverdueRow[]> {
  const live = await Duty.find(overdueFilter(scope.filter, now)).sort({ dueAt: 1 }).lean();
  const [who, holders] = await Promise.all([
    whoCells(scope, live),
    staffNames([...new Set(live.flatMap((d) => d.holders))]),
  ]);
  return live.map((d) => ({
    ...who(d),
    duty: DUTY[d.kind]?.label ?? d.kind,
    holders: d.holders.map((h) => holders.get(h) ?? h).join('、'),
    dueAt: d.dueAt,
    daysOverdue: overdueDays(overdueFrom(d), now),
  }));
}

type AboutStudent = Place & { studentNo: string };

/** The school, class and student cells of rows about students (names read once for all). */
async function whoCells(
  scope: WebScope,
  rows: AboutStudent[],
): Promise<(r: AboutStudent) => StudentCells> {
  const [people, classes] = await Promise.all([
    studentsOf(rows.map((r) => r.studentNo)),
    classNames(rows.map((r) => r.classId)),
  ]);
  return (r: AboutStudent) => ({
    school: scope.schoolName(r.schoolCode),
    className: classes.get(r.classId) ?? r.classId,
    student: people.get(r.studentNo) ?? '（已不在名册）',
  });
}

async function studentsOf(nos: string[]): Promise<Map<string, string>> {
  const rows = await Student.find({ studentNo: { $in: [...new Set(nos)] } }).lean();
  return displayNames(rows);
}

async function classNames(ids: string[]): Promise<Map<string, string>> {
  const rows = await SchoolClass.find({ classId: { $in: [...new Set(ids)] } }).lean();
  return new Map(rows.map((c) => [c.classId, c.name]));
}

/** An Asia/Shanghai calendar day as a date cell (UTC midnight: what a spreadsheet shows). */
export function dayCell(iso: string): Date {
  return new Date(`${iso}T00:00:00Z`);
}
