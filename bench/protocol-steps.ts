/**
 * What each step of the callback path costs on its own (µs per call, one process, no HTTP):
 * where the protocol benchmark's time goes, step by step.
 *   npx tsx bench/protocol-steps.ts          (BENCH_ITERATIONS=20000 by default)
 */
import { WecomCipher } from '../src/wecom/crypto';
import { buildXml, parseXml } from '../src/wecom/xml';
import { toInbound } from '../src/wecom/message';
import { plaintextFor, sealDelivery } from '../src/wecom/sandbox/simulator';
import { BENCH_CREDS } from './protocol-server';

const N = Number(process.env.BENCH_ITERATIONS ?? 20000);

function time(label: string, f: (i: number) => unknown): number {
  for (let i = 0; i < Math.min(N, 2000); i++) f(i); // warm-up
  const t = process.hrtime.bigint();
  for (let i = 0; i < N; i++) f(i);
  const us = Number(process.hrtime.bigint() - t) / 1000 / N;
  console.log(`${label.padEnd(34)} ${us.toFixed(1).padStart(7)} µs`);
  return us;
}

const cipher = new WecomCipher(BENCH_CREDS);
const plain = plaintextFor(BENCH_CREDS.corpId, BENCH_CREDS.agentId, {
  as: 'teacher',
  text: '缺勤 张三 全天',
});
const d = sealDelivery(BENCH_CREDS, plain);
const env = parseXml(d.body)!;
const answer = '已记录。张三 今天缺勤（全天）。班主任需在明天 18:00 前家访。';
const reply = buildXml({
  ToUserName: 'teacher',
  FromUserName: BENCH_CREDS.corpId,
  CreateTime: 1700000000,
  MsgType: 'text',
  Content: answer,
});

console.log(`node ${process.version}, ${N} iterations per step`);
let total = 0;
total += time('parseXml(envelope)', () => parseXml(d.body));
total += time('verify (sha1 signature)', () =>
  cipher.verify(d.query.msg_signature, d.query.timestamp, d.query.nonce, env.Encrypt),
);
total += time('open (AES-256-CBC decrypt)', () => cipher.open(env.Encrypt));
total += time('parseXml(plaintext)', () => parseXml(plain));
total += time('toInbound (zod)', () => toInbound(parseXml(plain)!)) - 0;
total += time('buildXml(reply)', () =>
  buildXml({
    ToUserName: 'teacher',
    FromUserName: 'x',
    CreateTime: 1,
    MsgType: 'text',
    Content: answer,
  }),
);
total += time('replyEnvelope (seal + sign + XML)', () =>
  cipher.replyEnvelope(reply, d.query.timestamp, d.query.nonce),
);
console.log(`${'sum (toInbound includes a parse)'.padEnd(34)} ${total.toFixed(1).padStart(7)} µs`);
