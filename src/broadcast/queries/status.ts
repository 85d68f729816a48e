import type { ChatContext } from '../../chat/command';
import { ownSchools } from '../../domain/broadcast';
import type { StaffLike } from '../../domain/roster';
import { canActOnSchool, Refused } from '../../domain/policy';
import { formatDeadline } from '../../lib/time';
import { Broadcast, type BroadcastDoc } from '../../models/broadcast';

const STATUS: Record<BroadcastDoc['status'], string> = {
  draft: '待确认',
  cancelled: '已取消',
  expired: '未确认，已失效',
  sending: '发送中',
  done: '已发完',
};
const MAX_BYTES = 1900;
const SHOWN = 10;

function escapeRegex(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function line(b: BroadcastDoc, withSender: boolean): string {
  const text = [...b.content];
  const content = text.slice(0, 24).join('') + (text.length > 24 ? '…' : '');
  const who = withSender ? `${b.senderName || '区教体局'} → ` : '';
  const when = formatDeadline(b.decidedAt ?? b.createdAt);
  const head = `· ${when} ${who}${b.audienceText} ${b.count} 人`;
  const counts =
    b.status === 'done'
      ? `送达 ${b.delivered ?? 0}／失败 ${b.failed ?? 0}／无效账号 ${b.invalid?.length ?? 0}`
      : STATUS[b.status];
  return `${head}：「${content}」${counts}`;
}

/**
 * The notices a sender may look at (the bureau every one, a principal or deputy their own),
 * matching a keyword in the content, audience or sender; shared with the web dashboard.
 */
export function noticeFilter(actor: StaffLike, keyword: string): Record<string, unknown> {
  const district = canActOnSchool(actor, 'broadcastDistrict', '*');
  const own = ownSchools(actor).some((c) => canActOnSchool(actor, 'broadcast', c));
  if (!district && !own) throw new Refused('broadcast');
  const filter: Record<string, unknown> = district ? {} : { sender: actor.userid };
  const kw = keyword.trim();
  if (kw) {
    const re = { $regex: escapeRegex(kw) };
    filter.$or = [{ content: re }, { audienceText: re }, { senderName: re }];
  }
  return filter;
}

/**
 * 通知情况 / 通知记录 [关键词]: recent notices, newest first, with delivered / failed / invalid
 * per notice. The bureau sees every notice (its own, the schools', the scheduled ones) and
 * searches them by content, audience or sender; a principal or deputy sees their own.
 */
export async function broadcastStatus(ctx: ChatContext, keyword: string): Promise<string> {
  const district = canActOnSchool(ctx.actor, 'broadcastDistrict', '*');
  const kw = keyword.trim();
  const filter = noticeFilter(ctx.actor, kw);
  const rows = await Broadcast.find(filter)
    .sort({ createdAt: -1, _id: -1 })
    .limit(SHOWN + 1)
    .lean();
  if (!rows.length)
    return kw ? `没有找到含「${kw}」的通知。` : '还没有发过通知。发送「帮助 通知」看用法。';
  const lines = [kw ? `含「${kw}」的通知（最近的在前）：` : '最近的通知（最近的在前）：'];
  let bytes = Buffer.byteLength(lines[0]);
  for (const b of rows.slice(0, SHOWN)) {
    const l = line(b, district);
    bytes += Buffer.byteLength(l) + 1;
    if (bytes > MAX_BYTES) break;
    lines.push(l);
  }
  if (rows.length > lines.length - 1) lines.push('更早的通知请加关键词查找，例如：通知记录 月报');
  return lines.join('\n');
}
