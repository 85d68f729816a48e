import mongoose, { type mongo } from 'mongoose';

type MongoClient = mongo.MongoClient;
type CommandStartedEvent = mongo.CommandStartedEvent;
type CommandSucceededEvent = mongo.CommandSucceededEvent;
type Doc = Record<string, unknown>;

/**
 * Counts database round trips with the MongoDB driver's command monitoring: every command a
 * client sends (find, insert, update, aggregate, getMore…) is one `commandStarted` event.
 * A client emits them only when created with `monitorCommands` — pass the URI through
 * `monitoredUri()` before connecting (mongoose and Agenda's own client then both emit).
 *
 *   const m = monitorCommands(mongoose.connection.getClient());
 *   m.start(); await work(); m.stop();
 *   m.byCommand(); // { find: 3, insert: 1 }
 *   m.documents(); // { students: 12, cases: 3 } (documents the replies carried, per collection)
 *   m.filters();   // [{ command: 'find', collection: 'students', shape: { eq: ['classId'] … } }]
 *
 * Used by tests/integration/round-trips.test.ts, tests/integration/scale-counted.test.ts and
 * the benchmarks. It logs nothing and keeps no document and no value: command names,
 * collection names, how many documents a reply carried, and the field paths a filter names.
 */
export function monitoredUri(uri: string): string {
  const url = new URL(uri);
  url.searchParams.set('monitorCommands', 'true');
  return url.toString();
}

/**
 * How a filter constrains a collection, by field path only (never values): fields held to one
 * value or a list (`{a: 1}`, `$eq`, `$in`, `$all`, an `$elemMatch` of those), fields
 * constrained otherwise (ranges, `$exists`, `$regex`, `$ne`…), and the `$or`s it requires
 * (each an array of branches, every one a shape of its own).
 */
export interface FilterShape {
  eq: string[];
  other: string[];
  or: FilterShape[][];
}

/** One filter a command applied to a collection, e.g. a find's, or a `$unionWith`'s `$match`. */
export interface FilterRecord {
  command: string;
  collection: string;
  /** Where in the command: 'filter', '$match', '$unionWith', '$lookup', 'q'… */
  at: string;
  shape: FilterShape;
  /**
   * An aggregate's documents that are grouped or counted on the server ($group, $count,
   * $facet, $bucket…): every document the filter matches is examined, however few rows return.
   */
  grouped?: boolean;
}

const emptyShape = (): FilterShape => ({ eq: [], other: [], or: [] });
const isDoc = (v: unknown): v is Doc =>
  typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof RegExp);
/** A plain object of query operators ({ $in: … }), not a value such as an ObjectId or a date. */
const isOperators = (v: unknown): v is Doc =>
  isDoc(v) && Object.keys(v).length > 0 && Object.keys(v).every((k) => k.startsWith('$'));
const EQ_OPS = new Set(['$eq', '$in', '$all']);

function mergeInto(into: FilterShape, from: FilterShape): void {
  into.eq.push(...from.eq);
  into.other.push(...from.other);
  into.or.push(...from.or);
}

/** `$expr: { $eq: ['$field', …] }` (a `$lookup`'s join) constrains the field by equality. */
function exprShape(expr: unknown, into: FilterShape): void {
  if (!isDoc(expr)) return void into.other.push('$expr');
  const [op] = Object.keys(expr);
  const args = expr[op];
  if (op === '$and' && Array.isArray(args)) return args.forEach((a) => exprShape(a, into));
  if (op === '$eq' && Array.isArray(args)) {
    const field = args.find((a): a is string => typeof a === 'string' && /^\$[^$]/.test(a));
    if (field) return void into.eq.push(field.slice(1));
  }
  into.other.push('$expr');
}

function fieldShape(path: string, cond: unknown, into: FilterShape): void {
  if (!isOperators(cond)) return void into.eq.push(path);
  const ops = Object.keys(cond);
  if (ops.some((op) => EQ_OPS.has(op))) return void into.eq.push(path);
  const elem = cond.$elemMatch;
  if (ops.length === 1 && isDoc(elem)) {
    const inner = filterShape(elem);
    into.eq.push(...inner.eq.map((f) => `${path}.${f}`));
    into.other.push(...inner.other.map((f) => `${path}.${f}`));
    return;
  }
  into.other.push(path);
}

/** The shape of a query filter: field paths and operators, no values. */
export function filterShape(filter: unknown): FilterShape {
  const shape = emptyShape();
  if (!isDoc(filter)) return shape;
  for (const [key, cond] of Object.entries(filter)) {
    const list = Array.isArray(cond) ? cond : [];
    if (key === '$and') list.forEach((c) => mergeInto(shape, filterShape(c)));
    else if (key === '$or') shape.or.push(list.map(filterShape));
    else if (key === '$expr') exprShape(cond, shape);
    else if (key.startsWith('$'))
      shape.other.push(key); // $nor, $text, $where, $comment…
    else fieldShape(key, cond, shape);
  }
  return shape;
}

