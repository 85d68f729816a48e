import { randomUUID } from 'node:crypto';
import { insertOnce, isDuplicateKey } from '../db/connect';
import { OutboxHour, OutboxSlot, type SlotRow } from './model';

/** What a batch take got: the members with a slot, and a way to give some back. */
export interface BatchSlots {
  granted: string[];
  giveBack(members: string[]): Promise<void>;
}

/** A slot is free again this long after its send (a minute, plus a second for clock skew). */
const SLOT_MS = 61_000;

/**
 * WeCom silently drops more than 30 messages a minute (1000 an hour) to one member. Every
 * instance takes a slot in the database before each send, atomically, so together they stay
 * under the limits; nothing is counted first and sent after.
 */
export class SharedThrottle {
  constructor(
    private readonly perMinute: number,
    private readonly perHour: number,
  ) {}

  /**
   * Takes a send slot for `recipient`; undefined when the recipient is at a limit (send later).
   * The answer gives the slot back if the send does not happen after all.
   */
  async take(recipient: string, now: Date): Promise<{ giveBack(): Promise<void> } | undefined> {
    const slot = await this.takeMinute(recipient, now);
    if (!slot) return undefined;
    const giveBack = async () => {
      await OutboxSlot.updateOne({ _id: slot._id, at: now }, { $set: { at: slot.at } });
    };
    if (await this.takeHour(recipient, now)) return { giveBack };
    await giveBack();
    return undefined;
  }

  /** Any of the recipient's `perMinute` slots last used over a minute ago. */
  private async takeMinute(recipient: string, now: Date): Promise<SlotRow | undefined> {
    const free = {
      recipient,
      i: { $lt: this.perMinute },
      at: { $lte: new Date(now.getTime() - SLOT_MS) },
    };
    for (let round = 0; round < 2; round++) {
      const before = await OutboxSlot.findOneAndUpdate(
        free,
        { $set: { at: now } },
        { returnDocument: 'before' },
      ).lean();
      if (before) return before;
      if (round === 0 && !(await this.createSlots(recipient))) return undefined;
    }
    return undefined;
  }

  /** First send to a recipient: its slot documents. True when any was missing. */
  private async createSlots(recipient: string): Promise<boolean> {
    const have = await OutboxSlot.countDocuments({ recipient, i: { $lt: this.perMinute } });
    if (have >= this.perMinute) return false;
    for (let i = 0; i < this.perMinute; i++) {
      await insertOnce(OutboxSlot, { _id: `${recipient}#${i}`, recipient, i, at: new Date(0) });
    }
    return true;
  }

  /**
   * A per-clock-hour counter under half the hourly limit: any 60 minutes span at most two clock
   * hours, so no sliding hour exceeds the limit.
   */
  private async takeHour(recipient: string, now: Date): Promise<boolean> {
    const hour = new Date(Math.floor(now.getTime() / 3_600_000) * 3_600_000);
    const _id = `${recipient}|${hour.toISOString()}`;
    const limit = Math.ceil(this.perHour / 2);
    for (let round = 0; round < 2; round++) {
      const res = await OutboxHour.updateOne({ _id, n: { $lt: limit } }, { $inc: { n: 1 } });
      if (res.modifiedCount === 1) return true;
      if (res.matchedCount === 0 && round === 0) {
        // The hour's first send (or the limit is reached: then the insert is a duplicate).
        if (await insertOnce(OutboxHour, { _id, hour, n: 1 })) return true;
      }
    }
    return false;
  }

  /**
   * Takes one send slot for each of `members` at once (a broadcast call to up to 1,000 of them)
   * in a few round trips: the same per-member minute slots and hour counters as `take`, so
   * a member's broadcast and personal pushes together stay under the limits. Members at a
   * limit are left out of `granted` (send them later).
   */
  async takeMany(members: string[], now: Date): Promise<BatchSlots> {
    const unique = [...new Set(members)];
    const by = randomUUID();
    const previous = await this.takeMinutes(unique, now, by);
    const inHour = await this.takeHours([...previous], now);
    // A given-back slot is free again (any time over a minute ago frees it).
    const giveBack = async (back: string[]) => {
      const mine = back.filter((m) => previous.has(m));
      if (!mine.length) return;
      await OutboxSlot.updateMany(
        { recipient: { $in: mine }, by, at: now },
        { $set: { at: new Date(0) }, $unset: { by: 1 } },
      );
    };
    await giveBack([...previous].filter((m) => !inHour.has(m)));
    return { granted: unique.filter((m) => inHour.has(m)), giveBack };
  }

