import type { ChatContext } from '../../chat/command';
import { answerPart, nextQuestion, QUESTIONS, type VisitParts } from '../../domain/prevention';
import { HomeVisit, type HomeVisitRow } from '../../models/case';
import { VisitDraft, type VisitDraftRow } from '../../models/prevention';
import { remindNextContact } from '../contact';
import { P } from '../replies';

const DRAFT_TTL_MS = 30 * 60_000;
/** The hidden verb the next message becomes while an exchange is open. */
export const ANSWER_VERB = '家访补充';

const partsOfRow = (v: HomeVisitRow): VisitParts => ({
  how: v.how,
  whom: v.whom,
  found: v.found,
  agreed: v.agreed,
  nextContact: v.nextContact,
});

/**
 * The guided exchange after a free-text `家访` (二(一)2(3)): the parts the text did not give are
 * asked one by one; the sender's next message is the answer, 「跳过」 ends it. The record is
 * already saved (and counted); the answers complete it.
 */
export async function askMissing(ctx: ChatContext, visit: HomeVisitRow, name: string) {
  const q = nextQuestion(partsOfRow(visit));
  if (!q) {
    await VisitDraft.deleteOne({ userid: ctx.actor.userid });
    return '';
  }
  const draft: VisitDraftRow = {
    userid: ctx.actor.userid,
    visitId: visit.visitId,
    studentName: name,
    asking: q.part,
    expiresAt: new Date(ctx.now.getTime() + DRAFT_TTL_MS),
  };
  await VisitDraft.updateOne({ userid: draft.userid }, { $set: draft }, { upsert: true });
  return P.ask(q.ask);
}

/** While an exchange is open, a message that is not a command answers it. */
export async function draftRewrite(
  ctx: ChatContext,
  text: string,
  isCommand: (t: string) => boolean,
): Promise<string | undefined> {
  const t = text.normalize('NFKC').trim();
  if (!t || isCommand(t)) return undefined;
  const draft = await VisitDraft.findOne({ userid: ctx.actor.userid }).lean<VisitDraftRow>();
  if (!draft || draft.expiresAt < ctx.now) return undefined;
  return `${ANSWER_VERB} ${t}`;
}

export async function answerExchange(
  ctx: ChatContext,
  text: string,
  dateOf: (t: string) => string | undefined,
): Promise<string> {
  const draft = await VisitDraft.findOne({ userid: ctx.actor.userid }).lean<VisitDraftRow>();
  if (!draft || draft.expiresAt < ctx.now) return P.noExchange;
  if (/^(跳过|结束|算了|取消)/.test(text.trim())) {
    await VisitDraft.deleteOne({ userid: ctx.actor.userid });
    return P.skipped(draft.studentName);
  }
  const part = draft.asking as keyof VisitParts;
  const value = answerPart(part, text, dateOf);
  if (!value) return P.askAgain(QUESTIONS.find((q) => q.part === part)?.ask ?? '');
  await HomeVisit.updateOne({ visitId: draft.visitId }, { $set: { [part]: value } });
  const visit = (await HomeVisit.findOne({ visitId: draft.visitId }).lean<HomeVisitRow>())!;
  if (part === 'nextContact' && value !== 'none') {
    await remindNextContact(visit, draft.studentName, value);
  }
  const more = await askMissing(ctx, visit, draft.studentName);
  return more || P.visitComplete(draft.studentName, visit);
}
