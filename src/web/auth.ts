import type Router from '@koa/router';
import type { RouterContext } from '@koa/router';
import getRawBody from 'raw-body';
import { School, Staff } from '../models/roster';
import { findStaff } from '../roster/directory';
import { audit } from '../models/audit';
import { logger } from '../lib/logger';
import { ROLE_LABEL, type StaffLike } from '../domain/roster';
import { esc, layout } from './html';
import { DASHBOARD_ROLES, homeScope, mayUseDashboard } from './scope';
import {
  OAUTH_STATE_COOKIE,
  PRELOGIN_COOKIE,
  SESSION_COOKIE,
  SESSION_HOURS,
  randomToken,
  same,
  type Session,
  type Sessions,
} from './session';

export interface AuthDeps {
  sessions: Sessions;
  sandbox: boolean;
  corpId: string;
  agentId: string;
  /** code → userid (WecomClient.userIdFromCode). */
  userIdFromCode(code: string): Promise<string | undefined>;
  /** Our public base URL (the OAuth redirect); default: the request's origin. */
  publicUrl?: string;
  now(): Date;
}

const cookieOpts = (ctx: RouterContext, maxAge?: number) => ({
  httpOnly: true,
  sameSite: 'lax' as const,
  secure: ctx.secure,
  path: '/dashboard',
  overwrite: true,
  ...(maxAge ? { maxAge } : {}),
});

/**
 * Every POST under /dashboard carries a CSRF token (the pre-session cookie's for the picker,
 * the session's otherwise), and a cross-site Origin is refused before it is looked at.
 */
export function forged(
  ctx: RouterContext,
  given: string | null,
  expected: string | undefined,
): boolean {
  const origin = ctx.get('origin');
  const crossSite = !!origin && origin !== ownOrigin(ctx);
  if (!crossSite && expected && given && same(given, expected)) return false;
  ctx.status = 403;
  ctx.body = '请求已失效，请刷新页面后重试。';
  return true;
}

/** Our own origin as the request names it (Koa 3's `ctx.origin` is the Origin header). */
const ownOrigin = (ctx: RouterContext) => `${ctx.protocol}://${ctx.host}`;

export async function formBody(ctx: RouterContext): Promise<URLSearchParams> {
  const raw = await getRawBody(ctx.req, { limit: '8kb', encoding: 'utf8' });
  return new URLSearchParams(raw);
}

/** The signed-in user (cookie checked, staff re-read so a removed role ends access). */
export async function currentUser(
  ctx: RouterContext,
  sessions: Sessions,
): Promise<{ session: Session; staff: StaffLike } | undefined> {
  const session = sessions.read(ctx.cookies.get(SESSION_COOKIE), new Date());
  if (!session) return undefined;
  const staff = await findStaff(session.userid);
  return staff && mayUseDashboard(staff) ? { session, staff } : undefined;
}

function signIn(ctx: RouterContext, deps: AuthDeps, staff: StaffLike): void {
  const { cookie } = deps.sessions.issue(staff.userid, new Date());
  ctx.cookies.set(SESSION_COOKIE, cookie, cookieOpts(ctx, SESSION_HOURS * 3600_000));
  ctx.cookies.set(PRELOGIN_COOKIE, '', cookieOpts(ctx));
  ctx.cookies.set(OAUTH_STATE_COOKIE, '', cookieOpts(ctx));
  ctx.redirect(`/dashboard/${encodeURIComponent(homeScope(staff))}/overview`);
}

function denied(ctx: RouterContext, text: string): void {
  ctx.status = 403;
  ctx.type = 'html';
  ctx.body = layout(
    '无法登录',
    `<main><h2>无法登录</h2><p>${esc(text)}</p><p><a href="/dashboard/login">返回登录</a></p></main>`,
  );
}

