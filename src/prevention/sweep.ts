import type { Services } from '../services';
import { AtRisk, ContactDuty, Reminder, type AtRiskRow } from '../models/prevention';
import { Student } from '../models/roster';
import { contactDue } from '../domain/prevention';
import { formatDeadline, fromIsoDay, isoDay } from '../lib/time';
import { allOwners, lapseAfter, ownersOf } from './register';
import { P } from './replies';
import { placeOf } from '../domain/roster';

const EVER = new Date(0);

/**
 * The prevention sweeper (a data-driven source, like the case sweeper): at-risk students whose
 * contact is due (both owners reminded) or whose rhythm lapsed (a visit duty, 访在前、防在先),
 * and the reminders of visits' next contact dates.
 */
export async function nextPreventionWake(): Promise<Date | undefined> {
  const [row, rem] = await Promise.all([
    AtRisk.findOne({ status: 'confirmed', wakeAt: { $gte: EVER } })
      .sort({ wakeAt: 1 })
      .lean(),
    Reminder.findOne({ sent: false }).sort({ dueAt: 1 }).lean(),
  ]);
  const times = [row?.wakeAt, rem?.dueAt].filter((d): d is Date => !!d);
  return times.length ? new Date(Math.min(...times.map((d) => d.getTime()))) : undefined;
}

export async function sweepPrevention(s: Services, now: Date): Promise<void> {
  const due = await AtRisk.find({ status: 'confirmed', wakeAt: { $gte: EVER, $lte: now } })
    .sort({ wakeAt: 1 })
    .limit(200)
    .lean();
  for (const row of due) await wake(s, row, now);
  const reminders = await Reminder.find({ sent: false, dueAt: { $lte: now } })
    .limit(200)
    .lean();
  for (const r of reminders) {
    const claim = await Reminder.updateOne({ key: r.key, sent: false }, { $set: { sent: true } });
    if (claim.modifiedCount) await s.notify.text(r.to, r.text, `reminder:${r.key}`);
  }
}

async function wake(s: Services, row: AtRiskRow, now: Date): Promise<void> {
  const student = await Student.findOne({ studentNo: row.studentNo }).lean();
  const cfg = s.settings.prevention;
  const lapsed = !!row.lapseAt && row.lapseAt <= now;
  const next = lapsed
    ? { lapseAt: null, contactDueAt: contactDue(now, cfg.contactEveryDays) }
    : { lapseAt: lapseAfter(row.contactDueAt ?? now, cfg) };
  const wakeAt = next.lapseAt ?? next.contactDueAt ?? null;
  // Claimed by the wake time it was found with: two instances never remind twice.
  const claim = await AtRisk.updateOne(
    { studentNo: row.studentNo, wakeAt: row.wakeAt },
    { $set: { ...next, wakeAt } },
  );
  if (!claim.modifiedCount || !student || student.status !== 'enrolled') return;
  const to = allOwners(await ownersOf(student, row));
  if (!lapsed) {
    const by = formatDeadline(next.lapseAt!);
    await s.notify.text(
      to,
      P.contactDue(student.name, row.lastContactAt, by),
      `rhythm:${row.studentNo}:${row.wakeAt!.getTime()}`,
    );
    return;
  }
  const dueDay = s.cal.addSchoolDays(s.cal.nextSchoolDay(isoDay(now)), 0);
  const dueAt = fromIsoDay(dueDay, s.settings.ladder.endOfDayAt);
  const dutyId = `C${row.studentNo}:${row.wakeAt!.getTime()}`;
  const duty = {
    dutyId,
    studentNo: row.studentNo,
    ...placeOf(student),
    holders: to,
    openAt: now,
    dueAt,
    status: 'open' as const,
  };
  await ContactDuty.updateOne({ dutyId }, { $set: duty }, { upsert: true });
  await s.notify.text(to, P.lapsed(student.name, formatDeadline(dueAt)), `rhythm:lapsed:${dutyId}`);
}
