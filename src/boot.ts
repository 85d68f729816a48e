import type Koa from 'koa';
import type { Server } from 'node:http';
import { baseApp, opsRouter } from './app';
import type { Settings } from './config/settings';
import type { WecomCredentials } from './config/env';
import { connectDb } from './db/connect';
import { ensureStudentKeys } from './roster/keys';
import { ensureClassCounts } from './roster/counts';
import { ensureDutyCaseOpen } from './cases/queries/overdue-set';
import mongoose from 'mongoose';
import { systemClock, type Clock } from './lib/clock';
import { logger } from './lib/logger';
import { WecomCipher } from './wecom/crypto';
import { WecomClient } from './wecom/client';
import { mongoTokenStore } from './wecom/token-store';
import { callbackRouter } from './wecom/callback';
import { fakeWecomApi } from './wecom/sandbox/fake-api';
import { sayRoute } from './wecom/sandbox/say-route';
import { Outbox } from './outbox/outbox';
import { PumpLoop } from './outbox/pump-loop';
import { Scheduler } from './jobs/scheduler';
import { Dispatcher } from './chat/dispatch';
import { claimDelivery, finishDelivery } from './chat/inbox';
import type { Services } from './services';
import { registerFeatures } from './features';
import { SchoolCalendar } from './domain/calendar';
import { Notify } from './notify/notify';
import { findStaff } from './roster/directory';
import { PiiCipher } from './lib/pii';
import { SandboxRunner } from './sandbox/runner';
import { sandboxRoutes } from './sandbox/routes';
import { sandboxContacts } from './sandbox/contacts';
import type { SettableClock } from './lib/clock';
import { dashboardRoutes } from './web/routes';
import { Sessions, sessionKey } from './web/session';

function isSettable(c: Clock): c is SettableClock {
  return typeof (c as SettableClock).set === 'function';
}

export interface BootOptions {
  settings: Settings;
  mongoUri: string;
  creds: WecomCredentials;
  apiBase: string;
  sandbox: boolean;
  /** 64 hex chars; personal data at rest. */
  dataKey: string;
  /** The previous data key during a key rotation (still read, never written). */
  dataKeyOld?: string;
  clock?: Clock;
  /** Start Agenda's own processing loop (production); tests may drive jobs by hand. */
  startScheduler?: boolean;
  processEveryMs?: number;
  lockLifetimeMs?: number;
  /** Our own base URL (the sandbox posts to its own callback). */
  selfUrl?: () => string;
  /** Schedule the reporting cycle (reports, campaign months, visit rounds); default on. */
  cycles?: boolean;
  /** Replay-window clock override (only WeCom's fixed 2014 test vectors need it). */
  callbackNowSeconds?: () => number;
  /** Client IP from X-Forwarded-For; default: env TRUST_PROXY=1. */
  trustProxy?: boolean;
  /** Bearer token that opens /metrics; default: env METRICS_TOKEN (unset: no /metrics). */
  metricsToken?: string;
  /** Dashboard session key material; default: env SESSION_SECRET, else derived from dataKey. */
  sessionSecret?: string;
  /** Public base URL for the dashboard's OAuth redirect; default: env BAOXUE_PUBLIC_URL. */
  publicUrl?: string;
}

export interface Baoxue {
  app: Koa;
  features: Awaited<ReturnType<typeof registerFeatures>>;
  services: Services;
  dispatcher: Dispatcher;
  creds: WecomCredentials;
  /** Sandbox mode: drives jobs by the sandbox clock. */
  readonly runner: SandboxRunner | undefined;
  listen(port: number, host?: string): Promise<Server>;
  close(): Promise<void>;
}

/**
 * Derived data the reads rely on (issue #11), brought up to date before serving: lookup keys on
 * students, the per-class counters, `caseOpen` on duties. Each costs one read when current.
 */
async function ensureDerived(): Promise<void> {
  await ensureStudentKeys();
  await ensureClassCounts((p) =>
    p.catch((err: unknown) => logger.error({ err }, 'class counters: recount at start-up failed')),
  );
  await ensureDutyCaseOpen();
}

export async function boot(o: BootOptions): Promise<Baoxue> {
  const clock = o.clock ?? systemClock;
  await connectDb(o.mongoUri);
  await ensureDerived();
  const { services, client } = makeServices(o, clock);
  const { scheduler, outbox } = services;
  const dispatcher = new Dispatcher(services, findStaff);
  const features = await registerFeatures(dispatcher, services, { cycles: o.cycles });
  // The pump runs in-process, sleeping until the next row is due (issue #11: idle round trips).
  const pumpLoop = new PumpLoop(outbox, o.settings.outbox.pumpEverySeconds, 30, () => clock.now());
  await housekeeping(scheduler, outbox);

  let shuttingDown = false;
  let runner: SandboxRunner | undefined;
  let server: Server | undefined;
  const selfUrl =
    o.selfUrl ?? (() => `http://127.0.0.1:${(server?.address() as { port: number }).port}`);
  const app = baseApp({ trustProxy: o.trustProxy ?? process.env.TRUST_PROXY === '1' });
  app.use(refuseCallbacksWhile(() => shuttingDown));
  mountCallback(app, o, services, dispatcher);
  const ops = opsRouter(
    () => shuttingDown,
    o.metricsToken ?? (process.env.METRICS_TOKEN || undefined),
    o.sandbox,
  );
  app.use(ops.routes());
  mountDashboard(app, o, services, client);
  if (o.sandbox) runner = mountSandbox(app, o, services, features, selfUrl);
  if (o.startScheduler) {
    await scheduler.start();
    pumpLoop.start();
  }

  return {
    app,
    services,
    dispatcher,
    features,
    creds: o.creds,
    get runner() {
      return runner;
    },
    listen: (port, host = '127.0.0.1') =>
      new Promise((resolve, reject) => {
        server = app.listen(port, host, () => resolve(server!));
        server.once('error', reject);
      }),
    async close() {
      shuttingDown = true;
      await runner?.stop();
      if (server)
        await new Promise<void>((r) => {
          server!.close(() => r());
          server!.closeAllConnections?.();
        });
      await pumpLoop.stop();
      await scheduler.stop();
      await mongoose.disconnect();
      logger.info('stopped');
    },
  };
}

