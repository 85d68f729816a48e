import type { Outbox } from '../outbox/outbox';
import { buildCard, type CardSpec } from './cards';

/**
 * The one way to push: texts and cards to WeCom members, through the durable outbox, each keyed
 * per recipient so a repeated run tells nobody twice. `cards: false` (settings) sends every
 * card as its text version.
 */
export class Notify {
  constructor(
    private readonly outbox: Outbox,
    private readonly cards: boolean,
  ) {}

  async text(to: string[], content: string, key: string): Promise<void> {
    for (const u of unique(to)) {
      await this.outbox.enqueue(u, { kind: 'text', content }, `${key}:${u}`);
    }
  }

  async card(to: string[], spec: CardSpec, key: string): Promise<void> {
    for (const u of unique(to)) {
      const k = `${key}:${u}`;
      const push = this.cards
        ? { kind: 'template_card' as const, card: buildCard(spec, k), fallbackText: spec.fallback }
        : { kind: 'text' as const, content: spec.fallback };
      await this.outbox.enqueue(u, push, k);
    }
  }

  /** A file (a workbook) as a WeCom file message; uploaded when the outbox sends it. */
  async file(to: string[], filename: string, data: Buffer, key: string): Promise<void> {
    for (const u of unique(to))
      await this.outbox.enqueue(u, { kind: 'file', filename, data }, `${key}:${u}`);
  }

  /** Greys out the buttons of the card a click came from (WeCom finds it by response code). */
  async updateCard(userid: string, responseCode: string, label: string): Promise<void> {
    if (!responseCode) return;
    const update = { button: { replace_name: label } };
    const push = { kind: 'update_card' as const, userids: [userid], responseCode, update };
    await this.outbox.enqueue(userid, push, `card-update:${responseCode}`);
  }
}

function unique(ids: string[]): string[] {
  return [...new Set(ids)].filter(Boolean);
}
