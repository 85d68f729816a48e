import { Answer, type ChatContext } from '../../chat/command';
import { authorize } from '../../domain/policy';
import { FACT_LABEL } from '../../domain/cases/facts';
import { GATE_LABEL } from '../../domain/cases/gates';
import { auditChat } from '../../models/audit';
import { Case } from '../../models/case';
import type { StudentDoc } from '../../roster/directory';
import { formatDay, formatDeadline } from '../../lib/time';
import { standingFacts } from '../store';
import { nextSteps } from '../record';
import { syncCase } from '../sync';
import { joinLines } from '../../lib/lines';

/** 进展: a case's history — facts with who, when and through what — and where it stands. */
export async function progress(ctx: ChatContext, a: { student: StudentDoc }): Promise<string> {
  const { student } = a;
  authorize(ctx.actor, 'view', student);
  await auditChat(ctx, 'view', student.studentNo, 'progress');
  const c = (
    await Case.find({ studentNo: student.studentNo }).sort({ openedAt: -1 }).limit(1).lean()
  )[0];
  if (!c) throw new Answer(`${student.name} 没有缺勤或请假记录。`);
  const synced = await syncCase(ctx.services, c.caseId, ctx.now, ctx.actor.userid);
  if (!synced) throw new Answer(`${student.name} 没有缺勤或请假记录。`);
  const facts = await standingFacts(c.caseId);
  const who = synced.about.who;
  const lines = facts.slice(-12).map((f) => {
    const by = f.inferred ? '系统推定' : who([f.actor]);
    const instead = f.onBehalfOf ? `（代 ${who([f.onBehalfOf])}）` : '';
    const day = f.day ? `（${formatDay(f.day)}）` : '';
    const detail = f.detail ? `：${f.detail.slice(0, 40)}` : '';
    return `· ${formatDeadline(f.at)} ${by}${instead} ${FACT_LABEL[f.type]}${day}${detail}`;
  });
  const moves = synced.view.moves
    .filter((m) => m.inferred)
    .map((m) => `· ${formatDeadline(m.at)} 系统：${m.why}`);
  const transfer = synced.view.transferPending ? '（转学办理中）' : '';
  const away = synced.view.awayDays ? `，已 ${synced.view.awayDays} 个上学日未到校` : '';
  return joinLines(
    `【${student.name}】当前：${GATE_LABEL[synced.view.gate]}${transfer}${away}`,
    ...lines,
    ...moves,
    nextSteps(synced, ctx.actor.userid),
  );
}
