/**
 * Throughput of the WeCom protocol path (signature check + decrypt + XML parse + zod +
 * encrypted passive reply) next to a bare Koa server that only echoes, in one run.
 * Both run in this process on loopback; the load generator is a fixed-concurrency fetch loop.
 *   npm run bench            (defaults: 5 s per server, concurrency 16)
 *   BENCH_SECONDS=10 BENCH_CONCURRENCY=32 npm run bench
 */
import Koa from 'koa';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import getRawBody from 'raw-body';
import { callbackRouter } from '../src/wecom/callback';
import { WecomCipher } from '../src/wecom/crypto';
import { plaintextFor, sealDelivery } from '../src/wecom/sandbox/simulator';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 16);
const creds = {
  corpId: 'wx5823bf96d3bd56c7',
  token: 'QDG6eK',
  aesKey: 'jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C',
  agentId: '1000002',
};

function listen(app: Koa): Promise<Server> {
  return new Promise((r) => {
    const s = app.listen(0, '127.0.0.1', () => r(s));
  });
}

async function load(
  url: string,
  bodies: { query: string; body: string }[],
): Promise<{ rps: number; p50: number; p99: number; errors: number }> {
  const end = Date.now() + SECONDS * 1000;
  const latencies: number[] = [];
  let errors = 0;
  let i = 0;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (Date.now() < end) {
        const b = bodies[i++ % bodies.length];
        const t = performance.now();
        const res = await fetch(`${url}?${b.query}`, { method: 'POST', body: b.body });
        await res.text();
        if (res.status !== 200) errors++;
        latencies.push(performance.now() - t);
      }
    }),
  );
  latencies.sort((a, b) => a - b);
  return {
    rps: latencies.length / SECONDS,
    p50: latencies[Math.floor(latencies.length * 0.5)],
    p99: latencies[Math.floor(latencies.length * 0.99)],
    errors,
  };
}

async function main(): Promise<void> {
  const bare = new Koa();
  bare.use(async (ctx) => {
    ctx.body = await getRawBody(ctx.req, { encoding: 'utf8' });
  });
  const bareServer = await listen(bare);

  const proto = new Koa();
  const router = callbackRouter({
    cipher: new WecomCipher(creds),
    corpId: creds.corpId,
    timestampWindowSeconds: 3600,
    maxBodyBytes: 65536,
    passiveReplyBudgetMs: 3000,
    claim: async () => true, // protocol only: the database claim is measured by the tests, not here
    finish: async () => {},
    handle: async () => '已记录。张三 今天缺勤（全天）。班主任需在明天 18:00 前家访。',
    deliverLate: async () => {},
  });
  proto.use(router.routes());
  const protoServer = await listen(proto);

  const bodies = Array.from({ length: 500 }, (_, n) => {
    const d = sealDelivery(
      creds,
      plaintextFor(creds.corpId, creds.agentId, { as: `t${n}`, text: '缺勤 张三 全天' }),
    );
    return { query: new URLSearchParams(d.query).toString(), body: d.body };
  });
  const port = (s: Server) => (s.address() as AddressInfo).port;
  await load(`http://127.0.0.1:${port(bareServer)}/`, bodies.slice(0, 10)); // warm-up
  const b = await load(`http://127.0.0.1:${port(bareServer)}/`, bodies);
  const p = await load(`http://127.0.0.1:${port(protoServer)}/wecom/callback`, bodies);
  const fmt = (r: typeof b) =>
    `${r.rps.toFixed(0).padStart(6)} req/s  p50 ${r.p50.toFixed(2)} ms  p99 ${r.p99.toFixed(2)} ms  errors ${r.errors}`;
  console.log(`node ${process.version}, ${SECONDS}s each, concurrency ${CONCURRENCY}`);
  console.log(`bare koa echo      ${fmt(b)}`);
  console.log(`wecom protocol     ${fmt(p)}`);
  console.log(`protocol / bare    ${(p.rps / b.rps).toFixed(2)}`);
  bareServer.close();
  protoServer.close();
}

main();
