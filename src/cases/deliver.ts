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
  for (const [u, all] of byRecipient) {
    const list = foldMoves(all);
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

/**
 * Never a card and a text for the same event to one person: a gate move (「进入劝返」…) that
 * comes with a card about the same case is folded into that card's sub-title and fallback text.
 */
export function foldMoves(list: Notice[]): Notice[] {
  const cardFor = (caseId?: string) => list.find((n) => n.card && n.caseId === caseId);
  const folded = (c: Notice) => list.filter((n) => n.fold && cardFor(n.caseId) === c);
  return list
    .filter((n) => !(n.fold && cardFor(n.caseId)))
    .map((n) => {
      const moves = n.card ? folded(n).map((m) => m.fold!) : [];
      if (!n.card || !moves.length) return n;
      const sub = [...moves, n.card.sub].filter(Boolean).join(' ');
      return { ...n, card: { ...n.card, sub, fallback: [...moves, n.card.fallback].join('\n') } };
    });
}
