import { DateTime } from 'luxon';
import type { PipelineStage } from 'mongoose';
import type { ChatContext } from '../../chat/command';
import { GATE_LABEL, type Gate } from '../../domain/cases/gates';
import { Case, CaseFact, Duty } from '../../models/case';
import { ClassCount } from '../../models/class-count';
import {
  classNames,
  schoolNames,
  scopeFilter,
  scopeLabel,
  spansSchools,
} from '../../roster/directory';
import { overdueFilter } from './overdue-set';
import { sumCounters } from '../../roster/counts';
import { ZONE, formatDeadline } from '../../lib/time';

/**
 * 概况: what the sender is responsible for in one message — open cases by gate, long absences,
 * overdue duties, this month's dropouts, at-risk students — per school for the bureau, per
 * class below. Counted in the database (bounded by open cases, never the whole roster).
 */
export async function overview(ctx: ChatContext): Promise<string> {
  const scope = scopeFilter(ctx.actor);
  if (!scope) return '您名下还没有学生。';
  const bySchool = spansSchools(ctx.actor);
  const monthStart = DateTime.fromJSDate(ctx.now, { zone: ZONE }).startOf('month').toJSDate();
  const c = await counts(scope, bySchool ? '$schoolCode' : '$classId', ctx.now, monthStart);
  const open = [...c.gates.values()].reduce((a, b) => a + b, 0);
  const overdue = [...c.overdue.values()].reduce((a, b) => a + b, 0);
  const lines = [
    `【概况 · ${await scopeLabel(ctx.actor)}】截至 ${formatDeadline(ctx.now)}`,
    `在籍 ${c.enrolled} 人，易辍对象 ${c.atRisk} 人，本月确认辍学 ${c.dropouts} 人。`,
    open
      ? `未结案件 ${open} 件：${[...c.gates].map(([g, n]) => `${GATE_LABEL[g]} ${n}`).join('，')}。`
      : '没有未结的缺勤案件。',
    c.long
      ? `其中 ${c.long} 人已超过 ${ctx.services.settings.ladder.longAbsenceSchoolDays} 个上学日未到校（确认与否都计入）。`
      : '',
    overdue ? `逾期事项 ${overdue} 项。` : '没有逾期事项。',
    ...(await groups(c.open, c.overdue, bySchool)),
    overdue
      ? '发送「待办」看您自己的事项，「进展 姓名」看某个案件。'
      : '发送「进展 姓名」看某个案件。',
  ];
  return lines.filter(Boolean).join('\n');
}

type UnionStage = PipelineStage.UnionWithPipelineStage;
/** One row of the aggregate; which accumulator it carries tells what it counts. */
interface Row {
  _id: string;
  enrolled?: number;
  suspended?: number;
  atRisk?: number;
  gateN?: number;
  openN?: number;
  longN?: number;
  overdueN?: number;
  dropN?: number;
}

/**
 * Everything 概况 counts, in one aggregate (issue #11: read commands ≤ 5 round trips, and the
 * same cost at any district size): the roster from the per-class counters, open cases by gate
 * and by place, long absences, overdue duties by place and this month's confirmed dropouts, each
 * grouped in the database and joined in with $unionWith — a few rows per school or class
 * shown, never the cases or students themselves. Rows are told apart by their accumulator.
 */
async function counts(scope: Record<string, unknown>, place: string, now: Date, monthStart: Date) {
  const sum = (field: keyof Row, id: string) => ({ $group: { _id: id, [field]: { $sum: 1 } } });
  const openCases = { $match: { ...scope, open: true } };
  const rows = await ClassCount.aggregate<Row>([
    { $match: scope },
    sumCounters('roster', ['enrolled', 'suspended', 'atRisk']),
    union(Case, [openCases, sum('gateN', '$gate')]),
    union(Case, [openCases, sum('openN', place)]),
    union(Case, [{ $match: { ...scope, open: true, longAbsence: true } }, sum('longN', 'long')]),
    union(Duty, [{ $match: overdueFilter(scope, now) }, sum('overdueN', place)]),
    union(CaseFact, [
      { $match: { ...scope, type: 'dropoutConfirmed', at: { $gte: monthStart } } },
      sum('dropN', 'dropouts'),
    ]),
  ]);
  const by = (f: keyof Row) =>
    new Map(rows.filter((r) => r[f] !== undefined).map((r) => [r._id, Number(r[f])]));
  const roster = rows.find((r) => r.enrolled !== undefined);
  return {
    enrolled: (roster?.enrolled ?? 0) + (roster?.suspended ?? 0),
    atRisk: roster?.atRisk ?? 0,
    dropouts: by('dropN').get('dropouts') ?? 0,
    long: by('longN').get('long') ?? 0,
    gates: by('gateN') as Map<Gate, number>,
    open: by('openN'),
    overdue: by('overdueN'),
  };
}

function union(model: { collection: { collectionName: string } }, pipeline: UnionStage[]) {
  return { $unionWith: { coll: model.collection.collectionName, pipeline } };
}

async function groups(
  open: Map<string, number>,
  overdue: Map<string, number>,
  bySchool: boolean,
): Promise<string[]> {
  const ids = [...new Set([...open.keys(), ...overdue.keys()])].sort();
  if (ids.length < 2) return [];
  const names = bySchool ? await schoolNames(ids) : await classNames(ids);
  return ids.map((k) => {
    const late = overdue.get(k);
    return `· ${names.get(k) ?? k}：未结 ${open.get(k) ?? 0}${late ? `，逾期 ${late}` : ''}`;
  });
}
