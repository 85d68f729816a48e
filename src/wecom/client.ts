import type { TokenStore } from './token-store';
import type { WecomCredentials } from '../config/env';

/**
 * What an error means for a push: `transient` (WeCom down, -1 busy, a timeout), `rateLimited`
 * (45009…), `token` (refetched and retried once), `config` (bad secret, IP not trusted: every
 * push waits until an administrator fixes it) are retried; `unknownUser` (40003, 60111, 81013)
 * and `rejected` (anything else WeCom refuses, e.g. a card it does not accept) are permanent.
 */
export type WecomErrorKind =
  'transient' | 'rateLimited' | 'token' | 'config' | 'unknownUser' | 'rejected';

/** A WeCom API answer with errcode != 0, or a transport failure. `kind` drives the outbox. */
export class WecomApiError extends Error {
  constructor(
    readonly errcode: number,
    message: string,
    readonly kind: WecomErrorKind,
  ) {
    super(`wecom ${errcode}: ${message}`);
  }

  get retryable(): boolean {
    return this.kind !== 'unknownUser' && this.kind !== 'rejected';
  }

  get rateLimited(): boolean {
    return this.kind === 'rateLimited';
  }
}

export interface SendResult {
  msgid?: string;
  /** Recipients WeCom reported as unknown (errcode 0, partial failure). */
  invalidUsers: string[];
  responseCode?: string;
}

/** One API request, built once: the outbox stores it so a retry sends the identical JSON. */
export interface ApiRequest {
  path: string;
  body: Json;
  /** A file message: when its media was uploaded (temporary media lasts 3 days). Not sent. */
  mediaAt?: string;
}

export interface ClientOptions extends Pick<WecomCredentials, 'corpId' | 'agentId' | 'secret'> {
  base: string;
  store: TokenStore;
  now?: () => Date;
  timeoutMs?: number;
  /** message/send's duplicate check window (seconds, at most 4 hours); default 4 hours. */
  duplicateCheckSeconds?: number;
}

const TOKEN_ERRORS = new Set([40014, 42001, 41001]);
const RATE_ERRORS = new Set([45009, 45033]);
const USER_ERRORS = new Set([40003, 60111, 81013]);
/** Bad secret, corp id or agent id; API not allowed; server IP not in the trusted list. */
const CONFIG_ERRORS = new Set([40001, 40013, 40056, 48001, 48002, 60020]);
/** Refresh this long before WeCom says the token expires. */
const EARLY_REFRESH_S = 300;
export const TEXT_LIMIT_BYTES = 2048;
export const MAX_DUPLICATE_CHECK_S = 14400;

type Json = Record<string, unknown>;

export function classify(errcode: number): WecomErrorKind {
  if (errcode === -1) return 'transient'; // system busy
  if (TOKEN_ERRORS.has(errcode)) return 'token';
  if (RATE_ERRORS.has(errcode)) return 'rateLimited';
  if (USER_ERRORS.has(errcode)) return 'unknownUser';
  if (CONFIG_ERRORS.has(errcode)) return 'config';
  return 'rejected';
}

function invalidUsers(json: Json): string[] {
  const v = json.invaliduser;
  if (Array.isArray(v)) return v.map(String).filter(Boolean);
  return String(v ?? '')
    .split('|')
    .filter(Boolean);
}

export class WecomClient {
  private cached?: { token: string; expiresAt: Date };
  private inflight?: Promise<string>;
  private readonly key: string;

  constructor(private readonly opts: ClientOptions) {
    this.key = `${opts.corpId}:${opts.agentId}`;
  }

  private now(): Date {
    return this.opts.now ? this.opts.now() : new Date();
  }

  /** Memory → shared store → gettoken, with one refresh in flight per process. */
  async token(): Promise<string> {
    const now = this.now();
    if (this.cached && this.cached.expiresAt > now) return this.cached.token;
    this.inflight ??= this.refresh().finally(() => {
      this.inflight = undefined;
    });
    return this.inflight;
  }

  private async refresh(): Promise<string> {
    const now = this.now();
    const shared = await this.opts.store.get(this.key, now);
    if (shared) {
      this.cached = { token: shared, expiresAt: new Date(now.getTime() + 60_000) };
      return shared;
    }
    const q = new URLSearchParams({ corpid: this.opts.corpId, corpsecret: this.opts.secret });
    const body = await this.fetchJson(`${this.opts.base}/cgi-bin/gettoken?${q}`);
    const token = String(body.access_token ?? '');
    const ttl = Math.max(60, Number(body.expires_in ?? 7200) - EARLY_REFRESH_S);
    const expiresAt = new Date(now.getTime() + ttl * 1000);
    await this.opts.store.put(this.key, token, expiresAt);
    this.cached = { token, expiresAt };
    return token;
  }

