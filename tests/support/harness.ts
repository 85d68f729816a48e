import { randomBytes } from 'node:crypto';
import request from 'supertest';
import nock from 'nock';
import { boot, type Baoxue, type BootOptions } from '../../src/boot';
import { withDbName } from '../../src/db/connect';
import { loadSettings, type Settings } from '../../src/config/settings';
import { ManualClock } from '../../src/lib/clock';
import { demo, type Demo } from './demo';
import { Case, CaseFact, Duty, HomeVisit } from '../../src/models/case';
import { OutboxMessage } from '../../src/outbox/model';
import {
  plaintextFor,
  sealDelivery,
  openReply,
  type Simulated,
} from '../../src/wecom/sandbox/simulator';

/** WeCom's official test credentials (their documentation's vectors use these). */
export const OFFICIAL = {
  corpId: 'wx5823bf96d3bd56c7',
  token: 'QDG6eK',
  aesKey: 'jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C',
  agentId: '1000002',
  secret: 'test-secret',
};

export const API = 'https://qyapi.test';
export const TEST_DATA_KEY = '0f'.repeat(32);

export function testUri(): string {
  const base = process.env.BAOXUE_TEST_MONGO;
  if (!base)
    throw new Error(
      'BAOXUE_TEST_MONGO not set: run through jest (global setup starts the embedded server)',
    );
  return withDbName(base, `t${process.env.JEST_WORKER_ID}_${randomBytes(4).toString('hex')}`);
}

export function testSettings(patch: (s: Settings) => void = () => {}): Settings {
  const s = loadSettings();
  s.outbox.backoffBaseSeconds = 1;
  // Sweep pushes leave at the rule's time here (tests/integration/push-timing.test.ts proves
  // the spread off the :00/:30 marks that production uses).
  s.ladder.pushTiming = { ...s.ladder.pushTiming, afterMarkMinutes: 0, spreadMinutes: 0 };
  patch(s);
  return s;
}

export interface TestBot extends Baoxue {
  clock: ManualClock;
  /** Posts a simulated member message through the real encrypted callback; returns status + passive reply. */
  say(m: Simulated | string, as?: string): Promise<{ status: number; reply?: string }>;
}

export async function startBot(
  opts: Partial<BootOptions> & { clock?: ManualClock } = {},
): Promise<TestBot> {
  const clock = opts.clock ?? new ManualClock('2026-11-30T08:00:00+08:00');
  const bot = await boot({
    settings: opts.settings ?? testSettings(),
    mongoUri: opts.mongoUri ?? testUri(),
    creds: OFFICIAL,
    apiBase: API,
    sandbox: false,
    dataKey: TEST_DATA_KEY,
    // Most tests look at the ladder alone; tests/integration/reports.test.ts turns the cycle on.
    cycles: false,
    clock,
    ...opts,
  });
  const server = bot.app.callback();
  return Object.assign(bot, {
    clock,
    async say(m: Simulated | string, as = 'teacher') {
      const sim: Simulated = typeof m === 'string' ? { as, text: m } : m;
      const d = sealDelivery(OFFICIAL, plaintextFor(OFFICIAL.corpId, OFFICIAL.agentId, sim));
      const res = await request(server)
        .post('/wecom/callback')
        .query(d.query)
        .set('content-type', 'text/xml')
        .send(d.body);
      return { status: res.status, reply: res.text ? openReply(OFFICIAL, res.text) : undefined };
    },
  });
}

