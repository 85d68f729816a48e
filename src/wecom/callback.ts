import Router from '@koa/router';
import getRawBody from 'raw-body';
import type { Context } from 'koa';
import { CallbackRejected, WecomCipher } from './crypto';
import { buildXml, extractEncrypt, parseXml } from './xml';
import { dedupeKey, InvalidMessage, toInbound, type Inbound } from './message';
import { TEXT_LIMIT_BYTES } from './client';
import { logger } from '../lib/logger';
import { callbacksTotal } from '../lib/metrics';

/**
 * GET/POST /wecom/callback. Turns an encrypted delivery into a typed Inbound and hands it to
 * the app (Probot-style); knows nothing about schools. Nothing unauthenticated reaches the XML
 * parser: body cap → query → timestamp window → <Encrypt> by a bounded scan → signature →
 * decrypt + receiver id → screened inner XML → zod. Exactly-once comes from `claim`/`finish`.
 */
export interface CallbackOptions {
  cipher: WecomCipher;
  corpId: string;
  timestampWindowSeconds: number;
  maxBodyBytes: number;
  passiveReplyBudgetMs: number;
  /** Seconds since the epoch for the replay window (injectable for WeCom's fixed test vectors). */
  nowSeconds?: () => number;
  /** Claims the delivery (new, failed before, or its lease ran out); false: someone has it. */
  claim(key: string, msg: Inbound): Promise<boolean>;
  /** Records how a claimed delivery ended. */
  finish(key: string, outcome: 'done' | 'failed'): Promise<void>;
  /** Runs the app; resolves to the text answer, if any. `failed` marks the command failed. */
  handle(msg: Inbound, failed: (err: unknown) => void): Promise<string | undefined>;
  /** Delivers an answer that missed the passive-reply budget (through the outbox). */
  deliverLate(to: string, text: string, key: string): Promise<void>;
}

/** Longest echostr/Encrypt accepted on GET (WeCom's echostr is a few dozen characters). */
const MAX_ECHOSTR = 1024;
const SIGNATURE = /^[0-9a-fA-F]{40}$/;
const TIMESTAMP = /^\d{1,12}$/;
const NONCE = /^[\x21-\x7e]{1,64}$/;

function reject(ctx: Context, err: CallbackRejected): void {
  callbacksTotal.inc({ outcome: `rejected_${err.reason}` });
  logger.warn(
    { reason: err.reason, ip: ctx.ip, requestId: ctx.state.requestId },
    'callback rejected',
  );
  ctx.status = err.status;
  ctx.body = 'bad request';
}

type Query = Context['query'];

function query(q: Query, name: string): string {
  const v = q[name];
  return typeof v === 'string' ? v : '';
}

interface SignedQuery {
  signature: string;
  timestamp: string;
  nonce: string;
}

/** The signed query parameters, each checked for shape, and the timestamp for freshness. */
function signedQuery(all: Query, opts: CallbackOptions): SignedQuery {
  const q = {
    signature: query(all, 'msg_signature'),
    timestamp: query(all, 'timestamp'),
    nonce: query(all, 'nonce'),
  };
  if (!SIGNATURE.test(q.signature) || !NONCE.test(q.nonce) || !TIMESTAMP.test(q.timestamp))
    throw new CallbackRejected('malformed');
  const nowS = opts.nowSeconds ? opts.nowSeconds() : Date.now() / 1000;
  if (Math.abs(nowS - Number(q.timestamp)) > opts.timestampWindowSeconds)
    throw new CallbackRejected('stale');
  return q;
}

async function readBody(ctx: Context, limit: number): Promise<string> {
  try {
    return await getRawBody(ctx.req, { limit, encoding: 'utf8' });
  } catch (err) {
    throw (err as { type?: string }).type === 'entity.too.large'
      ? new CallbackRejected('too_large', 413)
      : new CallbackRejected('malformed');
  }
}

interface Opened {
  q: SignedQuery;
  msg: Inbound;
  plaintext: string;
}

/** Everything before the app sees the delivery; throws CallbackRejected for any bad input. */
async function open(ctx: Context, opts: CallbackOptions): Promise<Opened> {
  const raw = await readBody(ctx, opts.maxBodyBytes);
  const q = signedQuery(ctx.query, opts);
  const encrypted = extractEncrypt(raw, opts.maxBodyBytes);
  if (!encrypted) throw new CallbackRejected('malformed');
  opts.cipher.verify(q.signature, q.timestamp, q.nonce, encrypted);
  const plaintext = opts.cipher.open(encrypted);
  const fields = parseXml(plaintext);
  if (!fields) throw new CallbackRejected('malformed');
  try {
    return { q, msg: toInbound(fields), plaintext };
  } catch (err) {
    if (err instanceof InvalidMessage) throw new CallbackRejected('malformed');
    throw err;
  }
}

