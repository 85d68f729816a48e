import nock from 'nock';
import mongoose from 'mongoose';
import { connectDb } from '../../src/db/connect';
import { ManualClock } from '../../src/lib/clock';
import { PiiCipher } from '../../src/lib/pii';
import { WecomClient, type ApiRequest, type SendResult } from '../../src/wecom/client';
import { mongoTokenStore } from '../../src/wecom/token-store';
import { Outbox } from '../../src/outbox/outbox';
import { OutboxMessage } from '../../src/outbox/model';
import { outboxOldestPending } from '../../src/lib/metrics';
import type { Settings } from '../../src/config/settings';
import { API, OFFICIAL, setupNock, TEST_DATA_KEY, testSettings, testUri } from '../support/harness';
import { DedupeWecom, nockDedupe } from '../support/dedupe-wecom';

/** Issue #10 items 3, 4 and 9: what the outbox guarantees, each against today's failure. */
let clock: ManualClock;
let settings: Settings;
const cipher = new PiiCipher(TEST_DATA_KEY);

function client(timeoutMs = 300): WecomClient {
  return new WecomClient({
    base: API,
    corpId: OFFICIAL.corpId,
    agentId: OFFICIAL.agentId,
    secret: OFFICIAL.secret,
    store: mongoTokenStore,
    timeoutMs,
    now: () => clock.now(),
    duplicateCheckSeconds: settings.outbox.duplicateCheckSeconds,
  });
}
const outboxWith = (c: WecomClient) => new Outbox(c, settings, clock, cipher);

function tokenOk() {
  return nock(API)
    .persist()
    .get('/cgi-bin/gettoken')
    .query(true)
    .reply(200, { errcode: 0, access_token: 'tok', expires_in: 7200 });
}

beforeAll(async () => {
  setupNock();
  await connectDb(testUri());
});
afterAll(async () => {
  nock.cleanAll();
  await mongoose.disconnect();
});
beforeEach(async () => {
  nock.cleanAll();
  for (const c of ['outbox', 'wecom_tokens', 'outbox_slots', 'outbox_hours', 'outbox_alerts'])
    await mongoose.connection.collection(c).deleteMany({});
  clock = new ManualClock('2026-11-30T09:00:00+08:00');
  settings = testSettings();
});

