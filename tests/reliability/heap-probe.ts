import fc from 'fast-check';
import request from 'supertest';
import { setupNock, startBot } from '../support/harness';
import { body, contentType, query } from './fuzz-inputs';

/**
 * Issue #10, "memory flat": the callback fuzz in a process of its own (run by fuzz.test.ts with
 * --expose-gc), so the heap reading holds only this app. A warm-up pass loads and compiles the
 * code paths (retained, not leaked); then two measured passes with a full collection around
 * each: a leak grows the heap in both. Prints one JSON line: { grown: [MB, MB], statuses }.
 */
const gc = (globalThis as { gc?: () => void }).gc!;

async function main(): Promise<void> {
  setupNock();
  const bot = await startBot();
  const server = bot.app.callback();
  const statuses = new Set<number>();
  const property = fc.asyncProperty(
    body,
    query,
    contentType,
    fc.boolean(),
    async (b, q, ct, get) => {
      const res = get
        ? await request(server).get('/wecom/callback').query(q)
        : await request(server).post('/wecom/callback').query(q).set('content-type', ct).send(b);
      statuses.add(res.status);
    },
  );
  await fc.assert(property, { numRuns: 100 });
  const grown: number[] = [];
  for (let pass = 0; pass < 2; pass++) {
    gc();
    const before = process.memoryUsage().heapUsed;
    await fc.assert(property, { numRuns: 150 });
    gc();
    grown.push((process.memoryUsage().heapUsed - before) / 1e6);
  }
  await bot.close();
  process.stdout.write(`${JSON.stringify({ grown, statuses: [...statuses] })}\n`);
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    process.stderr.write(`${String(err)}\n`);
    process.exit(1);
  },
);
