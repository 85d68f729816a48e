import type { PiiCipher } from '../../src/lib/pii';
import type { OutboxRow } from '../../src/outbox/model';
import { SEPARATOR, type Body } from '../../src/outbox/outbox';
import type { DedupeWecom } from '../support/dedupe-wecom';

/**
 * Compares what the outbox holds with what the fake WeCom delivered: every row's content
 * (texts inside merged messages included) counted among the deliveries to its recipient.
 */
export function deliveredOnce(rows: OutboxRow[], cipher: PiiCipher, fake: DedupeWecom) {
  const shown = new Map<string, number>();
  const bump = (k: string) => shown.set(k, (shown.get(k) ?? 0) + 1);
  for (const d of fake.delivered) {
    if (d.msgtype === 'text')
      for (const piece of d.content!.split(SEPARATOR)) bump(`${d.touser}|t|${piece}`);
    else if (d.msgtype === 'template_card')
      bump(`${d.touser}|c|${JSON.stringify(d.body.template_card)}`);
    else bump(`${d.touser}|m|${d.content}`);
  }
  for (const u of fake.updates) bump(`u|${u.response_code}|${JSON.stringify(u.userids)}`);
  const expected = new Map<string, number>();
  for (const r of rows) {
    const b = JSON.parse(cipher.open(r.sealed!)) as Body;
    const k =
      r.kind === 'text'
        ? `${r.recipient}|t|${b.content}`
        : r.kind === 'template_card'
          ? `${r.recipient}|c|${JSON.stringify(b.card)}`
          : r.kind === 'markdown'
            ? `${r.recipient}|m|${b.content}`
            : `u|${b.responseCode}|${JSON.stringify(b.userids)}`;
    expected.set(k, (expected.get(k) ?? 0) + 1);
  }
  let once = 0;
  let duplicates = 0;
  let lost = 0;
  for (const [k, n] of expected) {
    const got = shown.get(k) ?? 0;
    once += Math.min(n, got);
    duplicates += Math.max(0, got - n);
    lost += Math.max(0, n - got);
  }
  return { once, duplicates, lost };
}

/** The suite's summary table, printed at the end of each scenario. */
export function printSummary(title: string, figures: Record<string, string | number>): void {
  const width = Math.max(...Object.keys(figures).map((k) => k.length));
  const lines = Object.entries(figures).map(([k, v]) => `  ${k.padEnd(width)}  ${v}`);
  console.log(`\n${title}\n${lines.join('\n')}\n`);
}
