import nock from 'nock';
import { Staff } from '../../src/models/roster';
import request from 'supertest';
import {
  startBot,
  mockWecom,
  setupNock,
  testUri,
  testSettings,
  OFFICIAL,
  type TestBot,
} from '../support/harness';
import { plaintextFor, sealDelivery, openReply } from '../../src/wecom/sandbox/simulator';
import { InboundDelivery } from '../../src/models/inbound';
import { OutboxMessage } from '../../src/outbox/model';
import { purgeInbound } from '../../src/chat/inbox';
import { ManualClock } from '../../src/lib/clock';
import type { Command } from '../../src/chat/command';
import { buildStaff } from '../support/factories';

/**
 * Issue #10 item 1: a delivery's claim records its outcome (received → done / failed), so a
 * command that failed or whose instance died is handled on WeCom's retry, exactly once.
 * Items 4 (inbound side) and 9 (distinct events in one second) are here too.
 */
const LEASE_S = 4;
let bot: TestBot;
let twin: TestBot;
let clock: ManualClock;
let behaviour: (call: number) => Promise<string>;
let calls: number;

function probe(): Command {
  return {
    name: '探针',
    aliases: [],
    summary: '测试',
    usage: '',
    run: async () => behaviour(++calls),
  };
}

beforeAll(async () => {
  setupNock();
  mockWecom();
  clock = new ManualClock('2026-11-30T08:00:00+08:00');
  const uri = testUri();
  const settings = testSettings((s) => {
    s.callback.passiveReplyBudgetMs = 200;
    s.callback.leaseSeconds = LEASE_S;
  });
  // Two instances on one database: WeCom's retry may reach either.
  bot = await startBot({ mongoUri: uri, clock, settings });
  twin = await startBot({ mongoUri: uri, clock, settings });
  for (const b of [bot, twin]) b.dispatcher.register(probe());
  await Staff.create([
    buildStaff({ userid: 'u1', name: '甲' }),
    buildStaff({ userid: 'u9', name: '乙' }),
  ]);
});
afterAll(async () => {
  await bot.close();
  await twin.close();
  nock.cleanAll();
});
beforeEach(async () => {
  await InboundDelivery.deleteMany({});
  calls = 0;
});

const deliver = (b: TestBot, d: { query: Record<string, string>; body: string }) =>
  request(b.app.callback()).post('/wecom/callback').query(d.query).send(d.body);
const replyOf = (text: string) => (text ? openReply(OFFICIAL, text) : undefined);
const sealed = (text: string, as = 'u1') =>
  sealDelivery(OFFICIAL, plaintextFor(OFFICIAL.corpId, OFFICIAL.agentId, { as, text }));

describe('delivery claims record their outcome (issue #10 item 1)', () => {
  it('a command that throws is recorded failed; WeCom’s retry handles it again', async () => {
    behaviour = async (n) => {
      if (n === 1) throw new Error('database hiccup');
      return '已记录。';
    };
    const d = sealed('探针 一');
    const first = await deliver(bot, d);
    expect(replyOf(first.text)).toMatch(/抱歉，系统出了点问题/);
    expect(await InboundDelivery.findOne({}).lean()).toMatchObject({
      status: 'failed',
      attempts: 1,
    });
    const retry = await deliver(twin, d);
    expect(replyOf(retry.text)).toBe('已记录。');
    expect(await InboundDelivery.findOne({}).lean()).toMatchObject({
      status: 'done',
      attempts: 2,
    });
    expect(calls).toBe(2);
  });

  it('a command that hangs (its instance died) is handled again after the lease, once, even when both instances see the retry', async () => {
    let release: () => void = () => {};
    behaviour = async (n) => {
      if (n === 1) await new Promise<void>((r) => (release = r));
      return `第${n}次`;
    };
    const d = sealed('探针 二');
    const first = await deliver(bot, d);
    expect(first.status).toBe(200);
    expect(first.text).toBe(''); // past the passive budget: acknowledged, still running
    expect((await InboundDelivery.findOne({}).lean())?.status).toBe('received');
    // A retry inside the lease is a duplicate: the first instance may still be working.
    expect((await deliver(twin, d)).text).toBe('');
    expect(calls).toBe(1);
    clock.advance((LEASE_S + 1) * 1000);
    const [a, b] = await Promise.all([deliver(bot, d), deliver(twin, d)]);
    const answers = [replyOf(a.text), replyOf(b.text)].filter(Boolean);
    expect(answers).toEqual(['第2次']);
    expect(calls).toBe(2);
    expect(await InboundDelivery.findOne({}).lean()).toMatchObject({
      status: 'done',
      attempts: 2,
    });
    release();
  });

  it('a retry of a finished delivery is acknowledged with an empty 200 and runs nothing', async () => {
    behaviour = async () => '好的。';
    const d = sealed('探针 三');
    expect(replyOf((await deliver(bot, d)).text)).toBe('好的。');
    const retry = await deliver(twin, d);
    expect(retry.status).toBe(200);
    expect(retry.text).toBe('');
    expect(calls).toBe(1);
  });
});

describe('inbound rows keep no message content (issue #10 item 4, inbound side)', () => {
  it('stores a hash and the length, never the text', async () => {
    behaviour = async () => '好的。';
    await deliver(bot, sealed('探针 家长电话13812341234'));
    const row = await InboundDelivery.collection.findOne({});
    expect(JSON.stringify(row)).not.toContain('13812341234');
    expect(row).toMatchObject({ contentLength: 18, status: 'done' });
    expect(row?.contentSha256).toMatch(/^[0-9a-f]{64}$/);
    expect(row).not.toHaveProperty('content');
  });

  it('purgeInbound(now) deletes rows older than retention.inboundDays', async () => {
    behaviour = async () => '好的。';
    await deliver(bot, sealed('探针 旧'));
    clock.advance(31 * 86_400_000);
    await deliver(bot, sealed('探针 新'));
    expect(await purgeInbound(clock.now(), bot.services.settings.retention.inboundDays)).toBe(1);
    expect(await InboundDelivery.countDocuments({})).toBe(1);
  });
});

describe('distinct events in one second are distinct deliveries (issue #10 item 9)', () => {
  it('two menu clicks and two card clicks from one user in the same second are all answered', async () => {
    const t = Math.floor(Date.now() / 1000);
    const events = [
      { as: 'u9', event: 'click', key: 'help' },
      { as: 'u9', event: 'click', key: 'me' },
      { as: 'u9', event: 'template_card_event', key: 'x:a', taskId: 't1', responseCode: 'r' },
      { as: 'u9', event: 'template_card_event', key: 'x:a', taskId: 't2', responseCode: 'r' },
    ] as const;
    const results = await Promise.all(
      events.map((e) =>
        deliver(bot, sealDelivery(OFFICIAL, plaintextFor(OFFICIAL.corpId, '1', e, t))),
      ),
    );
    expect(new Set((await InboundDelivery.find({}).lean()).map((r) => r.key)).size).toBe(4);
    // Each is answered once: passively, or through the outbox (card events, long or late ones).
    const passive = results.filter((r) => replyOf(r.text)).length;
    const late = () => OutboxMessage.countDocuments({ recipient: 'u9', key: /^reply:/ });
    for (let i = 0; i < 40 && passive + (await late()) < 4; i++)
      await new Promise((r) => setTimeout(r, 50));
    expect(passive + (await late())).toBe(4);
  });
});
