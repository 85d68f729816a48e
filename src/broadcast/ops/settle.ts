import type { Services } from '../../services';
import { Broadcast, type BroadcastDoc } from '../../models/broadcast';
import { OutboxMessage, WAITING, type OutboxDoc } from '../../outbox/model';
import { B } from '../replies';
import { queueBroadcast, SETTLE_EVERY_MS } from './deliver';

/** When the settle sweep is next due (the earliest sending broadcast's check). */
export async function nextSettle(): Promise<Date | undefined> {
  const [b] = await Broadcast.find({ status: 'sending', checkAt: { $ne: null } })
    .sort({ checkAt: 1 })
    .limit(1)
    .lean();
  return b?.checkAt ?? undefined;
}

/** Sending broadcasts whose check is due: queued if a crash left them unqueued, else tallied. */
export async function settleBroadcasts(s: Services, now: Date): Promise<number> {
  const due = await Broadcast.find({ status: 'sending', checkAt: { $lte: now } })
    .sort({ checkAt: 1 })
    .limit(20)
    .lean();
  let done = 0;
  for (const b of due) {
    // A crash between 发送 and the outbox writes: queue now, tally at the next check.
    if (!b.queued) await queueBroadcast(s, b._id);
    else if (await settle(s, b, now)) done++;
  }
  return done;
}

/** Per broadcast: delivered, failed (permanently) and WeCom's invaliduser answers. */
export function tally(s: Services, rows: OutboxDoc[]) {
  let delivered = 0;
  let failed = 0;
  const invalid = new Set<string>();
  for (const row of rows) {
    const users = s.outbox.body(row).userids ?? [];
    if (row.status === 'failed') failed += users.length;
    if (row.status !== 'sent') continue;
    const bad = new Set(row.invalidUsers ?? []);
    bad.forEach((u) => invalid.add(u));
    delivered += users.filter((u) => !bad.has(u)).length;
  }
  return { delivered, failed, invalid: [...invalid] };
}

/** When every batch is settled: the counts on the broadcast and a summary to the sender. */
async function settle(s: Services, b: BroadcastDoc, now: Date): Promise<boolean> {
  const rows = await OutboxMessage.find({ group: String(b._id) }).lean();
  const missing = !rows.length && (b.batches ?? 0) > 0;
  if (missing || rows.some((r) => WAITING.includes(r.status))) {
    await Broadcast.updateOne(
      { _id: b._id, status: 'sending' },
      { $set: { checkAt: new Date(now.getTime() + SETTLE_EVERY_MS) } },
    );
    return false;
  }
  const t = tally(s, rows);
  const res = await Broadcast.updateOne(
    { _id: b._id, status: 'sending' },
    { $set: { status: 'done', finishedAt: now, checkAt: null, ...t } },
  );
  if (res.modifiedCount !== 1 || b.origin === 'scheduled') return res.modifiedCount === 1;
  const short = [...b.content].slice(0, 20).join('') + ([...b.content].length > 20 ? '…' : '');
  await s.notify.text(
    [b.sender],
    B.done(b.audienceText, short, t.delivered, t.failed, t.invalid.length),
    `bc-done:${String(b._id)}`,
  );
  return true;
}
