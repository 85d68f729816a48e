import type { ChatContext } from '../../chat/command';
import { Broadcast, type BroadcastDoc } from '../../models/broadcast';
import { audit } from '../../models/audit';
import { B } from '../replies';
import { queueBroadcast } from './deliver';

export type Choice = 'send' | 'cancel';

function expired(ctx: ChatContext, b: BroadcastDoc): boolean {
  const hours = ctx.services.settings.broadcasts.draftHours;
  return ctx.now.getTime() - b.createdAt.getTime() > hours * 3_600_000;
}

/** A broadcast no longer a draft: what a (second, late) 发送 or 取消 is told. */
function settled(b: BroadcastDoc, choice: Choice): string {
  if (b.status === 'cancelled') return B.alreadyCancelled;
  if (b.status === 'expired') return B.expired;
  if (choice === 'cancel') return B.cannotCancel(b.decidedAt ?? b.createdAt);
  return B.alreadySent(b.decidedAt ?? b.createdAt);
}

/** The sender's newest drafts (or, with none, the latest broadcast), newest first. */
async function latest(ctx: ChatContext, status?: 'draft'): Promise<BroadcastDoc[]> {
  return Broadcast.find({
    sender: ctx.actor.userid,
    origin: { $ne: 'scheduled' },
    ...(status ? { status } : {}),
  })
    .sort({ createdAt: -1, _id: -1 })
    .limit(2)
    .lean();
}

/**
 * What a typed 发送 / 取消 answers: the newest draft still within its time (the other one
 * waiting is named in the reply), else the latest broadcast (told it was settled).
 */
async function typedTarget(ctx: ChatContext): Promise<{ b?: BroadcastDoc; other?: BroadcastDoc }> {
  const drafts = (await latest(ctx, 'draft')).filter((d) => !expired(ctx, d));
  if (drafts.length) return { b: drafts[0], other: drafts[1] };
  return { b: (await latest(ctx))[0] };
}

/**
 * 发送 / 取消, by card button (the broadcast's id) or typed (the sender's latest draft). The
 * draft → sending (or cancelled) step is one conditional update, so a double click, a typed
 * 发送 after the click or a click after 取消 sends nothing twice and is told what happened.
 */
export async function decideBroadcast(
  ctx: ChatContext,
  choice: Choice,
  id?: string,
  responseCode = '',
): Promise<string> {
  const { b, other } = id
    ? { b: (await Broadcast.findById(id).lean()) ?? undefined, other: undefined }
    : await typedTarget(ctx);
  if (!b) return id ? B.notYours : B.noDraft;
  if (b.sender !== ctx.actor.userid) return B.notYours;
  if (b.status !== 'draft') return !id && expired(ctx, b) ? B.noDraft : settled(b, choice);
  if (expired(ctx, b)) {
    await Broadcast.updateOne({ _id: b._id, status: 'draft' }, { $set: { status: 'expired' } });
    return B.expired;
  }
  const next = choice === 'send' ? 'sending' : 'cancelled';
  const res = await Broadcast.updateOne(
    { _id: b._id, status: 'draft' },
    {
      $set: {
        status: next,
        decidedAt: ctx.now,
        ...(next === 'sending' ? { checkAt: ctx.now } : {}),
      },
    },
  );
  if (res.modifiedCount !== 1) {
    const now = await Broadcast.findById(b._id).lean();
    return settled(now ?? b, choice);
  }
  await audit({
    actor: ctx.actor.userid,
    action: `broadcast:${choice}`,
    target: String(b._id),
    channel: ctx.channel,
    detail: `${b.audienceText}，${b.count} 人`,
    at: ctx.now,
  });
  if (responseCode)
    await ctx.services.notify.updateCard(
      ctx.actor.userid,
      responseCode,
      choice === 'send' ? '已发送' : '已取消',
    );
  const waiting = other ? `\n${B.otherDraft(other.audienceText, other.content)}` : '';
  if (choice === 'cancel') return B.cancelled(b.audienceText, b.content) + waiting;
  const n = await queueBroadcast(ctx.services, b._id);
  return B.sending(n, b.audienceText, b.content) + waiting;
}

/** A broadcast card's button: `b:send:<id>` / `b:cancel:<id>`. */
export async function onBroadcastCard(
  ctx: ChatContext,
  key: string,
  responseCode: string,
): Promise<string> {
  const m = /^b:(send|cancel):([0-9a-f]{24})$/.exec(key);
  if (!m) return B.notYours;
  return decideBroadcast(ctx, m[1] as Choice, m[2], responseCode);
}
