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
  /** A file message: the uploaded media it names (downloadable from the sandbox page). */
  file?: { mediaId: string; filename: string; size: number };
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
    file: { type: Schema.Types.Mixed },
    at: { type: Date, required: true },
    read: { type: Boolean, default: false },
  },
  { versionKey: false, collection: 'sandbox_messages' },
);

export const SandboxMessage = defineModel<SandboxMessageRow>(
  'SandboxMessage',
  sandboxMessageSchema,
);

/** Temporary media uploaded to the fake API (media/upload); the bytes base64. */
export interface SandboxMediaRow {
  mediaId: string;
  type: string;
  filename: string;
  data: string;
  at: Date;
}

export const SandboxMedia = defineModel<SandboxMediaRow>(
  'SandboxMedia',
  new Schema<SandboxMediaRow>(
    {
      mediaId: { type: String, required: true, unique: true },
      type: { type: String, required: true },
      filename: { type: String, required: true },
      data: { type: String, required: true },
      at: { type: Date, required: true },
    },
    { versionKey: false, collection: 'sandbox_media' },
  ),
);

/** What message/send and update_template_card are sent (the fields the sandbox shows). */
interface SendBody {
  touser?: string;
  msgtype?: string;
  text?: { content?: string };
  markdown?: { content?: string };
  template_card?: Record<string, unknown> & { task_id?: string };
  file?: { media_id?: string };
}
interface UpdateBody {
  userids?: string[];
  response_code?: string;
  template_card?: Record<string, unknown>;
  button?: { replace_name?: string };
}

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

  messageRoutes(router, opts, () => token);
  mediaRoutes(router, opts, () => token);
  contactRoutes(router, opts, () => token);
  oauthRoutes(router, () => token);
  return router;
}

/** The access token check; `json` also parses the body (message/send, update_template_card). */
function withToken(token: () => string, json: boolean): RouterMiddleware {
  return async (ctx, next) => {
    if (ctx.query.access_token !== token()) {
      ctx.body = { errcode: 42001, errmsg: 'access_token expired' };
      return;
    }
    if (json)
      ctx.state.json = JSON.parse(await getRawBody(ctx.req, { limit: '1mb', encoding: 'utf8' }));
    await next();
  };
}

/** message/send (text, markdown, template_card, file) and update_template_card. */
function messageRoutes(router: Router, opts: FakeApiOptions, token: () => string): void {
  const authed = withToken(token, true);
  router.post('/message/send', authed, async (ctx) => {
    const body = ctx.state.json as SendBody;
    const users = String(body.touser ?? '')
      .split('|')
      .filter(Boolean);
    const msgid = randomBytes(12).toString('hex');
    const file = body.file?.media_id ? await fileOf(body.file.media_id) : undefined;
    if (body.msgtype === 'file' && !file) {
      ctx.body = { errcode: 40007, errmsg: 'invalid media_id' };
      return;
    }
    for (const to of users) {
      await SandboxMessage.create({
        to,
        msgtype: body.msgtype,
        at: opts.now(),
        content: body.text?.content ?? body.markdown?.content ?? file?.filename,
        card: body.template_card,
        taskId: body.template_card?.task_id,
        file,
      });
    }
    ctx.body = { errcode: 0, errmsg: 'ok', msgid, invaliduser: '' };
  });

  router.post('/message/update_template_card', authed, async (ctx) => {
    const body = ctx.state.json as UpdateBody;
    // WeCom finds the card by the response_code of the click (the sandbox stored it on the card).
    await SandboxMessage.updateMany(
      { to: { $in: body.userids ?? [] }, responseCode: body.response_code },
      { $set: { updatedCard: body.template_card ?? { replaceName: body.button?.replace_name } } },
    );
    ctx.body = { errcode: 0, errmsg: 'ok', invaliduser: [] };
  });
}

async function fileOf(mediaId: string): Promise<SandboxMessageRow['file']> {
  const media = await SandboxMedia.findOne({ mediaId }).lean();
  if (!media) return undefined;
  return { mediaId, filename: media.filename, size: Buffer.byteLength(media.data, 'base64') };
}

/**
 * media/upload (multipart, field `media`; WeCom's limit for a file is 20 MB) and media/get.
 * Temporary media, as in WeCom; the sandbox keeps it until a reset.
 */
function mediaRoutes(router: Router, opts: FakeApiOptions, token: () => string): void {
  router.post('/media/upload', withToken(token, false), async (ctx) => {
    const raw = await getRawBody(ctx.req, { limit: '20mb' });
    let media: FormDataEntryValue | null = null;
    try {
      const form = await new Response(new Uint8Array(raw), {
        headers: { 'content-type': ctx.get('content-type') },
      }).formData();
      media = form.get('media');
    } catch {
      media = null;
    }
    if (!media || typeof media === 'string') {
      ctx.body = { errcode: 41005, errmsg: 'media data missing' };
      return;
    }
    const mediaId = `sbx_${randomBytes(12).toString('hex')}`;
    const data = Buffer.from(await media.arrayBuffer()).toString('base64');
    const type = String(ctx.query.type ?? 'file');
    await SandboxMedia.create({ mediaId, type, filename: media.name, data, at: opts.now() });
    const created = String(Math.floor(opts.now().getTime() / 1000));
    ctx.body = { errcode: 0, errmsg: 'ok', type, media_id: mediaId, created_at: created };
  });

  router.get('/media/get', withToken(token, false), async (ctx) => {
    const found = await downloadMedia(String(ctx.query.media_id ?? ''));
    if (!found) {
      ctx.body = { errcode: 40007, errmsg: 'invalid media_id' };
      return;
    }
    ctx.set('content-disposition', found.disposition);
    ctx.type = 'application/octet-stream';
    ctx.body = found.data;
  });
}

/** An uploaded file's bytes and its Content-Disposition (for media/get and the sandbox page). */
export async function downloadMedia(
  mediaId: string,
): Promise<{ data: Buffer; disposition: string } | undefined> {
  const media = await SandboxMedia.findOne({ mediaId }).lean();
  if (!media) return undefined;
  const name = encodeURIComponent(media.filename);
  // An ASCII fallback for old clients, then the real (UTF-8) name.
  const ext = /\.[A-Za-z0-9]{1,8}$/.exec(media.filename)?.[0] ?? '';
  return {
    data: Buffer.from(media.data, 'base64'),
    disposition: `attachment; filename="file${ext}"; filename*=UTF-8''${name}`,
  };
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
