import request from 'supertest';
import { startBot, testUri, OFFICIAL, useBot } from '../support/harness';
import { WecomCipher } from '../../src/wecom/crypto';
import * as xml from '../../src/wecom/xml';
import { InboundDelivery } from '../../src/models/inbound';
import { logger } from '../../src/lib/logger';
import { pinyinOf, pinyinCacheSize, PINYIN_CACHE_MAX } from '../../src/domain/resolve';

/**
 * Issue #10 items 5, 6 (nothing unauthenticated reaches the XML parser; no input makes a 500)
 * and the smaller item 9 / 7 fixes around the HTTP edge.
 */
const uri = testUri();
const cipher = new WecomCipher(OFFICIAL);
const nowS = () => String(Math.floor(Date.now() / 1000));

const t = useBot({ mongoUri: uri, metricsToken: 'm-token-123', demo: false });
beforeEach(async () => {
  await InboundDelivery.deleteMany({});
  jest.restoreAllMocks();
});

const post = (query: Record<string, string>, body: string, headers: Record<string, string> = {}) =>
  request(t.bot.app.callback())
    .post('/wecom/callback')
    .query(query)
    .set({ 'content-type': 'text/xml', ...headers })
    .send(body);

/** A correctly signed and encrypted delivery whose decrypted inner XML is `inner`. */
function signedInner(inner: string) {
  const ts = nowS();
  const enc = cipher.seal(inner);
  return {
    query: { msg_signature: cipher.sign(ts, '7', enc), timestamp: ts, nonce: '7' },
    body: `<xml><ToUserName><![CDATA[${OFFICIAL.corpId}]]></ToUserName><Encrypt><![CDATA[${enc}]]></Encrypt></xml>`,
  };
}

const deep = (n: number) => `<xml>${'<a>'.repeat(n)}x${'</a>'.repeat(n)}</xml>`;
const nasty: [string, string][] = [
  ['nesting 120 deep', deep(120)],
  ['nesting 8 deep', deep(8)],
  ['a __proto__ tag', '<xml><__proto__><polluted>1</polluted></__proto__></xml>'],
  ['a constructor tag', '<xml><constructor>x</constructor><MsgType>text</MsgType></xml>'],
  ['a prototype tag', '<xml><prototype>x</prototype></xml>'],
  [
    'an external entity',
    '<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><xml><a>&e;</a></xml>',
  ],
  ['a parameter entity', '<!DOCTYPE x [<!ENTITY % p "x"> %p;]><xml><a>1</a></xml>'],
  ['an internal entity', '<!DOCTYPE x [<!ENTITY a "AAAA">]><xml><Content>&a;</Content></xml>'],
  ['a comment', '<xml><!-- hi --><MsgType>text</MsgType></xml>'],
  ['a processing instruction', '<xml><?php x ?><MsgType>text</MsgType></xml>'],
];

describe('nothing unauthenticated reaches the XML parser (issue #10 items 5, 6)', () => {
  it.each(nasty)(
    'an unsigned envelope with %s: a bare 4xx, the parser never called',
    async (_n, x) => {
      const parse = jest.spyOn(xml, 'parseXml');
      const warn = jest.spyOn(logger, 'warn');
      const error = jest.spyOn(logger, 'error');
      const res = await post({ msg_signature: 'a'.repeat(40), timestamp: nowS(), nonce: '1' }, x);
      expect(res.status).toBeGreaterThanOrEqual(400);
      expect(res.status).toBeLessThan(500);
      expect(res.text).toBe('bad request');
      expect(parse).not.toHaveBeenCalled();
      expect(warn).toHaveBeenCalledTimes(1);
      expect(JSON.stringify(warn.mock.calls[0])).not.toMatch(/stack/);
      expect(error).not.toHaveBeenCalled();
      expect(await InboundDelivery.countDocuments({})).toBe(0);
    },
  );

  it('a stale 60 KB body is refused on its timestamp before any signature or parse work', async () => {
    const parse = jest.spyOn(xml, 'parseXml');
    const verify = jest.spyOn(WecomCipher.prototype, 'verify');
    const body = `<xml><Encrypt>${'QUJD'.repeat(15_000)}</Encrypt></xml>`;
    const res = await post({ msg_signature: 'a'.repeat(40), timestamp: '1', nonce: '1' }, body);
    expect(res.status).toBe(400);
    expect(parse).not.toHaveBeenCalled();
    expect(verify).not.toHaveBeenCalled();
  });

  it('malformed query parameters are refused before the body is looked at', async () => {
    const parse = jest.spyOn(xml, 'parseXml');
    for (const q of [
      { msg_signature: 'x', timestamp: nowS(), nonce: '1' },
      { msg_signature: 'a'.repeat(40), timestamp: 'soon', nonce: '1' },
      { msg_signature: 'a'.repeat(40), timestamp: nowS(), nonce: 'n'.repeat(65) },
      { msg_signature: 'a'.repeat(40), timestamp: nowS() },
    ]) {
      const res = await post(q as Record<string, string>, '<xml><Encrypt>QUJD</Encrypt></xml>');
      expect([res.status, res.text]).toEqual([400, 'bad request']);
    }
    expect(parse).not.toHaveBeenCalled();
  });
});

