import nock from 'nock';
import mongoose from 'mongoose';
import { connectDb } from '../../src/db/connect';
import { ManualClock } from '../../src/lib/clock';
import { WecomClient } from '../../src/wecom/client';
import { mongoTokenStore } from '../../src/wecom/token-store';
import { Outbox } from '../../src/outbox/outbox';
import { OutboxMessage } from '../../src/outbox/model';
import { PiiCipher } from '../../src/lib/pii';
import {
  API,
  OFFICIAL,
  setupNock,
  startBot,
  TEST_DATA_KEY,
  testSettings,
  testUri,
} from '../support/harness';

const settings = testSettings();
let clock: ManualClock;
let outbox: Outbox;

beforeAll(async () => {
  setupNock();
  await connectDb(testUri());
});
afterAll(async () => {
  await mongoose.disconnect();
});
beforeEach(async () => {
  nock.cleanAll();
  await OutboxMessage.deleteMany({});
  for (const c of ['wecom_tokens', 'outbox_slots', 'outbox_hours', 'outbox_alerts'])
    await mongoose.connection.collection(c).deleteMany({});
  clock = new ManualClock('2026-11-30T09:00:00+08:00');
  const client = new WecomClient({
    base: API,
    corpId: OFFICIAL.corpId,
    agentId: OFFICIAL.agentId,
    secret: OFFICIAL.secret,
    store: mongoTokenStore,
    timeoutMs: 300,
    now: () => clock.now(),
  });
  outbox = new Outbox(client, settings, clock, new PiiCipher(TEST_DATA_KEY));
});

function tokenOk(times = 1, token = 'tok') {
  return nock(API)
    .get('/cgi-bin/gettoken')
    .query(true)
    .times(times)
    .reply(200, { errcode: 0, access_token: token, expires_in: 7200 });
}

