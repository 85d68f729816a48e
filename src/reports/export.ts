import ExcelJS from 'exceljs';
import { Report, type ReportDoc } from '../models/report';
import { CaseFact } from '../models/case';
import { EnrollmentChange } from '../models/enrollment-change';
import { School, SchoolClass, Staff, Student } from '../models/roster';
import type { StaffLike, StudentLike, EnrollmentStatus } from '../domain/roster';
import { periodRange } from '../domain/reports';
import { CHANGE_LABEL, kindOf } from '../domain/enrollment';
import { formatDeadline, isoDay } from '../lib/time';

/**
 * The district's figures for one period as a workbook for the bureau: who reported and when,
 * the dropouts in detail (monthly), the enrollment changes (quarterly). `period`: 2026-11 or 2026-Q4.
 */
export async function exportPeriod(
  period: string,
  file: string,
): Promise<{ schools: number; rows: number }> {
  if (!/^\d{4}-(0[1-9]|1[0-2]|Q[1-4])$/.test(period))
    throw new Error('期间格式应为 2026-11（月报）或 2026-Q4（季报）');
  const kind = period.includes('Q') ? 'quarterly' : 'monthly';
  const { from, to } = periodRange(period);
  const schools = await School.find({}).sort({ code: 1 }).lean<{ code: string; name: string }[]>();
  const schoolName = new Map(schools.map((s) => [s.code, s.name]));
  const classes = new Map(
    (await SchoolClass.find({}).lean<{ classId: string; name: string }[]>()).map((c) => [
      c.classId,
      c.name,
    ]),
  );
  const staff = new Map((await Staff.find({}).lean<StaffLike[]>()).map((p) => [p.userid, p.name]));
  const reports = new Map(
    (await Report.find({ period }).lean<ReportDoc[]>()).map((r) => [r.schoolCode, r]),
  );
  const wb = new ExcelJS.Workbook();
  wb.creator = '保学 Baoxue';
  const sheet = (name: string, columns: string[]) => {
    const ws = wb.addWorksheet(name);
    ws.columns = columns.map((c) => ({ header: c, key: c, width: Math.max(12, c.length * 3) }));
    ws.getRow(1).font = { bold: true };
    return ws;
  };
  const STATUS = { open: '待上报', submitted: '已上报', late: '逾期未报' } as const;
  const status = sheet('上报情况', [
    '学校代码',
    '学校',
    '期间',
    '状态',
    '截止',
    '上报人',
    '上报时间',
    '内容摘要',
  ]);
  for (const s of schools) {
    const r = reports.get(s.code);
    status.addRow([
      s.code,
      s.name,
      period,
      r ? STATUS[r.status] : '未开始',
      r ? formatDeadline(r.dueAt) : '',
      r?.submittedBy ? (staff.get(r.submittedBy) ?? r.submittedBy) : '',
      r?.submittedAt ? formatDeadline(r.submittedAt) : '',
      r?.content?.split('\n')[0] ?? '',
    ]);
  }
  let rows = 0;
  const students = new Map(
    (await Student.find({}).lean<StudentLike[]>()).map((s) => [s.studentNo, s]),
  );
  if (kind === 'monthly') {
    const detail = sheet('流失生明细', ['学校', '班级', '姓名', '学籍号', '确认日期', '原因']);
    for (const e of await CaseFact.find({ type: 'dropoutConfirmed', at: { $gte: from, $lt: to } })
      .sort({ at: 1 })
      .lean<{ studentNo: string; at: Date; detail?: string }[]>()) {
      const st = students.get(e.studentNo);
      detail.addRow([
        schoolName.get(st?.schoolCode ?? '') ?? '',
        classes.get(st?.classId ?? '') ?? '',
        st?.name ?? '',
        e.studentNo,
        isoDay(e.at),
        e.detail ?? '',
      ]);
      rows++;
    }
  } else {
    const changes = sheet('学籍变动', ['学校', '姓名', '学籍号', '变动', '去向', '日期', '说明']);
    for (const c of await EnrollmentChange.find({ at: { $gte: from, $lt: to } })
      .sort({ at: 1 })
      .lean<
        {
          schoolCode: string;
          studentNo: string;
          from: EnrollmentStatus | 'new';
          to: EnrollmentStatus;
          destination?: string;
          at: Date;
          detail?: string;
        }[]
      >()) {
      const k = kindOf(c.from, c.to);
      if (!k) continue;
      changes.addRow([
        schoolName.get(c.schoolCode) ?? c.schoolCode,
        students.get(c.studentNo)?.name ?? '',
        c.studentNo,
        CHANGE_LABEL[k],
        c.destination ?? '',
        isoDay(c.at),
        c.detail ?? '',
      ]);
      rows++;
    }
  }
  await wb.xlsx.writeFile(file);
  return { schools: schools.length, rows };
}
