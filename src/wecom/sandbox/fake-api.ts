import Router, { type RouterMiddleware } from '@koa/router';
import getRawBody from 'raw-body';
import { Schema } from 'mongoose';
import { defineModel } from '../../db/model';
import { randomBytes } from 'node:crypto';

/** One message as a member's phone would show it (pushes, the member's own texts, replies). */
export interface SandboxMessageRow {
  to: string;
  msgtype: string;
  content?: string;
  card?: Record<string, unknown>;
  taskId?: string;
  responseCode?: string;
  updatedCard?: Record<string, unknown>;
  at: Date;
  read: boolean;
}

/**
 * An in-process stand-in for qyapi.weixin.qq.com: gettoken, message/send and
 * update_template_card, recording every push per recipient so a person (or a test) can see
 * what a phone would have shown. Sandbox mode only.
 */
const sandboxMessageSchema = new Schema<SandboxMessageRow>(
  {
    to: { type: String, required: true, index: true },
    msgtype: { type: String, required: true },
    content: { type: String },
    card: { type: Schema.Types.Mixed },
    taskId: { type: String, index: true },
    responseCode: { type: String },
    updatedCard: { type: Schema.Types.Mixed },
    at: { type: Date, required: true },
    read: { type: Boolean, default: false },
  },
  { versionKey: false, collection: 'sandbox_messages' },
);

export const SandboxMessage = defineModel<SandboxMessageRow>(
  'SandboxMessage',
  sandboxMessageSchema,
);

/** The sandbox corp's address book (the contacts API's view: departments and members). */
export interface FakeContacts {
  departments: { id: number; name: string; parentid: number }[];
  members: { userid: string; name: string; department: number[] }[];
}

export interface FakeApiOptions {
  corpId: string;
  secret: string;
  /** Time the sandbox shows on a message (its own clock, which may be advanced). */
  now(): Date;
  /** The corp's contacts (department/list, user/simplelist, user/list_id); none when absent. */
  contacts?: () => Promise<FakeContacts>;
}

export function fakeWecomApi(opts: FakeApiOptions): Router {
  const router = new Router({ prefix: '/sandbox/cgi-bin' });
  let token = randomBytes(16).toString('hex');

  router.get('/gettoken', (ctx) => {
    if (ctx.query.corpid !== opts.corpId || ctx.query.corpsecret !== opts.secret) {
      ctx.body = { errcode: 40001, errmsg: 'invalid credential' };
      return;
    }
    token = randomBytes(16).toString('hex');
    ctx.body = { errcode: 0, errmsg: 'ok', access_token: token, expires_in: 7200 };
  });

  const authed: RouterMiddleware = async (ctx, next) => {
    if (ctx.query.access_token !== token) {
      ctx.body = { errcode: 42001, errmsg: 'access_token expired' };
      return;
    }
    ctx.state.json = JSON.parse(await getRawBody(ctx.req, { limit: '1mb', encoding: 'utf8' }));
    await next();
  };

  router.post('/message/send', authed, async (ctx) => {
    const body = ctx.state.json as Record<string, any>;
    const users = String(body.touser ?? '')
      .split('|')
      .filter(Boolean);
    const msgid = randomBytes(12).toString('hex');
    for (const to of users) {
      await SandboxMessage.create({
        to,
        msgtype: body.msgtype,
        at: opts.now(),
        content: body.text?.content ?? body.markdown?.content,
        card: body.template_card,
        taskId: body.template_card?.task_id,
      });
    }
    ctx.body = { errcode: 0, errmsg: 'ok', msgid, invaliduser: '' };
  });

  contactRoutes(router, opts, () => token);
  oauthRoutes(router, () => token);

  router.post('/message/update_template_card', authed, async (ctx) => {
    const body = ctx.state.json as Record<string, any>;
    // WeCom finds the card by the response_code of the click (the sandbox stored it on the card).
    await SandboxMessage.updateMany(
      { to: { $in: body.userids ?? [] }, responseCode: body.response_code },
      { $set: { updatedCard: body.template_card ?? { replaceName: body.button?.replace_name } } },
    );
    ctx.body = { errcode: 0, errmsg: 'ok', invaliduser: [] };
  });

  return router;
}

/** The contacts API's reads, shaped like WeCom's answers (GET ones take the token in the query). */
function contactRoutes(router: Router, opts: FakeApiOptions, token: () => string): void {
  const contacts = async (): Promise<FakeContacts> =>
    opts.contacts ? opts.contacts() : { departments: [], members: [] };
  const tokenOk: RouterMiddleware = async (ctx, next) => {
    if (ctx.query.access_token !== token()) {
      ctx.body = { errcode: 42001, errmsg: 'access_token expired' };
      return;
    }
    await next();
  };

  router.get('/department/list', tokenOk, async (ctx) => {
    ctx.body = { errcode: 0, errmsg: 'ok', department: (await contacts()).departments };
  });

  router.get('/user/simplelist', tokenOk, async (ctx) => {
    const dept = Number(ctx.query.department_id);
    const { members } = await contacts();
    const userlist = members
      .filter((m) => m.department.includes(dept))
      .map((m) => ({ userid: m.userid, name: m.name, department: m.department }));
    ctx.body = { errcode: 0, errmsg: 'ok', userlist };
  });

  // One row per member and department, paged by an opaque cursor (here: the next offset).
  router.post('/user/list_id', tokenOk, async (ctx) => {
    const raw = await getRawBody(ctx.req, { limit: '1mb', encoding: 'utf8' });
    const body = JSON.parse(raw || '{}') as { limit?: number; cursor?: string };
    const limit = Math.min(10000, Math.max(1, Number(body.limit ?? 10000)));
    const from = Number(body.cursor || 0);
    const rows = (await contacts()).members.flatMap((m) =>
      m.department.map((department) => ({ userid: m.userid, department })),
    );
    const next = from + limit < rows.length ? String(from + limit) : '';
    ctx.body = {
      errcode: 0,
      errmsg: 'ok',
      next_cursor: next,
      dept_user: rows.slice(from, from + limit),
    };
  });
}

/**
 * OAuth2 web login, faked: `/sandbox/connect/oauth2/authorize?redirect_uri=…&state=…&userid=…`
 * stands in for WeCom's consent page (it signs in whoever `userid` names) and redirects back
 * with a one-time code; `auth/getuserinfo` turns the code into the userid, as WeCom does.
 */
function oauthRoutes(router: Router, token: () => string): void {
  const codes = new Map<string, string>();
  router.get('/auth/getuserinfo', (ctx) => {
    if (ctx.query.access_token !== token()) {
      ctx.body = { errcode: 42001, errmsg: 'access_token expired' };
      return;
    }
    const code = String(ctx.query.code ?? '');
    const userid = codes.get(code);
    codes.delete(code);
    ctx.body = userid
      ? { errcode: 0, errmsg: 'ok', userid }
      : { errcode: 40029, errmsg: 'invalid code' };
  });
  router.get('/connect/oauth2/authorize', (ctx) => {
    const redirect = String(ctx.query.redirect_uri ?? '');
    const userid = String(ctx.query.userid ?? '');
    if (!redirect.startsWith('/') || redirect.startsWith('//') || !userid) {
      ctx.status = 400;
      return;
    }
    const code = randomBytes(12).toString('hex');
    codes.set(code, userid);
    const sep = redirect.includes('?') ? '&' : '?';
    const state = encodeURIComponent(String(ctx.query.state ?? ''));
    ctx.redirect(`${redirect}${sep}code=${code}&state=${state}`);
  });
}
