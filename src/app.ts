import Koa from 'koa';
import Router from '@koa/router';
import { createHash, randomUUID, timingSafeEqual } from 'node:crypto';
import { logger } from './lib/logger';
import { registry } from './lib/metrics';
import { pingDb } from './db/connect';

/** A caller's X-Request-Id is kept only if it is short and plain; otherwise a fresh one. */
const REQUEST_ID = /^[A-Za-z0-9._-]{1,64}$/;

export interface AppOptions {
  /** Take the client IP from X-Forwarded-For (only behind a proxy that sets it: TRUST_PROXY=1). */
  trustProxy?: boolean;
}

/** Request id, one access-log line, and no stack trace ever reaches a client. */
export function baseApp(opts: AppOptions = {}): Koa {
  const app = new Koa();
  app.proxy = opts.trustProxy === true;
  app.use(async (ctx, next) => {
    const given = ctx.get('x-request-id');
    ctx.state.requestId = REQUEST_ID.test(given) ? given : randomUUID();
    ctx.set('x-request-id', ctx.state.requestId);
    const started = Date.now();
    try {
      await next();
    } catch (err) {
      logger.error(
        {
          requestId: ctx.state.requestId,
          err: (err as Error).message,
          stack: (err as Error).stack,
        },
        'request failed',
      );
      ctx.status = 500;
      ctx.body = 'internal error';
    }
    if (ctx.path !== '/healthz' && ctx.path !== '/metrics') {
      logger.debug(
        {
          requestId: ctx.state.requestId,
          method: ctx.method,
          path: ctx.path,
          status: ctx.status,
          ms: Date.now() - started,
        },
        'request',
      );
    }
  });
  return app;
}

function sameSecret(given: string, expected: string): boolean {
  const a = createHash('sha256').update(given).digest();
  const b = createHash('sha256').update(expected).digest();
  return timingSafeEqual(a, b);
}

/**
 * `/healthz`, and `/metrics` only when a token is configured (METRICS_TOKEN): the scraper
 * sends `Authorization: Bearer <token>`; without the token configured /metrics does not exist.
 */
export function opsRouter(
  isShuttingDown: () => boolean,
  metricsToken?: string,
  sandbox = false,
): Router {
  const router = new Router();
  // The quick start's URL opens the sandbox page; production has no page at `/` (404).
  if (sandbox) router.get('/', (ctx) => ctx.redirect('/sandbox'));
  router.get('/healthz', async (ctx) => {
    const db = await pingDb();
    ctx.status = db && !isShuttingDown() ? 200 : 503;
    ctx.body = { ok: ctx.status === 200, db, shuttingDown: isShuttingDown() };
  });
  router.get('/metrics', async (ctx) => {
    if (!metricsToken) return; // 404
    const auth = ctx.get('authorization');
    if (!auth.startsWith('Bearer ') || !sameSecret(auth.slice(7), metricsToken)) {
      ctx.status = 401;
      ctx.set('www-authenticate', 'Bearer');
      ctx.body = 'unauthorized';
      return;
    }
    ctx.type = registry.contentType;
    ctx.body = await registry.metrics();
  });
  return router;
}
