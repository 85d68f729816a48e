import nock from 'nock';
import mongoose from 'mongoose';
import { connectDb } from '../../src/db/connect';
import { ManualClock } from '../../src/lib/clock';
import { PiiCipher } from '../../src/lib/pii';
import { WecomClient } from '../../src/wecom/client';
import { mongoTokenStore } from '../../src/wecom/token-store';
import { Outbox, SEPARATOR } from '../../src/outbox/outbox';
import { OutboxMessage } from '../../src/outbox/model';
import { API, OFFICIAL, setupNock, TEST_DATA_KEY, testSettings, testUri } from '../support/harness';
import { DedupeWecom } from '../support/dedupe-wecom';
import { deliveredOnce, printSummary } from './summary';

/**
 * Issue #10 item 3: a WeCom outage longer than the old give-up point (8 attempts ≈ 10.6 min).
 * For 50 minutes the API accepts requests but answers after the client's timeout, answers 5xx,
 * answers -1, 45009 and 42001; pushes keep arriving. Then it recovers: every push is delivered
 * exactly once, in order per recipient, and the administrator was told once.
 */
const PEOPLE = ['t1', 't2', 't3', 't4'];
type Phase = '5xx' | 'late' | '-1' | '45009' | '42001' | 'up';

beforeAll(async () => {
  setupNock();
  await connectDb(testUri());
});
afterAll(async () => {
  nock.cleanAll();
  await mongoose.disconnect();
});

describe('reliability: a long WeCom outage', () => {
  jest.setTimeout(90_000);
  it('every queued push is delivered exactly once afterwards, in order; an admin notice after the threshold', async () => {
    const clock = new ManualClock('2026-11-30T09:00:00+08:00');
    const settings = testSettings((s) => {
      s.operations.admins = ['admin1'];
      s.outbox.backoffBaseSeconds = 5;
    });
    const fake = new DedupeWecom(() => clock.now().getTime());
    let phase: Phase = 'late';
    const tried: Record<string, number> = {};
    nock(API)
      .persist()
      .get('/cgi-bin/gettoken')
      .query(true)
      .reply(() => [
        200,
        { errcode: 0, access_token: `tok${clock.now().getTime()}`, expires_in: 7200 },
      ])
      .post('/cgi-bin/message/send')
      .query(true)
      .reply((_uri, body, cb) => {
        tried[phase] = (tried[phase] ?? 0) + 1;
        const b = body as Record<string, any>;
        if (phase === 'up') return cb(null, [200, fake.receive(b)]);
        if (phase === 'late') {
          // Accepted (and shown on the phone), but the answer comes after the client gave up.
          const answer = fake.receive(b);
          setTimeout(() => cb(null, [200, answer]), 400);
          return;
        }
        if (phase === '5xx') return cb(null, [503, 'Service Unavailable']);
        const errmsg = {
          '-1': 'system busy',
          '45009': 'api freq out of limit',
          '42001': 'expired',
        };
        cb(null, [200, { errcode: Number(phase), errmsg: errmsg[phase] }]);
      });
    const client = new WecomClient({
      base: API,
      corpId: OFFICIAL.corpId,
      agentId: OFFICIAL.agentId,
      secret: OFFICIAL.secret,
      store: mongoTokenStore,
      timeoutMs: 200,
      now: () => clock.now(),
    });
    const outbox = new Outbox(client, settings, clock, new PiiCipher(TEST_DATA_KEY));
    const queued: Record<string, string[]> = {};
    let n = 0;
    const push = async (to: string) => {
      n++;
      const mark = `#${String(n).padStart(3, '0')}`;
      (queued[to] ??= []).push(mark);
      if (n % 4 === 0)
        await outbox.enqueue(to, { kind: 'template_card', card: { task_id: mark } }, `k${n}`);
      else await outbox.enqueue(to, { kind: 'text', content: `提醒 ${mark}` }, `k${n}`);
    };

    // 50 minutes down, a pump every 20 s, new pushes every 2 minutes.
    const phases: [Phase, number][] = [
      ['late', 4],
      ['5xx', 16],
      ['-1', 10],
      ['45009', 10],
      ['42001', 10],
    ];
    for (const [p, minutes] of phases) {
      phase = p;
      for (let s = 0; s < minutes * 60; s += 20) {
        if (s % 120 === 0) for (const who of PEOPLE) await push(who);
        await outbox.pump();
        clock.advance(20_000);
      }
    }
    expect(await OutboxMessage.countDocuments({ status: 'failed' })).toBe(0);
    const adminRows = await OutboxMessage.find({ recipient: 'admin1' }).lean();
    expect(adminRows).toHaveLength(1);

    phase = 'up';
    for (let i = 0; i < 60 && (await outbox.waiting()) > 0; i++) {
      await outbox.pump();
      clock.advance(20_000);
    }
    const rows = await OutboxMessage.find({}).lean();
    const check = deliveredOnce(rows, new PiiCipher(TEST_DATA_KEY), fake);
    printSummary('outage (50 min: 5xx, late answers, -1, 45009, 42001)', {
      'requests tried while down': Object.entries(tried)
        .map(([k, v]) => `${k}:${v}`)
        .join(' '),
      'pushes queued': rows.length,
      'delivered once': check.once,
      'duplicates delivered': check.duplicates,
      'suppressed by duplicate check': fake.suppressed,
      failed: rows.filter((r) => r.status === 'failed').length,
      'admin notices': fake.to('admin1').length,
      lost: check.lost,
    });
    expect(check.duplicates).toBe(0);
    expect(check.lost).toBe(0);
    expect(rows.every((r) => r.status === 'sent')).toBe(true);
    expect(fake.suppressed).toBeGreaterThan(0);
    expect(fake.to('admin1')).toHaveLength(1);
    expect(fake.to('admin1')[0].content).toMatch(/推送延迟/);
    for (const who of PEOPLE) {
      const seen = fake
        .to(who)
        .flatMap((d) =>
          d.msgtype === 'text'
            ? d.content!.split(SEPARATOR).map((t) => t.replace('提醒 ', ''))
            : [d.taskId!],
        );
      expect(seen).toEqual(queued[who]);
    }
  });
});
