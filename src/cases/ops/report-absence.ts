import { Answer, type ChatContext } from '../../chat/command';
import { authorize } from '../../domain/policy';
import { chainOf, staffNames, type StudentDoc } from '../../roster/directory';
import { responsibleAt } from '../../domain/chain';
import type { DayPart } from '../../domain/cases/facts';
import type { FactRow } from '../../models/case';
import { addFact, openCaseOf, openOrCreateCase, remember, standingFacts } from '../store';
import { checkSchoolDay } from '../checks';
import { nextSteps, record } from '../record';
import { R, PART_LABEL } from '../replies';
import { formatDay } from '../../lib/time';
import { atRiskOwners } from '../../prevention/queries/owners';
import { joinLines } from '../../lib/lines';

export interface AbsenceInput {
  student: StudentDoc;
  day: string;
  part: DayPart;
  reason: string;
}

/**
 * 缺勤 (二(一)2(3)): an unexcused absence, half a day or a full day. The deputy is told at once;
 * the head teacher too when someone else reported it. The case derives what follows.
 */
export async function reportAbsence(ctx: ChatContext, a: AbsenceInput): Promise<string> {
  const { student, day, part } = a;
  authorize(ctx.actor, 'report', student);
  if (student.status !== 'enrolled') throw new Answer(R.notEnrolled(student.name));
  checkSchoolDay(ctx, day);
  const existing = await openCaseOf(student.studentNo);
  await refuseDuplicate(ctx, existing?.caseId, a);
  const leave = existing ? await leaveCovering(existing.caseId, day) : undefined;
  if (leave) throw new Answer(R.onLeave(student.name, leave.day ?? day, leave.until ?? day));
  if (existing?.gate === 'return') {
    await addFact(existing, {
      type: 'superseded',
      actor: ctx.actor.userid,
      channel: ctx.channel,
      at: ctx.now,
    });
  }
  const { row, created } = await openOrCreateCase(student, ctx.actor.userid, ctx.now);
  const synced = await record(ctx, row, {
    type: 'absence',
    day,
    part,
    detail: a.reason || undefined,
  });
  if (synced.view.gate === 'leave') {
    throw new Answer(`${student.name} 在请假期间，${formatDay(day)} 不计无故缺勤。`);
  }
  const told = await tellSchool(ctx, a, synced.about.className, synced.row.caseId);
  await remember(synced.row.caseId, told);
  const away = synced.view.awayDays > 1 ? `（已 ${synced.view.awayDays} 个上学日未到校）` : '';
  return joinLines(
    `已记录：${student.name} ${formatDay(day)} ${PART_LABEL[part]}无故缺勤${away}。`,
    part === 'full' ? '' : '下一个上学日早上我会请班主任确认是否到校；如全天未到，请再报「全天」。',
    nextSteps(synced, ctx.actor.userid),
    told.length ? `已告知 ${synced.about.who(told)}。` : '',
    created ? R.undoHint(student.name, ctx.services.settings.ladder.undoWindowMinutes) : '',
  );
}

async function leaveCovering(caseId: string, day: string): Promise<FactRow | undefined> {
  const leaves = await standingFacts(caseId, { type: 'leave' });
  return leaves.reverse().find((f) => (f.day ?? '') <= day && day <= (f.until ?? ''));
}

async function refuseDuplicate(ctx: ChatContext, caseId: string | undefined, a: AbsenceInput) {
  if (!caseId) return;
  const same = await standingFacts(caseId, { type: 'absence', day: a.day });
  const prior = same.find((f) => f.part === 'full' || f.part === a.part);
  if (!prior) return;
  if (prior.actor === ctx.actor.userid) throw new Answer(R.alreadyByYou(a.student.name, a.day));
  const who = (await staffNames([prior.actor])).get(prior.actor) ?? prior.actor;
  throw new Answer(R.alreadyBy(a.student.name, a.day, who));
}

/** The deputy at once; the head teacher too when a subject teacher (or anyone else) reported. */
async function tellSchool(ctx: ChatContext, a: AbsenceInput, cls: string, caseId: string) {
  const chain = await chainOf(a.student);
  const me = ctx.actor.userid;
  const heads = responsibleAt(chain, 'headTeacher').userids;
  // An at-risk student's two owners (双包保) are told first (二(一)2(2)).
  const owners = await atRiskOwners(a.student);
  const to = [
    ...owners,
    ...responsibleAt(chain, 'deputy').userids,
    ...(heads.includes(me) ? [] : heads),
  ];
  const told = [...new Set(to)].filter((u) => u !== me);
  const text = R.absenceTold(cls, a.student.name, a.day, a.part, ctx.actor.name, a.reason);
  const hint = a.part === 'full' ? '' : `\n如全天未到，请报告「缺勤 ${a.student.name} 全天」。`;
  await ctx.services.notify.text(told, text + hint, `${caseId}:told:${a.day}:${a.part}`);
  return told;
}
