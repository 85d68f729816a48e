import type { ChatContext } from '../chat/command';
import type { StudentDoc } from '../roster/directory';
import type { HomeVisitRow } from '../models/case';
import { AtRisk, ContactDuty, Reminder } from '../models/prevention';
import { fromIsoDay, formatDay } from '../lib/time';
import { registered, rhythmFrom } from './register';
import { P } from './replies';

/**
 * A visit record is contact: the at-risk rhythm starts again from now and an open contact
 * duty is met. Returns a line for the reply, if any.
 */
export async function contactMade(ctx: ChatContext, student: StudentDoc): Promise<string> {
  const row = await registered(student.studentNo);
  if (!row || row.status !== 'confirmed') return '';
  await AtRisk.updateOne(
    { studentNo: student.studentNo },
    { $set: { lastContactAt: ctx.now, ...rhythmFrom(ctx.now, ctx.services.settings.prevention) } },
  );
  const met = await ContactDuty.updateMany(
    { studentNo: student.studentNo, status: 'open' },
    { $set: { status: 'met', metBy: ctx.actor.userid, metAt: ctx.now } },
  );
  return met.modifiedCount ? P.contactDutyMet(student.name) : '';
}

/** A next contact date becomes a reminder to the visitor, that morning at 08:00. */
export async function remindNextContact(
  visit: Pick<HomeVisitRow, 'visitId' | 'visitor'>,
  studentName: string,
  day: string,
): Promise<void> {
  await Reminder.updateOne(
    { key: `visit:${visit.visitId}:next` },
    {
      $set: {
        to: [visit.visitor],
        dueAt: fromIsoDay(day, '08:00'),
        text: P.nextContactDue(studentName, formatDay(day)),
        sent: false,
      },
    },
    { upsert: true },
  );
}
