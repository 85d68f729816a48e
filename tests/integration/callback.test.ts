import request from 'supertest';
import { OFFICIAL, type TestBot, useBot } from '../support/harness';
import { sealDelivery, plaintextFor } from '../../src/wecom/sandbox/simulator';
import { WecomCipher } from '../../src/wecom/crypto';
import { buildXml } from '../../src/wecom/xml';
import { InboundDelivery } from '../../src/models/inbound';
import { Staff } from '../../src/models/roster';
import { POST_VECTOR } from '../fixtures/vectors';
import { buildStaff } from '../support/factories';

/** Set only while replaying WeCom's 2014 test vector; otherwise the real replay window. */
let frozenNow: number | undefined;
const t = useBot({ callbackNowSeconds: () => frozenNow ?? Date.now() / 1000, demo: false });
beforeAll(async () => {
  await Staff.create(buildStaff({ userid: 'teacher' }));
});
beforeEach(async () => {
  await InboundDelivery.deleteMany({});
});

const post = (query: Record<string, string>, body: string) =>
  request(t.bot.app.callback())
    .post('/wecom/callback')
    .query(query)
    .set('content-type', 'text/xml')
    .send(body);

describe('GET /wecom/callback (URL verification)', () => {
  it('answers the bare decrypted echostr for the official vector', async () => {
    frozenNow = 1409659589 + 10;
    const res = await request(t.bot.app.callback()).get('/wecom/callback').query({
      msg_signature: '5c45ff5e21c57e6ad56bac8758b79b1d9ac89fd3',
      timestamp: '1409659589',
      nonce: '263014780',
      echostr:
        'P9nAzCzyDtyTWESHep1vC5X9xho/qYX3Zpb4yKa9SKld1DsH3Iyt3tP3zNdtp+4RPcs8TgAE7OaBO+FZXvnaqQ==',
    });
    frozenNow = undefined;
    expect(res.status).toBe(200);
    expect(res.text).toBe('1616140317555161061');
  });
  it('refuses a bad signature', async () => {
    const res = await request(t.bot.app.callback())
      .get('/wecom/callback')
      .query({
        msg_signature: 'f'.repeat(40),
        timestamp: String(Math.floor(Date.now() / 1000)),
        nonce: '1',
        echostr: 'abc',
      });
    expect(res.status).toBe(401);
    expect(res.text).toBe('bad request');
  });
  it('refuses the official vector outside the replay window (issue #10 item 9: GET checks the timestamp)', async () => {
    const res = await request(t.bot.app.callback()).get('/wecom/callback').query({
      msg_signature: '5c45ff5e21c57e6ad56bac8758b79b1d9ac89fd3',
      timestamp: '1409659589',
      nonce: '263014780',
      echostr:
        'P9nAzCzyDtyTWESHep1vC5X9xho/qYX3Zpb4yKa9SKld1DsH3Iyt3tP3zNdtp+4RPcs8TgAE7OaBO+FZXvnaqQ==',
    });
    expect(res.status).toBe(400);
    expect(res.text).toBe('bad request');
  });
});

describe('POST /wecom/callback', () => {
  it('accepts the official encrypted message and answers passively, encrypted', async () => {
    const body = buildXml({
      ToUserName: OFFICIAL.corpId,
      AgentID: '218',
      Encrypt: POST_VECTOR.encrypt,
    });
    frozenNow = Number(POST_VECTOR.ts) + 10;
    const res = await post(
      { msg_signature: POST_VECTOR.sig, timestamp: POST_VECTOR.ts, nonce: POST_VECTOR.nonce },
      body,
    );
    frozenNow = undefined;
    expect(res.status).toBe(200);
    expect(res.text).toContain('<Encrypt>');
    expect(await InboundDelivery.countDocuments({ key: 'msg:4561255354251345929' })).toBe(1);
  });

  it('帮助 is answered through the whole path', async () => {
    const fresh = t.bot;
    {
      const { status, reply } = await fresh.say('帮助');
      expect(status).toBe(200);
      expect(reply).toMatch(/保学助手（控辍保学）能帮您/);
      expect(reply).toMatch(/帮助 (缺勤|查)/);
      const unknown = await fresh.say('今天天气怎么样');
      expect(unknown.reply).toMatch(/没看懂/);
      expect(unknown.reply).toMatch(/发送「帮助」/);
      const entered = await fresh.say({ as: 'teacher', event: 'enter_agent' });
      expect(entered.reply).toMatch(/您好/);
    }
  });
});