/**
 * Whether an index can find a filter's documents without reading the collection: some index
 * (its key fields in order) starts with a field the filter holds by equality or `$in`, or one
 * of the filter's `$or`s has every branch covered.
 */
export function isCovered(shape: FilterShape, indexes: string[][]): boolean {
  if (indexes.some((keys) => keys.length > 0 && shape.eq.includes(keys[0]))) return true;
  return shape.or.some((branches) => branches.every((b) => isCovered(b, indexes)));
}

/** All field paths a shape names (its `$or` branches' too), sorted, for a message. */
export function shapeFields(shape: FilterShape): string[] {
  const all = new Set([...shape.eq, ...shape.other]);
  for (const branches of shape.or)
    for (const b of branches) shapeFields(b).forEach((f) => all.add(f));
  return [...all].sort();
}

const stageOf = (stage: unknown, name: string): unknown => (isDoc(stage) ? stage[name] : undefined);

const GROUPING = ['$group', '$count', '$facet', '$bucket', '$bucketAuto', '$sortByCount'];
/** Whether a pipeline (or the rest of one) groups or counts the documents that reach it. */
const groups = (pipeline: unknown): boolean =>
  Array.isArray(pipeline) && pipeline.some((st) => GROUPING.some((g) => stageOf(st, g)));

/** A pipeline's leading `$match` (an empty shape when it starts otherwise: every document). */
function headMatch(pipeline: unknown): FilterShape {
  const first = Array.isArray(pipeline) ? pipeline[0] : undefined;
  const match = stageOf(first, '$match');
  return match === undefined ? emptyShape() : filterShape(match);
}

/** The collections a pipeline's `$unionWith` and `$lookup` stages read, and their filters. */
function joinedFilters(command: string, pipeline: unknown, out: FilterRecord[]): void {
  if (!Array.isArray(pipeline)) return;
  pipeline.forEach((stage, i) => {
    // A join's rows are grouped by its own pipeline or by a grouping stage after it.
    const later = groups(pipeline.slice(i + 1));
    const union = stageOf(stage, '$unionWith');
    const add = (collection: string, at: string, shape: FilterShape, sub: unknown) =>
      out.push({ command, collection, at, shape, grouped: later || groups(sub) });
    if (typeof union === 'string') add(union, '$unionWith', emptyShape(), []);
    if (isDoc(union) && typeof union.coll === 'string') {
      add(union.coll, '$unionWith', headMatch(union.pipeline), union.pipeline);
      joinedFilters(command, union.pipeline, out);
    }
    const lookup = stageOf(stage, '$lookup');
    if (isDoc(lookup) && typeof lookup.from === 'string') {
      const shape = lookup.pipeline ? headMatch(lookup.pipeline) : emptyShape();
      if (typeof lookup.foreignField === 'string') shape.eq.push(lookup.foreignField);
      add(lookup.from, '$lookup', shape, lookup.pipeline);
      joinedFilters(command, lookup.pipeline, out);
    }
  });
}

/** The filters a command applies, per collection (none for insert, getMore, admin commands). */
export function commandFilters(name: string, command: Doc): FilterRecord[] {
  const coll = command[name];
  if (typeof coll !== 'string') return [];
  const one = (at: string, filter: unknown): FilterRecord => ({
    command: name,
    collection: coll,
    at,
    shape: filterShape(filter),
  });
  const each = (list: unknown, at: string) =>
    (Array.isArray(list) ? list : []).map((s) => one(at, stageOf(s, at)));
  switch (name) {
    case 'find':
      return [one('filter', command.filter)];
    case 'count':
    case 'distinct':
      return [one('query', command.query)];
    case 'findAndModify':
      return [one('query', command.query)];
    case 'update':
      return each(command.updates, 'q');
    case 'delete':
      return each(command.deletes, 'q');
    case 'aggregate': {
      const shape = headMatch(command.pipeline);
      const out = [{ ...one('$match', undefined), shape, grouped: groups(command.pipeline) }];
      joinedFilters(name, command.pipeline, out);
      return out;
    }
    default:
      return [];
  }
}

/** How many documents a reply carried to the app. */
export function documentsIn(name: string, reply: unknown): number {
  if (!isDoc(reply)) return 0;
  const cursor = reply.cursor;
  if (isDoc(cursor)) {
    const batch = cursor.firstBatch ?? cursor.nextBatch;
    return Array.isArray(batch) ? batch.length : 0;
  }
  if (name === 'count') return 1;
  if (name === 'distinct') return Array.isArray(reply.values) ? reply.values.length : 0;
  if (name === 'findAndModify') return reply.value ? 1 : 0;
  return 0;
}

