import type { ChatContext } from '../../chat/command';
import { authorize } from '../../domain/policy';
import { responsibleAt } from '../../domain/chain';
import type { StudentDoc } from '../../roster/directory';
import { openCaseOrAnswer } from '../checks';
import { record } from '../record';
import type { Synced } from '../sync';
import type { Notice } from '../notices';

/**
 * 督办: the bureau follows a case up. The principal is told in full; the deputy and the head
 * teacher in one short line. All of them (and the bureau) are told how the case ends.
 */
export async function followUp(
  ctx: ChatContext,
  a: { student: StudentDoc; note: string; dutyId?: string },
): Promise<string> {
  authorize(ctx.actor, 'followUp', a.student);
  const c = await openCaseOrAnswer(a.student);
  let principals: string[] = [];
  let team: string[] = [];
  const tell = (p: Synced): Notice[] => {
    const me = ctx.actor.userid;
    const at = (l: Parameters<typeof responsibleAt>[1]) =>
      responsibleAt(p.chain, l).userids.filter((u) => u !== me);
    principals = at('principal');
    team = [...new Set([...at('deputy'), ...at('headTeacher')])].filter(
      (u) => !principals.includes(u),
    );
    return told(ctx, a, p, principals, team);
  };
  const synced = await record(
    ctx,
    c,
    { type: 'followUp', detail: a.note || undefined, dutyId: a.dutyId },
    { student: a.student, tell },
  );
  const also = team.length ? `，并告知 ${synced.about.who(team)}` : '';
  return (
    `已督办：${a.student.name}，已通知校长 ${synced.about.who(principals)}${also}。` +
    '结案或返校时会告诉您。'
  );
}

function told(
  ctx: ChatContext,
  a: { student: StudentDoc; note: string },
  p: Synced,
  principals: string[],
  team: string[],
): Notice[] {
  const who = `区教体局 ${ctx.actor.name}`;
  const head = `【督办】${who} 正在督办 ${p.about.className} ${a.student.name} 的案件`;
  const key = `${p.row.caseId}:followup:${ctx.now.getTime()}`;
  const line = `${a.student.name}：${who} 督办`;
  const out: Notice[] = [];
  if (principals.length) {
    const text =
      `${head}（已 ${p.view.awayDays} 个上学日未到校）${a.note ? `：${a.note}` : ''}。` +
      `请尽快办理并发「进展 ${a.student.name}」查看。`;
    out.push({ to: principals, key, text, line });
  }
  if (team.length) {
    const text = `${head}${a.note ? `：${a.note}` : ''}。请抓紧办理您的相关待办。`;
    out.push({ to: team, key: `${key}:team`, text, line });
  }
  return out;
}
