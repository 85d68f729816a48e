import Router from '@koa/router';
import getRawBody from 'raw-body';
import type { Context } from 'koa';
import { CallbackRejected, WecomCipher } from './crypto';
import { buildXml, parseXml } from './xml';
import { dedupeKey, InvalidMessage, toInbound, type Inbound } from './message';
import { TEXT_LIMIT_BYTES } from './client';
import { logger } from '../lib/logger';
import { callbacksTotal } from '../lib/metrics';

/**
 * GET/POST /wecom/callback. Turns an encrypted delivery into a typed Inbound and hands it to
 * the app (Probot-style); knows nothing about schools. Exactly-once comes from `claim`.
 */
export interface CallbackOptions {
  cipher: WecomCipher;
  corpId: string;
  timestampWindowSeconds: number;
  maxBodyBytes: number;
  passiveReplyBudgetMs: number;
  /** Seconds since the epoch for the replay window (injectable for WeCom's fixed test vectors). */
  nowSeconds?: () => number;
  /** Records the delivery; false when it was seen before (a WeCom retry). */
  claim(key: string, msg: Inbound): Promise<boolean>;
  /** Runs the app; resolves to the text answer for the sender, if any. */
  handle(msg: Inbound): Promise<string | undefined>;
  /** Delivers an answer that missed the passive-reply budget (through the outbox). */
  deliverLate(to: string, text: string, key: string): Promise<void>;
}

function reject(ctx: Context, err: CallbackRejected): void {
  callbacksTotal.inc({ outcome: `rejected_${err.reason}` });
  logger.warn(
    { reason: err.reason, ip: ctx.ip, requestId: ctx.state.requestId },
    'callback rejected',
  );
  ctx.status = err.status;
  ctx.body = 'bad request';
}

function query(ctx: Context, name: string): string {
  const v = ctx.query[name];
  return typeof v === 'string' ? v : '';
}

function checkFresh(timestamp: string, windowS: number, nowS: number): void {
  const ts = Number(timestamp);
  if (!/^\d{1,12}$/.test(timestamp) || Math.abs(nowS - ts) > windowS)
    throw new CallbackRejected('stale');
}

export function callbackRouter(opts: CallbackOptions): Router {
  const router = new Router();

  router.get('/wecom/callback', (ctx) => {
    try {
      const timestamp = query(ctx, 'timestamp');
      const echostr = query(ctx, 'echostr');
      if (!echostr) throw new CallbackRejected('malformed');
      opts.cipher.verify(query(ctx, 'msg_signature'), timestamp, query(ctx, 'nonce'), echostr);
      ctx.type = 'text/plain';
      ctx.body = opts.cipher.open(echostr);
      callbacksTotal.inc({ outcome: 'verified' });
    } catch (err) {
      if (err instanceof CallbackRejected) return reject(ctx, err);
      throw err;
    }
  });

  router.post('/wecom/callback', async (ctx) => {
    let msg: Inbound;
    let plaintext: string;
    const timestamp = query(ctx, 'timestamp');
    const nonce = query(ctx, 'nonce');
    try {
      let raw: string;
      try {
        raw = await getRawBody(ctx.req, { limit: opts.maxBodyBytes, encoding: 'utf8' });
      } catch (err) {
        throw (err as { type?: string }).type === 'entity.too.large'
          ? new CallbackRejected('too_large', 413)
          : new CallbackRejected('malformed');
      }
      const envelope = parseXml(raw);
      if (!envelope?.Encrypt) throw new CallbackRejected('malformed');
      checkFresh(
        timestamp,
        opts.timestampWindowSeconds,
        opts.nowSeconds ? opts.nowSeconds() : Date.now() / 1000,
      );
      opts.cipher.verify(query(ctx, 'msg_signature'), timestamp, nonce, envelope.Encrypt);
      plaintext = opts.cipher.open(envelope.Encrypt);
      const fields = parseXml(plaintext);
      if (!fields) throw new CallbackRejected('malformed');
      try {
        msg = toInbound(fields);
      } catch (err) {
        if (err instanceof InvalidMessage) throw new CallbackRejected('malformed');
        throw err;
      }
    } catch (err) {
      if (err instanceof CallbackRejected) return reject(ctx, err);
      throw err;
    }

    ctx.status = 200;
    ctx.body = '';
    if (msg.kind === 'ignored') {
      callbacksTotal.inc({ outcome: 'ignored' });
      return;
    }
    const key = dedupeKey(msg, plaintext);
    if (!(await opts.claim(key, msg))) {
      callbacksTotal.inc({ outcome: 'duplicate' });
      return;
    }
    callbacksTotal.inc({ outcome: 'accepted' });

    const work = opts.handle(msg);
    const late = Symbol('late');
    const timer = new Promise<typeof late>((r) =>
      setTimeout(() => r(late), opts.passiveReplyBudgetMs).unref(),
    );
    const first = await Promise.race([work, timer]);
    const passiveOk = msg.kind !== 'card';
    if (first !== late && passiveOk && first && Buffer.byteLength(first) <= TEXT_LIMIT_BYTES) {
      const reply = buildXml({
        ToUserName: msg.from,
        FromUserName: opts.corpId,
        CreateTime: Math.floor(Date.now() / 1000),
        MsgType: 'text',
        Content: first,
      });
      ctx.type = 'application/xml';
      ctx.body = opts.cipher.replyEnvelope(reply, timestamp, nonce);
      return;
    }
    // Too slow, too long or a card event: acknowledge now, answer through the outbox.
    const deliver = (text: string | undefined) =>
      text ? opts.deliverLate(msg.from, text, `reply:${key}`) : undefined;
    if (first !== late) await deliver(first);
    else
      work
        .then(deliver)
        .catch((err) => logger.error({ err, requestId: ctx.state.requestId }, 'late reply failed'));
  });

  return router;
}
