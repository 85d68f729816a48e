import { DateTime } from 'luxon';
import type { PipelineStage } from 'mongoose';
import type { ChatContext } from '../../chat/command';
import { GATE_LABEL, type Gate } from '../../domain/cases/gates';
import { Case, CaseFact, Duty, type CaseRow, type DutyRow } from '../../models/case';
import { Student } from '../../models/roster';
import { classNames, schoolNames, scopeFilter, scopeLabel } from '../../roster/directory';
import { overdueClause } from './overdue-set';
import { ZONE, formatDeadline } from '../../lib/time';

/**
 * 概况: what the sender is responsible for in one message — open cases by gate, long absences,
 * overdue duties, this month's dropouts, at-risk students — per school for the bureau, per
 * class below. Counted in the database (bounded by open cases, never the whole roster).
 */
export async function overview(ctx: ChatContext): Promise<string> {
  const scope = scopeFilter(ctx.actor);
  if (!scope) return '您名下还没有学生。';
  const bySchool =
    Object.keys(scope).length === 0 || ctx.actor.roles.some((r) => r.role === 'bureau');
  const monthStart = DateTime.fromJSDate(ctx.now, { zone: ZONE }).startOf('month').toJSDate();
  const { enrolled, atRisk, open, overdue, dropouts } = await counts(scope, ctx.now, monthStart);
  const liveOverdue = overdue.filter((d) => open.some((c) => c.caseId === d.caseId));
  const byGate = new Map<Gate, number>();
  for (const c of open) byGate.set(c.gate, (byGate.get(c.gate) ?? 0) + 1);
  const long = open.filter((c) => c.longAbsence).length;
  const lines = [
    `【概况 · ${await scopeLabel(ctx.actor)}】截至 ${formatDeadline(ctx.now)}`,
    `在籍 ${enrolled} 人，易辍对象 ${atRisk} 人，本月确认辍学 ${dropouts} 人。`,
    open.length
      ? `未结案件 ${open.length} 件：${[...byGate].map(([g, n]) => `${GATE_LABEL[g]} ${n}`).join('，')}。`
      : '没有未结的缺勤案件。',
    long
      ? `其中 ${long} 人已超过 ${ctx.services.settings.ladder.longAbsenceSchoolDays} 个上学日未到校（确认与否都计入）。`
      : '',
    liveOverdue.length ? `逾期事项 ${liveOverdue.length} 项。` : '没有逾期事项。',
    ...(await groups(open, liveOverdue, bySchool)),
    liveOverdue.length
      ? '发送「待办」看您自己的事项，「进展 姓名」看某个案件。'
      : '发送「进展 姓名」看某个案件。',
  ];
  return lines.filter(Boolean).join('\n');
}

type UnionStage = PipelineStage.UnionWithPipelineStage;
type Row = Partial<CaseRow & DutyRow> & { _id?: unknown; n?: number };

/**
 * Everything 概况 counts, in one aggregate (issue #11: read commands ≤ 5 round trips): the
 * student counts grouped on `students`, the open cases, overdue duties and this month's
 * confirmed dropouts joined in with $unionWith. Rows are told apart by their fields.
 */
async function counts(scope: Record<string, unknown>, now: Date, monthStart: Date) {
  const count = (id: string) => ({ $group: { _id: id, n: { $sum: 1 } } });
  const rows = await Student.aggregate<Row>([
    { $match: { ...scope, status: { $in: ['enrolled', 'suspended'] } } },
    count('enrolled'),
    union(Student, [{ $match: { ...scope, atRisk: true, status: 'enrolled' } }, count('atRisk')]),
    union(Case, [{ $match: { ...scope, open: true } }]),
    union(Duty, [
      {
        $match: { ...scope, ...overdueClause(now) },
      },
    ]),
    union(CaseFact, [
      { $match: { ...scope, type: 'dropoutConfirmed', at: { $gte: monthStart } } },
      count('dropouts'),
    ]),
  ]);
  const n = (id: string) => rows.find((r) => r._id === id && r.n !== undefined)?.n ?? 0;
  return {
    enrolled: n('enrolled'),
    atRisk: n('atRisk'),
    dropouts: n('dropouts'),
    open: rows.filter((r) => r.dutyId === undefined && r.gate !== undefined) as CaseRow[],
    overdue: rows.filter((r) => r.dutyId !== undefined) as DutyRow[],
  };
}

function union(model: { collection: { collectionName: string } }, pipeline: UnionStage[]) {
  return { $unionWith: { coll: model.collection.collectionName, pipeline } };
}

async function groups(open: CaseRow[], overdue: DutyRow[], bySchool: boolean): Promise<string[]> {
  const key = (x: { schoolCode: string; classId: string }) => (bySchool ? x.schoolCode : x.classId);
  const per = new Map<string, { open: number; overdue: number }>();
  const bump = (k: string, f: 'open' | 'overdue') => {
    const v = per.get(k) ?? { open: 0, overdue: 0 };
    v[f]++;
    per.set(k, v);
  };
  open.forEach((c) => bump(key(c), 'open'));
  overdue.forEach((d) => bump(key(d), 'overdue'));
  if (per.size < 2) return [];
  const ids = [...per.keys()];
  const names = bySchool ? await schoolNames(ids) : await classNames(ids);
  return [...per]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(
      ([k, v]) => `· ${names.get(k) ?? k}：未结 ${v.open}${v.overdue ? `，逾期 ${v.overdue}` : ''}`,
    );
}
