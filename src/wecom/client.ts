import type { TokenStore } from './token-store';

/** A WeCom API answer with errcode != 0, or a transport failure. `retryable` drives the outbox. */
export class WecomApiError extends Error {
  constructor(
    readonly errcode: number,
    message: string,
    readonly retryable: boolean,
    readonly rateLimited = false,
  ) {
    super(`wecom ${errcode}: ${message}`);
  }
}

export interface SendResult {
  msgid?: string;
  /** Recipients WeCom reported as unknown (errcode 0, partial failure). */
  invalidUsers: string[];
  responseCode?: string;
}

export interface ClientOptions {
  base: string;
  corpId: string;
  agentId: string;
  secret: string;
  store: TokenStore;
  now?: () => Date;
  timeoutMs?: number;
}

const TOKEN_ERRORS = new Set([40014, 42001, 41001]);
const RATE_ERRORS = new Set([45009, 45033]);
/** Refresh this long before WeCom says the token expires. */
const EARLY_REFRESH_S = 300;
export const TEXT_LIMIT_BYTES = 2048;

type Json = Record<string, unknown>;

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
    const url = `${this.opts.base}/cgi-bin/gettoken?corpid=${encodeURIComponent(this.opts.corpId)}&corpsecret=${encodeURIComponent(this.opts.secret)}`;
    const body = await this.fetchJson(url);
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

  private async fetchJson(url: string, body?: Json): Promise<Json> {
    let res: Response;
    try {
      res = await fetch(url, {
        method: body ? 'POST' : 'GET',
        headers: body ? { 'content-type': 'application/json' } : undefined,
        body: body ? JSON.stringify(body) : undefined,
        signal: AbortSignal.timeout(this.opts.timeoutMs ?? 10_000),
      });
    } catch (err) {
      throw new WecomApiError(-2, `transport: ${(err as Error).name}`, true);
    }
    if (!res.ok) throw new WecomApiError(-res.status, `http ${res.status}`, true);
    let json: Json;
    try {
      json = (await res.json()) as Json;
    } catch {
      throw new WecomApiError(-3, 'not json', true);
    }
    const errcode = Number(json.errcode ?? 0);
    if (errcode !== 0) {
      const msg = String(json.errmsg ?? '');
      if (RATE_ERRORS.has(errcode)) throw new WecomApiError(errcode, msg, true, true);
      // -1 is "system busy"; token errors are handled by the caller.
      throw new WecomApiError(errcode, msg, errcode === -1 || TOKEN_ERRORS.has(errcode));
    }
    return json;
  }

  /** POST with the access token; a token error invalidates, refetches and retries once. */
  async call(path: string, body: Json): Promise<Json> {
    for (let attempt = 0; ; attempt++) {
      const token = await this.token();
      try {
        return await this.fetchJson(
          `${this.opts.base}${path}?access_token=${encodeURIComponent(token)}`,
          body,
        );
      } catch (err) {
        if (err instanceof WecomApiError && TOKEN_ERRORS.has(err.errcode) && attempt === 0) {
          await this.invalidate(token);
          continue;
        }
        throw err;
      }
    }
  }

  /** GET with the access token (the contacts API's reads); same token handling as `call`. */
  async get(path: string, query: Record<string, string> = {}): Promise<Json> {
    for (let attempt = 0; ; attempt++) {
      const token = await this.token();
      const qs = new URLSearchParams({ ...query, access_token: token });
      try {
        return await this.fetchJson(`${this.opts.base}${path}?${qs}`);
      } catch (err) {
        if (err instanceof WecomApiError && TOKEN_ERRORS.has(err.errcode) && attempt === 0) {
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
      if (!(err instanceof WecomApiError) || err.retryable) throw err;
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

  private async send(touser: string, payload: Json): Promise<SendResult> {
    const json = await this.call('/cgi-bin/message/send', {
      touser,
      agentid: Number(this.opts.agentId),
      ...payload,
    });
    const invalid = String(json.invaliduser ?? '')
      .split('|')
      .filter(Boolean);
    return {
      msgid: json.msgid as string | undefined,
      invalidUsers: invalid,
      responseCode: json.response_code as string | undefined,
    };
  }

  sendText(touser: string, content: string): Promise<SendResult> {
    if (Buffer.byteLength(content) > TEXT_LIMIT_BYTES)
      throw new Error('text over 2048 bytes: split it first (splitText)');
    return this.send(touser, { msgtype: 'text', text: { content } });
  }

  sendMarkdown(touser: string, content: string): Promise<SendResult> {
    return this.send(touser, { msgtype: 'markdown', markdown: { content } });
  }

  sendTemplateCard(touser: string, card: Json): Promise<SendResult> {
    return this.send(touser, { msgtype: 'template_card', template_card: card });
  }

  /** `update` is `{ button: { replace_name } }` (grey out the buttons) or `{ template_card }`. */
  async updateTemplateCard(
    userids: string[],
    responseCode: string,
    update: Json,
  ): Promise<SendResult> {
    const json = await this.call('/cgi-bin/message/update_template_card', {
      userids,
      agentid: Number(this.opts.agentId),
      response_code: responseCode,
      ...update,
    });
    const invalid = String(json.invaliduser ?? '')
      .split('|')
      .filter(Boolean);
    return { invalidUsers: invalid };
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
