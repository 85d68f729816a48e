/**
 * Broadcast throttle figures (issue #12): how long SharedThrottle.takeMany takes for one
 * message/send batch of 1,000 members, and how many database commands it issues — first
 * (new members: slots and hour counters inserted), then again a minute later (existing slots
 * updated), then at the limit (nobody granted). Prints the machine's figures.
 *
 *   npx tsx bench/broadcast.ts            # embedded jongodb
 *   MONGODB_URI=mongodb://… npx tsx bench/broadcast.ts   (database baoxue_bench_broadcast, dropped after)
 */
import mongoose from 'mongoose';
import { startEmbedded, type EmbeddedServer } from '../src/db/embedded';
import { connectDb, indexesReady, withDbName } from '../src/db/connect';
import { SharedThrottle } from '../src/outbox/throttle';

const MEMBERS = Number(process.env.BENCH_MEMBERS ?? 1000);

async function main(): Promise<void> {
  process.env.LOG_LEVEL ??= 'warn';
  const embedded: EmbeddedServer | undefined = process.env.MONGODB_URI
    ? undefined
    : await startEmbedded();
  const uri = withDbName(process.env.MONGODB_URI ?? embedded!.uri, 'baoxue_bench_broadcast');
  let commands = 0;
  try {
    await connectDb(uri, { onCommand: () => commands++ });
    await indexesReady();
    const throttle = new SharedThrottle(30, 1000);
    const members = Array.from({ length: MEMBERS }, (_, i) => `m${String(i).padStart(6, '0')}`);
    const t0 = new Date('2026-12-01T02:00:00Z');
    console.log(`takeMany of ${MEMBERS} members; ${embedded ? 'embedded jongodb' : 'MONGODB_URI'}`);
    const run = async (label: string, t: SharedThrottle, at: Date) => {
      commands = 0;
      const start = process.hrtime.bigint();
      const got = await t.takeMany(members, at);
      const ms = Number(process.hrtime.bigint() - start) / 1e6;
      console.log(
        `${label.padEnd(28)} ${ms.toFixed(0).padStart(6)} ms  ${String(commands).padStart(3)} ` +
          `commands  granted ${got.granted.length}`,
      );
    };
    await run('new members', throttle, t0);
    await run('a minute later', throttle, new Date(t0.getTime() + 62_000));
    // At the limit: two a minute, the second taken (a new slot each), then a third refused.
    const two = new SharedThrottle(2, 1000);
    await run('second in the minute (2/min)', two, new Date(t0.getTime() + 63_000));
    await run('third in the minute (2/min)', two, new Date(t0.getTime() + 64_000));
    if (process.env.MONGODB_URI) await mongoose.connection.db?.dropDatabase();
  } finally {
    await mongoose.disconnect();
    await embedded?.stop();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
