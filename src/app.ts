import Koa from 'koa';
import Router from '@koa/router';
import { randomUUID } from 'node:crypto';
import { logger } from './lib/logger';
import { registry } from './lib/metrics';
import { pingDb } from './db/connect';

/** Request id, one access-log line, and no stack trace ever reaches a client. */
export function baseApp(): Koa {
  const app = new Koa();
  app.proxy = true;
  app.use(async (ctx, next) => {
    ctx.state.requestId = ctx.get('x-request-id') || randomUUID();
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

export function opsRouter(isShuttingDown: () => boolean, sandbox = false): Router {
  const router = new Router();
  // The quick start's URL opens the sandbox page; production has no page at `/` (404).
  if (sandbox) router.get('/', (ctx) => ctx.redirect('/sandbox'));
  router.get('/healthz', async (ctx) => {
    const db = await pingDb();
    ctx.status = db && !isShuttingDown() ? 200 : 503;
    ctx.body = { ok: ctx.status === 200, db, shuttingDown: isShuttingDown() };
  });
  router.get('/metrics', async (ctx) => {
    ctx.type = registry.contentType;
    ctx.body = await registry.metrics();
  });
  return router;
}