  private async invalidate(token: string): Promise<void> {
    if (this.cached?.token === token) this.cached = undefined;
    await this.opts.store.invalidate(this.key, token);
  }

  private async fetchJson(url: string, body?: Json | FormData): Promise<Json> {
    let res: Response;
    const form = body instanceof FormData;
    try {
      res = await fetch(url, {
        method: body ? 'POST' : 'GET',
        // A multipart body sets its own content type (with the boundary).
        headers: body && !form ? { 'content-type': 'application/json' } : undefined,
        body: form ? body : body ? JSON.stringify(body) : undefined,
        signal: AbortSignal.timeout(this.opts.timeoutMs ?? 10_000),
      });
    } catch (err) {
      throw new WecomApiError(-2, `transport: ${(err as Error).name}`, 'transient');
    }
    if (!res.ok) throw new WecomApiError(-res.status, `http ${res.status}`, 'transient');
    let json: Json;
    try {
      json = (await res.json()) as Json;
    } catch {
      throw new WecomApiError(-3, 'not json', 'transient');
    }
    const errcode = Number(json.errcode ?? 0);
    if (errcode !== 0)
      throw new WecomApiError(errcode, String(json.errmsg ?? ''), classify(errcode));
    return json;
  }

  /** POST with the access token; a token error invalidates, refetches and retries once. */
  async call(path: string, body: Json | (() => FormData), query = ''): Promise<Json> {
    return this.withToken((token) =>
      this.fetchJson(
        `${this.opts.base}${path}?access_token=${encodeURIComponent(token)}${query}`,
        typeof body === 'function' ? body() : body,
      ),
    );
  }

  /** GET with the access token (the contacts API's reads); same token handling as `call`. */
  async get(path: string, query: Record<string, string> = {}): Promise<Json> {
    return this.withToken((token) => {
      const qs = new URLSearchParams({ ...query, access_token: token });
      return this.fetchJson(`${this.opts.base}${path}?${qs}`);
    });
  }

  /** Runs `send` with the access token; a token error invalidates, refetches and retries once. */
  private async withToken(send: (token: string) => Promise<Json>): Promise<Json> {
    for (let attempt = 0; ; attempt++) {
      const token = await this.token();
      try {
        return await send(token);
      } catch (err) {
        if (err instanceof WecomApiError && err.kind === 'token' && attempt === 0) {
          await this.invalidate(token);
          continue;
        }
        throw err;
      }
    }
  }

  /**
   * Every member userid the app can reach. First the app's visible range — `department/list`,
   * then `user/simplelist` per department: who `message/send` delivers to. When the corp
   * refuses those reads (newer apps and IPs are limited to the ID-list APIs), `user/list_id`
   * (cursor-paged, up to 10,000 rows a page) instead.
   */
  async contactUserIds(): Promise<{ userids: string[]; via: 'department' | 'list_id' }> {
    let depts: Json;
    try {
      depts = await this.get('/cgi-bin/department/list');
    } catch (err) {
      // 48002 api forbidden / 60011 no privilege: this app may only use the ID-list APIs.
      const refused = err instanceof WecomApiError && [48002, 60011].includes(err.errcode);
      if (!refused && (!(err instanceof WecomApiError) || err.retryable)) throw err;
      return { userids: await this.listIdPages(), via: 'list_id' };
    }
    const userids = new Set<string>();
    for (const { id } of (depts.department ?? []) as { id: number }[]) {
      const page = await this.get('/cgi-bin/user/simplelist', { department_id: String(id) });
      for (const u of (page.userlist ?? []) as { userid: string }[]) userids.add(u.userid);
    }
    return { userids: [...userids], via: 'department' };
  }

  /**
   * OAuth2 web login: the `code` WeCom appended to our redirect → the member's userid
   * (`auth/getuserinfo`). Undefined for a non-member (WeCom answers with an openid only);
   * an invalid or used code throws WecomApiError (40029).
   */
  async userIdFromCode(code: string): Promise<string | undefined> {
    const json = await this.get('/cgi-bin/auth/getuserinfo', { code });
    const userid = json.userid ?? json.UserId;
    return typeof userid === 'string' && userid ? userid : undefined;
  }