/** Stop taking callbacks first during shutdown: WeCom retries, so nothing is lost. */
function refuseCallbacksWhile(shuttingDown: () => boolean): Koa.Middleware {
  return async (ctx, next) => {
    if (shuttingDown() && ctx.path.startsWith('/wecom/')) {
      ctx.status = 503;
      return;
    }
    await next();
  };
}

/** The ports every feature shares: clock, outbox, jobs, calendar, notify, personal-data cipher. */
function makeServices(o: BootOptions, clock: Clock): { services: Services; client: WecomClient } {
  // The sandbox fast-forwards to a deadline and shows its pushes at once: no spread off :00/:30.
  if (o.sandbox)
    o.settings.ladder.pushTiming = { marks: [], afterMarkMinutes: 0, spreadMinutes: 0 };
  const scheduler = new Scheduler(o.mongoUri, {
    processEvery: o.processEveryMs,
    lockLifetimeMs: o.lockLifetimeMs ?? o.settings.jobs.leaseSeconds * 1000,
    clock,
  });
  const client = new WecomClient({
    base: o.apiBase,
    corpId: o.creds.corpId,
    agentId: o.creds.agentId,
    secret: o.creds.secret,
    store: mongoTokenStore,
    now: () => new Date(),
    timeoutMs: o.settings.outbox.requestTimeoutSeconds * 1000,
    duplicateCheckSeconds: o.settings.outbox.duplicateCheckSeconds,
  });
  const pii = new PiiCipher(o.dataKey, o.dataKeyOld ? [o.dataKeyOld] : []);
  const outbox = new Outbox(client, o.settings, clock, pii);
  const services: Services = {
    settings: o.settings,
    clock,
    outbox,
    scheduler,
    pii,
    cal: new SchoolCalendar(o.settings.calendar),
    notify: new Notify(outbox, o.settings.notifications.cards),
  };
  return { services, client };
}

/** WeCom's encrypted callback: claim the delivery, dispatch it, answer late through the outbox. */
function mountCallback(app: Koa, o: BootOptions, services: Services, dispatcher: Dispatcher): void {
  const { clock, outbox } = services;
  const callback = callbackRouter({
    cipher: new WecomCipher(o.creds),
    corpId: o.creds.corpId,
    ...o.settings.callback,
    nowSeconds: o.callbackNowSeconds,
    claim: (key, msg) => claimDelivery(key, msg, clock.now(), o.settings.callback.leaseSeconds),
    finish: (key, outcome) => finishDelivery(key, outcome, clock.now()),
    handle: (msg, failed) => dispatcher.handle(msg, failed),
    deliverLate: (to, text, key) => outbox.enqueue(to, { kind: 'text', content: text }, key),
  });
  app.use(callback.routes()).use(callback.allowedMethods());
}

function mountDashboard(app: Koa, o: BootOptions, services: Services, client: WecomClient): void {
  const dashboard = dashboardRoutes({
    services,
    sessions: new Sessions(sessionKey(o.sessionSecret ?? process.env.SESSION_SECRET, o.dataKey)),
    sandbox: o.sandbox,
    corpId: o.creds.corpId,
    agentId: o.creds.agentId,
    userIdFromCode: (code) => client.userIdFromCode(code),
    publicUrl: o.publicUrl ?? (process.env.BAOXUE_PUBLIC_URL || undefined),
  });
  app.use(dashboard.routes()).use(dashboard.allowedMethods());
}

/** Sandbox mode: the fake WeCom API, the say route, and the sandbox page driven by its clock. */
function mountSandbox(
  app: Koa,
  o: BootOptions,
  services: Services,
  features: Baoxue['features'],
  selfUrl: () => string,
): SandboxRunner {
  const { clock, scheduler, outbox } = services;
  const fake = fakeWecomApi({
    corpId: o.creds.corpId,
    secret: o.creds.secret,
    now: () => clock.now(),
    contacts: sandboxContacts,
  });
  app.use(fake.routes());
  const say = sayRoute(o.creds, selfUrl, () => clock.now());
  app.use(say.routes());
  if (!isSettable(clock)) throw new Error('sandbox mode needs a settable clock');
  const runner = new SandboxRunner(clock, scheduler, outbox);
  const page = sandboxRoutes({
    services,
    clock,
    reporting: features.reporting,
    handoffs: features.handoffs,
    runner,
    selfUrl,
  });
  app.use(page.routes());
  return runner;
}

/** Daily housekeeping: undeliverable pushes reported to the admins, retention purges. */
async function housekeeping(scheduler: Scheduler, outbox: Outbox): Promise<void> {
  scheduler.registerDaily('outbox.failures', (now) => outbox.ops.reportFailures(now));
  scheduler.registerPurge('outbox', (now) => outbox.ops.purge(now));
  await scheduler.enableHousekeeping();
}
