import type { RouterContext } from '@koa/router';
import type { StaffLike } from '../domain/roster';
import { audit } from '../models/audit';
import type { currentUser } from './auth';
import { esc, layout } from './html';
import { PAGES } from './pages';
import { DISTRICT, homeScope, loadScope, mayBroadcast, type WebScope } from './scope';
import type { Sessions } from './session';
import type { Table } from './table';
import { tableWorkbook } from './xlsx';

export type WebUser = NonNullable<Awaited<ReturnType<typeof currentUser>>>;

/** The 通知 page's slug (not in PAGES: it has a form and the sender's own record). */
export const NOTICES = 'notices';

/**
 * Every dashboard page's frame: the header (scope, page, who, 退出 with its CSRF token), the
 * page navigation (通知 for those who may send one) and, for the bureau, the schools.
 */
export async function frame(
  a: { scope: WebScope; user: WebUser; sessions: Sessions },
  page: { slug: string; title: string },
  main: string,
): Promise<string> {
  const { scope, user } = a;
  const base = `/dashboard/${encodeURIComponent(scope.key)}`;
  const link = (slug: string, title: string) =>
    `<a href="${base}/${slug}"${slug === page.slug ? ' class="on"' : ''}>${esc(title)}</a>`;
  const nav = [
    ...PAGES.map((p) => link(p.slug, p.title)),
    ...(mayBroadcast(user.staff) ? [link(NOTICES, '通知')] : []),
  ].join('');
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
  const body = `<header><strong>保学 · ${esc(scope.label)} · ${esc(page.title)}</strong>
<span>${esc(user.staff.name)}
<form class="inline" method="post" action="/dashboard/logout">
<input type="hidden" name="csrf" value="${esc(a.sessions.csrf(user.session))}">
<button type="submit" data-testid="logout">退出</button></form></span></header>
<nav>${nav}</nav>${schools}
<main>${main}</main>`;
  return layout(`${scope.label} ${page.title}`, body);
}

/** Another school's URL (or the district's) for a principal: 403 and an audit entry. */
export async function refuse(
  ctx: RouterContext,
  staff: StaffLike,
  key: string,
  at: Date,
): Promise<void> {
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

/** A table as an xlsx download (title row: 区教体局 · scope · table · period). */
export async function sendTable(
  ctx: RouterContext,
  table: Table,
  scope: WebScope,
  period: string,
): Promise<void> {
  const heading = `区教体局 · ${scope.label} · ${table.title} · ${period}`;
  ctx.body = await tableWorkbook(table, heading);
  ctx.type = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
  const name = `${scope.label}-${table.title}.xlsx`;
  ctx.set('content-disposition', `attachment; filename*=UTF-8''${encodeURIComponent(name)}`);
}
