import http from 'node:http';
import type { AddressInfo } from 'node:net';
import nock from 'nock';

/**
 * A fake of WeCom's message/send that implements its duplicate check the way the API documents
 * it: with `enable_duplicate_check: 1`, the same request JSON within `duplicate_check_interval`
 * seconds is answered ok and NOT delivered again. Counts what a phone would have shown.
 */
export interface Delivery {
  touser: string;
  msgtype: string;
  content?: string;
  taskId?: string;
  body: Record<string, any>;
}

export class DedupeWecom {
  readonly delivered: Delivery[] = [];
  /** Requests answered ok without delivering (the duplicate check at work). */
  suppressed = 0;
  /** Every message/send request as received (JSON text). */
  readonly requests: string[] = [];
  readonly updates: Record<string, any>[] = [];
  private readonly seen = new Map<string, number>();
  /** Called with every message/send request as it arrives (before it is answered). */
  onRequest?: (count: number) => void;

  constructor(private readonly now: () => number = () => Date.now()) {}

  /** What WeCom does with a message/send body. */
  receive(body: Record<string, any>): { errcode: number; errmsg: string; msgid?: string } {
    const json = JSON.stringify(body);
    this.requests.push(json);
    this.onRequest?.(this.requests.length);
    const at = this.seen.get(json);
    const windowMs = Number(body.duplicate_check_interval ?? 1800) * 1000;
    if (body.enable_duplicate_check === 1 && at !== undefined && this.now() - at < windowMs) {
      this.suppressed++;
      return { errcode: 0, errmsg: 'ok' };
    }
    this.seen.set(json, this.now());
    this.delivered.push({
      touser: body.touser,
      msgtype: body.msgtype,
      content: body.text?.content ?? body.markdown?.content,
      taskId: body.template_card?.task_id,
      body,
    });
    return { errcode: 0, errmsg: 'ok', msgid: `m${this.delivered.length}` };
  }

  to(user: string): Delivery[] {
    return this.delivered.filter((d) => d.touser === user);
  }
}

/** Installs the fake on nock for `base` (gettoken always succeeds). */
export function nockDedupe(base: string, fake: DedupeWecom): nock.Scope {
  return nock(base)
    .persist()
    .get('/cgi-bin/gettoken')
    .query(true)
    .reply(200, { errcode: 0, access_token: 'tok', expires_in: 7200 })
    .post('/cgi-bin/message/send')
    .query(true)
    .reply(200, (_uri, body) => fake.receive(body as Record<string, any>))
    .post('/cgi-bin/message/update_template_card')
    .query(true)
    .reply(200, (_uri, body) => {
      fake.updates.push(body as Record<string, any>);
      return { errcode: 0, errmsg: 'ok' };
    });
}

/**
 * The same fake as a real HTTP server on 127.0.0.1 (for an app running in another process).
 * `latencyMs` delays every answer (the send is accepted at once, as WeCom would).
 */
export async function serveDedupe(
  fake: DedupeWecom,
  latencyMs = 0,
): Promise<{ url: string; close(): Promise<void> }> {
  const server = http.createServer((req, res) => {
    let raw = '';
    req.on('data', (c) => (raw += c));
    req.on('end', () => {
      const path = (req.url ?? '').split('?')[0];
      let answer: Record<string, unknown> = { errcode: 0, errmsg: 'ok' };
      if (path === '/cgi-bin/gettoken')
        answer = { errcode: 0, access_token: 'tok', expires_in: 7200 };
      else if (path === '/cgi-bin/message/send') answer = fake.receive(JSON.parse(raw));
      else if (path === '/cgi-bin/message/update_template_card') fake.updates.push(JSON.parse(raw));
      else answer = { errcode: 404, errmsg: 'not found' };
      setTimeout(() => {
        res.setHeader('content-type', 'application/json');
        res.end(JSON.stringify(answer));
      }, latencyMs);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}
