import mongoose, { type mongo } from 'mongoose';

type MongoClient = mongo.MongoClient;
type CommandStartedEvent = mongo.CommandStartedEvent;

/**
 * Counts database round trips with the MongoDB driver's command monitoring: every command a
 * client sends (find, insert, update, aggregate, getMore…) is one `commandStarted` event.
 * A client emits them only when created with `monitorCommands` — pass the URI through
 * `monitoredUri()` before connecting (mongoose and Agenda's own client then both emit).
 *
 *   const m = monitorCommands(mongoose.connection.getClient());
 *   m.start(); await work(); m.stop();
 *   m.byCommand(); // { find: 3, insert: 1 }
 *
 * Used by tests/integration/round-trips.test.ts and the benchmarks; it logs nothing and sees
 * only command names, never their documents.
 */
export function monitoredUri(uri: string): string {
  const url = new URL(uri);
  url.searchParams.set('monitorCommands', 'true');
  return url.toString();
}

export class CommandMonitor {
  private readonly counts = new Map<string, number>();
  private readonly clients = new Set<MongoClient>();
  private counting = false;
  private readonly seen: string[] = [];
  private readonly onCommand = (e: CommandStartedEvent): void => {
    if (!this.counting) return;
    this.counts.set(e.commandName, (this.counts.get(e.commandName) ?? 0) + 1);
    const target = (e.command as Record<string, unknown>)[e.commandName];
    this.seen.push(typeof target === 'string' ? `${e.commandName} ${target}` : e.commandName);
  };

  /** The commands seen since start(), in order, each with its collection ("find students"). */
  trail(): string[] {
    return [...this.seen];
  }

  /** Also counts this client's commands (it must have been created with monitorCommands). */
  attach(client: MongoClient): this {
    if (!client.options.monitorCommands)
      throw new Error('client not created with monitorCommands: connect with monitoredUri()');
    if (!this.clients.has(client)) client.on('commandStarted', this.onCommand);
    this.clients.add(client);
    return this;
  }

  /** Clears the counts and starts counting. */
  start(): this {
    this.counts.clear();
    this.seen.length = 0;
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

  /** Stops listening to every attached client. */
  detach(): void {
    for (const c of this.clients) c.off('commandStarted', this.onCommand);
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
