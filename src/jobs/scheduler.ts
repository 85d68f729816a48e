import { randomUUID } from 'node:crypto';
import { Agenda, InMemoryNotificationChannel, type Job } from 'agenda';
import { MongoBackend } from '@agendajs/mongo-backend';
import mongoose, { Schema } from 'mongoose';
import { defineModel } from '../db/model';
import type { JobKind } from './kinds';
import { systemClock, type Clock, type SettableClock } from '../lib/clock';
import { logger } from '../lib/logger';
import { insertOnce } from '../db/connect';
import { jobLag, jobRunsTotal } from '../lib/metrics';
import { local } from '../lib/time';

/**
 * A run's claim: inserted `running` before the handler, `done` after it. A `running` claim whose
 * lease has passed belongs to a crashed (or failed) run and is run again; `done` never is.
 * (Rows written before claims had a status have none: they count as done.)
 */
export interface JobRunRow {
  runKey: string;
  name?: string;
  key?: string;
  due?: string;
  status?: 'running' | 'done';
  leaseUntil?: Date;
  owner?: string;
  attempts?: number;
  at: Date;
  doneAt?: Date;
  lastError?: string;
}

/** Work due by data (see Scheduler.source). */
export interface Source {
  next(): Promise<Date | undefined>;
  run(now: Date): Promise<unknown>;
  now(): Date;
}

export type JobHandler = (data: { key: string }) => Promise<void>;
/** `due` is the scheduled time (ISO), carried in the data so a run can be claimed exactly once. */
type JobData = { key: string; due?: string };
interface Claim {
  runKey: string;
  name: string;
  owner: string;
  attempts: number;
}

const COLLECTION = 'jobs';
/** A failed run is retried after 30 s, 1 min, 2 min … at most 30 min: for ever, never dropped. */
const RETRY_BASE_MS = 30_000;
const RETRY_MAX_MS = 30 * 60_000;
const HOUSEKEEPING = 'housekeeping';
/**
 * How often Agenda looks for due jobs (issue #11: idle ≤ 2 database commands per second). Each
 * look costs one findAndModify per job type; a look also locks every job due before the next one
 * and runs it at its time, and a job this instance saves due sooner wakes the loop at once
 * (Agenda's in-process notification channel). Only a job another instance saves less than this
 * before it is due may start up to this late.
 */
export const PROCESS_EVERY_MS = 30_000;

export interface SchedulerOptions {
  processEvery?: number;
  /** A claim's lease (and Agenda's lock lifetime); renewed every third of it while running. */
  lockLifetimeMs?: number;
  name?: string;
  /** Leases and retries are timed by this clock (tests and the sandbox move it). */
  clock?: Clock;
  /** How long stop() waits for running handlers before leaving them to their lease. */
  stopTimeoutMs?: number;
}

/**
 * Thin wrapper over Agenda. Domain jobs are one-shot, keyed (`unique` per name+key, so
 * scheduling twice is harmless) and carry only their key. Recurring cycles re-schedule themselves.
 *
 * Exactly once, and never lost: each run (name + key + scheduled time) is claimed in `job_runs`
 * before its handler runs and marked done after. The claim is a conditional write, so two
 * instances never run one run together, whatever Agenda's lock does. While the handler runs its
 * lease is renewed; if the process dies (or the handler throws) the lease runs out and the run is
 * taken over and run again — by Agenda re-picking the job, or by the `jobs.recover` sweep.
 *
 * The contract for handlers: **a handler must be idempotent**. It may run again after a crash at
 * any point of it. It re-reads the state from its key, writes with conditional updates or unique
 * keys, and pushes through the outbox with an idempotency key, so a second run finishes what the
 * first began and repeats nothing.
 */
export class Scheduler {
  readonly agenda: Agenda;
  private readonly handlers = new Map<string, JobHandler>();
  private readonly sources = new Map<string, Source>();
  private readonly daily = new Map<string, (now: Date) => Promise<unknown>>();
  private readonly beats = new Set<NodeJS.Timeout>();
  private readonly clock: Clock;
  private readonly leaseMs: number;
  private started = false;
  /** Handler failures so far (the manual driver then looks for runs to retry). */
  private failures = 0;

