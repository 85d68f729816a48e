import { isDuplicateKey } from '../db/connect';
import { OutboxHour, OutboxSlot, type SlotRow } from './model';

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
      ).lean<SlotRow>();
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
      try {
        await OutboxSlot.create({ _id: `${recipient}#${i}`, recipient, i, at: new Date(0) });
      } catch (err) {
        if (!isDuplicateKey(err)) throw err;
      }
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
        try {
          await OutboxHour.create({ _id, hour, n: 1 });
          return true;
        } catch (err) {
          if (!isDuplicateKey(err)) throw err;
        }
      }
    }
    return false;
  }

  /** Hour counters of past hours (the housekeeping purge). */
  static async purge(now: Date): Promise<number> {
    const cutoff = new Date(now.getTime() - 2 * 3_600_000);
    return (await OutboxHour.deleteMany({ hour: { $lt: cutoff } })).deletedCount;
  }
}
