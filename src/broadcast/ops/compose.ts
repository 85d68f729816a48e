import { Answer, type ChatContext } from '../../chat/command';
import { audienceHelp, ownSchools, parseNotice, scopeAudience } from '../../domain/broadcast';
import { canActOnSchool, Refused } from '../../domain/policy';
import { School } from '../../models/roster';
import { B } from '../replies';
import { normalize } from '../../chat/normalize';
import { draftBroadcast } from './draft';

/**
 * The content exactly as the sender typed it (its final 「。」, its line breaks): the longest
 * end of the message that normalises to the parsed content; the parsed content when none does.
 */
export function asTyped(typed: string | undefined, content: string): string {
  if (!typed) return content;
  const chars = [...typed];
  for (let i = 0; i < chars.length; i++) {
    const tail = chars.slice(i).join('');
    if (normalize(tail) === content) return tail.trim();
  }
  return content;
}

/**
 * 通知 <对象> <内容>: the bureau to any audience, a principal or deputy to their own school.
 * An audience not understood gets the list of audiences (never silence); another school is
 * refused (audited by the dispatcher).
 */
export async function composeBroadcast(ctx: ChatContext, args: string): Promise<string> {
  const district = canActOnSchool(ctx.actor, 'broadcastDistrict', '*');
  const own = ownSchools(ctx.actor).filter((c) => canActOnSchool(ctx.actor, 'broadcast', c));
  if (!district && !own.length) throw new Refused('broadcast');
  const schools = await School.find({}).sort({ code: 1 }).lean();
  const help = audienceHelp(district ? schools : [], district);
  if (!args.trim()) throw new Answer(`${B.usage}\n${help}`);
  const parsed = parseNotice(args, schools);
  if (!parsed.ok) {
    if (parsed.why === 'noContent') throw new Answer(B.noContent('全体校长'));
    const lead = parsed.why === 'conflict' ? B.conflict : '没看懂要通知谁。';
    throw new Answer(`${lead}\n${help}`);
  }
  // 「全体校长」 with no school named means the district's principals: the bureau's audience.
  const a = parsed.audience;
  if (!district && a.schools === 'all' && a.roles.includes('principal'))
    throw new Refused('broadcast', '*');
  const scoped = scopeAudience(ctx.actor, parsed.audience);
  if ('refused' in scoped) throw new Refused('broadcast', scoped.refused);
  return draftBroadcast(ctx, {
    audience: scoped.audience,
    content: asTyped(ctx.text, parsed.content),
    origin: 'chat',
  });
}
