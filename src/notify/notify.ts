import type { Outbox, Push } from '../outbox/outbox';
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

  /** Many texts and cards in one write (issue #11): each still keyed per recipient. */
  async send(list: Outgoing[]): Promise<void> {
    const items = list.flatMap((o) =>
      unique(o.to).map((u) => {
        const key = `${o.key}:${u}`;
        const push = o.card ? this.cardPush(o.card, key) : text(o.text);
        return { recipient: u, key, push, notBefore: o.notBefore };
      }),
    );
    await this.outbox.enqueueMany(items);
  }

  private cardPush(spec: CardSpec, key: string): Push {
    return this.cards
      ? { kind: 'template_card', card: buildCard(spec, key), fallbackText: spec.fallback }
      : { kind: 'text', content: spec.fallback };
  }

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

/** One push to several members: a text, or a card (sent as its text where cards are off). */
export type Outgoing = { to: string[]; key: string; notBefore?: Date } & (
  { text: string; card?: undefined } | { card: CardSpec; text?: undefined }
);

const text = (content: string | undefined): Push => ({ kind: 'text', content: content ?? '' });

function unique(ids: string[]): string[] {
  return [...new Set(ids)].filter(Boolean);
}
