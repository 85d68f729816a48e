import nock from 'nock';
import { Staff } from '../../src/models/roster';
import request from 'supertest';
import {
  startBot,
  mockWecom,
  setupNock,
  testSettings,
  advance,
  OFFICIAL,
  API,
} from '../support/harness';
import { demo } from '../support/demo';
import { OutboxMessage } from '../../src/outbox/model';
import { WecomClient } from '../../src/wecom/client';
import type { TokenStore } from '../../src/wecom/token-store';
import { buildStaff } from '../support/factories';

beforeAll(() => {
  setupNock();
});
afterEach(() => {
  nock.cleanAll();
});

describe('answers, health, metrics, shutdown', () => {
  it('a command slower than the passive-reply budget is acknowledged empty and answered through the outbox', async () => {
    const wecom = mockWecom();
    const bot = await startBot({
      settings: testSettings((s) => {
        s.callback.passiveReplyBudgetMs = 100;
      }),
    });
    try {
      bot.dispatcher.register({
        name: '慢',
        aliases: [],
        summary: '测试',
        usage: '',
        run: async () => {
          await new Promise((r) => setTimeout(r, 300));
          return '慢慢的回答';
        },
      });
      await Staff.create(buildStaff({ userid: 'u1', name: '测试' }));
      const res = await bot.say('慢', 'u1');
      expect(res.status).toBe(200);
      expect(res.reply).toBeUndefined();
      for (let i = 0; i < 20 && !(await OutboxMessage.countDocuments({})); i++)
        await new Promise((r) => setTimeout(r, 50));
      await bot.services.outbox.pump();
      expect(wecom.to('u1').map((m) => m.content)).toEqual(['慢慢的回答']);
    } finally {
      await bot.close();
    }
  });

  it('/healthz pings the database; /metrics counts callbacks by outcome; shutdown refuses new callbacks', async () => {
    mockWecom();
    const bot = await startBot({ metricsToken: 'metrics-test-token' });
    const server = await bot.listen(0);
    const url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
    expect((await request(url).get('/healthz')).body).toEqual({
      ok: true,
      db: true,
      shuttingDown: false,
    });
    await bot.say('帮助', 'u1');
    await request(url)
      .post('/wecom/callback')
      .query({
        msg_signature: 'f'.repeat(40),
        timestamp: String(Math.floor(Date.now() / 1000)),
        nonce: '1',
      })
      .send('<xml><Encrypt>QUJDRA==</Encrypt></xml>');
    const metrics = (
      await request(url).get('/metrics').set('authorization', 'Bearer metrics-test-token')
    ).text;
    expect(metrics).toMatch(/baoxue_callbacks_total\{outcome="accepted"\} [1-9]/);
    expect(metrics).toMatch(/baoxue_callbacks_total\{outcome="rejected_signature"\} [1-9]/);
    expect(metrics).toMatch(/baoxue_outbox_depth/);
    const closing = bot.close();
    const during = await request(bot.app.callback()).post('/wecom/callback').send('<xml/>');
    expect(during.status).toBe(503);
    await closing;
  });

  it('production mode serves no sandbox routes (no clock control, no fake WeCom, no say)', async () => {
    mockWecom();
    const bot = await startBot();
    try {
      for (const path of ['/sandbox', '/sandbox/api/clock', '/sandbox/cgi-bin/gettoken']) {
        expect((await request(bot.app.callback()).get(path)).status).toBe(404);
      }
      expect(
        (await request(bot.app.callback()).post('/sandbox/say').send({ as: 'x', text: '帮助' }))
          .status,
      ).toBe(404);
      expect(
        (await request(bot.app.callback()).post('/sandbox/api/clock').send({ to: 'nextMorning' }))
          .status,
      ).toBe(404);
    } finally {
      await bot.close();
    }
  });

  it('the access token is refreshed early, before WeCom says it expires', async () => {
    let now = new Date('2026-11-30T00:00:00Z');
    const store: TokenStore = {
      get: async () => undefined,
      put: async () => {},
      invalidate: async () => {},
    };
    const client = new WecomClient({
      base: API,
      corpId: OFFICIAL.corpId,
      agentId: '1',
      secret: 's',
      store,
      now: () => now,
    });
    nock(API)
      .get('/cgi-bin/gettoken')
      .query(true)
      .reply(200, { errcode: 0, access_token: 'a', expires_in: 7200 });
    nock(API)
      .get('/cgi-bin/gettoken')
      .query(true)
      .reply(200, { errcode: 0, access_token: 'b', expires_in: 7200 });
    expect(await client.token()).toBe('a');
    now = new Date(now.getTime() + 6800 * 1000); // 400 s before expiry
    expect(await client.token()).toBe('a');
    now = new Date(now.getTime() + 200 * 1000); // inside the early-refresh margin
    expect(await client.token()).toBe('b');
  });

  it('with cards switched off, reminders and escalations arrive as text with the commands to type', async () => {
    const wecom = mockWecom();
    const bot = await startBot({
      settings: testSettings((s) => {
        s.notifications.cards = false;
      }),
    });
    try {
      const d = await demo(bot);
      await bot.say(`缺勤 ${d.plain.name}`, d.head.userid);
      await advance(bot, '2026-12-01T18:01:00+08:00');
      const escalation = wecom
        .to(d.gradeLeader.userid)
        .map((m) => m.content ?? '')
        .find((t) => t.includes('【逾期】班主任家访'));
      expect(escalation).toMatch(new RegExp(`回复：「家访 ${d.plain.name} 记录」`));
      expect(wecom.sent.some((m) => m.msgtype === 'template_card')).toBe(false);
    } finally {
      await bot.close();
    }
  });
});
