import { Student, STUDENT_KEY_VERSION, studentKeys } from '../models/roster';

const BATCH = 500;

/**
 * Start-up step (issue #11 item 1): stores the lookup keys on students that lack them or carry
 * keys from an older key function, in batches of `BATCH` (one find + one bulkWrite each).
 * Idempotent: with every key current it costs one query. Returns how many rows it keyed.
 */
export async function ensureStudentKeys(batch = BATCH): Promise<number> {
  const stale = {
    $or: [{ namePinyin: { $exists: false } }, { keyVersion: { $ne: STUDENT_KEY_VERSION } }],
  };
  let done = 0;
  for (;;) {
    const rows = await Student.find(stale).limit(batch).lean();
    if (!rows.length) return done;
    const res = await Student.bulkWrite(
      rows.map((s) => ({
        updateOne: {
          filter: { studentNo: s.studentNo },
          update: { $set: studentKeys(s.name) },
        },
      })),
      { ordered: false },
    );
    done += rows.length;
    // A row the update cannot key (it vanished meanwhile) must not loop forever.
    if (res.matchedCount === 0 || rows.length < batch) return done;
  }
}
