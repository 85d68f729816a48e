import type { ChatContext } from '../chat/command';
import type { CaseRow } from '../models/case';
import { DUTY } from '../domain/cases/duties';
import type { Duty } from '../domain/cases/derive';
import { formatDeadline } from '../lib/time';
import { addFact, type FactInput } from './store';
import { syncCase, type Synced } from './sync';

/**
 * The one sequence every case operation ends with: append the fact, re-derive the case, tell
 * whoever the change concerns. Returns the synced case for the reply.
 */
export async function record(
  ctx: ChatContext,
  c: CaseRow,
  fact: Omit<FactInput, 'actor' | 'channel' | 'at'> & { at?: Date },
): Promise<Synced> {
  await addFact(c, { actor: ctx.actor.userid, channel: ctx.channel, at: ctx.now, ...fact });
  return resync(ctx, c.caseId);
}

export async function resync(ctx: ChatContext, caseId: string): Promise<Synced> {
  const synced = await syncCase(ctx.services, caseId, ctx.now, ctx.actor.userid);
  if (!synced) throw new Error(`case ${caseId} vanished`);
  return synced;
}

/** "下一步：班主任家访（王芳）须在 12月1日 周二 18:00 前完成。" — each live duty once. */
export function nextSteps(s: Synced, viewer: string): string {
  const live = s.view.duties.filter((d) => d.status === 'open' || d.status === 'missed');
  if (!live.length) return '';
  const parts = live.map((d) => step(d, s.about.who, viewer));
  return `下一步：${[...new Set(parts)].join('；')}。`;
}

function step(d: Duty, who: (ids: string[]) => string, viewer: string): string {
  const holder = d.holders.includes(viewer) ? '您' : who(d.holders);
  const when = d.status === 'missed' ? '已逾期' : `须在 ${formatDeadline(d.dueAt)} 前完成`;
  return `${DUTY[d.kind].label}（${holder}）${when}`;
}
