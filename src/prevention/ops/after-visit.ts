import type { ChatContext } from '../../chat/command';
import { partsOf } from '../../domain/prevention';
import type { HomeVisitRow } from '../../models/case';
import type { StudentDoc } from '../../roster/directory';
import { isoDay } from '../../lib/time';
import { contactMade } from '../contact';
import { askMissing } from './visit-exchange';
import { placeOf } from '../../domain/roster';

/** The structured fields a new visit row carries (二(一)2(3)): where, when, what the text says. */
export function visitFields(ctx: ChatContext, student: StudentDoc, text?: string) {
  return {
    ...placeOf(student),
    visitedOn: isoDay(ctx.now),
    companions: ctx.actor.name,
    ...(text ? structured(text, ctx.actor.name) : {}),
  };
}

function structured(text: string, me: string) {
  const p = partsOf(text);
  return { ...p, companions: p.companions ? `${me}、${p.companions}` : me };
}

/** After a visit is recorded: contact for the at-risk rhythm, then the missing parts asked. */
export async function afterVisit(
  ctx: ChatContext,
  student: StudentDoc,
  visit: HomeVisitRow,
): Promise<string> {
  const contact = await contactMade(ctx, student);
  const ask = visit.pending ? '' : await askMissing(ctx, visit, student.name);
  return [contact, ask].filter(Boolean).join('\n');
}
