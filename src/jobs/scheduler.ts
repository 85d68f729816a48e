import { Agenda, type Job } from 'agenda';
import { MongoBackend } from '@agendajs/mongo-backend';
import mongoose, { Schema } from 'mongoose';
import { defineModel } from '../db/model';
import type { JobKind } from './kinds';
import type { SettableClock } from '../lib/clock';
import { logger } from '../lib/logger';
import { isDuplicateKey } from '../db/connect';

interface JobRunRow {
  runKey: string;
  at: Date;
}

export type JobHandler = (data: { key: string }) => Promise<void>;

/** Work due by data (see Scheduler.source). */
export interface Source {
  next(): Promise<Date | undefined>;
  run(now: Date): Promise<unknown>;
  now(): Date;
}
/** `due` is the scheduled time (ISO), carried in the data so a run can be claimed exactly once. */
type JobData = { key: string; due?: string };

const COLLECTION = 'jobs';

/**
 * Thin wrapper over Agenda. Domain jobs are one-shot, keyed (`unique` per name+key, so
 * scheduling twice is harmless) and carry only their key: the handler re-reads the state,
 * which makes a late or repeated run safe. Recurring cycles re-schedule themselves.
 */
export class Scheduler {
  readonly agenda: Agenda;
  private readonly runners = new Map<string, (data: JobData) => Promise<void>>();
  private readonly sources = new Map<string, Source>();
  private started = false;

  constructor(
    uri: string,
    opts: { processEvery?: number; lockLifetimeMs?: number; name?: string } = {},
  ) {
    this.agenda = new Agenda({
      backend: new MongoBackend({ address: uri, collection: COLLECTION }),
      processEvery: opts.processEvery ?? 1000,
      defaultLockLifetime: opts.lockLifetimeMs ?? 60_000,
      name: opts.name,
    });
    this.agenda.on('error', (err) => logger.error({ err: err.message }, 'agenda error'));
  }

  define(name: string, handler: JobHandler): void {
    // One path for every run, Agenda's loop or the clock driver below: claim, then handle.
    const run = async (data: JobData) => {
      // Exactly once per scheduled run, whatever the backend's locking does under load
      // (the embedded server let two instances lock one job): a unique claim decides.
      if (!(await claimRun(`${name}|${data.key}|${data.due ?? ''}`))) return;
      await handler(data);
    };
    this.runners.set(name, run);
    this.agenda.define(name, async (job: Job<JobData>) => run(job.attrs.data));
  }

  /**
   * Work that is due by data rather than by a job (the case sweeper): `next` says when it is
   * next due; production checks every `everySeconds`, the clock driver jumps to `next`.
   */
  async source(name: string, everySeconds: number, src: Source): Promise<void> {
    this.sources.set(name, src);
    await this.every(everySeconds, `source:${name}`, async () => {
      const at = await src.next();
      if (at && at <= src.now()) await src.run(src.now());
    });
  }

  /** Attaches the handler of a declared job kind (src/jobs/kinds.ts). */
  handle<A>(kind: JobKind<A>, run: (a: A) => Promise<void>): void {
    this.define(kind.name, ({ key }) => run(kind.parse(key)));
  }

  /** Schedules a declared job for `a` at `when`; scheduling the same key again moves it. */
  schedule<A>(kind: JobKind<A>, a: A, when: Date): Promise<void> {
    return this.at(kind.name, kind.key(a), when);
  }

  unschedule<A>(kind: JobKind<A>, a: A): Promise<number> {
    return this.cancel(kind.name, kind.key(a));
  }

  /** Schedules `name` for `key` at `when`; re-scheduling the same key moves it. */
  async at(name: string, key: string, when: Date): Promise<void> {
    await this.agenda
      .create<JobData>(name, { key, due: when.toISOString() })
      .unique({ name, 'data.key': key })
      .schedule(when)
      .save();
  }

  async cancel(name: string, key: string): Promise<number> {
    return this.agenda.cancel({ name, data: { key } });
  }

  /** Cancels every job whose key starts with `prefix` (e.g. all of one case). */
  async cancelPrefix(prefix: string): Promise<number> {
    const res = await mongoose.connection
      .collection(COLLECTION)
      .deleteMany({ 'data.key': { $regex: `^${escapeRegex(prefix)}` } });
    return res.deletedCount;
  }