interface Listeners {
  started: (e: CommandStartedEvent) => void;
  succeeded: (e: CommandSucceededEvent) => void;
}

export class CommandMonitor {
  private readonly counts = new Map<string, number>();
  private readonly clients = new Map<MongoClient, Listeners>();
  private counting = false;
  private readonly seen: string[] = [];
  private readonly docs = new Map<string, number>();
  private readonly filtersSeen: FilterRecord[] = [];
  /** Commands started while counting, by request id: the collection their reply is about. */
  private readonly pending = new Map<string, string>();

  private onStarted(client: number, e: CommandStartedEvent): void {
    if (!this.counting) return;
    this.counts.set(e.commandName, (this.counts.get(e.commandName) ?? 0) + 1);
    const command = e.command as Doc;
    const target = command[e.commandName];
    this.seen.push(typeof target === 'string' ? `${e.commandName} ${target}` : e.commandName);
    // getMore names its cursor; the collection is beside it.
    const coll = e.commandName === 'getMore' ? command.collection : target;
    if (typeof coll === 'string') this.pending.set(`${client}:${e.requestId}`, coll);
    this.filtersSeen.push(...commandFilters(e.commandName, command));
  }

  private onSucceeded(client: number, e: CommandSucceededEvent): void {
    const key = `${client}:${e.requestId}`;
    const coll = this.pending.get(key);
    if (coll === undefined) return;
    this.pending.delete(key);
    const n = documentsIn(e.commandName, e.reply);
    if (n) this.docs.set(coll, (this.docs.get(coll) ?? 0) + n);
  }

  /** The commands seen since start(), in order, each with its collection ("find students"). */
  trail(): string[] {
    return [...this.seen];
  }

  /** Also counts this client's commands (it must have been created with monitorCommands). */
  attach(client: MongoClient): this {
    if (!client.options.monitorCommands)
      throw new Error('client not created with monitorCommands: connect with monitoredUri()');
    if (this.clients.has(client)) return this;
    const id = this.clients.size;
    const listeners: Listeners = {
      started: (e) => this.onStarted(id, e),
      succeeded: (e) => this.onSucceeded(id, e),
    };
    client.on('commandStarted', listeners.started);
    client.on('commandSucceeded', listeners.succeeded);
    this.clients.set(client, listeners);
    return this;
  }

  /** Clears the counts and starts counting. */
  start(): this {
    this.counts.clear();
    this.seen.length = 0;
    this.docs.clear();
    this.filtersSeen.length = 0;
    this.pending.clear();
    this.counting = true;
    return this;
  }

  /** Stops counting; the counts stay readable. */
  stop(): Record<string, number> {
    this.counting = false;
    return this.byCommand();
  }

  /** Commands seen since start(), by command name. */
  byCommand(): Record<string, number> {
    return Object.fromEntries([...this.counts.entries()].sort(([a], [b]) => a.localeCompare(b)));
  }

  total(): number {
    let n = 0;
    for (const v of this.counts.values()) n += v;
    return n;
  }

  /**
   * Documents the replies to the commands started since start() carried to the app, per
   * collection: a find's, aggregate's or getMore's batch, 1 for a count, a distinct's values,
   * a findAndModify's document. An aggregate's rows count for the collection it runs on,
   * whatever its `$unionWith` stages joined in. A reply that arrives after stop() still counts.
   */
  documents(): Record<string, number> {
    return Object.fromEntries([...this.docs.entries()].sort(([a], [b]) => a.localeCompare(b)));
  }

  documentsTotal(): number {
    let n = 0;
    for (const v of this.docs.values()) n += v;
    return n;
  }

  /** The filters of the commands seen since start() (field paths only), in order. */
  filters(): FilterRecord[] {
    return [...this.filtersSeen];
  }

  /** Stops listening to every attached client. */
  detach(): void {
    for (const [c, l] of this.clients) {
      c.off('commandStarted', l.started);
      c.off('commandSucceeded', l.succeeded);
    }
    this.clients.clear();
    this.counting = false;
  }
}

/** A monitor on mongoose's client and on any other clients given (e.g. Agenda's). */
export function monitorCommands(...clients: (MongoClient | undefined)[]): CommandMonitor {
  const m = new CommandMonitor().attach(mongoose.connection.getClient() as MongoClient);
  for (const c of clients) if (c) m.attach(c);
  return m;
}

/**
 * The MongoClient Agenda's Mongo backend opened for itself (`agenda.db` is its repository; the
 * client is not part of its public API, hence the runtime check). Undefined before Agenda
 * connected or when it was handed an existing connection.
 */
export function agendaClient(agenda: { db: unknown }): MongoClient | undefined {
  const client = (agenda.db as { mongoClient?: unknown } | undefined)?.mongoClient;
  return client && typeof (client as MongoClient).on === 'function'
    ? (client as MongoClient)
    : undefined;
}
