import ExcelJS from 'exceljs';
import { writeFile } from 'node:fs/promises';
import { Report } from '../models/report';
import { dropoutsIn } from './dropouts';
import { EnrollmentChange } from '../models/enrollment-change';
import { School, SchoolClass, Staff, Student, type SchoolRow } from '../models/roster';
import { periodRange } from '../domain/reports';
import { CHANGE_LABEL, kindOf } from '../domain/enrollment';
import { isoDay } from '../lib/time';
import { addTableSheet } from '../web/xlsx';
import type { Cell, Table } from '../web/table';

/** Which schools a workbook covers: the district, or one school (by code). */
export interface ExportScope {
  schoolCode?: string;
}

export interface PeriodWorkbook {
  buffer: Buffer;
  /** 珠山区第一小学 2026年11月 流失生月报 (the file name and the title row use it). */
  title: string;
  schools: number;
  rows: number;
}

const PERIOD = /^\d{4}-(0[1-9]|1[0-2]|Q[1-4])$/;
const STATUS = { open: '待上报', submitted: '已上报', late: '逾期未报' } as const;

export function isPeriod(period: string): boolean {
  return PERIOD.test(period);
}

/** 2026-11 → 2026年11月 流失生月报; 2026-Q4 → 2026年第4季度 学籍变动季报. */
export function periodTitle(period: string): string {
  const q = /^(\d{4})-Q([1-4])$/.exec(period);
  if (q) return `${q[1]}年第${q[2]}季度 学籍变动季报`;
  return `${period.slice(0, 4)}年${Number(period.slice(5, 7))}月 流失生月报`;
}

/** A calendar day as a date cell (UTC midnight of the Shanghai day). */
const day = (at: Date): Date => new Date(`${isoDay(at)}T00:00:00Z`);

/**
 * One period's workbook for the bureau (the district or one school) or a principal (their
 * school): who reported and when, then the dropouts (monthly) or the enrollment changes
 * (quarterly) in detail, each sheet with a title row, frozen header, real dates, fitted widths
 * and a totals row (src/web/xlsx.ts). Reads the period's rows and only the students they name.
 */
export async function periodWorkbook(
  period: string,
  scope: ExportScope = {},
): Promise<PeriodWorkbook> {
  if (!isPeriod(period)) throw new Error('期间格式应为 2026-11（月报）或 2026-Q4（季报）');
  const match = scope.schoolCode ? { schoolCode: scope.schoolCode } : {};
  const schools = await School.find(scope.schoolCode ? { code: scope.schoolCode } : {})
    .sort({ code: 1 })
    .lean();
  const where = scope.schoolCode ? (schools[0]?.name ?? '') : '全区';
  const title = `${where} ${periodTitle(period)}`;
  const heading = `区教体局 · ${title}`;
  const detail = period.includes('Q')
    ? await changesTable(period, match)
    : await dropoutsTable(period, match);
  const wb = new ExcelJS.Workbook();
  wb.creator = '保学 Baoxue';
  addTableSheet(wb, await statusTable(period, schools, detail.perSchool), heading);
  addTableSheet(wb, detail.table, heading);
  const buffer = Buffer.from(await wb.xlsx.writeBuffer());
  return { buffer, title, schools: schools.length, rows: detail.table.rows.length };
}

/** The CLI's export (`npm run report -- export 2026-11 月报.xlsx`): the district to a file. */
export async function exportPeriod(
  period: string,
  file: string,
  scope: ExportScope = {},
): Promise<{ schools: number; rows: number }> {
  const wb = await periodWorkbook(period, scope);
  await writeFile(file, wb.buffer);
  return { schools: wb.schools, rows: wb.rows };
}

