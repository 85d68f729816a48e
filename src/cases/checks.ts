import { Answer, type ChatContext } from '../chat/command';
import { isoDay } from '../lib/time';
import { R } from './replies';
import type { StudentDoc } from '../roster/directory';
import { openCaseOf } from './store';
import type { CaseRow } from '../models/case';

/** A reported day must be a school day and not in the future. */
export function checkSchoolDay(ctx: ChatContext, day: string): void {
  if (day > isoDay(ctx.now)) throw new Answer(R.future(day));
  const why = ctx.services.cal.whyNot(day);
  if (why) throw new Answer(R.notSchoolDay(day, why));
}

/** The student's open case, or an answer saying there is none. */
export async function openCaseOrAnswer(student: StudentDoc): Promise<CaseRow> {
  const c = await openCaseOf(student.studentNo);
  if (!c) throw new Answer(R.noCase(student.name));
  return c;
}
