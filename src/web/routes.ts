import Router, { type RouterContext } from '@koa/router';
import { readFile } from 'node:fs/promises';
import type { Services } from '../services';
import { authRoutes, currentUser, type AuthDeps } from './auth';
import { frame, refuse, sendTable, type WebUser } from './frame';
import { CHART_JS, chartHtml, esc, tableHtml } from './html';
import { noticeRoutes } from './notices';
import { PAGES, type PageDef } from './pages';
import { homeScope, loadScope, mayOpen, type WebScope } from './scope';
import type { Sessions } from './session';

/**
 * The web dashboard (issue #12): `/dashboard/<scope>/<page>` where scope is `district` (the
 * bureau) or a school code (the bureau, or that school's principal/deputy — any other school
 * is 403 and audited); `…/<page>.xlsx?t=<n>` downloads table n as a workbook.
 */
export interface DashboardDeps extends Omit<AuthDeps, 'now'> {
  services: Services;
  sessions: Sessions;
}

const ECHARTS = require.resolve('echarts/dist/echarts.min.js');

export function dashboardRoutes(deps: DashboardDeps): Router {
  const router = new Router();
  const now = () => deps.services.clock.now();
  authRoutes(router, { ...deps, now });
  let echarts: Promise<string> | undefined;
  router.get('/dashboard/assets/echarts.min.js', async (ctx) => {
    echarts ??= readFile(ECHARTS, 'utf8');
    ctx.type = 'text/javascript; charset=utf-8';
    ctx.set('cache-control', 'public, max-age=86400');
    ctx.body = await echarts;
  });
  router.get('/dashboard/assets/chart.js', (ctx) => {
    ctx.type = 'text/javascript; charset=utf-8';
    ctx.body = CHART_JS;
  });
  router.get('/dashboard', async (ctx) => {
    const user = await currentUser(ctx, deps.sessions);
    ctx.redirect(user ? `/dashboard/${homeScope(user.staff)}/overview` : '/dashboard/login');
  });
  // Before the generic page route: /dashboard/<scope>/notices is a form, not a PAGES entry.
  noticeRoutes(router, deps);
  router.get('/dashboard/:scope/:page', async (ctx) => {
    const user = await currentUser(ctx, deps.sessions);
    if (!user) return ctx.redirect('/dashboard/login');
    const key = ctx.params.scope;
    if (!mayOpen(user.staff, key)) return refuse(ctx, user.staff, key, now());
    const scope = await loadScope(key);
    const xlsx = ctx.params.page.endsWith('.xlsx');
    const page = PAGES.find((p) => p.slug === ctx.params.page.replace(/\.xlsx$/, ''));
    if (!scope || !page) return;
    ctx.set('cache-control', 'no-store');
    if (xlsx) return download(ctx, page, scope, deps.services);
    ctx.type = 'html';
    ctx.body = await render(page, scope, user, deps);
  });
  return router;
}

async function download(
  ctx: RouterContext,
  page: PageDef,
  scope: WebScope,
  services: Services,
): Promise<void> {
  const data = await page.build(scope, services, services.clock.now());
  const table = data.tables[Number(ctx.query.t ?? 0)];
  if (table) await sendTable(ctx, table, scope, data.period);
}

async function render(
  page: PageDef,
  scope: WebScope,
  user: WebUser,
  deps: DashboardDeps,
): Promise<string> {
  const data = await page.build(scope, deps.services, deps.services.clock.now());
  const base = `/dashboard/${encodeURIComponent(scope.key)}`;
  const tables = data.tables
    .map((t, i) => tableHtml(t, `${base}/${page.slug}.xlsx?t=${i}`))
    .join('');
  const main = `<p class="muted" data-testid="period">${esc(data.period)}</p>
${data.chart ? chartHtml(data.chart) : ''}${tables}`;
  return frame({ scope, user, sessions: deps.sessions }, page, main);
}
