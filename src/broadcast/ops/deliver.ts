import type { Types } from 'mongoose';
import type { Services } from '../../services';
import { audienceFilter, batches, MAX_TOUSER, type Audience } from '../../domain/broadcast';
import { Broadcast } from '../../models/broadcast';
import { Staff } from '../../models/roster';

/** How often the settle sweep looks at a sending broadcast's outbox rows. */
export const SETTLE_EVERY_MS = 30_000;

/** The audience's userids, read in pages of 1,000 by userid (never the whole roster at once). */
export async function readRecipients(a: Audience, except: string): Promise<string[]> {
  const base = audienceFilter(a);
  const out: string[] = [];
  let after = '';
  for (;;) {
    const page = await Staff.find({ ...base, userid: { $gt: after, $ne: except } })
      .sort({ userid: 1 })
      .limit(MAX_TOUSER)
      .lean();
    out.push(...page.map((p) => p.userid));
    if (page.length < MAX_TOUSER) return out;
    after = page[page.length - 1].userid;
  }
}

/**
 * Writes a sending broadcast's batches to the outbox (one group row per ≤ 1,000 userids, keyed
 * by the broadcast and batch, so doing it again writes nothing new). The recipients are fixed
 * on the broadcast first: that is the record of who was sent what.
 */
export async function queueBroadcast(s: Services, id: Types.ObjectId | string): Promise<number> {
  const b = await Broadcast.findById(id).lean();
  if (!b || b.status !== 'sending') return 0;
  let recipients = b.recipients;
  if (!recipients) {
    recipients = await readRecipients(b.audience, b.sender);
    await Broadcast.updateOne(
      { _id: b._id, recipients: { $exists: false } },
      { $set: { recipients, count: recipients.length } },
    );
    recipients = (await Broadcast.findById(b._id).lean())?.recipients ?? recipients;
  }
  const parts = batches(recipients);
  for (const [i, ids] of parts.entries())
    await s.outbox.enqueueGroup(String(b._id), ids, b.text, `bc:${String(b._id)}:${i + 1}`);
  await Broadcast.updateOne(
    { _id: b._id },
    {
      $set: {
        queued: true,
        batches: parts.length,
        checkAt: new Date(s.clock.now().getTime() + SETTLE_EVERY_MS),
      },
    },
  );
  return recipients.length;
}
