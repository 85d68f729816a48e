import Router from '@koa/router';
import getRawBody from 'raw-body';
import { z } from 'zod';
import type { CipherCredentials } from '../crypto';
import { openReply, plaintextFor, sealDelivery, type Simulated } from './simulator';
import { SandboxMessage } from './fake-api';
import { randomBytes } from 'node:crypto';

/** WeCom's text Content cap (message.ts): longer messages never reach the callback. */
const CALLBACK_TEXT_MAX = 4096;
const TOO_LONG_HERE = '消息太长，保学没有处理。请分几次发送，每次不超过 2000 字。';

const sayBody = z.union([
  z.object({ as: z.string().min(1).max(64), text: z.string().min(1).max(20_000) }),
  z.object({ as: z.string().min(1).max(64), event: z.literal('enter_agent') }),
  z.object({ as: z.string().min(1).max(64), event: z.literal('click'), key: z.string().max(128) }),
  z.object({
    as: z.string().min(1).max(64),
    event: z.literal('template_card_event'),
    key: z.string().max(1024),
    taskId: z.string().min(1).max(128),
  }),
]);

async function tooLong(to: string, at: Date): Promise<string> {
  await SandboxMessage.create({ to, msgtype: 'reply', content: TOO_LONG_HERE, at, read: true });
  return TOO_LONG_HERE;
}

/**
 * POST /sandbox/say: posts a message as any member through the real, encrypted callback
 * path (over HTTP to ourselves) and returns the decrypted passive reply, if there was one.
 */
export function sayRoute(
  creds: CipherCredentials & { agentId: string },
  selfUrl: () => string,
  now: () => Date = () => new Date(),
): Router {
  const router = new Router();
  router.post('/sandbox/say', async (ctx) => {
    let input: Simulated;
    try {
      input = sayBody.parse(
        JSON.parse(await getRawBody(ctx.req, { limit: '64kb', encoding: 'utf8' })),
      ) as Simulated;
    } catch {
      ctx.status = 400;
      ctx.body = { error: '请求格式不对：需要 {"as": "用户ID", "text": "消息"}' };
      return;
    }
    if ('event' in input && input.event === 'template_card_event') {
      // Like WeCom: a click carries a fresh response_code that later identifies the card to update.
      const responseCode = randomBytes(12).toString('hex');
      input = { ...input, responseCode };
      await SandboxMessage.updateMany(
        { to: input.as, taskId: input.taskId },
        { $set: { responseCode } },
      );
    }
    if ('text' in input)
      await SandboxMessage.create({
        to: input.as,
        msgtype: 'user',
        content: input.text,
        at: now(),
        read: true,
      });
    if ('text' in input && [...input.text].length > CALLBACK_TEXT_MAX) {
      // Longer than WeCom carries: answered here, never silently dropped (issue #14).
      ctx.body = { status: 413, reply: await tooLong(input.as, now()) };
      return;
    }
    const delivery = sealDelivery(creds, plaintextFor(creds.corpId, creds.agentId, input));
    const res = await fetch(`${selfUrl()}/wecom/callback?${new URLSearchParams(delivery.query)}`, {
      method: 'POST',
      headers: { 'content-type': 'text/xml' },
      body: delivery.body,
    });
    const text = await res.text();
    const reply = res.ok ? (openReply(creds, text) ?? null) : null;
    // A passive reply is what the phone shows right under the message.
    if (reply)
      await SandboxMessage.create({
        to: input.as,
        msgtype: 'reply',
        content: reply,
        at: now(),
        read: true,
      });
    ctx.body = { status: res.status, reply };
  });
  return router;
}
