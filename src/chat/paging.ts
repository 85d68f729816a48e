import { LRUCache } from 'lru-cache';
import { splitText, TEXT_LIMIT_BYTES } from '../wecom/client';
import { PagedReply, type PagedReplyRow } from '../models/paged-reply';
import type { PiiCipher } from '../lib/pii';
import { normalize } from './normalize';

/** What a user types for the next page of a long reply. */
export const NEXT_PAGE_WORDS = ['下一页', '下页', '更多', '继续'];
export const NOTHING_PENDING =
  '目前没有待看的下一页。列表较长时，回复会分页，每页末尾写着「回复「下一页」继续」。' +
  '您可以重新发送命令，例如「逾期」「案件」「待办」。';
/** How long the rest of a long reply waits for 「下一页」. */
const PAGES_TTL_MS = 30 * 60_000;
/** Room kept on each page for its footer (「第12/34页，回复「下一页」继续」 is ~60 bytes). */
const FOOTER_ROOM = 80;

function footer(i: number, n: number): string {
  return i < n ? `第${i}/${n}页，回复「下一页」继续` : `第${n}/${n}页（完）`;
}

/** A reply cut at line boundaries into pages of at most `limit` UTF-8 bytes, footers included. */
export function paginate(text: string, limit = TEXT_LIMIT_BYTES): string[] {
  if (Buffer.byteLength(text) <= limit) return [text];
  const parts = splitText(text, limit - FOOTER_ROOM);
  return parts.map((p, i) => `${p}\n${footer(i + 1, parts.length)}`);
}

export function isNextPage(text: string): boolean {
  return NEXT_PAGE_WORDS.includes(normalize(text).replace(/[。.!！]+$/, ''));
}

/**
 * Long replies are paged (issue #12): the first page is answered, the rest kept per user
 * (sealed) until 「下一页」; the next command replaces them. Every reply the dispatcher gives —
 * the passive reply and the one sent later through the outbox — passes through `page`.
 */
export class Pager {
  /**
   * Users who may have pages waiting, so an ordinary command costs no extra round trip. A
   * long reply stored by another instance is not known here: its pages then end by expiry
   * (or when a later long reply replaces them) instead of at the next command.
   */
  private readonly waiting = new LRUCache<string, true>({ max: 10_000, ttl: PAGES_TTL_MS });

  constructor(private readonly pii: PiiCipher) {}

  /** The reply to send now: the text itself, or its first page with the rest stored. */
  async page(userid: string, reply: string, now: Date): Promise<string> {
    const pages = paginate(reply);
    if (pages.length === 1) {
      if (this.waiting.has(userid)) {
        this.waiting.delete(userid);
        await PagedReply.deleteOne({ userid });
      }
      return reply;
    }
    const row: PagedReplyRow = {
      userid,
      pages: this.pii.seal(JSON.stringify(pages)),
      next: 1,
      total: pages.length,
      expiresAt: new Date(now.getTime() + PAGES_TTL_MS),
    };
    await PagedReply.updateOne({ userid }, { $set: row }, { upsert: true });
    this.waiting.set(userid, true);
    return pages[0];
  }

  /** 「下一页」: the next stored page, or a helpful answer when nothing is waiting. */
  async next(userid: string, now: Date): Promise<string> {
    const row = await PagedReply.findOne({ userid }).lean();
    if (!row || row.expiresAt < now || row.next >= row.total) return NOTHING_PENDING;
    const pages = JSON.parse(this.pii.open(row.pages)) as string[];
    const claimed = await PagedReply.updateOne(
      { userid, next: row.next },
      { $set: { next: row.next + 1, expiresAt: new Date(now.getTime() + PAGES_TTL_MS) } },
    );
    // Two 「下一页」 at once: one gets this page, the other the one after.
    if (claimed.modifiedCount !== 1) return this.next(userid, now);
    return pages[row.next];
  }
}
