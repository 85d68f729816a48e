import mongoose from 'mongoose';
import { PiiCipher, SEALED_PATTERN } from './pii';

export interface RekeyCount {
  collection: string;
  documents: number;
  /** Values moved to the new key. */
  resealed: number;
  /** Values already under the new key (a second run finds only these). */
  current: number;
  /** Values neither key opens (a wrong --from?): left as they are. */
  unreadable: number;
  /** Documents changed by the running app between read and write: run again for these. */
  conflicts: number;
}

type Tally = Pick<RekeyCount, 'resealed' | 'current' | 'unreadable'>;

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && Object.getPrototypeOf(v) === Object.prototype;
}

/** The value with every sealed string under the new key (walks arrays and sub-documents). */
function reseal(v: unknown, reader: PiiCipher, writer: PiiCipher, t: Tally): unknown {
  if (typeof v === 'string') {
    if (!SEALED_PATTERN.test(v)) return v;
    if (writer.isCurrent(v)) {
      t.current++;
      return v;
    }
    const plain = reader.tryOpen(v);
    if (plain === undefined) {
      t.unreadable++;
      return v;
    }
    t.resealed++;
    return writer.seal(plain);
  }
  if (Array.isArray(v)) return v.map((x) => reseal(x, reader, writer, t));
  if (isPlainObject(v))
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, reseal(x, reader, writer, t)]));
  return v;
}

/**
 * Re-encrypts every sealed value (`v1:…`, whatever field holds it) of `collection` from the old
 * key to the new one, in batches. Each write is conditional on the fields it changes being as
 * read, so the app can keep running; a value already under the new key is left alone, so a
 * second run changes nothing.
 */
async function rekeyCollection(
  name: string,
  reader: PiiCipher,
  writer: PiiCipher,
  batch: number,
): Promise<RekeyCount> {
  const col = mongoose.connection.collection(name);
  const count: RekeyCount = {
    collection: name,
    documents: 0,
    resealed: 0,
    current: 0,
    unreadable: 0,
    conflicts: 0,
  };
  let last: unknown;
  for (;;) {
    const docs = await col
      .find(last === undefined ? {} : { _id: { $gt: last as never } })
      .sort({ _id: 1 })
      .limit(batch)
      .toArray();
    if (!docs.length) break;
    last = docs[docs.length - 1]._id;
    count.documents += docs.length;
    const ops = [];
    for (const doc of docs) {
      const filter: Record<string, unknown> = { _id: doc._id };
      const set: Record<string, unknown> = {};
      for (const [field, value] of Object.entries(doc)) {
        if (field === '_id') continue;
        const t: Tally = { resealed: 0, current: 0, unreadable: 0 };
        const next = reseal(value, reader, writer, t);
        count.current += t.current;
        count.unreadable += t.unreadable;
        if (!t.resealed) continue;
        count.resealed += t.resealed;
        filter[field] = value;
        set[field] = next;
      }
      if (Object.keys(set).length) ops.push({ updateOne: { filter, update: { $set: set } } });
    }
    if (ops.length) {
      const res = await col.bulkWrite(ops, { ordered: false });
      count.conflicts += ops.length - res.matchedCount;
    }
  }
  return count;
}

/** Every collection's sealed values from `fromKey` to `toKey`. */
export async function rekey(
  fromKey: string,
  toKey: string,
  collections: string[],
  batch = 500,
): Promise<RekeyCount[]> {
  const writer = new PiiCipher(toKey);
  const reader = new PiiCipher(toKey, [fromKey]);
  const out: RekeyCount[] = [];
  for (const name of collections) out.push(await rekeyCollection(name, reader, writer, batch));
  return out;
}

/** The collections of every model this process has loaded (import the models first). */
export function modelCollections(): string[] {
  return [...new Set(mongoose.modelNames().map((n) => mongoose.model(n).collection.name))].sort();
}
