import type { Inbound } from '../wecom/message';
import { InboundDelivery } from '../models/inbound';
import { isDuplicateKey } from '../db/connect';

/** Records a delivery; false when the unique key says we have seen it (WeCom's retry). */
export async function claimDelivery(key: string, msg: Inbound, now: Date): Promise<boolean> {
  try {
    await InboundDelivery.create({
      key,
      from: msg.from,
      kind: msg.kind,
      content: msg.kind === 'text' ? msg.content : undefined,
      receivedAt: now,
    });
    return true;
  } catch (err) {
    if (isDuplicateKey(err)) return false;
    throw err;
  }
}
