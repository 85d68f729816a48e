import { Case, type CaseRow } from '../models/case';
import type { Services } from '../services';
import { memo, prepareSync, type Prepared } from './sync';
import { deliver } from './deliver';
import { pushTime } from '../domain/cases/push-timing';
import { CaseFact, Duty } from '../models/case';
import { Student } from '../models/roster';
import type { Fact } from '../domain/cases/facts';

/**
 * Deadlines are data: one sweeper over the cases whose time has come (`wakeAt`, indexed)
 * instead of one job per duty. Each due case is re-derived; what changed is pushed, and a
 * person with many changes in one sweep gets one digest instead of a card each.
 */
export async function sweepCases(s: Services, now: Date): Promise<number> {
  let swept = 0;
  for (let round = 0; round < 100; round++) {
    const due = await Case.find({ open: true, wakeAt: { $lte: now } })
      .sort({ wakeAt: 1 })
      .limit(500)
      .lean();
    if (!due.length) break;
    const m = memo(await seed(due));
    const prepared: Prepared[] = [];
    for (const c of due) {
      const p = await prepareSync(s, c.caseId, now, 'system', m);
      if (p) prepared.push(p);
    }
    // Told first (digests per recipient), recorded after: a crash in between loses nothing.
    // Pushes made on a :00/:30 mark leave a few minutes after it, spread by recipient.
    const timing = s.settings.ladder.pushTiming;
    await deliver(
      s,
      prepared.flatMap((p) => p.notices),
      s.settings.ladder.digestOver,
      (u) => pushTime(now, u, timing),
    );
    for (const p of prepared) await p.commit();
    swept += due.length;
  }
  return swept;
}

/** The earliest moment a case changes by itself (the clock driver jumps to it). */
export async function nextCaseWake(): Promise<Date | undefined> {
  const next = await Case.findOne({ open: true, wakeAt: { $ne: null } })
    .sort({ wakeAt: 1 })
    .lean();
  return next?.wakeAt ?? undefined;
}

/** Reads the due cases' rows, facts, duties and students in four queries, not four per case. */
async function seed(due: CaseRow[]): Promise<Map<string, unknown>> {
  const ids = due.map((c) => c.caseId);
  const [facts, duties, students] = await Promise.all([
    CaseFact.find({ caseId: { $in: ids } })
      .sort({ at: 1, factId: 1 })
      .lean(),
    Duty.find({ caseId: { $in: ids } }).lean(),
    Student.find({ studentNo: { $in: due.map((c) => c.studentNo) } }).lean(),
  ]);
  const seeded = new Map<string, unknown>();
  for (const c of due) {
    seeded.set(`case:${c.caseId}`, c);
    seeded.set(
      `facts:${c.caseId}`,
      facts.filter((f) => f.caseId === c.caseId) as unknown as Fact[],
    );
    seeded.set(
      `duties:${c.caseId}`,
      duties.filter((d) => d.caseId === c.caseId),
    );
    seeded.set(`student:${c.studentNo}`, students.find((x) => x.studentNo === c.studentNo) ?? null);
  }
  return seeded;
}