async function statusTable(
  period: string,
  schools: SchoolRow[],
  perSchool: Map<string, number>,
): Promise<Table> {
  const codes = schools.map((s) => s.code);
  const reports = new Map(
    (await Report.find({ period, schoolCode: { $in: codes } }).lean()).map((r) => [
      r.schoolCode,
      r,
    ]),
  );
  const submitters = [...reports.values()].map((r) => r.submittedBy).filter(Boolean) as string[];
  const staff = new Map(
    (await Staff.find({ userid: { $in: submitters } }).lean()).map((p) => [p.userid, p.name]),
  );
  const rows: Cell[][] = schools.map((s) => {
    const r = reports.get(s.code);
    return [
      s.name,
      r ? STATUS[r.status] : '未开始',
      r?.dueAt,
      r?.submittedBy ? (staff.get(r.submittedBy) ?? '（已离任）') : '',
      r?.submittedAt,
      perSchool.get(s.code) ?? 0,
      r?.content?.split('\n')[0] ?? '',
    ];
  });
  const counted = period.includes('Q') ? '学籍变动' : '流失生';
  return {
    title: '上报情况',
    columns: [
      { header: '学校' },
      { header: '状态' },
      { header: '截止', kind: 'time' },
      { header: '上报人' },
      { header: '上报时间', kind: 'time' },
      { header: `${counted}（条）`, kind: 'number', total: true },
      { header: '内容摘要' },
    ],
    rows,
    totals: `合计 ${schools.length} 所学校`,
  };
}

interface Detail {
  table: Table;
  perSchool: Map<string, number>;
}

/** The students a page of rows names, with their school and class names (bounded by the rows). */
async function namesOf(studentNos: string[], schoolCodes: string[]) {
  const students = await Student.find({ studentNo: { $in: studentNos } }).lean();
  const classIds = [...new Set(students.map((s) => s.classId))];
  const codes = [...new Set([...schoolCodes, ...students.map((s) => s.schoolCode)])];
  const [classes, schools] = await Promise.all([
    SchoolClass.find({ classId: { $in: classIds } }).lean(),
    School.find({ code: { $in: codes } }).lean(),
  ]);
  return {
    student: new Map(students.map((s) => [s.studentNo, s])),
    className: new Map(classes.map((c) => [c.classId, c.name])),
    schoolName: new Map(schools.map((s) => [s.code, s.name])),
  };
}

function countBy<T>(rows: T[], key: (r: T) => string): Map<string, number> {
  const out = new Map<string, number>();
  for (const r of rows) out.set(key(r), (out.get(key(r)) ?? 0) + 1);
  return out;
}

async function dropoutsTable(period: string, match: Record<string, unknown>): Promise<Detail> {
  const facts = await dropoutsIn(period, match);
  const n = await namesOf(
    facts.map((f) => f.studentNo),
    facts.map((f) => f.schoolCode),
  );
  const rows: Cell[][] = facts.map((f) => [
    n.schoolName.get(f.schoolCode) ?? '',
    n.className.get(f.classId) ?? '',
    n.student.get(f.studentNo)?.name ?? '',
    f.studentNo,
    day(f.at),
    f.detail ?? '',
  ]);
  const table: Table = {
    title: '流失生明细',
    columns: [
      { header: '学校' },
      { header: '班级' },
      { header: '姓名' },
      { header: '学籍号' },
      { header: '确认日期', kind: 'day' },
      { header: '原因' },
    ],
    rows,
    totals: `合计 ${rows.length} 人`,
  };
  return { table, perSchool: countBy(facts, (f) => f.schoolCode) };
}

async function changesTable(period: string, match: Record<string, unknown>): Promise<Detail> {
  const { from, to } = periodRange(period);
  const changes = (
    await EnrollmentChange.find({ ...match, at: { $gte: from, $lt: to } })
      .sort({ at: 1 })
      .lean()
  ).filter((c) => kindOf(c.from, c.to));
  const n = await namesOf(
    changes.map((c) => c.studentNo),
    changes.map((c) => c.schoolCode),
  );
  const rows: Cell[][] = changes.map((c) => {
    const st = n.student.get(c.studentNo);
    return [
      n.schoolName.get(c.schoolCode) ?? '',
      n.className.get(st?.classId ?? '') ?? '',
      st?.name ?? '',
      c.studentNo,
      CHANGE_LABEL[kindOf(c.from, c.to)!],
      c.destination ?? '',
      day(c.at),
      c.detail ?? '',
    ];
  });
  const table: Table = {
    title: '学籍变动',
    columns: [
      { header: '学校' },
      { header: '班级' },
      { header: '姓名' },
      { header: '学籍号' },
      { header: '变动' },
      { header: '去向' },
      { header: '日期', kind: 'day' },
      { header: '说明' },
    ],
    rows,
    totals: `合计 ${rows.length} 条`,
  };
  return { table, perSchool: countBy(changes, (c) => c.schoolCode) };
}
