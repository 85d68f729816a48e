import { createHash } from 'node:crypto';
import { z } from 'zod';

/** What a decrypted callback means, independent of what the app does with it. */
export type Inbound =
  | { kind: 'text'; from: string; createTime: number; content: string; msgId: string }
  | { kind: 'enter_agent'; from: string; createTime: number }
  | { kind: 'click'; from: string; createTime: number; key: string }
  | {
      kind: 'card';
      from: string;
      createTime: number;
      key: string;
      taskId: string;
      responseCode: string;
    }
  | { kind: 'ignored'; from: string; createTime: number; type: string };

const base = z.object({
  ToUserName: z.string().min(1),
  FromUserName: z.string().min(1).max(64),
  CreateTime: z.string().regex(/^\d{1,12}$/),
  MsgType: z.string().min(1).max(32),
});

const text = base.extend({ Content: z.string().max(4096), MsgId: z.string().regex(/^\d{1,24}$/) });
const event = base.extend({
  Event: z.string().min(1).max(64),
  EventKey: z.string().max(1024).optional(),
});
const card = event.extend({
  TaskId: z.string().min(1).max(128),
  ResponseCode: z.string().max(1024).optional(),
});

export class InvalidMessage extends Error {}

/** Validates the decrypted XML fields and narrows them to an Inbound. */
export function toInbound(fields: Record<string, string>): Inbound {
  const head = base.safeParse(fields);
  if (!head.success) throw new InvalidMessage('missing envelope fields');
  const common = { from: head.data.FromUserName, createTime: Number(head.data.CreateTime) };
  const type = head.data.MsgType.toLowerCase();
  if (type === 'text') {
    const m = text.safeParse(fields);
    if (!m.success) throw new InvalidMessage('bad text message');
    return { kind: 'text', ...common, content: m.data.Content, msgId: m.data.MsgId };
  }
  if (type === 'event') {
    const e = event.safeParse(fields);
    if (!e.success) throw new InvalidMessage('bad event');
    const name = e.data.Event.toLowerCase();
    if (name === 'enter_agent') return { kind: 'enter_agent', ...common };
    if (name === 'click') return { kind: 'click', ...common, key: e.data.EventKey ?? '' };
    if (name === 'template_card_event') {
      const c = card.safeParse(fields);
      if (!c.success) throw new InvalidMessage('bad card event');
      return {
        kind: 'card',
        ...common,
        key: c.data.EventKey ?? '',
        taskId: c.data.TaskId,
        responseCode: c.data.ResponseCode ?? '',
      };
    }
    return { kind: 'ignored', ...common, type: `event:${name}` };
  }
  return { kind: 'ignored', ...common, type };
}

/**
 * The key that makes a retried delivery a duplicate: MsgId for messages; for events a hash
 * of the whole decrypted plaintext (FromUserName+CreateTime collides in practice).
 */
export function dedupeKey(msg: Inbound, plaintext: string): string {
  if (msg.kind === 'text') return `msg:${msg.msgId}`;
  return `evt:${createHash('sha256').update(plaintext).digest('hex')}`;
}