interface Outcome {
  reply: string | undefined;
  failed: boolean;
}

/** Runs the app; a throw (or the app's own failure signal) is a failed outcome, not a 500. */
async function run(opts: CallbackOptions, msg: Inbound, requestId: string): Promise<Outcome> {
  let failed = false;
  try {
    const reply = await opts.handle(msg, () => {
      failed = true;
    });
    return { reply, failed };
  } catch (err) {
    logger.error({ err: (err as Error).message, requestId }, 'handling failed');
    return { reply: undefined, failed: true };
  }
}

export function callbackRouter(opts: CallbackOptions): Router {
  const router = new Router();

  router.get('/wecom/callback', (ctx) => {
    try {
      const all = ctx.query; // Koa parses the query string on every read: once here
      const q = signedQuery(all, opts);
      const echostr = query(all, 'echostr');
      if (!echostr || echostr.length > MAX_ECHOSTR) throw new CallbackRejected('malformed');
      opts.cipher.verify(q.signature, q.timestamp, q.nonce, echostr);
      ctx.type = 'text/plain';
      ctx.body = opts.cipher.open(echostr);
      callbacksTotal.inc({ outcome: 'verified' });
    } catch (err) {
      if (err instanceof CallbackRejected) return reject(ctx, err);
      throw err;
    }
  });

  router.post('/wecom/callback', async (ctx) => {
    let opened: Opened;
    try {
      opened = await open(ctx, opts);
    } catch (err) {
      if (err instanceof CallbackRejected) return reject(ctx, err);
      throw err;
    }
    ctx.status = 200;
    ctx.body = '';
    const { msg } = opened;
    if (msg.kind === 'ignored') {
      callbacksTotal.inc({ outcome: 'ignored' });
      return;
    }
    const key = dedupeKey(msg, opened.plaintext);
    if (!(await opts.claim(key, msg))) {
      callbacksTotal.inc({ outcome: 'duplicate' });
      return;
    }
    callbacksTotal.inc({ outcome: 'accepted' });
    await answer(ctx, opts, opened, key);
  });

  return router;
}

/** Passive reply within the budget; otherwise an empty 200 now and the answer via the outbox. */
async function answer(ctx: Context, opts: CallbackOptions, o: Opened, key: string): Promise<void> {
  const { msg, q } = o;
  const requestId = String(ctx.state.requestId);
  const work = run(opts, msg, requestId);
  const late = Symbol('late');
  let budget: NodeJS.Timeout | undefined;
  const timer = new Promise<typeof late>((r) => {
    budget = setTimeout(() => r(late), opts.passiveReplyBudgetMs);
    budget.unref();
  });
  const first = await Promise.race([work, timer]);
  // The command won: no timer (nor its pending promise) is left behind for every request.
  clearTimeout(budget);
  const outcome = (r: Outcome) => (r.failed ? 'failed' : 'done');
  const passiveOk = msg.kind !== 'card';
  if (
    first !== late &&
    passiveOk &&
    first.reply &&
    Buffer.byteLength(first.reply) <= TEXT_LIMIT_BYTES
  ) {
    // Recorded before answering: a crash in between leaves a finished row, never a lost one.
    await opts.finish(key, outcome(first));
    const reply = buildXml({
      ToUserName: msg.from,
      FromUserName: opts.corpId,
      CreateTime: Math.floor(Date.now() / 1000),
      MsgType: 'text',
      Content: first.reply,
    });
    ctx.type = 'application/xml';
    ctx.body = opts.cipher.replyEnvelope(reply, q.timestamp, q.nonce);
    return;
  }
  // Too slow, too long, no answer or a card event: acknowledge now, answer through the outbox.
  const settle = async (r: Outcome) => {
    if (r.reply) await opts.deliverLate(msg.from, r.reply, `reply:${key}`);
    await opts.finish(key, outcome(r));
  };
  if (first !== late) await settle(first);
  else
    work
      .then(settle)
      .catch((err) =>
        logger.error({ err: (err as Error).message, requestId }, 'late reply failed'),
      );
}
