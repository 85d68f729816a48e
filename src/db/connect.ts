import mongoose, { type Model } from 'mongoose';
import { logger } from '../lib/logger';

// jongodb has no `create` command; MongoDB creates collections on first insert anyway.
mongoose.set('autoCreate', false);
mongoose.set('strictQuery', true);

export interface ConnectOptions {
  /** Emit the driver's command events (`commandStarted`…), e.g. to count round trips. */
  monitorCommands?: boolean;
  /** Called with each command's name as it starts (implies monitorCommands). */
  onCommand?: (name: string) => void;
}

/** What start-up found and did about each model's indexes. */
export interface IndexOutcome {
  /** Models whose indexes were all there (no build). */
  present: string[];
  /** Built before connectDb returned (the collection was empty: instant). */
  built: string[];
  /** Built after connectDb returned, because the collection already holds rows. */
  background: string[];
  failed: string[];
}

let ready: Promise<IndexOutcome> = Promise.resolve({
  present: [],
  built: [],
  background: [],
  failed: [],
});

/** Settles when the last index build started by connectDb has finished (or failed). */
export function indexesReady(): Promise<IndexOutcome> {
  return ready;
}

type AnyModel = Model<unknown>;

async function build(m: AnyModel, outcome: IndexOutcome, list: keyof IndexOutcome) {
  try {
    await m.createIndexes();
    outcome[list].push(m.modelName);
  } catch (err) {
    outcome.failed.push(m.modelName);
    logger.error({ err, model: m.modelName }, 'index build failed');
  }
}

/**
 * Indexes without blocking start-up: one listIndexes per collection finds what is missing
 * (usually nothing). Missing indexes on an empty collection are built at once — that is
 * instant, and the unique ones carry exactly-once guarantees from the first write. Missing
 * indexes on a collection that holds rows are built in the background, logged when done.
 */
async function ensureIndexes(models: AnyModel[]): Promise<{ done: Promise<IndexOutcome> }> {
  const outcome: IndexOutcome = { present: [], built: [], background: [], failed: [] };
  const later: Promise<void>[] = [];
  await Promise.all(
    models.map(async (m) => {
      try {
        const { toCreate } = await m.diffIndexes();
        if (!toCreate.length) return void outcome.present.push(m.modelName);
        // findOne, not exists(): exists() uses a projection, which jongodb does not serve.
        if (!(await m.findOne({}).lean())) return build(m, outcome, 'built');
        later.push(build(m, outcome, 'background'));
      } catch (err) {
        outcome.failed.push(m.modelName);
        logger.error({ err, model: m.modelName }, 'index check failed');
      }
    }),
  );
  const done = Promise.all(later).then(() => {
    if (outcome.background.length || outcome.failed.length)
      logger.info({ ...outcome, present: outcome.present.length }, 'indexes ensured');
    return outcome;
  });
  return { done };
}

export async function connectDb(uri: string, opts: ConnectOptions = {}): Promise<typeof mongoose> {
  // autoIndex off: mongoose would otherwise re-issue createIndexes for every index of every
  // model at each start (on jongodb each is a scan of the collection); ensureIndexes decides.
  await mongoose.connect(uri, {
    serverSelectionTimeoutMS: 10000,
    autoIndex: false,
    // Only switched on here: a URI's own `monitorCommands=true` (db/monitor.ts) must stand.
    ...(opts.monitorCommands || opts.onCommand ? { monitorCommands: true } : {}),
  });
  const onCommand = opts.onCommand;
  if (onCommand)
    mongoose.connection.getClient().on('commandStarted', (e) => onCommand(e.commandName));
  ready = (await ensureIndexes(Object.values(mongoose.models) as AnyModel[])).done;
  return mongoose;
}

export async function pingDb(): Promise<boolean> {
  try {
    await mongoose.connection.db!.admin().command({ ping: 1 });
    return true;
  } catch {
    return false;
  }
}

/** The same server with another database name (the embedded server's URI carries its own path). */
export function withDbName(uri: string, name: string): string {
  const url = new URL(uri);
  url.pathname = `/${name}`;
  return url.toString();
}

/** MongoDB's duplicate-key error (E11000): how unique indexes say "this happened already". */
export function isDuplicateKey(err: unknown): boolean {
  return (err as { code?: number }).code === 11000;
}

/**
 * Inserts `doc` unless a unique index says it is there already (`isDuplicateKey`): true when
 * this call inserted it, false when it was there (another instance, a retry, a second click).
 */
export async function insertOnce<D>(
  model: { create(doc: D): Promise<unknown> },
  doc: D,
): Promise<boolean> {
  try {
    await model.create(doc);
    return true;
  } catch (err) {
    if (!isDuplicateKey(err)) throw err;
    return false;
  }
}
