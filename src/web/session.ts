import { createHmac, hkdfSync, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * The dashboard's session: a signed cookie `bx_session` = base64url(JSON { u, n, exp }) + '.' +
 * HMAC-SHA256. No server-side store: the signature proves Baoxue issued it, `exp` bounds it.
 * The CSRF token is derived from the session's nonce (HMAC with the same key), so every form
 * carries a token an attacker's page cannot read; before sign-in a random double-submit
 * cookie `bx_csrf` plays that role.
 */
export interface Session {
  userid: string;
  nonce: string;
  expiresAt: number;
}

export const SESSION_COOKIE = 'bx_session';
export const PRELOGIN_COOKIE = 'bx_csrf';
export const OAUTH_STATE_COOKIE = 'bx_oauth';
export const SESSION_HOURS = 8;

/** SESSION_SECRET when set, else a key derived from BAOXUE_DATA_KEY (never the data key itself). */
export function sessionKey(secret: string | undefined, dataKey: string): Buffer {
  const ikm = secret ? Buffer.from(secret, 'utf8') : Buffer.from(dataKey, 'hex');
  return Buffer.from(hkdfSync('sha256', ikm, 'baoxue', 'dashboard-session', 32));
}

const b64 = (b: Buffer | string) => Buffer.from(b).toString('base64url');

export class Sessions {
  constructor(private readonly key: Buffer) {}

  private mac(text: string): string {
    return createHmac('sha256', this.key).update(text).digest('base64url');
  }

  issue(userid: string, now: Date): { cookie: string; session: Session } {
    const session = {
      userid,
      nonce: randomBytes(16).toString('hex'),
      expiresAt: now.getTime() + SESSION_HOURS * 3600_000,
    };
    const body = b64(JSON.stringify({ u: userid, n: session.nonce, exp: session.expiresAt }));
    return { cookie: `${body}.${this.mac(body)}`, session };
  }

  read(cookie: string | undefined, now: Date): Session | undefined {
    if (!cookie) return undefined;
    const [body, sig] = cookie.split('.');
    if (!body || !sig || !same(sig, this.mac(body))) return undefined;
    try {
      const v = JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) as {
        u?: unknown;
        n?: unknown;
        exp?: unknown;
      };
      if (typeof v.u !== 'string' || typeof v.n !== 'string' || typeof v.exp !== 'number')
        return undefined;
      if (v.exp <= now.getTime()) return undefined;
      return { userid: v.u, nonce: v.n, expiresAt: v.exp };
    } catch {
      return undefined;
    }
  }

  /** The per-session CSRF token every form carries. */
  csrf(session: Session): string {
    return this.mac(`csrf:${session.nonce}`);
  }
}

/** Constant-time comparison of two short strings. */
export function same(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

export function randomToken(): string {
  return randomBytes(16).toString('hex');
}