describe('item 3: a send cannot double', () => {
  it('a send WeCom accepts but answers after the client timeout is retried and not delivered twice', async () => {
    const fake = new DedupeWecom(() => clock.now().getTime());
    tokenOk();
    // WeCom takes the first request (and delivers it) but answers after the client gave up.
    nock(API)
      .post('/cgi-bin/message/send')
      .query(true)
      .delay(1500)
      .reply(200, (_u, b) => fake.receive(b as Record<string, any>));
    nock(API)
      .persist()
      .post('/cgi-bin/message/send')
      .query(true)
      .reply(200, (_u, b) => fake.receive(b as Record<string, any>));
    const outbox = outboxWith(client());
    await outbox.enqueue('u1', { kind: 'text', content: '【逾期】班主任家访：张三' }, 'k1');
    await outbox.pump();
    expect(await OutboxMessage.findOne({ key: 'k1' }).lean()).toMatchObject({
      status: 'pending',
      attempts: 1,
    });
    clock.advance(10_000);
    await outbox.pump();
    expect(await OutboxMessage.findOne({ key: 'k1' }).lean()).toMatchObject({ status: 'sent' });
    expect(fake.requests).toHaveLength(2);
    expect(fake.requests[1]).toBe(fake.requests[0]);
    expect(JSON.parse(fake.requests[0])).toMatchObject({
      enable_duplicate_check: 1,
      duplicate_check_interval: 14400,
    });
    expect(fake.delivered).toHaveLength(1);
    expect(fake.suppressed).toBe(1);
  });

  it('a merged message that failed is retried as the identical JSON (the request is stored)', async () => {
    const bodies: string[] = [];
    tokenOk();
    nock(API)
      .post('/cgi-bin/message/send')
      .query(true)
      .reply((_u, b) => {
        bodies.push(JSON.stringify(b));
        return [503, 'busy'];
      });
    const fake = new DedupeWecom(() => clock.now().getTime());
    nock(API)
      .persist()
      .post('/cgi-bin/message/send')
      .query(true)
      .reply(200, (_u, b) => {
        bodies.push(JSON.stringify(b));
        return fake.receive(b as Record<string, any>);
      });
    const outbox = outboxWith(client());
    for (let i = 1; i <= 3; i++)
      await outbox.enqueue('u1', { kind: 'text', content: `提醒${i}` }, `m${i}`);
    await outbox.pump();
    clock.advance(60_000);
    await outbox.pump();
    expect(bodies).toHaveLength(2);
    expect(bodies[1]).toBe(bodies[0]);
    expect(fake.delivered).toHaveLength(1);
    for (let i = 1; i <= 3; i++) expect(fake.delivered[0].content).toContain(`提醒${i}`);
    expect(await OutboxMessage.countDocuments({ status: 'sent' })).toBe(3);
  });

  it('a row claimed `sending` by a crashed pump is retried after its lease with the identical JSON', async () => {
    const fake = new DedupeWecom(() => clock.now().getTime());
    /** The crashed instance: WeCom received its request, then the process died mid-send. */
    class DyingClient extends WecomClient {
      deliver(req: ApiRequest): Promise<SendResult> {
        fake.receive(JSON.parse(JSON.stringify(req.body)));
        return new Promise(() => {});
      }
    }
    const dying = outboxWith(
      new DyingClient({
        base: API,
        corpId: OFFICIAL.corpId,
        agentId: OFFICIAL.agentId,
        secret: OFFICIAL.secret,
        store: mongoTokenStore,
      }),
    );
    nockDedupe(API, fake);
    const survivor = outboxWith(client());
    await survivor.enqueue('u1', { kind: 'template_card', card: { task_id: 't1' } }, 'c1');
    void dying.pump();
    for (let i = 0; i < 100 && fake.requests.length === 0; i++)
      await new Promise((r) => setTimeout(r, 20));
    expect(fake.requests).toHaveLength(1);

    await survivor.pump();
    expect(fake.requests).toHaveLength(1); // still leased to the dead pump
    clock.advance(settings.outbox.sendLeaseSeconds * 1000 + 1000);
    await survivor.pump();
    expect(fake.requests).toHaveLength(2);
    expect(fake.requests[1]).toBe(fake.requests[0]);
    expect(fake.delivered).toHaveLength(1);
    expect(await OutboxMessage.findOne({ key: 'c1' }).lean()).toMatchObject({ status: 'sent' });
  });
});

