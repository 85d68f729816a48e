import { createHash } from 'node:crypto';
import { ACTION_LABEL, type CardAction } from '../domain/cases/duties';

/**
 * WeCom template cards (button_interaction). A button's key is `d:<action>:<dutyId>`: every
 * actionable push carries the duty it is about, and a click is judged against that duty now.
 */
export interface CardSpec {
  title: string;
  desc?: string;
  lines: [string, string][];
  buttons: { action: CardAction; dutyId: string }[];
  /** Buttons of other features, with their own keys (e.g. a broadcast's `b:send:<id>`). */
  keys?: { text: string; key: string }[];
  /** A longer line under the title (a broadcast's text, cut to fit). */
  sub?: string;
  /** The same facts as text, naming the commands to type instead of the buttons. */
  fallback: string;
}

export function taskId(key: string): string {
  // WeCom task_id: ≤128 chars of [A-Za-z0-9_-@]; unique per card.
  return `bx_${createHash('sha1').update(key).digest('hex').slice(0, 32)}`;
}

export function buttonKey(action: CardAction, dutyId: string): string {
  return `d:${action}:${dutyId}`;
}

export function parseButtonKey(key: string): { action: CardAction; dutyId: string } | undefined {
  const m = /^d:([a-zA-Z]+):(.+)$/.exec(key);
  if (!m || !(m[1] in ACTION_LABEL)) return undefined;
  return { action: m[1] as CardAction, dutyId: m[2] };
}

/** At most `n` characters; a cut text ends with 「…」 (inside the limit). */
export function clip(s: string, n: number): string {
  const cs = [...s];
  return cs.length <= n ? s : `${cs.slice(0, n - 1).join('')}…`;
}

export function buildCard(spec: CardSpec, key: string): Record<string, unknown> {
  return {
    card_type: 'button_interaction',
    source: { desc: '保学 · 控辍保学' },
    main_title: { title: clip(spec.title, 36), desc: spec.desc && clip(spec.desc, 44) },
    horizontal_content_list: spec.lines
      .slice(0, 6)
      .map(([k, v]) => ({ keyname: k.slice(0, 5), value: clip(v, 30) })),
    task_id: taskId(key),
    ...(spec.sub ? { sub_title_text: clip(spec.sub, 110) } : {}),
    button_list: [
      ...spec.buttons.map((b) => ({
        text: ACTION_LABEL[b.action],
        key: buttonKey(b.action, b.dutyId),
      })),
      ...(spec.keys ?? []),
    ]
      .slice(0, 6)
      .map((b, i) => ({ ...b, style: i === 0 ? 1 : 2 })),
  };
}