  async every(seconds: number, name: string, handler: () => Promise<void>): Promise<void> {
    this.agenda.define(name, async () => handler());
    await this.agenda.every(`${seconds} seconds`, name);
  }

  async start(): Promise<void> {
    await this.agenda.start();
    this.started = true;
  }

  /** Lets running jobs finish, then stops; never waits forever (agenda leaves a timer behind). */
  async stop(): Promise<void> {
    if (!this.started) {
      // agenda.stop() is a no-op before start(), yet save()/every() opened the backend's client.
      await (this.agenda.db as unknown as { disconnect?: () => Promise<void> }).disconnect?.();
      return;
    }
    this.started = false;
    await Promise.race([this.agenda.stop(), new Promise((r) => setTimeout(r, 10_000).unref())]);
  }

  /** Jobs due up to `until`, soonest first (the sandbox's clock panel shows these). */
  async pending(until?: Date, limit = 50): Promise<{ name: string; key: string; at: Date }[]> {
    const q: Record<string, unknown> = {
      'data.key': { $exists: true },
      nextRunAt: until ? { $lte: until } : { $ne: null },
    };
    const docs = await mongoose.connection
      .collection(COLLECTION)
      .find(q)
      .sort({ nextRunAt: 1 })
      .limit(limit)
      .toArray();
    const jobs = docs.map((d) => ({
      name: String(d.name),
      key: String(d.data?.key),
      at: d.nextRunAt as Date,
    }));
    for (const [name, src] of this.sources) {
      const at = await src.next();
      if (at && (!until || at <= until)) jobs.push({ name, key: '', at });
    }
    return jobs.sort((a, b) => a.at.getTime() - b.at.getTime()).slice(0, limit);
  }

  /**
   * Manual-clock driver (tests and the sandbox): runs every keyed job due up to `until`, in
   * order, with the clock set to each job's time, then leaves the clock at `until`.
   * `after` runs after each job (e.g. an outbox pump) so effects appear in order too.
   */
  async runUntil(clock: SettableClock, until: Date, after?: () => Promise<void>): Promise<number> {
    // What is already queued goes out at the current time, before the clock moves on.
    if (after) await after();
    let ran = 0;
    for (let guard = 0; guard < 10_000; guard++) {
      const next = await this.nextDue(until);
      if (!next) break;
      if (next.at > clock.now()) clock.set(next.at);
      try {
        await next.run(clock.now());
      } catch (err) {
        logger.error({ job: next.name, err: (err as Error).message }, 'job failed');
      }
      ran++;
      if (after) await after();
    }
    if (until > clock.now()) clock.set(until);
    if (after) await after();
    return ran;
  }

  /** The earliest keyed job or source due by `until`, ready to run through its production path. */
  private async nextDue(
    until: Date,
  ): Promise<{ name: string; at: Date; run: (now: Date) => Promise<void> } | undefined> {
    const jobs = mongoose.connection.collection(COLLECTION);
    const [job] = await jobs
      .find({ 'data.key': { $exists: true }, nextRunAt: { $lte: until } })
      .sort({ nextRunAt: 1 })
      .limit(1)
      .toArray();
    let best: { name: string; at: Date; run: (now: Date) => Promise<void> } | undefined;
    if (job) {
      const runner = this.runners.get(String(job.name));
      best = {
        name: String(job.name),
        at: job.nextRunAt as Date,
        run: async () => {
          const taken = await jobs.deleteOne({ _id: job._id, nextRunAt: job.nextRunAt });
          if (runner && taken.deletedCount === 1) await runner(job.data as JobData);
        },
      };
    }
    for (const [name, src] of this.sources) {
      const at = await src.next();
      if (at && at <= until && (!best || at < best.at))
        best = { name, at, run: async (now) => void (await src.run(now)) };
    }
    return best;
  }
}

const runSchema = new Schema<JobRunRow>(
  { runKey: { type: String, required: true, unique: true }, at: { type: Date, required: true } },
  { versionKey: false, collection: 'job_runs' },
);
const JobRun = defineModel<JobRunRow>('JobRun', runSchema);

async function claimRun(runKey: string): Promise<boolean> {
  try {
    await JobRun.create({ runKey, at: new Date() });
    return true;
  } catch (err) {
    if (isDuplicateKey(err)) return false;
    throw err;
  }
}

function escapeRegex(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
