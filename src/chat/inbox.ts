import { createHash } from 'node:crypto';
import type { Inbound } from '../wecom/message';
import { InboundDelivery, type InboundRow, type InboundStatus } from '../models/inbound';
import { insertOnce } from '../db/connect';

/**
 * Delivery claims with an outcome: a row is written `received` (with a lease) before the
 * command runs and set `done` or `failed` after. WeCom's retry of a delivery that is `failed`,
 * or still `received` after its lease (the instance died mid-command), is handled again, by
 * exactly one instance (a conditional update takes the lease). A `done` one is not.
 */
export async function claimDelivery(
  key: string,
  msg: Inbound,
  now: Date,
  leaseSeconds: number,
): Promise<boolean> {
  const leaseUntil = new Date(now.getTime() + leaseSeconds * 1000);
  const content = msg.kind === 'text' ? msg.content : undefined;
  // A new message (the common case) costs one insert; a retry finds the key taken and decides
  // by a read, so duplicates still cost no write (issue #11: round trips per command).
  const inserted = await insertOnce(InboundDelivery, {
    key,
    from: msg.from,
    kind: msg.kind,
    status: 'received',
    leaseUntil,
    attempts: 1,
    ...(content === undefined
      ? {}
      : {
          contentSha256: createHash('sha256').update(content).digest('hex'),
          contentLength: [...content].length,
        }),
    receivedAt: now,
  });
  if (inserted) return true;
  const seen = await InboundDelivery.findOne({ key }).lean();
  return seen && retakable(seen, now) ? retake(key, now, leaseUntil) : false;
}

function retakable(row: InboundRow, now: Date): boolean {
  return row.status === 'failed' || (row.status === 'received' && row.leaseUntil <= now);
}

/** Takes over a delivery whose handling failed or whose lease ran out; one taker wins. */
async function retake(key: string, now: Date, leaseUntil: Date): Promise<boolean> {
  const res = await InboundDelivery.updateOne(
    {
      key,
      $or: [{ status: 'failed' }, { status: 'received', leaseUntil: { $lte: now } }],
    },
    { $set: { status: 'received', leaseUntil }, $inc: { attempts: 1 } },
  );
  return res.modifiedCount === 1;
}

/** Records how the handling ended. */
export async function finishDelivery(
  key: string,
  outcome: Exclude<InboundStatus, 'received'>,
  now: Date,
): Promise<void> {
  await InboundDelivery.updateOne({ key }, { $set: { status: outcome, finishedAt: now } });
}

/**
 * Retention (issue #10 item 4, inbound side): delivery rows older than `inboundDays` are
 * deleted. They hold no content; after WeCom's replay window (minutes) they are not needed
 * for deduplication either. For the scheduler's daily job; returns the rows removed.
 */
export async function purgeInbound(now: Date, inboundDays = 30): Promise<number> {
  const cutoff = new Date(now.getTime() - inboundDays * 86_400_000);
  const res = await InboundDelivery.deleteMany({ receivedAt: { $lt: cutoff } });
  return res.deletedCount;
}
