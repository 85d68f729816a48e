import { Case, type CaseRow } from '../models/case';
import type { Services } from '../services';
import { memo, syncCase } from './sync';
import { CaseFact, Duty, type DutyRow, type FactRow } from '../models/case';
import { Student } from '../models/roster';
import type { Fact } from '../domain/cases/facts';
import type { StudentDoc } from '../roster/directory';
import type { Notice } from './notices';

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
      .lean<CaseRow[]>();
    if (!due.length) break;
    const notices: Notice[] = [];
    const m = memo(await seed(due));
    for (const c of due)
      notices.push(...((await syncCase(s, c.caseId, now, 'system', m))?.notices ?? []));
    await deliver(s, notices, s.settings.ladder.digestOver, now);
    swept += due.length;
  }
  return swept;
}

/** The earliest moment a case changes by itself (the clock driver jumps to it). */
export async function nextCaseWake(): Promise<Date | undefined> {
  const next = await Case.findOne({ open: true, wakeAt: { $ne: null } })
    .sort({ wakeAt: 1 })
    .lean<CaseRow>();
  return next?.wakeAt ?? undefined;
}

/** Sends notices; with `digestOver`, a recipient with more than that many gets one digest. */
export async function deliver(s: Services, notices: Notice[], digestOver?: number, now?: Date) {
  const byRecipient = new Map<string, Notice[]>();
  for (const n of notices)
    for (const u of n.to) byRecipient.set(u, [...(byRecipient.get(u) ?? []), n]);
  for (const [u, list] of byRecipient) {
    if (digestOver && list.length > digestOver) {
      const lines = list.map((n, i) => `${i + 1}. ${n.line}`);
      const text = [
        `【待办汇总】您有 ${list.length} 项新的事项：`,
        ...lines,
        '发送「待办」查看全部并逐项处理。',
      ];
      await s.notify.text([u], text.join('\n'), `digest:${now?.toISOString()}:${list[0].key}`);
      continue;
    }
    for (const n of list) {
      if (n.card) await s.notify.card([u], n.card, n.key);
      else await s.notify.text([u], n.text ?? n.line, n.key);
    }
  }
}

/** Reads the due cases' rows, facts, duties and students in four queries, not four per case. */
async function seed(due: CaseRow[]): Promise<Map<string, unknown>> {
  const ids = due.map((c) => c.caseId);
  const [facts, duties, students] = await Promise.all([
    CaseFact.find({ caseId: { $in: ids } })
      .sort({ at: 1, factId: 1 })
      .lean<FactRow[]>(),
    Duty.find({ caseId: { $in: ids } }).lean<DutyRow[]>(),
    Student.find({ studentNo: { $in: due.map((c) => c.studentNo) } }).lean<StudentDoc[]>(),
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
