import { randomBytes } from 'node:crypto';
import { Answer, type ChatContext } from '../../chat/command';
import { authorize } from '../../domain/policy';
import { LEVELS } from '../../domain/chain';
import type { RoleName, StaffLike, StudentLike } from '../../domain/roster';
import { DUTY } from '../../domain/cases/duties';
import { Duty, HomeVisit, type HomeVisitRow } from '../../models/case';
import { auditChat } from '../../models/audit';
import { visitTally } from '../../prevention/queries/visit-count';
import { afterVisit, visitFields } from '../../prevention/ops/after-visit';
import type { StudentDoc } from '../../roster/directory';
import { openCaseOf } from '../store';
import { nextSteps, record } from '../record';
import { joinLines } from '../../lib/lines';

export interface VisitInput {
  student: StudentDoc;
  record: string;
  /** A card click "已家访": counted once now, the record follows with the next 家访. */
  pending?: boolean;
  dutyId?: string;
}

/**
 * 家访 (二(一)2(3)): the record itself, and the duty it meets — the author's own, or, for a
 * leader who visits in the holder's place, the holder's (recorded as such, the holder told).
 */
export async function recordVisit(ctx: ChatContext, v: VisitInput): Promise<string> {
  const { student } = v;
  authorize(ctx.actor, 'report', student);
  const me = ctx.actor.userid;
  if (!v.pending) {
    const completed = await completePending(ctx, student, v.record);
    if (completed) return completed;
  }
  const visitId = `V${ctx.now.getTime().toString(36)}${randomBytes(3).toString('hex')}`;
  const c = await openCaseOf(student.studentNo);
  const row: HomeVisitRow = {
    visitId,
    studentNo: student.studentNo,
    ...(c ? { caseId: c.caseId } : {}),
    visitor: me,
    at: ctx.now,
    record: v.pending ? '（通过卡片确认已家访，详细记录待补）' : v.record,
    ...(v.pending ? { pending: true } : {}),
    channel: ctx.channel,
    ...visitFields(ctx, student, v.pending ? undefined : v.record),
  };
  await HomeVisit.create(row);
  const follow = await afterVisit(ctx, student, row);
  await auditChat(ctx, 'visit', student.studentNo);
  const tally = await quotaLine(ctx);
  if (!c) return [`已记录对 ${student.name} 的家访。${tally}`, follow].filter(Boolean).join('\n');
  const duty = await dutyMet(ctx.actor, student, c.caseId, v.dutyId);
  const synced = await record(ctx, c, {
    type: 'visit',
    visitId,
    ...(v.pending ? { pending: true } : { detail: v.record.slice(0, 500) }),
    ...(duty ? { dutyId: duty.dutyId } : {}),
    ...(duty?.instead ? { onBehalfOf: duty.instead } : {}),
  });
  const instead = duty?.instead ? insteadOf(synced.about.who([duty.instead])) : '';
  const met = duty ? `已完成：${DUTY[duty.kind].label}${instead}。` : '';
  return joinLines(
    `已记录家访：${student.name}。${met}`,
    v.pending ? `请补充家访记录：「家访 ${student.name} 见到谁、了解到什么、约定了什么」。` : '',
    nextSteps(synced, me),
    tally,
    follow,
  );
}

async function completePending(ctx: ChatContext, student: StudentDoc, text: string) {
  const open = await HomeVisit.findOne({
    studentNo: student.studentNo,
    visitor: ctx.actor.userid,
    pending: true,
  }).lean();
  if (!open) return undefined;
  if (text.length < 4)
    throw new Answer(`请写上家访记录，例如：家访 ${student.name} 见到母亲，了解到……，约定……`);
  const fields = visitFields(ctx, student, text);
  await HomeVisit.updateOne(
    { visitId: open.visitId },
    { $set: { record: text, pending: false, ...fields } },
  );
  const follow = await afterVisit(ctx, student, { ...open, ...fields, pending: false });
  const done = `已补充 ${student.name} 的家访记录（这次家访已计入，不重复计数）。`;
  return [done + (await quotaLine(ctx)), follow].filter(Boolean).join('\n');
}

async function quotaLine(ctx: ChatContext): Promise<string> {
  // The one count (`countedVisits`): a card click counts from the click, once.
  const { quota, done: n } = await visitTally(ctx.services, ctx.actor, ctx.now);
  return quota ? `本学期您已家访 ${n} 人次（要求不少于 ${quota} 人次）。` : '';
}

const HOLDER_LEVEL: Record<string, RoleName> = {
  headVisit: 'headTeacher',
  leaderVisit: 'gradeLeader',
};

const insteadOf = (name: string) => `（代 ${name} 完成，已告知）`;

/** The highest level the actor holds for this student (a leader above may act instead). */
function levelOf(actor: StaffLike, s: StudentLike): number {
  const ok = actor.roles.filter(
    (r) =>
      r.role === 'bureau' ||
      (r.role === 'principal' || r.role === 'deputy' ? r.schoolCode === s.schoolCode : false) ||
      (r.role === 'gradeLeader' && r.schoolCode === s.schoolCode && r.grade === s.grade) ||
      ((r.role === 'headTeacher' || r.role === 'subjectTeacher') && r.classId === s.classId),
  );
  return Math.max(-1, ...ok.map((r) => LEVELS.indexOf(r.role)));
}

async function dutyMet(actor: StaffLike, s: StudentLike, caseId: string, dutyId?: string) {
  const live = await Duty.find({
    caseId,
    kind: { $in: ['headVisit', 'leaderVisit'] },
    status: { $in: ['open', 'missed'] },
  }).lean();
  const pick = dutyId ? live.filter((d) => d.dutyId === dutyId) : live;
  const own = pick
    .filter((d) => d.holders.includes(actor.userid))
    .sort((a) => (a.kind === 'leaderVisit' ? -1 : 1))[0];
  if (own) return { dutyId: own.dutyId, kind: own.kind, instead: undefined };
  const mine = levelOf(actor, s);
  const below = pick
    .filter((d) => LEVELS.indexOf(HOLDER_LEVEL[d.kind]) < mine)
    .sort((a, b) => LEVELS.indexOf(HOLDER_LEVEL[a.kind]) - LEVELS.indexOf(HOLDER_LEVEL[b.kind]))[0];
  return below ? { dutyId: below.dutyId, kind: below.kind, instead: below.holders[0] } : undefined;
}
