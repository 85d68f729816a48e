/**
 * Throughput of the WeCom protocol path next to a bare Koa echo server. Each server runs in
 * its own process, and so does the load generator (autocannon, bench/load.ts), so the
 * generator's CPU is not taken from the server it measures. The two servers alternate over
 * several rounds (bare first in even rounds, callback first in odd ones); per-round and
 * median req/s, p50, p99 and the ratio are printed.
 *   npm run bench                        (5 rounds × 5 s per server, 16 connections)
 *   BENCH_ROUNDS=3 BENCH_SECONDS=10 BENCH_CONNECTIONS=32 npm run bench
 *   BENCH_PROFILE=callback npm run bench (then profiles that server — or `bare` — under the same
 *                                         load for one more period, writes bench/profiles/<kind>-
 *                                         <time>.cpuprofile and prints where its time went)
 */
import { mkdirSync } from 'node:fs';
import { once } from 'node:events';
import path from 'node:path';
import type { ChildProcess } from 'node:child_process';
import { plaintextFor, sealDelivery } from '../src/wecom/sandbox/simulator';
import { BENCH_CREDS } from './protocol-server';
import { firstMessage, forkTs, median, runLoad } from './fork';
import type { LoadJob, LoadResult } from './load';
import { summarize } from './profile-summary';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 16);
const PROFILE = process.env.BENCH_PROFILE as Kind | undefined;
const PROFILE_DIR = path.join(__dirname, 'profiles');

type Kind = 'bare' | 'callback';

async function startServer(kind: Kind): Promise<{ child: ChildProcess; url: string }> {
  const child = forkTs('protocol-server.ts', [kind]);
  const { port } = await firstMessage<{ port: number }>(child);
  return { child, url: `http://127.0.0.1:${port}` };
}

function stopServer(child: ChildProcess): Promise<void> {
  return new Promise((r) => {
    child.once('exit', () => r());
    child.send('stop');
  });
}

/** 500 distinct signed deliveries (a teacher's 缺勤 message each), like WeCom would post them. */
function deliveries(): LoadJob['requests'] {
  return Array.from({ length: 500 }, (_, n) => {
    const d = sealDelivery(
      BENCH_CREDS,
      plaintextFor(BENCH_CREDS.corpId, BENCH_CREDS.agentId, {
        as: `t${n}`,
        text: '缺勤 张三 全天',
      }),
    );
    const query = new URLSearchParams(d.query).toString();
    return { method: 'POST' as const, path: `/wecom/callback?${query}`, body: d.body };
  });
}

/** A load result plus the server process's CPU time per request (user + system, µs). */
type Measured = LoadResult & { cpuUs: number };

async function cpuOf(child: ChildProcess): Promise<number> {
  const answer = once(child, 'message');
  child.send('cpu');
  const [{ cpu }] = (await answer) as [{ cpu: NodeJS.CpuUsage }];
  return cpu.user + cpu.system;
}

async function measure(child: ChildProcess, job: LoadJob): Promise<Measured> {
  const before = await cpuOf(child);
  const r = await runLoad(job);
  return { ...r, cpuUs: (await cpuOf(child)) - before };
}

const fmt = (r: Measured) =>
  `${r.rps.toFixed(0).padStart(6)} req/s  p50 ${r.p50.toFixed(0).padStart(3)} ms  ` +
  `p99 ${r.p99.toFixed(0).padStart(3)} ms  server CPU ${(r.cpuUs / r.total).toFixed(0).padStart(4)} µs/req` +
  `  non-2xx ${r.non2xx + r.errors}`;

async function main(): Promise<void> {
  const requests = deliveries();
  const servers = { bare: await startServer('bare'), callback: await startServer('callback') };
  const job = (kind: Kind, seconds: number): LoadJob => ({
    url: servers[kind].url,
    requests,
    connections: CONNECTIONS,
    duration: seconds,
  });
  await runLoad(job('bare', 1)); // warm-up (JIT) of both servers
  await runLoad(job('callback', 1));
  console.log(
    `node ${process.version}, ${ROUNDS} rounds × ${SECONDS} s per server, ` +
      `${CONNECTIONS} connections, generator and servers in separate processes`,
  );
  const results: Record<Kind, Measured[]> = { bare: [], callback: [] };
  for (let round = 0; round < ROUNDS; round++) {
    const order: Kind[] = round % 2 ? ['callback', 'bare'] : ['bare', 'callback'];
    for (const kind of order)
      results[kind].push(await measure(servers[kind].child, job(kind, SECONDS)));
    const [b, c] = [results.bare[round], results.callback[round]];
    console.log(`round ${round + 1}  bare     ${fmt(b)}`);
    console.log(`         callback ${fmt(c)}   ratio ${(c.rps / b.rps).toFixed(2)}`);
  }
  const med = (kind: Kind, f: (r: Measured) => number) => median(results[kind].map(f));
  const line = (kind: Kind) =>
    `${med(kind, (r) => r.rps)
      .toFixed(0)
      .padStart(6)} req/s  p50 ${med(kind, (r) => r.p50)} ms` +
    `  p99 ${med(kind, (r) => r.p99)} ms  server CPU ` +
    `${med(kind, (r) => r.cpuUs / r.total).toFixed(0)} µs/req`;
  const ratios = results.callback.map((c, i) => c.rps / results.bare[i].rps);
  console.log(`median   bare     ${line('bare')}`);
  console.log(`median   callback ${line('callback')}`);
  console.log(
    `callback / bare  ${(med('callback', (r) => r.rps) / med('bare', (r) => r.rps)).toFixed(2)}` +
      `  (per round ${ratios.map((r) => r.toFixed(2)).join(', ')})`,
  );
  const cpu = (kind: Kind) => med(kind, (r) => r.cpuUs / r.total);
  console.log(
    `server CPU per request, bare / callback  ${(cpu('bare') / cpu('callback')).toFixed(2)}` +
      '  (the same ratio, less sensitive to other load on the machine)',
  );
  if (PROFILE) await profile(PROFILE, servers[PROFILE].child, job(PROFILE, SECONDS));
  await stopServer(servers.bare.child);
  await stopServer(servers.callback.child);
}

/** One more period of load on one server with its CPU profiler on. */
async function profile(kind: Kind, child: ChildProcess, load: LoadJob): Promise<void> {
  mkdirSync(PROFILE_DIR, { recursive: true });
  const file = path.join(PROFILE_DIR, `${kind}-${Date.now()}.cpuprofile`);
  child.send({ profile: file });
  const r = await measure(child, load);
  console.log(`profiled ${kind} ${fmt(r)}  (the profiler slows it down)`);
  child.send('profile-stop');
  await once(child, 'message');
  summarize(file);
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