  private async listIdPages(): Promise<string[]> {
    const userids = new Set<string>();
    let cursor = '';
    for (let page = 0; page < 1000; page++) {
      const json = await this.call('/cgi-bin/user/list_id', {
        limit: 10000,
        ...(cursor ? { cursor } : {}),
      });
      for (const u of (json.dept_user ?? []) as { userid?: string; open_userid?: string }[]) {
        const id = u.userid ?? u.open_userid;
        if (id) userids.add(id);
      }
      cursor = String(json.next_cursor ?? '');
      if (!cursor) break;
    }
    return [...userids];
  }

  /**
   * A message/send request. It carries WeCom's duplicate check: the same JSON sent again within
   * the window is not delivered again, so a retry after a lost answer cannot double a push.
   */
  message(touser: string, message: Json): ApiRequest {
    const interval = Math.min(this.opts.duplicateCheckSeconds ?? MAX_DUPLICATE_CHECK_S, 14400);
    return {
      path: '/cgi-bin/message/send',
      body: {
        touser,
        agentid: Number(this.opts.agentId),
        ...message,
        enable_duplicate_check: 1,
        duplicate_check_interval: interval,
      },
    };
  }

  /**
   * Uploads a file as temporary media (`media/upload?type=file`, multipart field `media`);
   * WeCom keeps it 3 days. Returns the media_id a `file` message names.
   */
  async uploadFile(filename: string, data: Buffer): Promise<string> {
    const form = () => {
      const f = new FormData();
      f.append('media', new Blob([new Uint8Array(data)]), filename);
      return f;
    };
    const json = await this.call('/cgi-bin/media/upload', form, '&type=file');
    const mediaId = json.media_id;
    if (typeof mediaId !== 'string' || !mediaId)
      throw new WecomApiError(-3, 'upload answered no media_id', 'transient');
    return mediaId;
  }

  /** A `file` message naming uploaded media (same duplicate check as every message/send). */
  fileMessage(touser: string, mediaId: string): ApiRequest {
    return this.message(touser, { msgtype: 'file', file: { media_id: mediaId } });
  }

  /** `update` is `{ button: { replace_name } }` (grey out the buttons) or `{ template_card }`. */
  cardUpdate(userids: string[], responseCode: string, update: Json): ApiRequest {
    return {
      path: '/cgi-bin/message/update_template_card',
      body: {
        userids,
        agentid: Number(this.opts.agentId),
        response_code: responseCode,
        ...update,
      },
    };
  }

  /** Sends a request built by `message` or `cardUpdate`. */
  async deliver(req: ApiRequest): Promise<SendResult> {
    const json = await this.call(req.path, req.body);
    return {
      msgid: json.msgid as string | undefined,
      invalidUsers: invalidUsers(json),
      responseCode: json.response_code as string | undefined,
    };
  }

  sendText(touser: string, content: string): Promise<SendResult> {
    if (Buffer.byteLength(content) > TEXT_LIMIT_BYTES)
      throw new Error('text over 2048 bytes: split it first (splitText)');
    return this.deliver(this.message(touser, { msgtype: 'text', text: { content } }));
  }

  sendMarkdown(touser: string, content: string): Promise<SendResult> {
    return this.deliver(this.message(touser, { msgtype: 'markdown', markdown: { content } }));
  }

  sendTemplateCard(touser: string, card: Json): Promise<SendResult> {
    return this.deliver(this.message(touser, { msgtype: 'template_card', template_card: card }));
  }

  updateTemplateCard(userids: string[], responseCode: string, update: Json): Promise<SendResult> {
    return this.deliver(this.cardUpdate(userids, responseCode, update));
  }
}

/** Splits text into pieces of at most `maxBytes` UTF-8 bytes, preferring line breaks. */
export function splitText(text: string, maxBytes = TEXT_LIMIT_BYTES): string[] {
  if (Buffer.byteLength(text) <= maxBytes) return [text];
  const pieces: string[] = [];
  let current = '';
  const push = () => {
    if (current) pieces.push(current);
    current = '';
  };
  for (const line of text.split('\n')) {
    const candidate = current ? `${current}\n${line}` : line;
    if (Buffer.byteLength(candidate) <= maxBytes) {
      current = candidate;
      continue;
    }
    push();
    // A single line too long: cut by characters (never inside a code point).
    let chunk = '';
    for (const ch of line) {
      if (Buffer.byteLength(chunk + ch) > maxBytes) {
        pieces.push(chunk);
        chunk = '';
      }
      chunk += ch;
    }
    current = chunk;
  }
  push();
  return pieces;
}
