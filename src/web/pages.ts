import { GATE_LABEL } from '../domain/cases/gates';
import type { Services } from '../services';
import { isoDay } from '../lib/time';
import { casesByGate, longAbsences, overdueDuties } from './queries/cases';
import {
  currentPeriods,
  reportStatus,
  retentionBySchool,
  visitCompliance,
} from './queries/school-year';
import type { WebScope } from './scope';
import type { Table } from './table';

/**
 * The dashboard's pages (issue #12 "Web dashboard"): each gives its tables (HTML and xlsx) and
 * an optional ECharts option built from the first table. Everything is counted in the
 * database and scoped by `scope.filter`.
 */
export interface PageData {
  period: string;
  tables: Table[];
  chart?: Record<string, unknown>;
}

export interface PageDef {
  slug: string;
  title: string;
  build(scope: WebScope, services: Services, now: Date): Promise<PageData>;
}

const bar = (labels: string[], series: { name: string; data: number[] }[], stack = false) => ({
  tooltip: { trigger: 'axis' },
  legend: { top: 0, type: 'scroll' },
  grid: { left: 8, right: 8, bottom: 8, top: 40, containLabel: true },
  xAxis: { type: 'category', data: labels, axisLabel: { interval: 0, rotate: 30 } },
  yAxis: { type: 'value' },
  series: series.map((s) => ({ type: 'bar', ...(stack ? { stack: 'all' } : {}), ...s })),
});

const asOf = (now: Date) => `截至 ${isoDay(now)}`;

const overview: PageDef = {
  slug: 'overview',
  title: '概况',
  async build(scope, _services, now) {
    const [byGate, long] = await Promise.all([casesByGate(scope), longAbsences(scope)]);
    const labels = byGate.gates.map((g) => GATE_LABEL[g]);
    const cases: Table = {
      title: '未结案件（按学校和环节）',
      columns: [
        { header: '学校' },
        ...labels.map((h) => ({ header: h, kind: 'number' as const, total: true })),
        { header: '合计', kind: 'number', total: true },
      ],
      rows: byGate.rows.map((r) => [r.school, ...r.counts, r.counts.reduce((a, b) => a + b, 0)]),
      totals: '合计',
    };
    const absences: Table = {
      title: '长期缺勤学生',
      columns: [
        { header: '学校' },
        { header: '班级' },
        { header: '学生' },
        { header: '环节' },
        { header: '缺勤起始', kind: 'day' },
        { header: '缺勤上学日', kind: 'number', total: true },
      ],
      rows: long.map((l) => [l.school, l.className, l.student, l.gate, l.absentSince, l.awayDays]),
      totals: `合计 ${long.length} 人`,
    };
    const chart = bar(
      byGate.rows.map((r) => r.school),
      labels.map((name, i) => ({ name, data: byGate.rows.map((r) => r.counts[i]) })),
      true,
    );
    return { period: asOf(now), tables: [cases, absences], chart };
  },
};

const overdue: PageDef = {
  slug: 'overdue',
  title: '逾期事项',
  async build(scope, _services, now) {
    const rows = await overdueDuties(scope, now);
    const table: Table = {
      title: '逾期事项',
      columns: [
        { header: '学校' },
        { header: '班级' },
        { header: '学生' },
        { header: '事项' },
        { header: '责任人' },
        { header: '截止时间', kind: 'time' },
        { header: '逾期天数', kind: 'number' },
      ],
      rows: rows.map((r) => [
        r.school,
        r.className,
        r.student,
        r.duty,
        r.holders,
        r.dueAt,
        r.daysOverdue,
      ]),
      totals: `合计 ${rows.length} 项`,
    };
    return { period: asOf(now), tables: [table] };
  },
};

const visits: PageDef = {
  slug: 'visits',
  title: '家访',
  async build(scope, services, now) {
    const { semester, rows } = await visitCompliance(scope, services, now);
    const table: Table = {
      title: '家访任务完成情况',
      columns: [
        { header: '学校' },
        { header: '教师' },
        { header: '身份' },
        { header: '本学期家访', kind: 'number', total: true },
        { header: '任务数', kind: 'number', total: true },
        { header: '是否完成' },
      ],
      rows: rows.map((r) => [r.school, r.teacher, r.role, r.visits, r.quota, r.met ? '是' : '否']),
      totals: `合计（完成 ${rows.filter((r) => r.met).length}/${rows.length} 人）`,
    };
    const schools = scope.schools.map((s) => s.name);
    const count = (name: string, met: boolean) =>
      rows.filter((r) => r.school === name && r.met === met).length;
    const chart = bar(
      schools,
      [
        { name: '已完成', data: schools.map((s) => count(s, true)) },
        { name: '未完成', data: schools.map((s) => count(s, false)) },
      ],
      true,
    );
    return { period: semester, tables: [table], chart };
  },
};

const reports: PageDef = {
  slug: 'reports',
  title: '报告',
  async build(scope, _services, now) {
    const rows = await reportStatus(scope, now);
    const { monthly, quarterly } = currentPeriods(now);
    const table: Table = {
      title: '月报和季报上报情况',
      columns: [
        { header: '学校' },
        { header: '报告' },
        { header: '期间' },
        { header: '状态' },
        { header: '截止时间', kind: 'time' },
        { header: '上报时间', kind: 'time' },
      ],
      rows: rows.map((r) => [r.school, r.kind, r.period, r.status, r.dueAt, r.submittedAt]),
      totals: `已上报 ${rows.filter((r) => r.status === '已上报').length}/${rows.length}`,
    };
    return { period: `${monthly} 月报、${quarterly} 季报`, tables: [table] };
  },
};

const retention: PageDef = {
  slug: 'retention',
  title: '巩固率',
  async build(scope, _services, now) {
    const rows = await retentionBySchool(scope);
    const table: Table = {
      title: '巩固率',
      columns: [
        { header: '学校' },
        { header: '在籍', kind: 'number', total: true },
        { header: '流失', kind: 'number', total: true },
        { header: '巩固率', kind: 'percent' },
        { header: '基数', kind: 'number', total: true },
      ],
      rows: rows.map((r) => [r.school, r.retained, r.dropped, r.rate, r.retained + r.dropped]),
      totals: '合计',
      ratio: [3, 1, 4],
    };
    const chart = {
      ...bar(
        rows.map((r) => r.school),
        [{ name: '巩固率（%）', data: rows.map((r) => Math.round(r.rate * 10000) / 100) }],
      ),
      yAxis: { type: 'value', min: 'dataMin', max: 100 },
    };
    return { period: asOf(now), tables: [table], chart };
  },
};

export const PAGES: PageDef[] = [overview, overdue, visits, reports, retention];
