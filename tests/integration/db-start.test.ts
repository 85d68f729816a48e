import mongoose, { Schema } from 'mongoose';
import { MongoClient } from 'mongodb';
import { connectDb, indexesReady } from '../../src/db/connect';
import { testUri } from '../support/harness';

/**
 * Issue 11, start-up on a big database: index builds must not block start-up. One
 * listIndexes per collection finds what is missing; an empty collection is indexed at once
 * (instant, and unique indexes hold from the first write); a collection that already holds
 * rows is indexed in the background. On jongodb every createIndexes re-checks the whole
 * collection (even for an index that exists), which is what made start-up slow.
 */
const Probe = mongoose.model(
  'StartProbe',
  new Schema(
    { key: { type: String, unique: true } },
    { collection: 'start_probe', versionKey: false },
  ),
);

afterEach(async () => {
  jest.restoreAllMocks();
  await mongoose.disconnect();
});

async function seed(uri: string, docs: object[]) {
  const client = await MongoClient.connect(uri);
  await client.db().collection('start_probe').insertMany(docs);
  await client.close();
}

describe('issue 11: start-up does not wait for index builds', () => {
  it('a fresh database: empty collections are indexed before connectDb returns', async () => {
    await connectDb(testUri());
    const outcome = await indexesReady();
    expect(outcome.built).toContain('StartProbe');
    expect(outcome.background).toEqual([]);
    await Probe.create({ key: 'a' });
    await expect(Probe.create({ key: 'a' })).rejects.toMatchObject({ code: 11000 });
  });

  it('a populated database whose indexes exist: no createIndexes at all on restart', async () => {
    const uri = testUri();
    await connectDb(uri);
    await Probe.create({ key: 'a' });
    await mongoose.disconnect();
    const commands: string[] = [];
    await connectDb(uri, { onCommand: (c) => commands.push(c) });
    expect((await indexesReady()).present).toContain('StartProbe');
    expect(commands).not.toContain('createIndexes');
    expect(commands.filter((c) => c === 'listIndexes').length).toBe(
      Object.keys(mongoose.models).length,
    );
  });

  it('rows but a missing index: connectDb returns while the build still runs; it finishes later', async () => {
    const uri = testUri();
    await seed(uri, [{ key: 'a' }, { key: 'b' }]);
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const original = Probe.createIndexes.bind(Probe);
    jest.spyOn(Probe, 'createIndexes').mockImplementation((async () => {
      await gate;
      return original();
    }) as any);
    await connectDb(uri); // returns although the build is held at the gate
    let finished = false;
    const ready = indexesReady().then((o) => {
      finished = true;
      return o;
    });
    await new Promise((r) => setImmediate(r));
    expect(finished).toBe(false);
    expect(await Probe.countDocuments({})).toBe(2); // serving meanwhile
    release();
    expect((await ready).background).toEqual(['StartProbe']);
    await expect(Probe.create({ key: 'a' })).rejects.toMatchObject({ code: 11000 });
  });
});
