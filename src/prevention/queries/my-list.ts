import type { ChatContext } from '../../chat/command';
import { AtRisk, ContactDuty } from '../../models/prevention';
import { Student } from '../../models/roster';
import { scopeFilter } from '../../roster/directory';
import { formatDeadline } from '../../lib/time';
import { adoptImported, ownersOf } from '../register';
import { P } from '../replies';

/**
 * 易辍名单: the at-risk students I own (head teacher, named leader, standing-in grade leader),
 * and for the deputy, principal and bureau those in their scope; lapsed rhythms first.
 */
export async function myAtRiskList(ctx: ChatContext): Promise<string> {
  const scope = scopeFilter(ctx.actor);
  if (!scope) return P.noList;
  await adoptImported(scope, ctx.now, ctx.services.settings.prevention);
  const rows = await AtRisk.find({ ...scope, status: { $in: ['proposed', 'confirmed'] } })
    .sort({ classId: 1 })
    .limit(200)
    .lean();
  const students = await Student.find({ studentNo: { $in: rows.map((r) => r.studentNo) } }).lean();
  const byNo = new Map(students.map((s) => [s.studentNo, s]));
  const lapsed = await ContactDuty.find({
    studentNo: { $in: rows.map((r) => r.studentNo) },
    status: 'open',
  }).lean();
  const lapsedNos = new Set(lapsed.map((d) => d.studentNo));
  const me = ctx.actor.userid;
  const leader = ctx.actor.roles.some((r) => ['deputy', 'principal', 'bureau'].includes(r.role));
  const lines: string[] = [];
  for (const r of rows) {
    const s = byNo.get(r.studentNo);
    if (!s || s.status !== 'enrolled') continue;
    const o = await ownersOf(s, r);
    const mine = o.heads.includes(me) || o.leader.includes(me);
    if (!mine && !leader) continue;
    const state =
      r.status === 'proposed'
        ? '待确认'
        : lapsedNos.has(r.studentNo)
          ? '联系已逾期，须家访'
          : r.contactDueAt
            ? `下次联系 ${formatDeadline(r.contactDueAt)}`
            : '';
    const stand = o.standIn && o.leader.includes(me) ? '（您暂代包保领导）' : '';
    lines.push(
      `${lapsedNos.has(r.studentNo) ? 0 : 1}${s.name}：${r.reasons.join('；')}｜${state}${stand}`,
    );
  }
  if (!lines.length) return P.noList;
  const sorted = lines.sort().map((l, i) => `${i + 1}. ${l.slice(1)}`);
  return [P.listHead(sorted.length), ...sorted, P.listHint].join('\n');
}
