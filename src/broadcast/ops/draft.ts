import { Answer, type ChatContext } from '../../chat/command';
import { audienceFilter, describeAudience, type Audience } from '../../domain/broadcast';
import { ROLE_LABEL } from '../../domain/roster';
import { Broadcast, type BroadcastOrigin } from '../../models/broadcast';
import { School, Staff } from '../../models/roster';
import { audit } from '../../models/audit';
import { schoolName } from '../../roster/directory';
import { B, BUTTON } from '../replies';

/** The longest notice accepted (one WeCom text is 2,048 bytes, with the signature). */
export const MAX_CONTENT_CHARS = 600;

/** School code → name for an audience's schools (names in every text, never codes). */
export async function namesOf(a: Audience): Promise<Map<string, string>> {
  if (a.schools === 'all') return new Map();
  const rows = await School.find({ code: { $in: a.schools } }).lean();
  return new Map(rows.map((r) => [r.code, r.name]));
}

/** How the recipients see the sender: 区教体局 / the school's name and role. */
export async function senderLabel(actor: ChatContext['actor']): Promise<string> {
  const role = actor.roles.find((r) => r.role === 'bureau') ?? actor.roles[0];
  if (!role || role.role === 'bureau') return `区教体局 ${actor.name}`.trim();
  const school = role.schoolCode ? await schoolName(role.schoolCode) : '';
  return `${school}${ROLE_LABEL[role.role]} ${actor.name}`;
}

/** A written draft: what its preview shows (the web dashboard renders it as a page). */
export interface Draft {
  id: string;
  audienceText: string;
  count: number;
  content: string;
  text: string;
}

/**
 * Writes a draft (recipients counted in the database) and audits it; nothing is sent. The chat
 * shows it as a preview card, the web dashboard as a page; both confirm with decideBroadcast.
 */
export async function writeDraft(
  ctx: ChatContext,
  input: { audience: Audience; content: string; origin: BroadcastOrigin },
): Promise<Draft> {
  const { audience, content, origin } = input;
  if ([...content].length > MAX_CONTENT_CHARS) throw new Answer(B.tooLong);
  const audienceText = describeAudience(audience, await namesOf(audience));
  const count = await Staff.countDocuments(audienceFilter(audience, ctx.actor.userid));
  if (!count) throw new Answer(B.nobody(audienceText));
  const text = `【通知】${content}${B.signature(await senderLabel(ctx.actor))}`;
  const doc = await Broadcast.create({
    sender: ctx.actor.userid,
    senderName: ctx.actor.name,
    origin,
    audience,
    audienceText,
    content,
    text,
    count,
    status: 'draft',
    createdAt: ctx.now,
  });
  const id = String(doc._id);
  await audit({
    actor: ctx.actor.userid,
    action: origin === 'urge' ? 'urge:draft' : 'broadcast:draft',
    target: id,
    channel: ctx.channel,
    detail: `${audienceText}，${count} 人`,
    at: ctx.now,
  });
  return { id, audienceText, count, content, text };
}

/**
 * Writes a draft and shows the sender the preview: a card with [发送] [取消], or with cards off
 * the same facts as the reply. Nothing is sent yet.
 */
export async function draftBroadcast(
  ctx: ChatContext,
  input: { audience: Audience; content: string; origin: BroadcastOrigin },
): Promise<string> {
  const { id, audienceText, count, content } = await writeDraft(ctx, input);
  const fallback = B.previewText(audienceText, count, content);
  if (!ctx.services.settings.notifications.cards) return fallback;
  await ctx.services.notify.card(
    [ctx.actor.userid],
    {
      title: B.previewTitle,
      desc: B.previewHint,
      sub: content,
      lines: [
        ['对象', audienceText],
        ['人数', `${count} 人`],
        ['内容', content],
      ],
      buttons: [],
      keys: [
        { text: BUTTON.send, key: `b:send:${id}` },
        { text: BUTTON.cancel, key: `b:cancel:${id}` },
      ],
      fallback,
    },
    `bc-preview:${id}`,
  );
  return B.previewReply(true);
}
