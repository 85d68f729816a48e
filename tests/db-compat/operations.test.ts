import mongoose, { Schema } from 'mongoose';
import { connectDb } from '../../src/db/connect';
import { testUri } from '../support/harness';

/**
 * Exactly the MongoDB operations Baoxue relies on, asserted against the embedded server.
 * Production runs a real MongoDB replica set; if this suite passes against a server, the
 * app's data access behaves the same there. (Run it against a real one with
 * BAOXUE_TEST_MONGO=mongodb://… npx jest tests/db-compat.) Deliberately NOT used anywhere:
 * $push/$pull/$min/$max/$rename, $group accumulators other than $sum, change streams, TTL
 * indexes, find projections, computed $project/$addFields, compound $group keys (`_id: { a:
 * '$a', b: '$b' }`: jongodb groups the object literally; the dashboard groups by one field per
 * $match instead).
 */
const Thing = mongoose.model(
  'CompatThing',
  new Schema(
    {
      key: { type: String, unique: true },
      group: String,
      n: Number,
      at: Date,
      tags: [String],
      sub: { a: String },
    },
    { collection: 'compat_things', versionKey: false },
  ),
);

beforeAll(async () => {
  await connectDb(testUri());
});
afterAll(async () => {
  await mongoose.disconnect();
});
beforeEach(async () => {
  await Thing.deleteMany({});
});

