import { Answer, type ChatContext } from '../../chat/command';
import type { AbsenceArgs } from '../../chat/parse';
import { authorize } from '../../domain/policy';
import { staffNames, type StudentDoc } from '../../roster/directory';
import { LEVELS, responsibleAt } from '../../domain/chain';
import { ROLE_LABEL } from '../../domain/roster';
import { standing, type DayPart, type Fact } from '../../domain/cases/facts';
import { addFact, factsOf, openCaseOf } from '../store';
import { checkSchoolDay } from '../checks';
import { nextSteps, openWith, record, statedBy } from '../record';
import type { Synced } from '../sync';
import type { Notice } from '../notices';
import { R, PART_LABEL } from '../replies';
import { formatDay } from '../../lib/time';
import { atRiskOwners } from '../../prevention/queries/owners';
import { joinLines } from '../../lib/lines';

/** 缺勤 as said (`parseAbsence`), about a student. */
export interface AbsenceInput extends AbsenceArgs {
  student: StudentDoc;
}

/**
 * 缺勤 (二(一)2(3)): an unexcused absence, half a day or a full day. The deputy is told at once;
 * the head teacher too when someone else reported it. The case derives what follows. A first
 * absence opens the case in one go (`openWith`); otherwise the open case's facts are read once
 * and handed to the sync (issue #11: round trips).
 */
export async function reportAbsence(ctx: ChatContext, a: AbsenceInput): Promise<string> {
  const { student, day, part } = a;
  authorize(ctx.actor, 'report', student);
  if (student.status !== 'enrolled') throw new Answer(R.notEnrolled(student.name));
  checkSchoolDay(ctx, day);
  // An at-risk student's two owners (双包保) are told first (二(一)2(2)); the flag on the
  // student row says whether the register needs reading at all.
  const owners = student.atRisk ? await atRiskOwners(student) : [];
  let told: string[] = [];
  const tell = (p: Synced): Notice[] => {
    if (p.view.gate === 'leave') return []; // answered as leave below; nobody is told
    const t = tellSchool(ctx, a, p, owners);
    told = t.to;
    return t.to.length ? [t] : [];
  };
  const stated = { type: 'absence' as const, day, part, detail: a.reason || undefined };
  const seen = new Map<string, unknown>(); // what the first attempt read, for the second
  let synced = await openWith(ctx, student, stated, tell, seen);
  const created = synced !== undefined;
  if (!synced) synced = await onOpenCase(ctx, a, stated, tell, seen);
  const shown = synced.about.name; // 「熊浩然（尾号0113）」 when the school has a namesake
  if (synced.view.gate === 'leave') {
    throw new Answer(`${student.name} 在请假期间，${formatDay(day)} 不计无故缺勤。`);
  }
  const away = synced.view.awayDays > 1 ? `（已 ${synced.view.awayDays} 个上学日未到校）` : '';
  return joinLines(
    R.absenceRecorded(shown, formatDay(day), PART_LABEL[part], a.reason) + `${away}。`,
    R.leaveHint(student.name, a.reason),
    part === 'full' ? '' : '下一个上学日早上我会请班主任确认是否到校；如全天未到，请再报「全天」。',
    nextSteps(synced, ctx.actor.userid),
    told.length ? `已告知 ${toldWithRoles(synced, told)}。` : '',
    created ? R.undoHint(student.name, ctx.services.settings.ladder.undoWindowMinutes) : '',
  );
}

/** 「分管领导 袁博文」: each person told, with their highest place in the student's chain. */
function toldWithRoles(s: Synced, ids: string[]): string {
  return ids
    .map((u) => {
      const level = [...LEVELS].reverse().find((l) => s.chain[l].includes(u));
      const role = s.chain.atRiskLeader === u ? '包保领导' : level ? ROLE_LABEL[level] : '';
      return `${role ? `${role} ` : ''}${s.about.who([u])}`;
    })
    .join('、');
}

/** The student has an open case: refuse a repeat, respect leave, else record on it. */
async function onOpenCase(
  ctx: ChatContext,
  a: AbsenceInput,
  stated: { type: 'absence'; day: string; part: DayPart; detail?: string },
  tell: (p: Synced) => Notice[],
  seen: Map<string, unknown>,
): Promise<Synced> {
  const existing = await openCaseOf(a.student.studentNo);
  if (!existing) throw new Error(`no open case for ${a.student.studentNo} after a refused insert`);
  let facts = await factsOf(existing.caseId);
  await refuseDuplicate(ctx, facts, a);
  const leave = leaveCovering(facts, a.day);
  if (leave) throw new Answer(R.onLeave(a.student.name, leave.day, leave.until));
  if (existing.gate === 'return') {
    const f = await addFact(existing, statedBy(ctx, { type: 'superseded' }));
    facts = [...facts, f as unknown as Fact];
  }
  return record(ctx, existing, stated, { student: a.student, facts, tell, seen });
}

function leaveCovering(facts: Fact[], day: string) {
  const leaves = standing(facts).flatMap((f) => (f.type === 'leave' ? [f] : []));
  return leaves.reverse().find((f) => f.day <= day && day <= f.until);
}

async function refuseDuplicate(ctx: ChatContext, facts: Fact[], a: AbsenceInput) {
  const prior = standing(facts).find(
    (f) => f.type === 'absence' && f.day === a.day && (f.part === 'full' || f.part === a.part),
  );
  if (!prior) return;
  if (prior.actor === ctx.actor.userid) throw new Answer(R.alreadyByYou(a.student.name, a.day));
  const who = (await staffNames([prior.actor])).get(prior.actor) ?? prior.actor;
  throw new Answer(R.alreadyBy(a.student.name, a.day, who));
}

/** The deputy at once; the head teacher too when a subject teacher (or anyone else) reported. */
function tellSchool(ctx: ChatContext, a: AbsenceInput, p: Synced, owners: string[]): Notice {
  const me = ctx.actor.userid;
  const heads = responsibleAt(p.chain, 'headTeacher').userids;
  const to = [
    ...owners,
    ...responsibleAt(p.chain, 'deputy').userids,
    ...(heads.includes(me) ? [] : heads),
  ];
  const text = R.absenceTold(
    p.about.className,
    p.about.name,
    a.day,
    a.part,
    ctx.actor.name,
    a.reason,
  );
  return {
    to: [...new Set(to)].filter((u) => u !== me),
    key: `${p.row.caseId}:told:${a.day}:${a.part}`,
    // 「如全天未到，请再报全天」 is for the reporter (in the reply), not for those told.
    text,
    line: `${p.about.name}：${formatDay(a.day)} ${PART_LABEL[a.part]}无故缺勤`,
  };
}