export function authRoutes(router: Router, deps: AuthDeps): void {
  router.get('/dashboard/login', async (ctx) => {
    if (deps.sandbox) return picker(ctx);
    const state = randomToken();
    ctx.cookies.set(OAUTH_STATE_COOKIE, state, cookieOpts(ctx, 600_000));
    const base = deps.publicUrl ?? ownOrigin(ctx);
    const q = new URLSearchParams({
      appid: deps.corpId,
      redirect_uri: `${base}/dashboard/oauth`,
      response_type: 'code',
      scope: 'snsapi_base',
      state,
      agentid: deps.agentId,
    });
    ctx.redirect(`https://open.weixin.qq.com/connect/oauth2/authorize?${q}#wechat_redirect`);
  });

  router.get('/dashboard/oauth', async (ctx) => {
    const state = String(ctx.query.state ?? '');
    const expected = ctx.cookies.get(OAUTH_STATE_COOKIE) ?? '';
    const code = String(ctx.query.code ?? '');
    if (!code || !expected || !same(state, expected))
      return denied(ctx, '登录已过期，请重新登录。');
    let userid: string | undefined;
    try {
      userid = await deps.userIdFromCode(code);
    } catch (err) {
      logger.warn({ err: (err as Error).message }, 'dashboard oauth failed');
    }
    const staff = userid ? await findStaff(userid) : null;
    if (!staff || !mayUseDashboard(staff)) {
      if (userid) await refusedSignIn(deps, userid);
      return denied(ctx, '数据看板仅供区教体局、校长和分管领导使用。');
    }
    signIn(ctx, deps, staff);
  });

  router.post('/dashboard/login', async (ctx) => {
    if (!deps.sandbox) return denied(ctx, '请通过企业微信登录。');
    const form = await formBody(ctx);
    if (forged(ctx, form.get('csrf'), ctx.cookies.get(PRELOGIN_COOKIE))) return;
    const staff = await findStaff(form.get('userid') ?? '');
    if (!staff || !mayUseDashboard(staff)) return denied(ctx, '这位成员不能使用数据看板。');
    signIn(ctx, deps, staff);
  });

  router.post('/dashboard/logout', async (ctx) => {
    const user = await currentUser(ctx, deps.sessions);
    const form = await formBody(ctx);
    if (!user) return ctx.redirect('/dashboard/login');
    if (forged(ctx, form.get('csrf'), deps.sessions.csrf(user.session))) return;
    ctx.cookies.set(SESSION_COOKIE, '', cookieOpts(ctx));
    ctx.redirect('/dashboard/login');
  });
}

async function refusedSignIn(deps: AuthDeps, userid: string): Promise<void> {
  await audit({
    actor: userid,
    action: 'dashboardSignIn',
    channel: 'web',
    outcome: 'refused',
    at: deps.now(),
  });
}

/** Sandbox mode: pick who to be (only the bureau, principals and deputies are listed). */
async function picker(ctx: RouterContext): Promise<void> {
  const token = ctx.cookies.get(PRELOGIN_COOKIE) || randomToken();
  ctx.cookies.set(PRELOGIN_COOKIE, token, cookieOpts(ctx, 3600_000));
  const leaders = await Staff.find({ 'roles.role': { $in: DASHBOARD_ROLES } })
    .sort({ userid: 1 })
    .lean();
  const schools = new Map((await School.find({}).lean()).map((s) => [s.code, s.name] as const));
  const options = leaders
    .filter(mayUseDashboard)
    .map(
      (p) =>
        `<option value="${esc(p.userid)}">${esc(p.name)}（${esc(roleText(p, schools))}）</option>`,
    )
    .join('');
  ctx.type = 'html';
  ctx.body = layout(
    '登录数据看板',
    `<header><strong>保学 · 数据看板</strong><span>沙盒</span></header><main>
<h2>选择身份登录</h2>
<p class="muted">沙盒模式：不需要企业微信，选择一位区教体局人员、校长或分管领导。正式环境通过企业微信登录。</p>
<form method="post" action="/dashboard/login">
<input type="hidden" name="csrf" value="${esc(token)}">
<select name="userid" data-testid="who">${options}</select>
<button type="submit" data-testid="signin">登录</button></form></main>`,
  );
}

function roleText(p: StaffLike, schools: Map<string, string>): string {
  return p.roles
    .filter((r) => DASHBOARD_ROLES.includes(r.role))
    .map((r) => `${r.schoolCode ? (schools.get(r.schoolCode) ?? '') : ''}${ROLE_LABEL[r.role]}`)
    .join('、');
}
