import { createHash } from 'node:crypto';
import type { Services } from '../services';
import type { Outgoing } from '../notify/notify';
import type { Notice } from './notices';

/**
 * Sends notices through the notify port, all in one outbox write. With `digestOver`, a
 * recipient with more than that many in one go gets one digest listing them instead of a card
 * each (keyed by the notices it stands for, so a repeated sweep sends it once).
 */
export async function deliver(
  s: Services,
  notices: Notice[],
  digestOver?: number,
  /** When each recipient's pushes may leave (the sweep's spread off the :00/:30 marks). */
  sendAt?: (recipient: string) => Date,
): Promise<void> {
  const byRecipient = new Map<string, Notice[]>();
  for (const n of notices) {
    for (const u of n.to) byRecipient.set(u, [...(byRecipient.get(u) ?? []), n]);
  }
  const out: Outgoing[] = [];
  for (const [u, list] of byRecipient) {
    if (digestOver && list.length > digestOver) {
      const lines = list.map((n, i) => `${i + 1}. ${n.line}`);
      const head = `【待办汇总】您有 ${list.length} 项新的事项：`;
      const text = [head, ...lines, '发送「待办」查看全部并逐项处理。'].join('\n');
      const key = createHash('sha256')
        .update(list.map((n) => n.key).join('|'))
        .digest('hex');
      out.push({ to: [u], text, key: `digest:${key.slice(0, 24)}`, notBefore: sendAt?.(u) });
      continue;
    }
    for (const n of list) {
      const notBefore = sendAt?.(u);
      if (n.card) out.push({ to: [u], card: n.card, key: n.key, notBefore });
      else out.push({ to: [u], text: n.text ?? n.line, key: n.key, notBefore });
    }
  }
  if (out.length) await s.notify.send(out);
}
