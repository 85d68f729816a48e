import type { ChatContext } from '../../chat/command';
import { DUTY } from '../../domain/cases/duties';
import { Duty, type DutyRow } from '../../models/case';
import { displayNames, staffNamesShown } from '../../roster/directory';
import { formatDeadline, overdueText } from '../../lib/time';
import { rolesFor, type Action } from '../../domain/policy';
import { listScope, listWithCounts, placeNames } from './list-scope';
import { listedStudents } from './listed-students';
import { overdueFilter, overdueFrom } from './overdue-set';

/**
 * 逾期 [学校]: overdue duties with student, class, holder, school and days overdue, most overdue
 * first — the district for the bureau (counted per school by aggregation), a school for its
 * principal and deputy. Counted and listed in the database, at most LIST_MAX rows read.
 */
export async function overdueList(ctx: ChatContext, named: string): Promise<string> {
  const scope = await listScope(ctx, 'listOverdue', named);
  const filter = overdueFilter(scope.filter, ctx.now);
  const { list, groups: perSchool } = await listWithCounts<DutyRow>(
    Duty,
    filter,
    { dueAt: 1 },
    '$schoolCode',
  );
  const where = scope.school?.name ?? '全区';
  if (!list.length) return `【逾期事项 · ${where}】目前没有逾期事项。👍`;
  const total = perSchool.reduce((sum, g) => sum + g.n, 0);
  const lines = await overdueLines(list, scope.district, ctx.now);
  const head = `【逾期事项 · ${where}】共 ${total} 项，逾期最久的在前（截至 ${formatDeadline(ctx.now)}）：`;
  const bySchool = scope.district ? await schoolCounts(perSchool) : '';
  const more =
    total > list.length
      ? `……另有 ${total - list.length} 项未列出，请发「逾期 学校名」分校查看。`
      : '';
  return [head, bySchool, ...lines, more, followUpHint(ctx)].filter(Boolean).join('\n');
}

/** What this sender can do next about a listed case: the bureau 督办, a school leader 更正. */
function followUpHint(ctx: ChatContext): string {
  const roles = ctx.actor.roles.map((r) => r.role);
  const can = (a: Action) => rolesFor(a).some((r) => roles.includes(r));
  const then = [
    '发送「进展 姓名」查看某个案件',
    can('followUp') ? '「督办 姓名」督办' : '',
    can('correct') ? '「更正 姓名」更正报错的记录' : '',
  ];
  return `${then.filter(Boolean).join('，')}。`;
}

async function overdueLines(list: DutyRow[], district: boolean, now: Date): Promise<string[]> {
  const [shown, holders, places] = await Promise.all([
    listedStudents(list),
    staffNamesShown(list.flatMap((d) => d.holders)),
    placeNames(list),
  ]);
  const names = await displayNames(shown);
  return list.map((d, i) => {
    const name = names.get(d.studentNo) ?? '（已转出）';
    const school = district ? `${places.schools.get(d.schoolCode) ?? '（学校未知）'} ` : '';
    const cls = places.classes.get(d.classId) ?? '';
    const who = d.holders.map((u) => holders.get(u) ?? '（已离任）').join('、');
    const what = DUTY[d.kind].label;
    const late = overdueText(overdueFrom(d), now);
    return `${i + 1}. ${name}（${school}${cls}）${what}，责任人 ${who}，${late}`;
  });
}

async function schoolCounts(groups: { _id: string; n: number }[]): Promise<string> {
  const { schools } = await placeNames(groups.map((g) => ({ schoolCode: g._id, classId: '' })));
  const parts = [...groups]
    .sort((a, b) => b.n - a.n)
    .map((g) => `${schools.get(g._id) ?? '（学校未知）'} ${g.n}`);
  return `按学校：${parts.join('，')}`;
}

/** The district's (or a school's) overdue duties in two lines, for a 待办 with nothing else. */
export async function overdueDigest(filter: Record<string, unknown>, now: Date): Promise<string> {
  const groups = await Duty.aggregate<{ _id: string; n: number }>([
    { $match: overdueFilter(filter, now) },
    { $group: { _id: '$schoolCode', n: { $sum: 1 } } },
  ]);
  const total = groups.reduce((sum, g) => sum + g.n, 0);
  if (!total) return '';
  return [`全区逾期事项 ${total} 项。`, await schoolCounts(groups), '发送「逾期」查看名单。'].join(
    '\n',
  );
}
