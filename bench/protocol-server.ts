/**
 * One server of the protocol benchmark, in its own process (forked by bench/protocol.ts):
 *   bare      a Koa app that reads the body and echoes it
 *   callback  the real callback route (verify + decrypt + parse + zod + encrypted passive
 *             reply) with the database claim stubbed out and a fixed answer
 * Answers `{ port }` over IPC; 'cpu' is answered with `{ cpu }` (process.cpuUsage(), µs); exits on
 * 'stop'. `{ profile: file }` starts the V8 CPU profiler
 * (start-up and warm-up excluded), 'profile-stop' writes it to that file and answers 'profiled'.
 */
import Koa from 'koa';
import { Session } from 'node:inspector';
import { writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import getRawBody from 'raw-body';
import { callbackRouter } from '../src/wecom/callback';
import { WecomCipher } from '../src/wecom/crypto';

export const BENCH_CREDS = {
  corpId: 'wx5823bf96d3bd56c7',
  token: 'QDG6eK',
  aesKey: 'jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C',
  agentId: '1000002',
};

function bareApp(): Koa {
  const app = new Koa();
  app.use(async (ctx) => {
    ctx.body = await getRawBody(ctx.req, { encoding: 'utf8' });
  });
  return app;
}

function callbackApp(): Koa {
  const app = new Koa();
  const router = callbackRouter({
    cipher: new WecomCipher(BENCH_CREDS),
    corpId: BENCH_CREDS.corpId,
    timestampWindowSeconds: 3600,
    maxBodyBytes: 65536,
    passiveReplyBudgetMs: 3000,
    claim: async () => true, // protocol only: the database claim is measured by bench:full
    finish: async () => {},
    handle: async () => '已记录。张三 今天缺勤（全天）。班主任需在明天 18:00 前家访。',
    deliverLate: async () => {},
  });
  app.use(router.routes());
  return app;
}

function profiler(): (m: unknown) => void {
  const session = new Session();
  let file = '';
  return (m) => {
    if (typeof m === 'object' && m !== null && 'profile' in m) {
      file = String(m.profile);
      session.connect();
      session.post('Profiler.enable', () => session.post('Profiler.start'));
    } else if (m === 'profile-stop') {
      session.post('Profiler.stop', (err, res) => {
        if (!err) writeFileSync(file, JSON.stringify(res.profile));
        session.disconnect();
        process.send!('profiled');
      });
    }
  };
}

if (require.main === module) {
  const app = process.argv[2] === 'callback' ? callbackApp() : bareApp();
  const server = app.listen(0, '127.0.0.1', () => {
    process.send!({ port: (server.address() as AddressInfo).port });
  });
  const profile = profiler();
  process.on('message', (m) => {
    profile(m);
    if (m === 'cpu') process.send!({ cpu: process.cpuUsage() });
    if (m !== 'stop') return;
    server.close();
    server.closeAllConnections();
    process.exit(0);
  });
}
