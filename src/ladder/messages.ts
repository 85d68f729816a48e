import { createHash } from 'node:crypto';
import type { Services } from '../services';
import { Case } from '../models/case';
import { formatDay, formatDeadline } from '../lib/time';

/**
 * Pushes about a case: texts and WeCom template cards (button_interaction) whose button keys
 * are `lad:<action>:<caseId>[:<arg>]`. Every recipient is remembered on the case so they are
 * told when it ends.
 */
export type CardAction = 'visited' | 'back' | 'absent' | 'details' | 'ack';

export const BUTTON_TEXT: Record<CardAction, string> = {
  visited: '已家访',
  back: '已到校',
  absent: '仍未到校',
  details: '查看详情',
  ack: '已跟进',
};

export function taskId(key: string): string {
  // WeCom task_id: ≤128 chars of [A-Za-z0-9_-@]; unique per card.
  return `bx_${createHash('sha1').update(key).digest('hex').slice(0, 32)}`;
}

export interface CardSpec {
  title: string;
  desc?: string;
  lines: [string, string][];
  caseId: string;
  actions: CardAction[];
  arg?: string;
}

export function buildCard(spec: CardSpec, key: string): Record<string, unknown> {
  return {
    card_type: 'button_interaction',
    source: { desc: '保学 · 控辍保学' },
    main_title: { title: spec.title.slice(0, 36), desc: spec.desc?.slice(0, 44) },
    horizontal_content_list: spec.lines
      .slice(0, 6)
      .map(([k, v]) => ({ keyname: k.slice(0, 5), value: v.slice(0, 30) })),
    task_id: taskId(key),
    button_list: spec.actions.slice(0, 6).map((a, i) => ({
      text: BUTTON_TEXT[a],
      style: i === 0 ? 1 : 2,
      key: ['lad', a, spec.caseId, spec.arg].filter(Boolean).join(':'),
    })),
  };
}

/** The text fallback for a card (where cards are not allowed): same facts, commands instead of buttons. */
export function cardAsText(spec: CardSpec, studentName: string): string {
  const hints: Record<CardAction, string> = {
    visited: `家访 ${studentName} 记录`,
    back: `到校 ${studentName}`,
    absent: `缺勤 ${studentName}`,
    details: `进展 ${studentName}`,
    ack: `进展 ${studentName}`,
  };
  return [
    `【${spec.title}】`,
    spec.desc ?? '',
    ...spec.lines.map(([k, v]) => `${k}：${v}`),
    `回复：${spec.actions.map((a) => `「${hints[a]}」`).join(' ')}`,
  ]
    .filter(Boolean)
    .join('\n');
}

export class Notifier {
  /** Cards are the default; `notifications.cards: false` sends the text fallback instead. */
  readonly cards: boolean;

  constructor(private readonly s: Services) {
    this.cards = s.settings.notifications.cards;
  }

  private async remember(caseId: string, userids: string[]): Promise<void> {
    for (let i = 0; i < 5; i++) {
      const c = await Case.findOne({ caseId }).lean<{ notified: string[]; rev: number }>();
      if (!c) return;
      const merged = [...new Set([...c.notified, ...userids])];
      if (merged.length === c.notified.length) return;
      const r = await Case.updateOne(
        { caseId, rev: c.rev },
        { $set: { notified: merged, rev: c.rev + 1 } },
      );
      if (r.modifiedCount === 1) return;
    }
  }

  async text(caseId: string, userids: string[], content: string, key: string): Promise<void> {
    const to = [...new Set(userids)].filter(Boolean);
    for (const u of to) await this.s.outbox.enqueue(u, { kind: 'text', content }, `${key}:${u}`);
    await this.remember(caseId, to);
  }

  async card(userids: string[], spec: CardSpec, studentName: string, key: string): Promise<void> {
    const to = [...new Set(userids)].filter(Boolean);
    for (const u of to) {
      const k = `${key}:${u}`;
      if (this.cards)
        await this.s.outbox.enqueue(
          u,
          {
            kind: 'template_card',
            card: buildCard(spec, k),
            fallbackText: cardAsText(spec, studentName),
          },
          k,
        );
      else
        await this.s.outbox.enqueue(u, { kind: 'text', content: cardAsText(spec, studentName) }, k);
    }
    await this.remember(spec.caseId, to);
  }

  async updateCard(userid: string, responseCode: string, replaceName: string): Promise<void> {
    if (!responseCode) return;
    await this.s.outbox.enqueue(
      userid,
      {
        kind: 'update_card',
        userids: [userid],
        responseCode,
        update: { button: { replace_name: replaceName } },
      },
      `card-update:${responseCode}`,
    );
  }
}

export { formatDay, formatDeadline };