  constructor(
    uri: string,
    private readonly opts: SchedulerOptions = {},
  ) {
    this.clock = opts.clock ?? systemClock;
    this.leaseMs = opts.lockLifetimeMs ?? 60_000;
    this.agenda = new Agenda({
      backend: new MongoBackend({ address: uri, collection: COLLECTION }),
      processEvery: opts.processEvery ?? PROCESS_EVERY_MS,
      defaultLockLifetime: this.leaseMs,
      name: opts.name,
      notificationChannel: new InMemoryNotificationChannel(),
    });
    this.agenda.on('error', (err) => logger.error({ err: err.message }, 'agenda error'));
  }

  define(name: string, handler: JobHandler): void {
    this.handlers.set(name, handler);
    this.agenda.define(name, async (job: Job<JobData>) => {
      const claim = await this.claim(name, job.attrs.data);
      if (claim) await this.execute(claim, job.attrs.data.key, job);
    });
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
    const sweepS = Math.min(30, Math.max(1, Math.round(this.leaseMs / 2000)));
    await this.every(sweepS, 'jobs.recover', async () => {
      await this.recover();
    });
    await this.agenda.start();
    this.started = true;
  }

  /**
   * Stops taking jobs, lets running ones finish (up to `stopTimeoutMs`), then stops. A handler
   * still running after that keeps no lease: another instance runs it again.
   */
  async stop(): Promise<void> {
    if (!this.started) {
      // agenda.stop() is a no-op before start(), yet save()/every() opened the backend's client.
      await (this.agenda.db as unknown as { disconnect?: () => Promise<void> }).disconnect?.();
      return;
    }
    this.started = false;
    const timeout = this.opts.stopTimeoutMs ?? 10_000;
    // drain() stops taking jobs, waits for running ones, then closes the backend's connection.
    // (Jobs locked but not started stay locked until their lock lifetime, then run elsewhere.)
    await Promise.race([
      this.agenda.drain({ timeout }).catch(() => undefined),
      new Promise((r) => setTimeout(r, timeout + 5_000).unref()),
    ]);
    for (const t of this.beats) clearInterval(t);
    this.beats.clear();
  }

  /** Claims a run: a new claim, or the takeover of a stale one. Undefined: done or held. */
  private async claim(name: string, data: JobData): Promise<Claim | undefined> {
    const runKey = `${name}|${data.key}|${data.due ?? ''}`;
    const now = this.clock.now();
    const owner = randomUUID();
    const leaseUntil = new Date(now.getTime() + this.leaseMs);
    const fresh = await insertOnce(JobRun, {
      runKey,
      name,
      key: data.key,
      due: data.due,
      status: 'running',
      leaseUntil,
      owner,
      attempts: 1,
      at: now,
    });
    if (fresh) return { runKey, name, owner, attempts: 1 };
    const taken = await JobRun.findOneAndUpdate(
      { runKey, status: 'running', leaseUntil: { $lte: now } },
      { $set: { leaseUntil, owner }, $inc: { attempts: 1 } },
      { returnDocument: 'after' },
    ).lean();
    if (!taken) return undefined;
    logger.warn({ job: name, attempt: taken.attempts }, 'job run taken over after its lease');
    return { runKey, name, owner, attempts: taken.attempts ?? 2 };
  }

  /** Runs the handler under the claim's lease; done after, or released for a retry. */
  private async execute(claim: Claim, key: string, job?: Job<JobData>): Promise<void> {
    const handler = this.handlers.get(claim.name)!;
    const beat = setInterval(() => {
      const leaseUntil = new Date(this.clock.now().getTime() + this.leaseMs);
      JobRun.updateOne({ runKey: claim.runKey, owner: claim.owner }, { $set: { leaseUntil } })
        .then(() => job?.touch())
        .catch((err) => logger.warn({ err: (err as Error).message }, 'job lease renewal failed'));
    }, this.leaseMs / 3);
    beat.unref();
    this.beats.add(beat);
    try {
      await handler({ key });
      await JobRun.updateOne(
        { runKey: claim.runKey },
        { $set: { status: 'done', doneAt: this.clock.now() } },
      );
      jobRunsTotal.inc({ outcome: claim.attempts > 1 ? 'recovered' : 'done' });
    } catch (err) {
      const delay = Math.min(RETRY_MAX_MS, RETRY_BASE_MS * 2 ** (claim.attempts - 1));
      await JobRun.updateOne(
        { runKey: claim.runKey, owner: claim.owner },
        {
          $set: {
            leaseUntil: new Date(this.clock.now().getTime() + delay),
            lastError: String((err as Error).message).slice(0, 300),
          },
        },
      );
      jobRunsTotal.inc({ outcome: 'failed' });
      this.failures++;
      logger.error(
        { job: claim.name, attempt: claim.attempts, retryInS: delay / 1000, err: String(err) },
        'job failed, will run again',
      );
    } finally {
      clearInterval(beat);
      this.beats.delete(beat);
    }
  }

