import type { ChatContext } from '../../chat/command';
import { GATE_LABEL, type Gate } from '../../domain/cases/gates';
import { Case, type CaseRow } from '../../models/case';
import { displayNames } from '../../roster/directory';
import { formatDeadline } from '../../lib/time';
import { listScope, listWithCounts, placeNames } from './list-scope';
import { listedStudents } from './listed-students';

/**
 * 案件 [学校]: open cases by gate, with names and school days away (since last seen), longest
 * away first within a gate. Counts by gate are one aggregation; at most LIST_MAX cases read.
 */
export async function openCaseList(ctx: ChatContext, named: string): Promise<string> {
  const scope = await listScope(ctx, 'listCases', named);
  const filter = { ...scope.filter, open: true };
  const { list, groups: byGate } = await listWithCounts<CaseRow, Gate>(
    Case,
    filter,
    { awayDays: -1, openedAt: 1 },
    '$gate',
  );
  const where = scope.school?.name ?? '全区';
  if (!list.length) return `【未结案件 · ${where}】目前没有未结的案件。`;
  const total = byGate.reduce((sum, g) => sum + g.n, 0);
  const [shown, places] = await Promise.all([listedStudents(list), placeNames(list)]);
  const names = await displayNames(shown);
  const line = (c: CaseRow) => {
    const school = scope.district ? `${places.schools.get(c.schoolCode) ?? '（学校未知）'} ` : '';
    const where = `${school}${places.classes.get(c.classId) ?? ''}`;
    const away = c.awayDays ? `已 ${c.awayDays} 个上学日未到校` : '今天起未到校';
    return `· ${names.get(c.studentNo) ?? '（已转出）'}（${where}）${away}`;
  };
  const out = [`【未结案件 · ${where}】共 ${total} 件（截至 ${formatDeadline(ctx.now)}）`];
  for (const gate of Object.keys(GATE_LABEL) as Gate[]) {
    const n = byGate.find((g) => g._id === gate)?.n ?? 0;
    if (!n) continue;
    out.push(`${GATE_LABEL[gate]}（${n}）：`, ...list.filter((c) => c.gate === gate).map(line));
  }
  if (total > list.length)
    out.push(`……另有 ${total - list.length} 件未列出，请发「案件 学校名」分校查看。`);
  out.push('发送「进展 姓名」查看某个案件。');
  return out.join('\n');
}