describe('signed odd inner messages never make a 500 (issue #10 item 5)', () => {
  it.each(nasty)('signed inner XML with %s: a bare 400, no write, still serving', async (_n, x) => {
    const error = jest.spyOn(logger, 'error');
    const { query, body } = signedInner(x);
    const res = await post(query, body);
    expect([res.status, res.text]).toEqual([400, 'bad request']);
    expect(error).not.toHaveBeenCalled();
    expect(await InboundDelivery.countDocuments({})).toBe(0);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect((await t.bot.say('帮助')).reply).toMatch(/保学助手/);
  });
});

describe('the HTTP edge (issue #10 items 7, 9)', () => {
  it('/metrics needs the bearer token', async () => {
    const app = t.bot.app.callback();
    expect((await request(app).get('/metrics')).status).toBe(401);
    const wrong = await request(app).get('/metrics').set('authorization', 'Bearer nope');
    expect(wrong.status).toBe(401);
    const ok = await request(app).get('/metrics').set('authorization', 'Bearer m-token-123');
    expect(ok.status).toBe(200);
    expect(ok.text).toMatch(/baoxue_callbacks_total/);
  });

  it('/metrics does not exist when no METRICS_TOKEN is set', async () => {
    const plain = await startBot({ mongoUri: uri, metricsToken: undefined });
    try {
      expect((await request(plain.app.callback()).get('/metrics')).status).toBe(404);
    } finally {
      // startBot shares mongoose with `bot`: closing would disconnect it, so only stop the jobs.
      await plain.services.scheduler.stop();
    }
  });

  it('X-Forwarded-For is ignored unless TRUST_PROXY; X-Request-Id is kept only when plain', async () => {
    const warn = jest.spyOn(logger, 'warn');
    const bad = { msg_signature: 'x', timestamp: nowS(), nonce: '1' };
    const res = await post(bad, '<xml/>', {
      'x-forwarded-for': '6.6.6.6',
      'x-request-id': 'abc-123_X.y',
    });
    expect(res.headers['x-request-id']).toBe('abc-123_X.y');
    expect(JSON.stringify(warn.mock.calls[0][0])).not.toContain('6.6.6.6');
    for (const id of ['a'.repeat(65), 'has space', 'semi;colon', '<script>', '../../etc']) {
      const r = await post(bad, '<xml/>', { 'x-request-id': id });
      expect(r.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    }
  });

  it('behind a trusted proxy (TRUST_PROXY=1) the client IP comes from X-Forwarded-For', async () => {
    const proxied = await startBot({ mongoUri: uri, trustProxy: true });
    try {
      const warn = jest.spyOn(logger, 'warn');
      await request(proxied.app.callback())
        .post('/wecom/callback')
        .query({ msg_signature: 'x' })
        .set('x-forwarded-for', '6.6.6.6')
        .send('<xml/>');
      expect(JSON.stringify(warn.mock.calls[0][0])).toContain('6.6.6.6');
    } finally {
      await proxied.services.scheduler.stop();
    }
  });

  it('the pinyin cache is bounded (issue #10 item 7)', () => {
    const chars = '张王李赵刘陈杨黄周吴徐孙胡朱高林何郭马罗';
    for (let i = 0; i < PINYIN_CACHE_MAX + 1000; i++) {
      const name = [...String(i).padStart(5, '0')].map((d) => chars[Number(d)]).join('');
      pinyinOf(name);
    }
    expect(pinyinCacheSize()).toBe(PINYIN_CACHE_MAX);
    expect(pinyinOf('张三')).toBe('zhang san');
  });
});