  /** Runs again every run whose claim is stale (its process died, or it failed). */
  async recover(limit = 20): Promise<number> {
    const now = this.clock.now();
    const stale = await JobRun.find({ status: 'running', leaseUntil: { $lte: now } })
      .sort({ leaseUntil: 1 })
      .limit(limit)
      .lean();
    let ran = 0;
    for (const r of stale) {
      if (!r.name || !this.handlers.has(r.name) || r.key === undefined) continue;
      const claim = await this.claim(r.name, { key: r.key, due: r.due });
      if (!claim) continue;
      await this.execute(claim, r.key);
      ran++;
    }
    await this.measureLag(now);
    return ran;
  }

  /** `baoxue_jobs_lag_seconds`: how long the oldest due keyed job or stale run has waited. */
  private async measureLag(now: Date): Promise<void> {
    const [job] = await mongoose.connection
      .collection(COLLECTION)
      .find({ 'data.key': { $exists: true }, nextRunAt: { $lte: now }, lockedAt: null })
      .sort({ nextRunAt: 1 })
      .limit(1)
      .toArray();
    const [run] = await JobRun.find({ status: 'running', leaseUntil: { $lte: now } })
      .sort({ at: 1 })
      .limit(1)
      .lean();
    const since = [job?.nextRunAt as Date | undefined, run?.at].filter((d): d is Date => !!d);
    const oldest = Math.min(now.getTime(), ...since.map((d) => d.getTime()));
    jobLag.set(Math.max(0, (now.getTime() - oldest) / 1000));
  }

