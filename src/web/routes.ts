import Router, { type RouterContext } from '@koa/router';
import { readFile } from 'node:fs/promises';
import type { Services } from '../services';
import { audit } from '../models/audit';
import { authRoutes, currentUser, type AuthDeps } from './auth';
import { CHART_JS, chartHtml, esc, layout, tableHtml } from './html';
import { PAGES, type PageDef } from './pages';
import { DISTRICT, homeScope, loadScope, mayOpen, type WebScope } from './scope';
import { tableWorkbook } from './xlsx';
import type { StaffLike } from '../domain/roster';
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

async function refuse(ctx: RouterContext, staff: StaffLike, key: string, at: Date): Promise<void> {
  await audit({
    actor: staff.userid,
    action: 'viewDashboard',
    target: key,
    channel: 'web',
    outcome: 'refused',
    at,
  });
  ctx.status = 403;
  ctx.type = 'html';
  const home = `/dashboard/${encodeURIComponent(homeScope(staff))}/overview`;
  ctx.body = layout(
    '无权查看',
    `<main><h2>无权查看</h2><p>您只能查看本校的数据。</p><p><a href="${home}">返回本校看板</a></p></main>`,
  );
}

async function download(
  ctx: RouterContext,
  page: PageDef,
  scope: WebScope,
  services: Services,
): Promise<void> {
  const data = await page.build(scope, services, services.clock.now());
  const table = data.tables[Number(ctx.query.t ?? 0)];
  if (!table) return;
  const heading = `区教体局 · ${scope.label} · ${table.title} · ${data.period}`;
  ctx.body = await tableWorkbook(table, heading);
  ctx.type = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
  const name = `${scope.label}-${table.title}.xlsx`;
  ctx.set('content-disposition', `attachment; filename*=UTF-8''${encodeURIComponent(name)}`);
}

async function render(
  page: PageDef,
  scope: WebScope,
  user: NonNullable<Awaited<ReturnType<typeof currentUser>>>,
  deps: DashboardDeps,
): Promise<string> {
  const data = await page.build(scope, deps.services, deps.services.clock.now());
  const base = `/dashboard/${encodeURIComponent(scope.key)}`;
  const nav = PAGES.map(
    (p) => `<a href="${base}/${p.slug}"${p === page ? ' class="on"' : ''}>${esc(p.title)}</a>`,
  ).join('');
  const schools = user.staff.roles.some((r) => r.role === 'bureau')
    ? `<nav class="muted">${[
        { code: DISTRICT, name: '全区' },
        ...(await loadScope(DISTRICT))!.schools,
      ]
        .map(
          (s) =>
            `<a href="/dashboard/${encodeURIComponent(s.code)}/${page.slug}">${esc(s.name)}</a>`,
        )
        .join('')}</nav>`
    : '';
  const tables = data.tables
    .map((t, i) => tableHtml(t, `${base}/${page.slug}.xlsx?t=${i}`))
    .join('');
  const body = `<header><strong>保学 · ${esc(scope.label)} · ${esc(page.title)}</strong>
<span>${esc(user.staff.name)}
<form class="inline" method="post" action="/dashboard/logout">
<input type="hidden" name="csrf" value="${esc(deps.sessions.csrf(user.session))}">
<button type="submit" data-testid="logout">退出</button></form></span></header>
<nav>${nav}<a href="#" title="通知在企业微信中发送">通知（在企业微信中发送「通知」）</a></nav>${schools}
<main><p class="muted" data-testid="period">${esc(data.period)}</p>
${data.chart ? chartHtml(data.chart) : ''}${tables}</main>`;
  return layout(`${scope.label} ${page.title}`, body);
}
