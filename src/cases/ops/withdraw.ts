import { Answer, type ChatContext } from '../../chat/command';
import { authorize } from '../../domain/policy';
import { FACT_LABEL } from '../../domain/cases/facts';
import { auditChat } from '../../models/audit';
import type { FactRow } from '../../models/case';
import type { StudentDoc } from '../../roster/directory';
import { openCaseOrAnswer } from '../checks';
import { record } from '../record';
import { standingFacts } from '../store';
import type { Synced } from '../sync';
import { corrected, type Notice } from '../notices';
import { formatDay } from '../../lib/time';
import { joinLines } from '../../lib/lines';

/** What a person reports (and so may withdraw): not inferred facts, not withdrawals. */
const REPORTED = ['absence', 'leave', 'present', 'stillAway', 'visit', 'persuasion', 'plan'];

/**
 * 撤销: the author withdraws their latest report within the window, whatever it set off.
 * 更正 (`asLeader`): a grade leader, deputy or principal withdraws the latest report later,
 * with a reason. Both audited; duties are re-derived and whoever was told is told.
 */
export async function withdrawReport(
  ctx: ChatContext,
  a: { student: StudentDoc; reason?: string; asLeader?: boolean },
): Promise<string> {
  const { student } = a;
  authorize(ctx.actor, a.asLeader ? 'correct' : 'report', student);
  const c = await openCaseOrAnswer(student);
  const facts = (await standingFacts(c.caseId)).filter(
    (f) => REPORTED.includes(f.type) && !f.inferred,
  );
  const target = a.asLeader ? facts.at(-1) : ownRecent(ctx, facts);
  if (!target) {
    const minutes = ctx.services.settings.ladder.undoWindowMinutes;
    throw new Answer(
      a.asLeader
        ? `${student.name} 没有可以更正的报告。`
        : `您在 ${minutes} 分钟内没有关于 ${student.name} 的报告可撤销。` +
            `如确属误报，请联系年级组长或分管领导发送「更正 ${student.name} 原因」。`,
    );
  }
  if (a.asLeader && (!a.reason || a.reason.length < 2)) {
    throw new Answer(`请写明更正原因，例如：更正 ${student.name} 家长已补请假条`);
  }
  const why = a.asLeader ? `领导更正：${a.reason}` : '报告人撤销误报';
  const what = `${FACT_LABEL[target.type]}${target.day ? `（${formatDay(target.day)}）` : ''}`;
  const authors = [target.actor, target.onBehalfOf].filter(
    (u): u is string => !!u && u !== ctx.actor.userid && u !== 'system',
  );
  let extra: string[] = [];
  const tell = (p: Synced): Notice[] => {
    if (!a.asLeader || !authors.length) return [];
    extra = authors;
    const key = `${c.caseId}:corrected:${target.factId}`;
    return [corrected(p.about, { by: ctx.actor.name, what, reason: a.reason, key }, authors)];
  };
  const synced = await record(
    ctx,
    c,
    { type: 'withdraw', target: target.factId, detail: why },
    { student, tell },
  );
  const action = a.asLeader ? 'correct' : 'undo';
  await auditChat(ctx, action, student.studentNo, target.factId);
  const told = [...new Set([...synced.notices.flatMap((n) => n.to), ...extra])].filter(
    (u) => u !== ctx.actor.userid,
  );
  const state = synced.view.open ? '' : '案件已撤销，';
  const toldLine = told.length ? `，已通知 ${synced.about.who(told)}` : '';
  const verb = a.asLeader ? '更正' : '撤销';
  return joinLines(
    `已${verb}：${student.name}的「${what}」。${state}相关待办已重新计算${toldLine}。`,
    a.asLeader && synced.view.open ? leaveHint(a.reason ?? '', target.type, student.name) : '',
  );
}

/** A correction that says the absence was leave: the leave itself is recorded with 请假. */
function leaveHint(reason: string, withdrawn: string, name: string): string {
  if (withdrawn === 'leave' || !/请假|假条|病假|事假/.test(reason)) return '';
  return (
    `如 ${name} 确系请假，请再发「请假 ${name} 到X月X日 事由」登记，请假期间不计缺勤；` +
    '否则我会继续每天请班主任确认是否到校。'
  );
}

function ownRecent(ctx: ChatContext, facts: FactRow[]): FactRow | undefined {
  const window = ctx.services.settings.ladder.undoWindowMinutes * 60_000;
  return facts
    .filter((f) => f.actor === ctx.actor.userid && ctx.now.getTime() - f.at.getTime() <= window)
    .at(-1);
}