describe('bad input: a 4xx, no database write, still serving', () => {
  let fresh: TestBot;
  beforeAll(() => {
    fresh = t.bot;
  });

  const good = () =>
    sealDelivery(
      OFFICIAL,
      plaintextFor(OFFICIAL.corpId, OFFICIAL.agentId, { as: 'u1', text: '帮助' }),
    );

  const cases: [string, () => { query: Record<string, string>; body: string }, number][] = [
    [
      'forged signature',
      () => {
        const d = good();
        return { query: { ...d.query, msg_signature: 'f'.repeat(40) }, body: d.body };
      },
      401,
    ],
    [
      'stale timestamp (replay)',
      () => {
        const d = sealDelivery(
          OFFICIAL,
          plaintextFor(OFFICIAL.corpId, OFFICIAL.agentId, { as: 'u1', text: 'x' }),
          String(Math.floor(Date.now() / 1000) - 3600),
        );
        return d;
      },
      400,
    ],
    [
      'wrong receiver id',
      () =>
        sealDelivery(
          { ...OFFICIAL, corpId: 'wwOTHER' },
          plaintextFor('wwOTHER', '1', { as: 'u1', text: 'x' }),
        ),
      403,
    ],
    [
      'malformed envelope XML',
      () => {
        const d = good();
        return { query: d.query, body: '<xml><Encrypt>' };
      },
      400,
    ],
    [
      'not XML at all',
      () => {
        const d = good();
        return { query: d.query, body: 'hello' };
      },
      400,
    ],
    [
      'encrypted garbage',
      () => {
        const ts = String(Math.floor(Date.now() / 1000));
        const enc = 'bm90IHJlYWxseSBlbmNyeXB0ZWQ=';
        return {
          query: {
            msg_signature: new WecomCipher(OFFICIAL).sign(ts, '1', enc),
            timestamp: ts,
            nonce: '1',
          },
          body: buildXml({ Encrypt: enc }),
        };
      },
      400,
    ],
    [
      'malformed inner XML',
      () => {
        const ts = String(Math.floor(Date.now() / 1000));
        const c = new WecomCipher(OFFICIAL);
        const enc = c.seal('<xml><MsgType>text');
        return {
          query: { msg_signature: c.sign(ts, '1', enc), timestamp: ts, nonce: '1' },
          body: buildXml({ Encrypt: enc }),
        };
      },
      400,
    ],
    [
      'oversized body',
      () => {
        const d = good();
        return { query: d.query, body: `<xml><Encrypt>${'A'.repeat(100_000)}</Encrypt></xml>` };
      },
      413,
    ],
  ];

  it.each(cases)('%s', async (_name, make, status) => {
    const { query, body } = make();
    const res = await request(fresh.app.callback())
      .post('/wecom/callback')
      .query(query)
      .set('content-type', 'text/xml')
      .send(body);
    expect(res.status).toBe(status);
    expect(res.text).toBe('bad request');
    expect(await InboundDelivery.countDocuments({})).toBe(0);
    // …and the process keeps serving.
    expect((await fresh.say('帮助')).reply).toMatch(/保学助手/);
  });

  it('an unknown message type is acknowledged and ignored', async () => {
    const d = sealDelivery(
      OFFICIAL,
      buildXml({
        ToUserName: OFFICIAL.corpId,
        FromUserName: 'u1',
        CreateTime: '1',
        MsgType: 'image',
        PicUrl: 'x',
        MsgId: '1',
      }),
    );
    const res = await request(fresh.app.callback())
      .post('/wecom/callback')
      .query(d.query)
      .send(d.body);
    expect(res.status).toBe(200);
    expect(res.text).toBe('');
    expect(await InboundDelivery.countDocuments({})).toBe(0);
  });

  it('a callback retried three times concurrently makes one record and one answer', async () => {
    const d = sealDelivery(
      OFFICIAL,
      plaintextFor(OFFICIAL.corpId, OFFICIAL.agentId, {
        as: 'u1',
        text: '帮助',
        msgId: '9007199254740993123',
      }),
    );
    const send = () =>
      request(fresh.app.callback()).post('/wecom/callback').query(d.query).send(d.body);
    const results = await Promise.all([send(), send(), send(), send()]);
    expect(results.every((r) => r.status === 200)).toBe(true);
    expect(results.filter((r) => r.text.includes('<Encrypt>'))).toHaveLength(1);
    const rows = await InboundDelivery.find({}).lean<{ key: string }[]>();
    expect(rows.map((r) => r.key)).toEqual(['msg:9007199254740993123']);
  });

  it('an event retried is one record too (keyed by the plaintext hash)', async () => {
    const plain = plaintextFor(
      OFFICIAL.corpId,
      OFFICIAL.agentId,
      { as: 'u1', event: 'click', key: 'help' },
      1700000000,
    );
    const d = sealDelivery(OFFICIAL, plain);
    await Promise.all(
      [1, 2, 3].map(() =>
        request(fresh.app.callback()).post('/wecom/callback').query(d.query).send(d.body),
      ),
    );
    expect(await InboundDelivery.countDocuments({})).toBe(1);
  });
});
