import type { ChatContext } from '../chat/command';
import { DUTY, type CardAction } from '../domain/cases/duties';
import { AWAY_GATES, CHECK_GATES, type Gate } from '../domain/cases/gates';
import { Duty, type DutyRow } from '../models/case';
import { findStudent } from '../roster/directory';
import { authorize } from '../domain/policy';
import { parseButtonKey } from '../notify/cards';
import { isoDay } from '../lib/time';
import { caseById } from './store';
import { reportPresent } from './ops/report-present';
import { confirmStillAway } from './ops/still-away';
import { recordVisit } from './ops/record-visit';
import { checkIn } from './ops/check-in';
import { followUp } from './ops/follow-up';
import { progress } from './queries/progress';

/**
 * A card button names its duty (`d:<action>:<dutyId>`); the click is judged against that duty
 * now, not against the moment the card was sent: a settled or stale duty answers 「此事项已处理」
 * and the card is greyed out, so a two-week-old card cannot act on today's case.
 */
export async function onDutyCard(
  ctx: ChatContext,
  key: string,
  responseCode: string,
): Promise<string> {
  const parsed = parseButtonKey(key);
  if (!parsed) return '这个按钮已失效。发送「待办」查看您当前的事项。';
  const duty = await Duty.findOne({ dutyId: parsed.dutyId }).lean();
  const student = duty && (await findStudent(duty.studentNo));
  if (!duty || !student) return '这张卡片对应的事项已不存在。发送「待办」查看您当前的事项。';
  // The clicker must see the student now (a card outlives a change of class): refused and
  // audited before any answer names the student or greys the card (issue #10, authorization).
  authorize(ctx.actor, 'view', student);
  if (parsed.action === 'details') return progress(ctx, { student });
  const done = (label: string) =>
    ctx.services.notify.updateCard(ctx.actor.userid, responseCode, label);
  if (!(await stillCurrent(duty, parsed.action))) {
    await done('已处理');
    return `此事项已处理（${DUTY[duty.kind].label}：${student.name}）。发送「进展 ${student.name}」查看最新情况。`;
  }
  const reply = await act(ctx, parsed.action, duty, student);
  await done(DONE_LABEL[parsed.action]);
  return reply;
}

const DONE_LABEL: Record<CardAction, string> = {
  present: '已到校',
  stillAway: '已确认：仍未到校',
  visited: '已家访',
  ack: '已跟进',
  followUp: '已督办',
  details: '已查看',
};

type Student = NonNullable<Awaited<ReturnType<typeof findStudent>>>;

function act(
  ctx: ChatContext,
  action: CardAction,
  duty: DutyRow,
  student: Student,
): Promise<string> {
  const dutyId = duty.dutyId;
  switch (action) {
    case 'present':
      return reportPresent(ctx, { student, day: duty.day ?? isoDay(ctx.now), dutyId });
    case 'stillAway':
      return confirmStillAway(ctx, { student, day: duty.day ?? isoDay(ctx.now), dutyId });
    case 'visited':
      return recordVisit(ctx, { student, record: '', pending: true, dutyId });
    case 'ack':
      return checkIn(ctx, { student, week: Number(dutyId.split(':').pop()), note: '' });
    case 'followUp':
      return followUp(ctx, { student, note: '', dutyId });
    default:
      return progress(ctx, { student });
  }
}

/** Gates in which an answer about attendance still means something for this kind of duty. */
const LIVE_GATES: Partial<Record<DutyRow['kind'], readonly Gate[]>> = {
  checkAttendance: CHECK_GATES,
  confirmAway: AWAY_GATES,
  headVisit: ['tracking'],
  leaderVisit: ['tracking'],
  checkIn: ['return'],
};

async function stillCurrent(duty: DutyRow, action: CardAction): Promise<boolean> {
  if (duty.status !== 'open' && duty.status !== 'missed') return false;
  const c = await caseById(duty.caseId);
  if (!c?.open) return false;
  if (action === 'followUp' || action === 'visited') return true;
  const gates = LIVE_GATES[duty.kind];
  if (gates && !gates.includes(c.gate)) return false;
  if (duty.status === 'open') return true;
  // A missed duty is still answerable only while no newer duty of its kind replaced it.
  const newer = await Duty.countDocuments({
    caseId: duty.caseId,
    kind: duty.kind,
    openAt: { $gt: duty.openAt },
  });
  return newer === 0;
}
