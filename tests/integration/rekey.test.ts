import { spawn } from 'node:child_process';
import path from 'node:path';
import mongoose from 'mongoose';
import { connectDb } from '../../src/db/connect';
import { PiiCipher } from '../../src/lib/pii';
import { modelCollections, rekey } from '../../src/lib/rekey';
import { loadDemoDistrict } from '../../src/roster/demo-load';
import { Student } from '../../src/models/roster';
import { ManualClock } from '../../src/lib/clock';
import { Outbox } from '../../src/outbox/outbox';
import { OutboxMessage } from '../../src/outbox/model';
import { WecomClient } from '../../src/wecom/client';
import { mongoTokenStore } from '../../src/wecom/token-store';
import '../../src/features';
import { API, OFFICIAL, testSettings, testUri } from '../support/harness';

/** Key rotation: `npm run rekey` re-encrypts every sealed field, in batches, idempotently. */
const OLD = 'a1'.repeat(32);
const NEW = 'b2'.repeat(32);
let uri: string;

async function sealedValues(): Promise<string[]> {
  const found: string[] = [];
  for (const name of ['students', 'outbox']) {
    const text = JSON.stringify(await mongoose.connection.collection(name).find({}).toArray());
    found.push(...(text.match(/v1:[A-Za-z0-9+/=:]+/g) ?? []));
  }
  return found;
}

beforeAll(async () => {
  uri = testUri();
  await connectDb(uri);
  const old = new PiiCipher(OLD);
  await loadDemoDistrict(old, true);
  const client = new WecomClient({ ...OFFICIAL, base: API, store: mongoTokenStore });
  const outbox = new Outbox(client, testSettings(), new ManualClock(), old);
  await outbox.enqueue('u1', { kind: 'text', content: '监护人电话 13812345678' }, 'k1');
  // A value sealed under some third key: reported, never touched.
  await mongoose.connection
    .collection('outbox')
    .updateOne({ key: 'k1' }, { $set: { request: new PiiCipher('c3'.repeat(32)).seal('{}') } });
});
afterAll(async () => {
  await mongoose.disconnect();
});

describe('rekey', () => {
  it('moves every sealed field (students, outbox) to the new key; a second run changes nothing', async () => {
    const before = await sealedValues();
    expect(before.length).toBeGreaterThan(200);
    const counts = await rekey(OLD, NEW, modelCollections(), 50);
    const total = (k: 'resealed' | 'current' | 'unreadable') =>
      counts.reduce((n, c) => n + c[k], 0);
    expect(total('resealed')).toBe(before.length - 1);
    expect(total('unreadable')).toBe(1);
    expect(counts.find((c) => c.collection === 'students')!.resealed).toBeGreaterThan(200);

    const fresh = new PiiCipher(NEW);
    const s = await Student.findOne({ 'guardians.0': { $exists: true } }).lean();
    expect(fresh.open(s!.guardians[0].phoneSealed)).toMatch(/^1\d{10}$/);
    const row = await OutboxMessage.findOne({ key: 'k1' }).lean();
    expect(JSON.parse(fresh.open(row!.sealed!)).content).toBe('监护人电话 13812345678');
    expect(() => new PiiCipher(OLD).open(row!.sealed!)).toThrow();

    const again = await rekey(OLD, NEW, modelCollections(), 50);
    expect(again.reduce((n, c) => n + c.resealed, 0)).toBe(0);
    expect(again.reduce((n, c) => n + c.current, 0)).toBe(before.length - 1);
  });

  it('npm run rekey: the command line, keys from the environment, exit 1 on unreadable values', async () => {
    const tsx = path.join(__dirname, '../../node_modules/.bin/tsx');
    const child = spawn(tsx, [path.join(__dirname, '../../src/cli/rekey.ts'), '--to', NEW], {
      env: { PATH: process.env.PATH!, MONGODB_URI: uri, BAOXUE_DATA_KEY_OLD: OLD },
    });
    let out = '';
    child.stdout.on('data', (b) => (out += b));
    child.stderr.on('data', (b) => (out += b));
    const code = await new Promise((r) => child.once('exit', r));
    expect(out).toMatch(/重新加密 0 项，已是新密钥 \d+ 项，无法解密 1 项/);
    expect(code).toBe(1);
  }, 60_000);
});
