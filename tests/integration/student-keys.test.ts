import mongoose from 'mongoose';
import { connectDb } from '../../src/db/connect';
import { Student, STUDENT_KEY_VERSION } from '../../src/models/roster';
import { ensureStudentKeys } from '../../src/roster/keys';
import { actionFilter, nameCandidates } from '../../src/roster/find';
import { testUri } from '../support/harness';
import { buildStudent } from '../support/factories';

/**
 * Issue #11 item 1, "name resolution by indexed keys stored at import": every student carries
 * its toneless pinyin key whatever wrote it — the model's writes through hooks, anything else
 * through the start-up step ensureStudentKeys() (batched, idempotent).
 */
const row = (studentNo: string, name: string) => buildStudent({ studentNo, name });
const key = async (studentNo: string) => (await Student.findOne({ studentNo }).lean())?.namePinyin;

beforeAll(async () => {
  await connectDb(testUri());
});
afterAll(async () => {
  await mongoose.disconnect();
});

describe('student lookup keys (issue #11 item 1)', () => {
  it('create, insertMany, updateOne and bulkWrite store the key with the name', async () => {
    await Student.create(row('K0001', '张欣怡'));
    await Student.insertMany([row('K0002', '黎嘉懿')], { lean: true });
    expect(await key('K0001')).toBe('zhang xin yi');
    expect(await key('K0002')).toBe('li jia yi');
    await Student.updateOne({ studentNo: 'K0001' }, { $set: { name: '王浩然' } });
    expect(await key('K0001')).toBe('wang hao ran');
    await Student.bulkWrite([
      { insertOne: { document: row('K0003', '李浩然') } },
      { updateOne: { filter: { studentNo: 'K0002' }, update: { $set: { name: '邹欣妍' } } } },
    ]);
    expect(await key('K0003')).toBe('li hao ran');
    expect(await key('K0002')).toBe('zou xin yan');
  });

  it('ensureStudentKeys keys rows written around the model, in batches, then costs nothing', async () => {
    await Student.collection.insertMany(
      ['张三', '李四', '王五', '赵六', '钱七'].map((n, i) => row(`R000${i}`, n)),
    );
    await Student.collection.updateOne({ studentNo: 'K0003' }, { $set: { keyVersion: 0 } });
    expect(await ensureStudentKeys(2)).toBe(6);
    expect(await key('R0001')).toBe('li si');
    expect(await Student.countDocuments({ keyVersion: { $ne: STUDENT_KEY_VERSION } })).toBe(0);
    expect(await ensureStudentKeys()).toBe(0);
  });

  it('the action scope as a filter follows the rules (the bureau views all, reports nothing)', () => {
    const bureau = { userid: 'b', name: 'b', roles: [{ role: 'bureau' as const }] };
    expect(actionFilter(bureau, 'view')).toEqual({});
    expect(actionFilter(bureau, 'report')).toBeUndefined();
    const t = {
      userid: 't',
      name: 't',
      roles: [{ role: 'subjectTeacher' as const, classId: 'C1', students: ['S9'] }],
    };
    expect(actionFilter(t, 'report')).toEqual({
      $or: [{ classId: 'C1', studentNo: { $in: ['S9'] } }],
    });
  });

  it('the names an argument may start with: joined parts and prefixes of the first word', () => {
    expect(nameCandidates('黎 嘉懿 全天')).toEqual(
      expect.arrayContaining(['黎嘉懿', '黎嘉懿全天', '黎']),
    );
    expect(nameCandidates('张三上午发烧')).toEqual(
      expect.arrayContaining(['张', '张三', '张三上午发烧']),
    );
  });
});