describe('operations Baoxue relies on', () => {
  it('unique index rejects a duplicate with E11000 (dedupe, outbox keys, one open case)', async () => {
    await Thing.create({ key: 'a' });
    await expect(Thing.create({ key: 'a' })).rejects.toMatchObject({ code: 11000 });
  });

  it('concurrent inserts of one key: exactly one wins', async () => {
    const results = await Promise.allSettled(
      Array.from({ length: 5 }, () => Thing.create({ key: 'race' })),
    );
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
  });

  it('partial unique index (unique among documents matching a filter)', async () => {
    const col = mongoose.connection.collection('compat_partial');
    await col.createIndex(
      { student: 1 },
      { unique: true, partialFilterExpression: { open: true } },
    );
    await col.insertOne({ student: 's1', open: false });
    await col.insertOne({ student: 's1', open: false });
    await col.insertOne({ student: 's1', open: true });
    await expect(col.insertOne({ student: 's1', open: true })).rejects.toMatchObject({
      code: 11000,
    });
    await col.deleteMany({}); // note: jongodb has no `drop` command; Baoxue never drops
  });

  it('updateOne with upsert and $set; updateMany with $in; $inc', async () => {
    await Thing.updateOne({ key: 'u' }, { $set: { n: 1 } }, { upsert: true });
    await Thing.updateOne({ key: 'u' }, { $inc: { n: 2 } });
    expect((await Thing.findOne({ key: 'u' }).lean())?.n).toBe(3);
    await Thing.create([
      { key: 'x', n: 0 },
      { key: 'y', n: 0 },
    ]);
    const r = await Thing.updateMany({ key: { $in: ['x', 'y'] }, n: 0 }, { $set: { n: 9 } });
    expect(r.modifiedCount).toBe(2);
  });

  it('conditional update as a claim: only one of two sees modifiedCount 1', async () => {
    await Thing.create({ key: 'c', group: 'pending' });
    const [a, b] = await Promise.all([
      Thing.updateOne({ key: 'c', group: 'pending' }, { $set: { group: 'sending' } }),
      Thing.updateOne({ key: 'c', group: 'pending' }, { $set: { group: 'sending' } }),
    ]);
    expect(a.modifiedCount + b.modifiedCount).toBe(1);
  });

  it('findOneAndUpdate returns the new document', async () => {
    await Thing.create({ key: 'f', n: 1 });
    const doc = await Thing.findOneAndUpdate(
      { key: 'f' },
      { $set: { n: 2 } },
      { returnDocument: 'after' },
    ).lean();
    expect(doc?.n).toBe(2);
  });

  it('range, $exists, $ne, $regex queries; sort + limit; countDocuments', async () => {
    const t0 = new Date('2026-11-30T00:00:00Z');
    await Thing.create([
      { key: 'a1', group: 'g', at: new Date(t0.getTime() + 3000), n: 3 },
      { key: 'a2', group: 'g', at: new Date(t0.getTime() + 1000), n: 1 },
      { key: 'b1', group: 'h', at: new Date(t0.getTime() + 2000) },
    ]);
    const due = await Thing.find({ at: { $lte: new Date(t0.getTime() + 2500) } })
      .sort({ at: 1 })
      .limit(5)
      .lean();
    expect(due.map((d) => d.key)).toEqual(['a2', 'b1']);
    expect(await Thing.countDocuments({ n: { $exists: false } })).toBe(1);
    expect(await Thing.countDocuments({ group: { $ne: 'g' } })).toBe(1);
    expect(await Thing.countDocuments({ key: { $regex: '^a' } })).toBe(2);
    expect(
      await Thing.countDocuments({ at: { $gt: t0, $lt: new Date(t0.getTime() + 2500) } }),
    ).toBe(2);
  });

  it('deleteMany by $regex prefix (cancelling all jobs of a case)', async () => {
    await Thing.create([{ key: 'case1:a' }, { key: 'case1:b' }, { key: 'case10:a' }]);
    const r = await Thing.deleteMany({ key: { $regex: '^case1:' } });
    expect(r.deletedCount).toBe(2);
  });

  it('arrays of strings: set whole, match by element, $in', async () => {
    await Thing.create({ key: 'arr', tags: ['a', 'b'] });
    expect(await Thing.countDocuments({ tags: 'b' })).toBe(1);
    expect(await Thing.countDocuments({ tags: { $in: ['z', 'a'] } })).toBe(1);
    await Thing.updateOne({ key: 'arr' }, { $set: { tags: ['c'] } });
    expect((await Thing.findOne({ key: 'arr' }).lean())?.tags).toEqual(['c']);
  });

  it('nested field queries with dot notation', async () => {
    await Thing.create({ key: 'n', sub: { a: 'deep' } });
    expect(await Thing.countDocuments({ 'sub.a': 'deep' })).toBe(1);
  });

  it('aggregate: $sort + $limit, then $unionWith of a grouped count (listWithCounts, 待办)', async () => {
    await Thing.create([
      { key: 'a', group: 'g', n: 3 },
      { key: 'b', group: 'g', n: 1 },
      { key: 'c', group: 'h', n: 2 },
      { key: 'd', group: 'x', n: 9 },
    ]);
    const filter = { group: { $in: ['g', 'h'] } };
    const rows = await Thing.aggregate<{ key?: string; _id: unknown; c?: number }>([
      { $match: filter },
      { $sort: { n: 1 } },
      { $limit: 2 },
      {
        $unionWith: {
          coll: 'compat_things',
          pipeline: [{ $match: filter }, { $group: { _id: '$group', c: { $sum: 1 } } }],
        },
      },
    ]);
    expect(rows.filter((r) => r.c === undefined).map((r) => r.key)).toEqual(['b', 'c']);
    const counts = Object.fromEntries(rows.filter((r) => r.c).map((r) => [r._id, r.c]));
    expect(counts).toEqual({ g: 2, h: 1 });
  });

  it('aggregate $match with $and of a scope $or and a status $or (overdueFilter, 巩固率)', async () => {
    await Thing.create([
      { key: 'a', group: 'g', n: 0 },
      { key: 'b', group: 'g', n: 2 },
      { key: 'c', group: 'h', n: 2 },
      { key: 'd', group: 'x', n: 2 },
    ]);
    const scope = { $or: [{ group: 'g' }, { group: 'h' }] };
    const rows = await Thing.aggregate<{ key: string }>([
      { $match: { $and: [scope, { $or: [{ n: { $gt: 1 } }, { key: 'zz' }] }] } },
      { $sort: { key: 1 } },
    ]);
    expect(rows.map((r) => r.key)).toEqual(['b', 'c']);
    // The same shape on a find, with the scope's $or beside a nested $and (overdueFilter).
    const found = await Thing.find({ ...scope, $and: [{ $or: [{ n: { $gt: 1 } }] }] })
      .sort({ key: 1 })
      .lean();
    expect(found.map((r) => r.key)).toEqual(['b', 'c']);
  });

  it('aggregate $match + $group with $sum only', async () => {
    await Thing.create([
      { key: '1', group: 'g', n: 2 },
      { key: '2', group: 'g', n: 3 },
      { key: '3', group: 'h', n: 1 },
    ]);
    const rows = await Thing.aggregate<{ _id: string; total: number; count: number }>([
      { $match: { n: { $gte: 1 } } },
      { $group: { _id: '$group', total: { $sum: '$n' }, count: { $sum: 1 } } },
    ]);
    const byId = Object.fromEntries(rows.map((r) => [r._id, r]));
    expect(byId.g).toMatchObject({ total: 5, count: 2 });
    expect(byId.h).toMatchObject({ total: 1, count: 1 });
  });

  it('claim by $or of states with a date bound; $inc; only one of two racers wins (issue #10 item 1: inbound lease)', async () => {
    const now = new Date('2026-11-30T00:00:10Z');
    await Thing.create({ key: 'l', group: 'received', at: new Date('2026-11-30T00:00:00Z'), n: 1 });
    await Thing.create({ key: 'm', group: 'received', at: new Date('2026-11-30T00:01:00Z'), n: 1 });
    const take = (key: string) =>
      Thing.updateOne(
        { key, $or: [{ group: 'failed' }, { group: 'received', at: { $lte: now } }] },
        { $set: { group: 'received', at: new Date(now.getTime() + 4000) }, $inc: { n: 1 } },
      );
    const [a, b] = await Promise.all([take('l'), take('l')]);
    expect(a.modifiedCount + b.modifiedCount).toBe(1);
    expect((await take('m')).modifiedCount).toBe(0);
    expect((await Thing.findOne({ key: 'l' }).lean())?.n).toBe(2);
  });

  it('a field equal to null matches a missing field; $set back to null releases (issue #10 item 8: card claims)', async () => {
    await Thing.create({ key: 'u' });
    const claim = () => Thing.updateOne({ key: 'u', at: null }, { $set: { at: new Date() } });
    const [a, b] = await Promise.all([claim(), claim()]);
    expect(a.modifiedCount + b.modifiedCount).toBe(1);
    await Thing.updateOne({ key: 'u' }, { $set: { at: null } });
    expect((await claim()).modifiedCount).toBe(1);
  });

  it('deleteMany by a date bound (retention purge)', async () => {
    await Thing.create({ key: 'o', at: new Date('2026-01-01T00:00:00Z') });
    await Thing.create({ key: 'p', at: new Date('2026-06-01T00:00:00Z') });
    const r = await Thing.deleteMany({ at: { $lt: new Date('2026-03-01T00:00:00Z') } });
    expect(r.deletedCount).toBe(1);
    expect(await Thing.countDocuments({})).toBe(1);
  });

  it('findOneAndUpdate on a range as a slot claim: concurrent claims each take a different slot', async () => {
    const col = mongoose.connection.collection<{ _id: string; r: string; at: Date }>(
      'compat_slots',
    );
    for (let i = 0; i < 3; i++) await col.insertOne({ _id: `a#${i}`, r: 'a', at: new Date(0) });
    const now = new Date();
    const taken = await Promise.all(
      Array.from({ length: 5 }, () =>
        col.findOneAndUpdate(
          { r: 'a', at: { $lte: new Date(now.getTime() - 60_000) } },
          { $set: { at: now } },
          { returnDocument: 'before' },
        ),
      ),
    );
    const ids = taken.filter(Boolean).map((d) => d!._id);
    expect(new Set(ids).size).toBe(3);
    expect(taken.filter(Boolean).every((d) => d!.at.getTime() === 0)).toBe(true);
    await col.deleteMany({});
  });

  it('bulkWrite of conditional updates (equality on a whole array of sub-documents); $or', async () => {
    const col = mongoose.connection.collection<{ _id: string; g: { p: string }[] }>('compat_bulk');
    await col.insertOne({ _id: 's', g: [{ p: 'x' }, { p: 'y' }] });
    const res = await col.bulkWrite(
      [
        {
          updateOne: {
            filter: { _id: 's', g: [{ p: 'x' }, { p: 'y' }] },
            update: { $set: { g: [{ p: 'z' }] } },
          },
        },
        { updateOne: { filter: { _id: 's', g: [{ p: 'x' }] }, update: { $set: { g: [] } } } },
      ],
      { ordered: false },
    );
    expect(res.matchedCount).toBe(1);
    expect((await col.findOne({ _id: 's' }))?.g).toEqual([{ p: 'z' }]);
    expect(await col.countDocuments({ $or: [{ _id: 'nope' }, { 'g.p': 'z' }] })).toBe(1);
    await col.deleteMany({});
  });

  it('insertMany (ordered: false) in batches; find by $in of a batch of keys (roster import)', async () => {
    const docs = Array.from({ length: 2500 }, (_, i) => ({ key: `k${i}`, group: `g${i % 7}` }));
    for (let i = 0; i < docs.length; i += 1000)
      await Thing.collection.insertMany(docs.slice(i, i + 1000), { ordered: false });
    expect(await Thing.countDocuments({})).toBe(2500);
    const keys = docs.slice(500, 1500).map((d) => d.key);
    expect(await Thing.find({ key: { $in: keys } }).lean()).toHaveLength(1000);
    // A duplicate in a batch is refused with E11000. (MongoDB still inserts the rest of an
    // unordered batch; jongodb may not, so the import never relies on it: it reads first.)
    await expect(
      Thing.collection.insertMany([{ key: 'k1' }, { key: 'new' }], { ordered: false }),
    ).rejects.toMatchObject({ code: 11000 });
  });

  it('bulkWrite: updateOne with $set, and updateOne with upsert, in one unordered batch', async () => {
    await Thing.create([
      { key: 'b1', n: 1 },
      { key: 'b2', n: 2 },
    ]);
    const r = await Thing.collection.bulkWrite(
      [
        { updateOne: { filter: { key: 'b1' }, update: { $set: { n: 10 } } } },
        { updateOne: { filter: { key: 'b2' }, update: { $set: { n: 2 } } } },
        { updateOne: { filter: { key: 'b3' }, update: { $set: { n: 3 } }, upsert: true } },
      ],
      { ordered: false },
    );
    expect([r.matchedCount, r.modifiedCount, r.upsertedCount]).toEqual([2, 1, 1]);
    const rows = await Thing.find({}).sort({ key: 1 }).lean();
    expect(rows.map((d) => [d.key, d.n])).toEqual([
      ['b1', 10],
      ['b2', 2],
      ['b3', 3],
    ]);
  });

  it('listIndexes (diffIndexes): start-up sees the indexes already there', async () => {
    expect((await Thing.diffIndexes()).toCreate).toEqual([]);
  });

  it('ping answers (health check)', async () => {
    expect(await mongoose.connection.db!.admin().command({ ping: 1 })).toMatchObject({ ok: 1 });
  });

  it('$and of a scope $or with an anchored regex alternation and $in, limited (issue #11 lookup)', async () => {
    await Thing.insertMany([
      { key: '黎嘉懿', group: 'A', n: 1 },
      { key: '黎佳懿', group: 'A', n: 2 },
      { key: '黎嘉仪', group: 'B', n: 3 },
      { key: '黎嘉', group: 'A', n: 4 },
      { key: '李嘉懿', group: 'A', n: 5 },
    ]);
    const scope = { $or: [{ group: 'A' }, { group: 'C', n: 9 }] };
    const near = await Thing.find({
      $and: [scope, { $or: [{ sub: { a: 'x' } }, { key: { $regex: '^黎(?:.懿|嘉.)$' } }] }],
    })
      .limit(9)
      .lean();
    expect(near.map((t) => t.key).sort()).toEqual(['黎佳懿', '黎嘉懿']);
    const named = await Thing.find({ $and: [scope, { key: { $in: ['黎', '黎嘉', '黎嘉懿'] } }] })
      .limit(2)
      .lean();
    expect(named.map((t) => t.key).sort()).toEqual(['黎嘉', '黎嘉懿']);
  });

  it('$exists false / $ne on a missing field, then bulkWrite updateOne (ensureStudentKeys)', async () => {
    await Thing.collection.insertMany([{ key: 'a' }, { key: 'b', n: 1 }, { key: 'c', n: 2 }]);
    const stale = { $or: [{ at: { $exists: false } }, { n: { $ne: 2 } }] };
    expect((await Thing.find(stale).lean()).map((t) => t.key).sort()).toEqual(['a', 'b', 'c']);
    const res = await Thing.bulkWrite(
      ['a', 'b'].map((key) => ({ updateOne: { filter: { key }, update: { $set: { n: 2 } } } })),
      { ordered: false },
    );
    expect(res.matchedCount).toBe(2);
    expect(await Thing.countDocuments({ n: { $ne: 2 } })).toBe(0);
  });

  it('conditional updateMany over $in ids, $unset, insertMany unordered past a duplicate (broadcast throttle)', async () => {
    const at = new Date('2026-12-01T00:00:00Z');
    await Thing.insertMany([
      { key: 'a', n: 1, at: new Date(0) },
      { key: 'b', n: 9, at: new Date(0) },
    ]);
    // Only the rows still under the limit move (SharedThrottle.takeHours / takeMinutes).
    const res = await Thing.updateMany(
      { key: { $in: ['a', 'b', 'z'] }, n: { $lt: 5 } },
      { $inc: { n: 1 }, $set: { at, group: 'mine' } },
    );
    expect(res.modifiedCount).toBe(1);
    expect((await Thing.find({ group: 'mine', at }).lean()).map((t) => t.key)).toEqual(['a']);
    await Thing.updateMany(
      { group: 'mine', at },
      { $set: { at: new Date(0) }, $unset: { group: 1 } },
    );
    expect(await Thing.countDocuments({ group: { $exists: true } })).toBe(0);
    // A duplicate in an unordered insertMany: E11000. MongoDB writes the other documents, the
    // embedded server none of them, so the throttle then inserts one by one (insertEach).
    const err = await Thing.insertMany([{ key: 'c' }, { key: 'a' }, { key: 'd' }], {
      ordered: false,
    }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 11000 });
    expect([0, 2]).toContain(await Thing.countDocuments({ key: { $in: ['c', 'd'] } }));
  });

  it('aggregate $facet of $group/$match branches (issue #11: 我的学生 in one round trip)', async () => {
    await Thing.create([
      { key: 'a', group: 'x', n: 1, tags: ['r'] },
      { key: 'b', group: 'x', n: 2 },
      { key: 'c', group: 'y', n: 1 },
    ]);
    const byGroup = { $group: { _id: '$group', n: { $sum: 1 } } };
    const [r] = await Thing.aggregate<{
      all: { _id: string; n: number }[];
      one: { _id: string; n: number }[];
      tagged: { key: string }[];
    }>([
      { $match: { group: { $in: ['x', 'y'] } } },
      {
        $facet: {
          all: [byGroup],
          one: [{ $match: { n: 1 } }, byGroup],
          tagged: [{ $match: { tags: 'r' } }],
        },
      },
    ]);
    const sorted = (rows: { _id: string; n: number }[]) =>
      [...rows].sort((p, q) => p._id.localeCompare(q._id));
    expect(sorted(r.all)).toEqual([
      { _id: 'x', n: 2 },
      { _id: 'y', n: 1 },
    ]);
    expect(sorted(r.one)).toEqual([
      { _id: 'x', n: 1 },
      { _id: 'y', n: 1 },
    ]);
    expect(r.tagged.map((t) => t.key)).toEqual(['a']);
  });

  it('aggregate $unionWith of other collections, each with its own $match/$group (issue #11: 概况)', async () => {
    await Thing.create([
      { key: 'a', group: 'x' },
      { key: 'b', group: 'x' },
    ]);
    const other = mongoose.connection.collection('compat_union');
    await other.deleteMany({});
    await other.insertMany([
      { group: 'x', k: 1 },
      { group: 'z', k: 2 },
    ]);
    const rows = await Thing.aggregate<{ _id: unknown; n?: number; k?: number }>([
      { $match: { group: 'x' } },
      { $group: { _id: 'things', n: { $sum: 1 } } },
      { $unionWith: { coll: 'compat_union', pipeline: [{ $match: { group: 'x' } }] } },
      {
        $unionWith: {
          coll: 'compat_union',
          pipeline: [{ $match: { k: { $gte: 1 } } }, { $group: { _id: 'other', n: { $sum: 1 } } }],
        },
      },
    ]);
    expect(rows.find((r) => r._id === 'things')?.n).toBe(2);
    expect(rows.filter((r) => r.k !== undefined).map((r) => r.k)).toEqual([1]);
    expect(rows.find((r) => r._id === 'other')?.n).toBe(2);
  });

  it('insertMany ordered:false meeting a duplicate key: E11000; re-inserting one by one skipping duplicates keeps every other row (issue #11: outbox batch)', async () => {
    await Thing.create({ key: 'b' });
    const rows = [{ key: 'a' }, { key: 'b' }, { key: 'c' }];
    // MongoDB inserts a and c and reports b; the embedded server may refuse the whole batch.
    // Either way the fallback below leaves exactly one of each.
    await expect(Thing.insertMany(rows, { ordered: false })).rejects.toMatchObject({ code: 11000 });
    for (const r of rows)
      await Thing.create(r).catch((e: { code?: number }) => {
        if (e.code !== 11000) throw e;
      });
    expect((await Thing.find({}).lean()).map((t) => t.key).sort()).toEqual(['a', 'b', 'c']);
  });
});
