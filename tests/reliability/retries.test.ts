import { Staff } from '../../src/models/roster';
import nock from 'nock';
import {
  startBot,
  mockWecom,
  setupNock,
  testUri,
  OFFICIAL,
  type TestBot,
} from '../support/harness';
import {
  plaintextFor,
  sealDelivery,
  openReply,
  type SignedDelivery,
} from '../../src/wecom/sandbox/simulator';
import { InboundDelivery } from '../../src/models/inbound';
import { OutboxMessage } from '../../src/outbox/model';
import { ManualClock } from '../../src/lib/clock';
import { printSummary, type SuiteFigures } from './figures';

/**
 * Issue #10, reliability suite, retries: WeCom delivers a message more than once (its retries,
 * possibly concurrent, possibly to another instance). Two app instances on one database, real
 * HTTP on 127.0.0.1: every message is handled exactly once and answered exactly once.
 */
jest.setTimeout(240_000);

const MESSAGES = Number(process.env.REL_MESSAGES ?? 1000);
const CONCURRENCY = 16;
const figures: SuiteFigures[] = [];
let a: TestBot;
let b: TestBot;
let urls: string[];
const handled = new Map<string, number>();

beforeAll(async () => {
  setupNock();
  mockWecom();
  const uri = testUri();
  const clock = new ManualClock('2026-11-30T08:00:00+08:00');
  a = await startBot({ mongoUri: uri, clock });
  b = await startBot({ mongoUri: uri, clock });
  urls = [];
  for (const bot of [a, b]) {
    // A spy command: counts every handling of every message, whichever instance runs it.
    bot.dispatcher.register({
      name: '探针',
      aliases: [],
      summary: '测试',
      usage: '',
      run: async (_ctx, args) => {
        handled.set(args, (handled.get(args) ?? 0) + 1);
        return `收到 ${args}`;
      },
    });
    await Staff.updateOne({ userid: 'r1' }, { $set: { name: '探', roles: [] } }, { upsert: true });
    const server = await bot.listen(0);
    urls.push(`http://127.0.0.1:${(server.address() as { port: number }).port}/wecom/callback`);
  }
});
afterAll(async () => {
  await a.close();
  await b.close();
  nock.cleanAll();
  printSummary(figures);
});

async function deliver(url: string, d: SignedDelivery): Promise<{ status: number; text: string }> {
  const res = await fetch(`${url}?${new URLSearchParams(d.query)}`, {
    method: 'POST',
    headers: { 'content-type': 'text/xml' },
    body: d.body,
  });
  return { status: res.status, text: await res.text() };
}

/** Runs `jobs` with at most `n` in flight. */
async function pool<T>(jobs: (() => Promise<T>)[], n: number): Promise<T[]> {
  const out: T[] = new Array(jobs.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: n }, async () => {
      while (next < jobs.length) {
        const i = next++;
        out[i] = await jobs[i]();
      }
    }),
  );
  return out;
}

function shuffle<T>(xs: T[]): T[] {
  for (let i = xs.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [xs[i], xs[j]] = [xs[j], xs[i]];
  }
  return xs;
}

const message = (tag: string, msgId: string) =>
  sealDelivery(
    OFFICIAL,
    plaintextFor(OFFICIAL.corpId, OFFICIAL.agentId, { as: 'r1', text: `探针 ${tag}`, msgId }),
  );

/** Answers per message: passive replies plus late answers queued in the outbox. */
async function answersFor(tags: string[], passive: (string | undefined)[]): Promise<number[]> {
  const late = await OutboxMessage.find({ key: /^reply:/ }).lean<
    { payload: { content: string } }[]
  >();
  const all = [...passive, ...late.map((r) => r.payload.content)].filter(Boolean) as string[];
  const count = new Map<string, number>();
  for (const text of all) count.set(text, (count.get(text) ?? 0) + 1);
  return tags.map((t) => count.get(`收到 ${t}`) ?? 0);
}

describe('retries across two instances (issue #10 reliability suite)', () => {
  it('the same callback 3× concurrently (to both instances): one handling, one answer', async () => {
    const started = Date.now();
    const d = message('same', '9100000000000000001');
    const results = await Promise.all([
      deliver(urls[0], d),
      deliver(urls[1], d),
      deliver(urls[0], d),
    ]);
    expect(results.every((r) => r.status === 200)).toBe(true);
    const passive = results.map((r) => (r.text ? openReply(OFFICIAL, r.text) : undefined));
    expect(handled.get('same')).toBe(1);
    expect(await answersFor(['same'], passive)).toEqual([1]);
    figures.push({
      suite: 'same callback ×3 concurrently',
      inputsTried: 3,
      duplicatesDelivered: 2,
      handled: handled.get('same') ?? 0,
      rejected: results.filter((r) => r.status !== 200).length,
      lost: handled.get('same') ? 0 : 1,
      seconds: Math.round((Date.now() - started) / 100) / 10,
    });
  });

  it(`${MESSAGES} messages each delivered twice in random order across two instances: each handled once, answered once`, async () => {
    const started = Date.now();
    const tags = Array.from({ length: MESSAGES }, (_, i) => `m${i}`);
    const sealed = tags.map((t, i) => message(t, String(9200000000000000000n + BigInt(i))));
    // Each delivery goes to a random instance; the two copies of one message are independent.
    const deliveries = shuffle(
      sealed.flatMap((d) => [d, d]).map((d) => () => deliver(urls[Math.random() < 0.5 ? 0 : 1], d)),
    );
    const results = await pool(deliveries, CONCURRENCY);
    await new Promise((r) => setTimeout(r, 200)); // late answers still being queued
    const passive = results.map((r) => (r.text ? openReply(OFFICIAL, r.text) : undefined));
    const answers = await answersFor(tags, passive);
    const counts = tags.map((t) => handled.get(t) ?? 0);
    expect(results.filter((r) => r.status !== 200)).toEqual([]);
    expect(counts.filter((c) => c !== 1)).toEqual([]);
    expect(answers.filter((c) => c !== 1)).toEqual([]);
    expect(await InboundDelivery.countDocuments({ status: 'done', key: /^msg:92/ })).toBe(MESSAGES);
    figures.push({
      suite: `${MESSAGES} messages ×2, random order, 2 instances`,
      inputsTried: deliveries.length,
      duplicatesDelivered: deliveries.length - MESSAGES,
      handled: counts.reduce((x, y) => x + y, 0),
      rejected: results.filter((r) => r.status !== 200).length,
      lost: counts.filter((c) => c === 0).length,
      seconds: Math.round((Date.now() - started) / 100) / 10,
    });
  });
});