describe('outbox delivery', () => {
  it('delivers once, however often the same key is enqueued', async () => {
    tokenOk();
    const sends: any[] = [];
    nock(API)
      .post('/cgi-bin/message/send')
      .query(true)
      .times(5)
      .reply(200, (_u, b) => {
        sends.push(b);
        return { errcode: 0 };
      });
    await outbox.enqueue('u1', { kind: 'text', content: '你好' }, 'k1');
    await outbox.enqueue('u1', { kind: 'text', content: '你好' }, 'k1');
    await outbox.pump();
    await outbox.pump();
    expect(sends).toHaveLength(1);
    expect(sends[0]).toMatchObject({
      touser: 'u1',
      msgtype: 'text',
      text: { content: '你好' },
      agentid: 1000002,
    });
    expect(await OutboxMessage.findOne({ key: 'k1' }).lean()).toMatchObject({
      status: 'sent',
      attempts: 1,
    });
  });

  it('token expiry mid-send → invalidate, refetch, retry once, success', async () => {
    nock(API)
      .get('/cgi-bin/gettoken')
      .query(true)
      .reply(200, { errcode: 0, access_token: 'old', expires_in: 7200 });
    nock(API)
      .post('/cgi-bin/message/send')
      .query({ access_token: 'old' })
      .reply(200, { errcode: 42001, errmsg: 'access_token expired' });
    nock(API)
      .get('/cgi-bin/gettoken')
      .query(true)
      .reply(200, { errcode: 0, access_token: 'new', expires_in: 7200 });
    const ok = nock(API)
      .post('/cgi-bin/message/send')
      .query({ access_token: 'new' })
      .reply(200, { errcode: 0 });
    await outbox.enqueue('u1', { kind: 'text', content: 'x' }, 'k');
    await outbox.pump();
    expect(ok.isDone()).toBe(true);
    expect(await OutboxMessage.findOne({ key: 'k' }).lean()).toMatchObject({ status: 'sent' });
    expect((await mongoose.connection.collection('wecom_tokens').findOne({}))?.token).toBe('new');
  });

  it('shares the token through MongoDB: a second client does not call gettoken', async () => {
    const scope = tokenOk(1, 'shared');
    const a = new WecomClient({
      base: API,
      corpId: 'c',
      agentId: '1',
      secret: 's',
      store: mongoTokenStore,
    });
    const b = new WecomClient({
      base: API,
      corpId: 'c',
      agentId: '1',
      secret: 's',
      store: mongoTokenStore,
    });
    expect(await Promise.all([a.token(), a.token(), a.token()])).toEqual([
      'shared',
      'shared',
      'shared',
    ]);
    expect(await b.token()).toBe('shared');
    expect(scope.isDone()).toBe(true);
  });

  it('WeCom down (5xx, reset, timeout) then back → every queued push delivered exactly once', async () => {
    tokenOk();
    nock(API).post('/cgi-bin/message/send').query(true).times(3).reply(503);
    for (let i = 0; i < 3; i++)
      await outbox.enqueue(`u${i}`, { kind: 'text', content: `消息${i}` }, `k${i}`);
    await outbox.pump();
    expect(await OutboxMessage.countDocuments({ status: 'pending', attempts: 1 })).toBe(3);

    nock(API)
      .post('/cgi-bin/message/send')
      .query(true)
      .times(2)
      .replyWithError({ code: 'ECONNRESET' });
    nock(API).post('/cgi-bin/message/send').query(true).delay(1000).reply(200, { errcode: 0 });
    clock.advance(10_000);
    await outbox.pump();
    expect(await OutboxMessage.countDocuments({ status: 'pending', attempts: 2 })).toBe(3);
    // Backoff: not retried before it is due.
    const early = nock(API).post('/cgi-bin/message/send').query(true).reply(200, { errcode: 0 });
    await outbox.pump();
    expect(early.isDone()).toBe(false);
    nock.cleanAll();

    const delivered: string[] = [];
    tokenOk();
    nock(API)
      .post('/cgi-bin/message/send')
      .query(true)
      .times(10)
      .reply(200, (_u, b: any) => {
        delivered.push(b.touser);
        return { errcode: 0 };
      });
    clock.advance(60_000);
    await outbox.pump();
    await outbox.pump();
    expect(delivered.sort()).toEqual(['u0', 'u1', 'u2']);
    expect(await OutboxMessage.countDocuments({ status: 'sent' })).toBe(3);
  });

  it('a permanent error (40003 bad user) fails at once with its reason, no retry', async () => {
    tokenOk();
    nock(API)
      .post('/cgi-bin/message/send')
      .query(true)
      .reply(200, { errcode: 40003, errmsg: 'invalid userid' });
    await outbox.enqueue('ghost', { kind: 'text', content: 'x' }, 'k');
    await outbox.pump();
    expect(await OutboxMessage.findOne({ key: 'k' }).lean()).toMatchObject({
      status: 'failed',
      reason: 'unknown_user',
      attempts: 1,
    });
  });

  it('an errcode-0 answer naming the recipient in invaliduser fails it as an unknown user', async () => {
    tokenOk();
    nock(API)
      .post('/cgi-bin/message/send')
      .query(true)
      .reply(200, { errcode: 0, invaliduser: 'ghost' });
    await outbox.enqueue(
      'ghost',
      { kind: 'template_card', card: { card_type: 'text_notice' } },
      'k',
    );
    await outbox.pump();
    expect(await OutboxMessage.findOne({ key: 'k' }).lean()).toMatchObject({
      status: 'failed',
      reason: 'unknown_user',
    });
  });

  it('a card WeCom refuses outright is delivered as its text fallback', async () => {
    tokenOk();
    const sends: any[] = [];
    nock(API)
      .post('/cgi-bin/message/send')
      .query(true)
      .times(3)
      .reply(200, (_u, b: any) => {
        sends.push(b);
        return b.msgtype === 'template_card'
          ? { errcode: 40058, errmsg: 'template_card not allowed' }
          : { errcode: 0 };
      });
    await outbox.enqueue(
      'u1',
      {
        kind: 'template_card',
        card: { card_type: 'button_interaction' },
        fallbackText: '【提醒】请家访（回复「家访 张三 记录」）',
      },
      'card',
    );
    await outbox.pump();
    await outbox.pump();
    expect(sends.map((b) => b.msgtype)).toEqual(['template_card', 'text']);
    expect(sends[1].text.content).toMatch(/回复「家访 张三 记录」/);
    expect(await OutboxMessage.findOne({ key: 'card' }).lean()).toMatchObject({
      status: 'sent',
      kind: 'text',
      lastError: expect.stringMatching(/card refused, sent as text/),
    });
  });

  it('rate-limit answers (45009) back off for at least a minute', async () => {
    tokenOk();
    nock(API)
      .post('/cgi-bin/message/send')
      .query(true)
      .reply(200, { errcode: 45009, errmsg: 'api freq out of limit' });
    await outbox.enqueue('u1', { kind: 'text', content: 'x' }, 'k');
    await outbox.pump();
    const row = await OutboxMessage.findOne({ key: 'k' }).lean<any>();
    expect(row.status).toBe('pending');
    expect(row.nextAttemptAt.getTime() - clock.now().getTime()).toBeGreaterThanOrEqual(60_000);
  });

  it('throttles per recipient to 30 a minute; the rest wait, none are lost', async () => {
    tokenOk();
    const sends: string[] = [];
    nock(API)
      .post('/cgi-bin/message/send')
      .query(true)
      .times(100)
      .reply(200, (_u, b: any) => {
        sends.push(b.touser);
        return { errcode: 0 };
      });
    for (let i = 0; i < 35; i++)
      await outbox.enqueue('busy', { kind: 'template_card', card: { n: i } }, `c${i}`);
    await outbox.enqueue('other', { kind: 'text', content: 'hi' }, 'o');
    await outbox.pump();
    expect(sends.filter((s) => s === 'busy')).toHaveLength(30);
    expect(sends.filter((s) => s === 'other')).toHaveLength(1);
    await outbox.pump();
    expect(sends.filter((s) => s === 'busy')).toHaveLength(30);
    clock.advance(61_000);
    await outbox.pump();
    expect(sends.filter((s) => s === 'busy')).toHaveLength(35);
  });

  it('merges queued texts for one recipient into one message', async () => {
    tokenOk();
    const sends: any[] = [];
    nock(API)
      .post('/cgi-bin/message/send')
      .query(true)
      .times(10)
      .reply(200, (_u, b: any) => {
        sends.push(b);
        return { errcode: 0 };
      });
    for (let i = 1; i <= 5; i++)
      await outbox.enqueue('t1', { kind: 'text', content: `提醒${i}` }, `m${i}`);
    await outbox.pump();
    expect(sends).toHaveLength(1);
    for (let i = 1; i <= 5; i++) expect(sends[0].text.content).toContain(`提醒${i}`);
    expect(await OutboxMessage.countDocuments({ status: 'sent' })).toBe(5);
    expect(await OutboxMessage.countDocuments({ mergedInto: 'm1' })).toBe(4);
  });

  it('splits a long text into ordered pieces, never truncating', async () => {
    tokenOk();
    const sends: string[] = [];
    nock(API)
      .post('/cgi-bin/message/send')
      .query(true)
      .times(10)
      .reply(200, (_u, b: any) => {
        sends.push(b.text.content);
        return { errcode: 0 };
      });
    const long = Array.from({ length: 200 }, (_, i) => `第${i + 1}条：某某学生缺勤记录`).join('\n');
    await outbox.enqueue('t1', { kind: 'text', content: long }, 'long');
    await outbox.pump();
    expect(sends.length).toBeGreaterThan(1);
    expect(sends.join('\n')).toBe(long);
  });
});

describe('the outbox pump as a real Agenda job', () => {
  it('delivers a queued push without anyone calling pump()', async () => {
    await mongoose.disconnect();
    const received: string[] = [];
    nock(API)
      .persist()
      .get('/cgi-bin/gettoken')
      .query(true)
      .reply(200, { errcode: 0, access_token: 't', expires_in: 7200 });
    nock(API)
      .persist()
      .post('/cgi-bin/message/send')
      .query(true)
      .reply(200, (_u, b: any) => {
        received.push(b.text.content);
        return { errcode: 0 };
      });
    const bot = await startBot({
      clock: undefined as never,
      settings: testSettings((s) => {
        s.outbox.pumpEverySeconds = 0.2;
      }),
      startScheduler: true,
      processEveryMs: 100,
      lockLifetimeMs: 1000,
    });
    try {
      await bot.services.outbox.enqueue(
        'u1',
        { kind: 'text', content: '由 Agenda 投递' },
        'agenda-1',
      );
      for (let i = 0; i < 50 && received.length === 0; i++)
        await new Promise((r) => setTimeout(r, 100));
      expect(received).toEqual(['由 Agenda 投递']);
    } finally {
      await bot.close();
      nock.cleanAll();
      await connectDb(testUri());
    }
  });
});