  /**
   * Per member a free minute slot, or a new one while the member has fewer than `perMinute`:
   * one conditional updateMany (a slot another instance took meanwhile no longer matches) and
   * one insertMany, then the slots marked with this take's id are read back.
   */
  private async takeMinutes(members: string[], now: Date, by: string): Promise<Set<string>> {
    const cutoff = new Date(now.getTime() - SLOT_MS);
    const slots = await OutboxSlot.find({
      recipient: { $in: members },
      i: { $lt: this.perMinute },
    }).lean();
    const mine = new Map<string, SlotRow[]>();
    for (const s of slots) mine.set(s.recipient, [...(mine.get(s.recipient) ?? []), s]);
    const free: string[] = [];
    const inserts: SlotRow[] = [];
    for (const m of members) {
      const have = mine.get(m) ?? [];
      const slot = have.find((s) => s.at <= cutoff);
      const i = have.length ? Math.max(...have.map((s) => s.i)) + 1 : 0;
      if (slot) free.push(slot._id);
      else if (i < this.perMinute) inserts.push({ _id: `${m}#${i}`, recipient: m, i, at: now, by });
    }
    if (free.length)
      await OutboxSlot.updateMany(
        { _id: { $in: free }, at: { $lte: cutoff } },
        { $set: { at: now, by } },
      );
    await insertEach(OutboxSlot, inserts);
    const taken = await OutboxSlot.find({ recipient: { $in: members }, by, at: now }).lean();
    return new Set(taken.map((s) => s.recipient));
  }

  /**
   * Each member's hour counter, incremented under the limit by one conditional updateMany
   * (inserted for the hour's first send). When fewer counted than asked (another instance raced
   * to the limit), members whose counter is now at the limit are treated as refused — at worst
   * a counted send that did not happen, never one over the limit.
   */
  private async takeHours(members: string[], now: Date): Promise<Set<string>> {
    if (!members.length) return new Set();
    const hour = new Date(Math.floor(now.getTime() / 3_600_000) * 3_600_000);
    const limit = Math.ceil(this.perHour / 2);
    const idOf = (m: string) => `${m}|${hour.toISOString()}`;
    const rows = await OutboxHour.find({ _id: { $in: members.map(idOf) } }).lean();
    const count = new Map(rows.map((r) => [r._id, r.n]));
    const open = members.filter((m) => (count.get(idOf(m)) ?? 0) < limit);
    const fresh = open.filter((m) => !count.has(idOf(m)));
    // Counters another instance created first are incremented like the others.
    const raced = await insertEach(
      OutboxHour,
      fresh.map((m) => ({ _id: idOf(m), hour, n: 1 })),
    );
    const known = [
      ...open.filter((m) => count.has(idOf(m))),
      ...fresh.filter((m) => raced.has(idOf(m))),
    ];
    let done = fresh.length - raced.size;
    if (known.length) {
      const res = await OutboxHour.updateMany(
        { _id: { $in: known.map(idOf) }, n: { $lt: limit } },
        { $inc: { n: 1 } },
      );
      done += res.modifiedCount;
    }
    if (done === open.length) return new Set(open);
    const after = await OutboxHour.find({ _id: { $in: open.map(idOf) } }).lean();
    const full = new Set(after.filter((r) => r.n >= limit).map((r) => r._id));
    return new Set(open.filter((m) => !full.has(idOf(m))));
  }

  /** Hour counters of past hours (the housekeeping purge). */
  static async purge(now: Date): Promise<number> {
    const cutoff = new Date(now.getTime() - 2 * 3_600_000);
    return (await OutboxHour.deleteMany({ hour: { $lt: cutoff } })).deletedCount;
  }
}

/**
 * Inserts the documents, skipping those whose _id exists (another instance was first); returns
 * the _ids not inserted here. One insertMany, and one insert each only after a duplicate (the
 * embedded server writes nothing of an unordered batch with a duplicate; MongoDB writes the
 * rest, which then count as "not inserted here": a counter may count one send twice, never
 * one too few).
 */
async function insertEach<T extends { _id: string }>(
  model: {
    insertMany(docs: T[], opts: { ordered: false }): Promise<unknown>;
    create(doc: T): Promise<unknown>;
  },
  docs: T[],
): Promise<Set<string>> {
  const skipped = new Set<string>();
  if (!docs.length) return skipped;
  try {
    await model.insertMany(docs, { ordered: false });
    return skipped;
  } catch (err) {
    if (!isDuplicateKey(err)) throw err;
  }
  for (const doc of docs) if (!(await insertOnce(model, doc))) skipped.add(doc._id);
  return skipped;
}