/** Records every message/send to the mocked WeCom API; `fail` makes the next calls fail. */
export function mockWecom() {
  const sent: { touser: string; msgtype: string; content?: string; card?: any }[] = [];
  const updates: any[] = [];
  let tokenCalls = 0;
  const scope = nock(API)
    .persist()
    .get('/cgi-bin/gettoken')
    .query(true)
    .reply(() => {
      tokenCalls++;
      return [200, { errcode: 0, access_token: `tok${tokenCalls}`, expires_in: 7200 }];
    })
    .post('/cgi-bin/message/send')
    .query(true)
    .reply((_uri, body: any) => {
      sent.push({
        touser: body.touser,
        msgtype: body.msgtype,
        content: body.text?.content ?? body.markdown?.content,
        card: body.template_card,
      });
      return [200, { errcode: 0, errmsg: 'ok', msgid: `m${sent.length}`, invaliduser: '' }];
    })
    .post('/cgi-bin/message/update_template_card')
    .query(true)
    .reply((_uri, body: any) => {
      updates.push(body);
      return [200, { errcode: 0, errmsg: 'ok' }];
    });
  return {
    sent,
    updates,
    tokenCalls: () => tokenCalls,
    scope,
    to: (u: string) => sent.filter((s) => s.touser === u),
  };
}

export function setupNock(): void {
  nock.disableNetConnect();
  nock.enableNetConnect(/127\.0\.0\.1|localhost/);
}

/** Walks the clock to `to`, running every job due on the way (in order) and delivering pushes. */
export async function advance(bot: TestBot, to: string | Date): Promise<number> {
  return bot.services.scheduler.runUntil(bot.clock, new Date(to), async () => {
    await bot.services.outbox.pump();
  });
}

export type Sent = ReturnType<typeof mockWecom>['sent'][number];
export const textOf = (m: Sent) => m.content ?? JSON.stringify(m.card ?? {});

export type Wecom = ReturnType<typeof mockWecom>;
type Who = { userid: string } | string;
const useridOf = (who: Who) => (typeof who === 'string' ? who : who.userid);

/** What `useBot()` fills in before the suite's first test. */
export interface BotSuite {
  bot: TestBot;
  wecom: Wecom;
  /** The demo district's people; loaded unless `demo: false`. */
  d: Demo;
  /** The passive reply `who` gets to `text` ('' when none). */
  say(who: Who, text: string): Promise<string>;
  /** Every message pushed to `who` so far, one a line. */
  pushes(who: Who): string;
}

export type SuiteOptions = Partial<BootOptions> & {
  /** A ManualClock, or the instant (ISO) one starts at. */
  clock?: ManualClock | string;
  /** Load the demo district (default true). */
  demo?: boolean;
};

/**
 * The integration suite's setup, once: nock with WeCom mocked, a bot on a fresh database, the
 * demo district; closed after the suite. Call it at the top of a file (or a describe) and read
 * the returned object inside hooks and tests (it is filled in by a beforeAll). Further setup
 * goes in the file's own beforeAll, which runs after this one.
 */
export function useBot(opts: SuiteOptions = {}): BotSuite {
  const { demo: withDemo = true, clock, ...boot } = opts;
  const suite = {
    say: async (who: Who, text: string) => (await suite.bot.say(text, useridOf(who))).reply ?? '',
    pushes: (who: Who) => suite.wecom.to(useridOf(who)).map(textOf).join('\n'),
  } as BotSuite;
  beforeAll(async () => {
    setupNock();
    suite.wecom = mockWecom();
    const manual = typeof clock === 'string' ? new ManualClock(clock) : clock;
    suite.bot = await startBot({ ...boot, ...(manual ? { clock: manual } : {}) });
    if (withDemo) suite.d = await demo(suite.bot);
  });
  afterAll(async () => {
    await suite.bot?.close();
    nock.cleanAll();
  });
  return suite;
}

/**
 * Empties the case record and the pushes between tests (cases, facts, duties, visits, outbox),
 * so each test starts from the demo roster alone.
 */
export async function clearCaseRecord(): Promise<void> {
  await Promise.all([
    Case.deleteMany({}),
    CaseFact.deleteMany({}),
    Duty.deleteMany({}),
    HomeVisit.deleteMany({}),
    OutboxMessage.deleteMany({}),
  ]);
}
