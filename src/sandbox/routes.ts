import Router, { type RouterContext } from '@koa/router';
import getRawBody from 'raw-body';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import mongoose from 'mongoose';
import { z } from 'zod';
import type { SettableClock } from '../lib/clock';
import type { Services } from '../services';
import type { Reporting } from '../reports/reporting';
import type { Handoffs } from '../reports/handoff';
import { downloadMedia, SandboxMessage } from '../wecom/sandbox/fake-api';
import { loadDemoDistrict } from '../roster/demo-load';
import { fromIsoDay, isoDay, formatDeadline } from '../lib/time';
import { peopleGroups } from './people';
import { JOB_LABELS } from '../jobs/kinds';
import { playDemoWeek } from './demo-week';
import type { SandboxRunner } from './runner';

/**
 * The sandbox page and its API (sandbox mode only; these routes do not exist in production):
 * people, each person's phone, the clock panel, reset and the guided demo.
 */
const UI = path.join(__dirname, 'ui');
const FILES: Record<string, string> = {
  'app.js': 'text/javascript; charset=utf-8',
  'app.css': 'text/css; charset=utf-8',
};

const clockBody = z.object({
  to: z.union([
    z.enum(['nextMorning', 'nextSchoolDay', 'plusHour']),
    z.string().datetime({ offset: true }),
  ]),
});

async function json(ctx: RouterContext): Promise<unknown> {
  const raw = await getRawBody(ctx.req, { limit: '16kb', encoding: 'utf8' });
  return raw ? JSON.parse(raw) : {};
}

export interface SandboxDeps {
  services: Services;
  clock: SettableClock;
  reporting: Reporting;
  handoffs: Handoffs;
  runner: SandboxRunner;
  selfUrl: () => string;
}

export function sandboxRoutes(deps: SandboxDeps): Router {
  const router = new Router({ prefix: '/sandbox' });
  pageRoutes(router);
  phoneRoutes(router);
  clockRoutes(router, deps);
  resetRoutes(router, deps);
  return router;
}

/** The page itself and its two static files. */
function pageRoutes(router: Router): void {
  router.get('/', async (ctx) => {
    ctx.type = 'text/html; charset=utf-8';
    ctx.body = await readFile(path.join(UI, 'index.html'), 'utf8');
  });
  router.get('/ui/:file', async (ctx) => {
    const type = FILES[ctx.params.file];
    if (!type) {
      ctx.status = 404;
      return;
    }
    ctx.type = type;
    ctx.body = await readFile(path.join(UI, ctx.params.file), 'utf8');
  });
}

/** People, each person's phone (messages, read marks) and the files sent to it. */
function phoneRoutes(router: Router): void {
  router.get('/api/people', async (ctx) => {
    ctx.body = await peopleGroups();
  });

  router.get('/api/messages', async (ctx) => {
    const user = String(ctx.query.user ?? '');
    ctx.body = await SandboxMessage.find({ to: user }).sort({ at: 1, _id: 1 }).limit(300).lean();
  });

  router.post('/api/read', async (ctx) => {
    const { user } = z.object({ user: z.string() }).parse(await json(ctx));
    await SandboxMessage.updateMany({ to: user, read: false }, { $set: { read: true } });
    ctx.body = { ok: true };
  });

  // A file message's download link (the workbook 导出 sent).
  router.get('/api/media/:id', async (ctx) => {
    const found = await downloadMedia(ctx.params.id);
    if (!found) {
      ctx.status = 404;
      return;
    }
    ctx.set('content-disposition', found.disposition);
    ctx.type = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
    ctx.body = found.data;
  });
}

/** The clock panel: now, the jobs due next, and moving forward (everything due runs). */
function clockRoutes(router: Router, deps: SandboxDeps): void {
  const { services, clock, runner } = deps;
  const clockView = async () => {
    const now = clock.now();
    const horizon = new Date(now.getTime() + 14 * 86_400_000);
    const jobs = await services.scheduler.pending(horizon, 30);
    return {
      now,
      label: formatDeadline(now),
      jobs: jobs.map((j) => ({
        ...j,
        label: formatDeadline(j.at),
        what: JOB_LABELS[j.name] ?? j.name,
      })),
    };
  };
  router.get('/api/clock', async (ctx) => {
    ctx.body = await clockView();
  });

  router.post('/api/clock', async (ctx) => {
    const parsed = clockBody.safeParse(await json(ctx));
    if (!parsed.success) {
      ctx.status = 400;
      ctx.body = { error: '时间格式不对' };
      return;
    }
    const now = clock.now();
    const target = clockTarget(parsed.data.to, now, deps);
    if (target <= now) {
      ctx.status = 400;
      ctx.body = { error: '只能向前快进' };
      return;
    }
    const ran = await runner.advanceTo(target);
    ctx.body = { ran, ...(await clockView()) };
  });
}

/** Where a clock button (or a typed date-time) moves the clock to. */
function clockTarget(to: z.infer<typeof clockBody>['to'], now: Date, deps: SandboxDeps): Date {
  const cfg = deps.services.settings.ladder;
  const today = isoDay(now);
  if (to === 'plusHour') return new Date(now.getTime() + 3_600_000);
  if (to === 'nextSchoolDay') {
    const morning = fromIsoDay(deps.services.cal.nextSchoolDay(today), cfg.morningCheckAt);
    return new Date(morning.getTime() + 60_000);
  }
  if (to !== 'nextMorning') return new Date(to);
  const morningToday = fromIsoDay(today, cfg.morningCheckAt);
  const target =
    morningToday > now
      ? morningToday
      : fromIsoDay(isoDay(new Date(now.getTime() + 86_400_000)), cfg.morningCheckAt);
  return new Date(target.getTime() + 60_000);
}

/** Reset and the guided demo. */
function resetRoutes(router: Router, deps: SandboxDeps): void {
  const { services, clock, runner } = deps;
  // Back to the demo district at the real time: every record, push and job is wiped.
  const reset = () =>
    runner.exclusive(async () => {
      // Every model's collection plus Agenda's (the embedded server serves no listCollections).
      const names = new Set([
        ...Object.values(mongoose.models).map((m) => m.collection.collectionName),
        'jobs',
      ]);
      for (const name of names) await mongoose.connection.collection(name).deleteMany({});
      clock.set(new Date());
      await loadDemoDistrict(services.pii, true);
      await deps.reporting.ensureCycles();
      await deps.handoffs.ensure();
    });

  router.post('/api/reset', async (ctx) => {
    await reset();
    ctx.body = { ok: true };
  });

  // The guided demo plays on a fresh district so every newcomer sees the same week.
  router.post('/api/demo', async (ctx) => {
    await reset();
    const lines = await playDemoWeek(demoDriver(deps));
    ctx.body = { lines };
  });
}

export function demoDriver(deps: SandboxDeps) {
  const post = (body: unknown) =>
    fetch(`${deps.selfUrl()}/sandbox/say`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    }).then((r) => r.json() as Promise<{ reply: string | null }>);
  return {
    now: () => deps.clock.now(),
    calendar: deps.services.cal,
    say: async (as: string, text: string) => (await post({ as, text })).reply,
    click: async (as: string, key: string, taskId: string) => {
      await post({ as, event: 'template_card_event', key, taskId });
    },
    advanceTo: async (at: Date) => {
      await deps.runner.advanceTo(at);
    },
    flush: async () => {
      await deps.runner.tick();
    },
  };
}
