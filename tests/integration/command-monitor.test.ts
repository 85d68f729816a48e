import mongoose, { Schema } from 'mongoose';
import { connectDb } from '../../src/db/connect';
import {
  commandFilters,
  filterShape,
  isCovered,
  monitorCommands,
  monitoredUri,
  shapeFields,
  type CommandMonitor,
} from '../../src/db/monitor';
import { testUri } from '../support/harness';

/**
 * Issue #11, "counted": what src/db/monitor.ts measures for tests/integration/scale-counted.test.ts
 * — the documents each reply carries (on the embedded server's real replies) and the field
 * paths of filters (never their values), judged against index keys.
 */
const Row = mongoose.model(
  'MonitorRow',
  new Schema(
    { k: String, g: String, n: Number },
    { collection: 'monitor_rows', versionKey: false },
  ),
);

describe('documents returned, per collection, from the replies (issue #11 counted, item 2)', () => {
  let monitor: CommandMonitor;
  beforeAll(async () => {
    await connectDb(monitoredUri(testUri()));
    monitor = monitorCommands();
    await Row.insertMany(
      Array.from({ length: 5 }, (_, i) => ({ k: `k${i}`, g: `g${i % 2}`, n: i })),
    );
  });
  afterAll(async () => {
    monitor.detach();
    await mongoose.disconnect();
  });

  it('find: the first batch and every getMore batch', async () => {
    monitor.start();
    const rows = await Row.find({}).batchSize(2).lean();
    monitor.stop();
    expect(rows).toHaveLength(5);
    expect(monitor.byCommand()).toMatchObject({ find: 1, getMore: 2 });
    expect(monitor.documents()).toEqual({ monitor_rows: 5 });
  });

  it('aggregate: its rows; count: 1; distinct: its values; writes: none', async () => {
    monitor.start();
    await Row.aggregate([
      { $match: { n: { $gte: 0 } } },
      { $group: { _id: '$g', n: { $sum: 1 } } },
    ]);
    await Row.collection.countDocuments({ g: 'g0' }); // an aggregate: its one row
    await Row.estimatedDocumentCount(); // a count command
    await Row.collection.distinct('g');
    await Row.updateOne({ k: 'k0' }, { $set: { n: 10 } });
    monitor.stop();
    expect(monitor.documents()).toEqual({ monitor_rows: 2 + 1 + 1 + 2 });
    expect(monitor.documentsTotal()).toBe(6);
  });

  it('keeps field paths, never values', async () => {
    monitor.start();
    await Row.find({ k: 'secret-phone-13800000000', n: { $gt: 3 } }).lean();
    monitor.stop();
    const seen = JSON.stringify(monitor.filters());
    expect(seen).not.toContain('13800000000');
    expect(monitor.filters()).toEqual([
      {
        command: 'find',
        collection: 'monitor_rows',
        at: 'filter',
        shape: { eq: ['k'], other: ['n'], or: [] },
      },
    ]);
  });
});

describe('filter shapes and index coverage (issue #11 counted, item 3)', () => {
  const indexes = [['_id'], ['schoolCode', 'name'], ['classId'], ['roles.schoolCode'], ['open']];

  it('equality and $in cover through an index’s first key; ranges and later keys do not', () => {
    expect(isCovered(filterShape({ classId: 'c1', status: { $in: ['a'] } }), indexes)).toBe(true);
    expect(isCovered(filterShape({ schoolCode: { $in: ['S1', 'S2'] } }), indexes)).toBe(true);
    expect(isCovered(filterShape({ name: '张三' }), indexes)).toBe(false); // second key only
    expect(isCovered(filterShape({ classId: { $gte: 'c' } }), indexes)).toBe(false);
    expect(isCovered(filterShape({ classId: { $regex: '^c' } }), indexes)).toBe(false);
    expect(isCovered(filterShape({}), indexes)).toBe(false);
  });

  it('an $or is covered when every branch is; $and merges; $elemMatch names sub-paths', () => {
    const scope = { $or: [{ classId: 'c1' }, { schoolCode: 'S1', grade: 3 }] };
    expect(isCovered(filterShape(scope), indexes)).toBe(true);
    const mixed = { $or: [{ 'roles.schoolCode': 'S1' }, { 'roles.role': 'bureau' }] };
    expect(isCovered(filterShape(mixed), indexes)).toBe(false);
    expect(shapeFields(filterShape(mixed))).toEqual(['roles.role', 'roles.schoolCode']);
    expect(isCovered(filterShape({ $and: [{ n: { $lt: 3 } }, { open: true }] }), indexes)).toBe(
      true,
    );
    const elem = filterShape({ roles: { $elemMatch: { schoolCode: 'S1', role: 'principal' } } });
    expect(elem.eq).toEqual(['roles.schoolCode', 'roles.role']);
  });

  it('aggregate: the first $match, and the head of every $unionWith / $lookup pipeline', () => {
    const pipeline = [
      { $match: { open: true } },
      { $unionWith: { coll: 'duties', pipeline: [{ $match: { status: 'missed' } }] } },
      { $unionWith: 'audit' },
      {
        $lookup: {
          from: 'students',
          let: { no: '$studentNo' },
          pipeline: [{ $match: { $expr: { $eq: ['$studentNo', '$$no'] } } }],
          as: 's',
        },
      },
      { $lookup: { from: 'classes', localField: 'classId', foreignField: 'classId', as: 'c' } },
    ];
    const counted = [
      { $match: { schoolCode: 'S1' } },
      { $group: { _id: '$classId', n: { $sum: 1 } } },
      { $unionWith: { coll: 'cases', pipeline: [{ $match: { open: true } }] } },
      { $unionWith: { coll: 'duties', pipeline: [{ $match: { s: 1 } }, { $count: 'n' }] } },
    ];
    // Grouped on the server: every matching document is examined, however few rows return.
    expect(
      commandFilters('aggregate', { aggregate: 'students', pipeline: counted }).map(
        (f) => `${f.collection} ${f.grouped}`,
      ),
    ).toEqual(['students true', 'cases false', 'duties true']);
    const found = commandFilters('aggregate', { aggregate: 'cases', pipeline }).map(
      (f) => `${f.collection} ${f.at}: ${shapeFields(f.shape).join(',') || '-'}`,
    );
    expect(found).toEqual([
      'cases $match: open',
      'duties $unionWith: status',
      'audit $unionWith: -',
      'students $lookup: studentNo',
      'classes $lookup: classId',
    ]);
  });

  it('update, delete, count, distinct and findAndModify name their filters', () => {
    const names = (name: string, cmd: Record<string, unknown>) =>
      commandFilters(name, cmd).map((f) => shapeFields(f.shape).join(','));
    expect(names('update', { update: 'duties', updates: [{ q: { dutyId: 'd' }, u: {} }] })).toEqual(
      ['dutyId'],
    );
    expect(names('delete', { delete: 'outbox', deletes: [{ q: { key: 'k' }, limit: 1 }] })).toEqual(
      ['key'],
    );
    expect(names('count', { count: 'cases', query: { open: true } })).toEqual(['open']);
    expect(names('distinct', { distinct: 'students', key: 'g', query: { classId: 'c' } })).toEqual([
      'classId',
    ]);
    expect(names('findAndModify', { findAndModify: 'cases', query: { caseId: 'x' } })).toEqual([
      'caseId',
    ]);
    expect(names('insert', { insert: 'cases', documents: [] })).toEqual([]);
  });
});