describe('item 3: a push is never given up silently', () => {
  it('transient errors are retried for ever with backoff capped at 10 minutes, then delivered', async () => {
    tokenOk();
    nock(API).persist().post('/cgi-bin/message/send').query(true).reply(503);
    const outbox = outboxWith(client());
    await outbox.enqueue('u1', { kind: 'text', content: '截止提醒' }, 'k');
    for (let minute = 0; minute < 180; minute += 5) {
      await outbox.pump();
      clock.advance(5 * 60_000);
    }
    const row = await OutboxMessage.findOne({ key: 'k' }).lean();
    expect(row).toMatchObject({ status: 'pending' });
    expect(row!.attempts).toBeGreaterThan(8);
    expect(row!.nextAttemptAt.getTime() - clock.now().getTime()).toBeLessThanOrEqual(600_000);
    nock.cleanAll();
    const fake = new DedupeWecom(() => clock.now().getTime());
    nockDedupe(API, fake);
    clock.advance(600_000);
    await outbox.pump();
    expect(fake.delivered.map((d) => d.content)).toEqual(['截止提醒']);
  });

  it('after alertAfterMinutes an administrator is told once; the metric shows the lag', async () => {
    settings = testSettings((s) => {
      s.operations.admins = ['admin1'];
    });
    tokenOk();
    nock(API).persist().post('/cgi-bin/message/send').query(true).reply(502);
    const outbox = outboxWith(client());
    await outbox.enqueue('u1', { kind: 'text', content: '缺勤报告' }, 'k');
    for (let minute = 0; minute <= 45; minute += 3) {
      await outbox.pump();
      clock.advance(3 * 60_000);
    }
    expect((await outboxOldestPending.get()).values[0].value).toBeGreaterThanOrEqual(1800);
    const notices = await OutboxMessage.find({ recipient: 'admin1' }).lean();
    expect(notices).toHaveLength(1);
    expect(outbox.body(notices[0]).content).toMatch(/推送延迟.*系统会一直重试/);

    nock.cleanAll();
    const fake = new DedupeWecom(() => clock.now().getTime());
    nockDedupe(API, fake);
    clock.advance(600_000);
    await outbox.pump();
    expect(fake.to('u1').map((d) => d.content)).toEqual(['缺勤报告']);
    expect(fake.to('admin1')).toHaveLength(1);
    expect((await outboxOldestPending.get()).values[0].value).toBe(0);
  });

  it('permanent errors end `failed` with a reason and are listed in the daily notice, once', async () => {
    settings = testSettings((s) => {
      s.operations.admins = ['admin1'];
    });
    tokenOk();
    nock(API)
      .post('/cgi-bin/message/send')
      .query(true)
      .reply(200, { errcode: 60111, errmsg: 'userid not found' });
    const fake = new DedupeWecom(() => clock.now().getTime());
    const outbox = outboxWith(client());
    await outbox.enqueue('ghost', { kind: 'text', content: '请家访' }, 'k');
    await outbox.pump();
    expect(await OutboxMessage.findOne({ key: 'k' }).lean()).toMatchObject({
      status: 'failed',
      reason: 'unknown_user',
    });
    expect(await outbox.ops.reportFailures(clock.now())).toBe(1);
    expect(await outbox.ops.reportFailures(clock.now())).toBe(0);
    nockDedupe(API, fake);
    await outbox.pump();
    expect(fake.to('admin1')).toHaveLength(1);
    expect(fake.to('admin1')[0].content).toMatch(/找不到这些成员：ghost/);
  });
});

describe('item 4: personal data sealed in the outbox', () => {
  it('content and the stored request are sealed; sent rows are purged after retention.outboxDays', async () => {
    const fake = new DedupeWecom(() => clock.now().getTime());
    nockDedupe(API, fake);
    const outbox = outboxWith(client());
    const answer = '张三 监护人 李四 13812345678，住址 新厂街道幸福路12号';
    await outbox.enqueue('u1', { kind: 'text', content: answer }, 'lookup');
    await outbox.enqueue(
      'u2',
      {
        kind: 'template_card',
        card: { task_id: 't', desc: '13812345678' },
        fallbackText: '新厂街道',
      },
      'card',
    );
    await outbox.pump();
    expect(fake.to('u1')[0].content).toBe(answer);
    const raw = JSON.stringify(await mongoose.connection.collection('outbox').find({}).toArray());
    expect(raw).not.toContain('13812345678');
    expect(raw).not.toContain('新厂街道');

    clock.advance(29 * 86_400_000);
    expect(await outbox.ops.purge(clock.now())).toBe(0);
    clock.advance(2 * 86_400_000);
    expect(await outbox.ops.purge(clock.now())).toBe(2);
    expect(await OutboxMessage.countDocuments({})).toBe(0);
  });
});

describe('item 9: the throttle is shared across instances', () => {
  it('two instances together send at most 30 pushes a minute to one person; none lost', async () => {
    const fake = new DedupeWecom(() => clock.now().getTime());
    nockDedupe(API, fake);
    const a = outboxWith(client(2000));
    const b = outboxWith(client(2000));
    for (let i = 0; i < 40; i++)
      await a.enqueue('busy', { kind: 'template_card', card: { task_id: `t${i}` } }, `c${i}`);
    for (let i = 0; i < 4; i++) await Promise.all([a.pump(), b.pump()]);
    expect(fake.to('busy')).toHaveLength(30);
    clock.advance(30_000);
    await Promise.all([a.pump(), b.pump()]);
    expect(fake.to('busy')).toHaveLength(30);
    clock.advance(31_000);
    for (let i = 0; i < 2; i++) await Promise.all([a.pump(), b.pump()]);
    expect(fake.to('busy').map((d) => d.taskId)).toEqual(
      Array.from({ length: 40 }, (_, i) => `t${i}`),
    );
  });
});