  /** Domain jobs due up to `until`, soonest first (the sandbox's clock panel shows these). */
  async pending(until?: Date, limit = 50): Promise<{ name: string; key: string; at: Date }[]> {
    const q: Record<string, unknown> = {
      'data.key': { $exists: true },
      name: { $ne: HOUSEKEEPING },
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
   * Manual-clock driver (tests and the sandbox): runs every keyed job due up to `until`, and
   * every stale run (a failed handler's retry), in order, with the clock set to each one's
   * time, then leaves the clock at `until`. `after` runs after each (e.g. an outbox pump).
   */
  async runUntil(clock: SettableClock, until: Date, after?: () => Promise<void>): Promise<number> {
    const jobs = mongoose.connection.collection(COLLECTION);
    let ran = 0;
    // What is already queued goes out at the current time, before the clock moves on.
    if (after) await after();
    // Stale runs are looked for at first, then only after a handler failed here.
    let lookForStale = true;
    for (let guard = 0; guard < 10_000; guard++) {
      const [next] = await jobs
        .find({ 'data.key': { $exists: true }, nextRunAt: { $lte: until } })
        .sort({ nextRunAt: 1 })
        .limit(1)
        .toArray();
      const failuresBefore = this.failures;
      const staleRows: JobRunRow[] = lookForStale
        ? await JobRun.find({ status: 'running', leaseUntil: { $lte: until } })
            .sort({ leaseUntil: 1 })
            .limit(1)
            .lean()
        : [];
      const stale = staleRows[0];
      lookForStale = !!stale;
      const jobAt = next?.nextRunAt as Date | undefined;
      const src = await this.nextSource(until);
      const first = [jobAt, stale?.leaseUntil, src?.at].filter((d): d is Date => !!d);
      if (!first.length) break;
      const at = new Date(Math.min(...first.map((d) => d.getTime())));
      if (at > clock.now()) clock.set(at);
      const retry = stale && stale.leaseUntil!.getTime() === at.getTime();
      if (src && src.at.getTime() === at.getTime() && !retry && jobAt?.getTime() !== at.getTime())
        await this.runSource(src.name, clock.now());
      else if (retry) await this.recover(1);
      else
        await this.runDoc(
          next as unknown as { _id: unknown; name: string } & Record<string, unknown>,
        );
      if (this.failures !== failuresBefore) lookForStale = true;
      ran++;
      if (after) await after();
    }
    if (until > clock.now()) clock.set(until);
    if (after) await after();
    return ran;
  }

  /** The source due soonest by `until` (the clock driver runs it like a job). */
  private async nextSource(until: Date): Promise<{ name: string; at: Date } | undefined> {
    let best: { name: string; at: Date } | undefined;
    for (const [name, src] of this.sources) {
      const at = await src.next();
      if (at && at <= until && (!best || at < best.at)) best = { name, at };
    }
    return best;
  }

  private async runSource(name: string, now: Date): Promise<void> {
    try {
      await this.sources.get(name)!.run(now);
    } catch (err) {
      logger.error({ source: name, err: (err as Error).message }, 'source failed');
    }
  }

  /** One job document by hand: claim first, then take the document, then run. */
  private async runDoc(doc: { _id: unknown; name: string } & Record<string, unknown>) {
    const data = doc.data as JobData;
    const handler = this.handlers.has(doc.name);
    const claim = handler ? await this.claim(doc.name, data) : undefined;
    const taken = await mongoose.connection
      .collection(COLLECTION)
      .deleteOne({ _id: doc._id as mongoose.Types.ObjectId, nextRunAt: doc.nextRunAt });
    if (claim && taken.deletedCount === 1) await this.execute(claim, data.key);
    else if (claim) await JobRun.updateOne({ runKey: claim.runKey }, { $set: { status: 'done' } });
  }

  /** A task the daily `housekeeping` job runs (reports, purges). It must be idempotent. */
  registerDaily(name: string, fn: (now: Date) => Promise<unknown>): void {
    this.daily.set(name, fn);
  }

  /** A purge for the daily `housekeeping` job: deletes what is past retention, returns how many. */
  registerPurge(name: string, fn: (now: Date) => Promise<number>): void {
    this.registerDaily(`purge:${name}`, async (now) => {
      const removed = await fn(now);
      logger.info({ purge: name, removed }, 'purged past retention');
    });
  }

  /**
   * The daily `housekeeping` job (keyed by day, at `hhmm` Asia/Shanghai): runs every registered
   * daily task and purge, then schedules the next day. Completed job-run claims are purged after
   * `keepRunsDays`.
   */
  async enableHousekeeping(hhmm = '07:00', keepRunsDays = 30): Promise<void> {
    const [hour, minute] = hhmm.split(':').map(Number);
    const nextRun = (after: Date) => {
      let t = local(after).set({ hour, minute, second: 0, millisecond: 0 });
      if (t.toJSDate() <= after) t = t.plus({ days: 1 });
      return t;
    };
    const schedule = (t: ReturnType<typeof nextRun>) =>
      this.at(HOUSEKEEPING, `${HOUSEKEEPING}:${t.toISODate()}`, t.toJSDate());
    this.registerPurge('job_runs', async (now) => {
      const cutoff = new Date(now.getTime() - keepRunsDays * 86_400_000);
      return (await JobRun.deleteMany({ status: 'done', doneAt: { $lt: cutoff } })).deletedCount;
    });
    this.define(HOUSEKEEPING, async () => {
      const now = this.clock.now();
      await schedule(nextRun(now));
      const failed: string[] = [];
      for (const [name, fn] of this.daily) {
        try {
          await fn(now);
        } catch (err) {
          failed.push(name);
          logger.error({ task: name, err: (err as Error).message }, 'housekeeping task failed');
        }
      }
      if (failed.length) throw new Error(`housekeeping failed: ${failed.join(', ')}`);
    });
    await schedule(nextRun(this.clock.now()));
  }
}

const runSchema = new Schema<JobRunRow>(
  {
    runKey: { type: String, required: true, unique: true },
    name: { type: String },
    key: { type: String },
    due: { type: String },
    status: { type: String, enum: ['running', 'done'] },
    leaseUntil: { type: Date },
    owner: { type: String },
    attempts: { type: Number },
    at: { type: Date, required: true },
    doneAt: { type: Date },
    lastError: { type: String },
  },
  { versionKey: false, collection: 'job_runs' },
);
runSchema.index({ status: 1, leaseUntil: 1 });
export const JobRun = defineModel<JobRunRow>('JobRun', runSchema);

function escapeRegex(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
