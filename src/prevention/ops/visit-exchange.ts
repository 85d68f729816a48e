import type { ChatContext } from '../../chat/command';
import { answerPart, nextQuestion, QUESTIONS, type VisitParts } from '../../domain/prevention';
import { HomeVisit, type HomeVisitRow } from '../../models/case';
import { VisitDraft, type VisitDraftRow } from '../../models/prevention';
import { remindNextContact } from '../contact';
import { P } from '../replies';
import { chitChat } from '../../chat/grammar';
import { actionFilter, candidatesInScope } from '../../roster/find';

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

/** How the dispatcher tells a command from an answer while an exchange is open. */
export interface CommandSense {
  /** Starts with a command word. */
  isCommand(t: string): boolean;
  /** Looks like one: a mistyped command word (「家方 付天佑」), a how-question. */
  looksLikeCommand(t: string): boolean;
  /** Parses as a command once these names are known (「张欣怡又没来」). */
  parsesWith(t: string, names: string[]): boolean;
}

/**
 * While an exchange is open, a message that is not a command answers it. One that looks like a
 * command (a near command word, a how-question, a student's name in the sender's scope) ends
 * the exchange — the reply says so (`note`) — and is handled as a normal message.
 */
export async function draftRewrite(
  ctx: ChatContext,
  text: string,
  sense: CommandSense,
): Promise<string | { text: string; note: string } | undefined> {
  const t = text.normalize('NFKC').trim();
  if (!t || sense.isCommand(t)) return undefined;
  const draft = await VisitDraft.findOne({ userid: ctx.actor.userid }).lean();
  if (!draft || draft.expiresAt < ctx.now) return undefined;
  if (sense.looksLikeCommand(t) || (await aboutAStudent(ctx, t, draft.studentName, sense))) {
    await VisitDraft.deleteOne({ userid: ctx.actor.userid });
    return { text: t, note: P.exchangeLeft(draft.studentName) };
  }
  return `${ANSWER_VERB} ${t}`;
}

/**
 * A message about a student: it opens with (or names as its second word) another student the
 * sender may see, or it is a command about the visited one (「张欣怡又没来」) — not an answer
 * like 「张欣怡本人」.
 */
async function aboutAStudent(
  ctx: ChatContext,
  t: string,
  visited: string,
  sense: CommandSense,
): Promise<boolean> {
  const named = await namedStudents(ctx, t);
  if (named.some((n) => n !== visited)) return true;
  return named.length > 0 && sense.parsesWith(t, named);
}

async function namedStudents(ctx: ChatContext, t: string): Promise<string[]> {
  const scope = actionFilter(ctx.actor, 'view');
  if (!scope) return [];
  const tokens = t.split(/[\s，,、；;：:]+/).filter(Boolean);
  const tries = [tokens.join(''), tokens.slice(1).join('')].filter(Boolean);
  const hits = (await Promise.all(tries.map((x) => candidatesInScope(ctx.actor, 'view', scope, x))))
    .flat()
    .map((s) => s.name);
  return [...new Set(hits.filter((n) => tries.some((x) => x.startsWith(n))))];
}

export async function answerExchange(
  ctx: ChatContext,
  text: string,
  dateOf: (t: string) => string | undefined,
): Promise<string> {
  const draft = await VisitDraft.findOne({ userid: ctx.actor.userid }).lean();
  if (!draft || draft.expiresAt < ctx.now) return P.noExchange;
  const chat = chitChat(text);
  if (chat) return P.ackAsk(chat, QUESTIONS.find((q) => q.part === draft.asking)?.ask ?? '');
  if (/^(跳过|结束|算了|取消)/.test(text.trim())) {
    await VisitDraft.deleteOne({ userid: ctx.actor.userid });
    return P.skipped(draft.studentName);
  }
  const part = draft.asking as keyof VisitParts;
  const value = answerPart(part, text, dateOf);
  if (!value) return P.askAgain(QUESTIONS.find((q) => q.part === part)?.ask ?? '');
  await HomeVisit.updateOne({ visitId: draft.visitId }, { $set: { [part]: value } });
  const visit = (await HomeVisit.findOne({ visitId: draft.visitId }).lean())!;
  if (part === 'nextContact' && value !== 'none') {
    await remindNextContact(visit, draft.studentName, value);
  }
  const more = await askMissing(ctx, visit, draft.studentName);
  return more || P.visitComplete(draft.studentName, visit);
}
