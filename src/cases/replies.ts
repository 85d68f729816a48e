import type { DayPart } from '../domain/cases/facts';
import { formatDay } from '../lib/time';

/** Reply templates of the case operations: short Chinese, addressed to the sender as 您. */
export const PART_LABEL: Record<DayPart, string> = {
  full: '全天',
  am: '上午',
  pm: '下午',
  half: '半天',
};

/** Reasons that sound like illness or a parent's request (issue: 缺勤 … 发烧). */
const SOUNDS_LIKE_LEAVE =
  /病|发烧|发热|感冒|咳嗽|住院|看病|医院|不舒服|家长说|家长称|请假|家里有事|家中有事/;

export const R = {
  notEnrolled: (name: string) =>
    `${name} 的学籍状态不是在读，无需报告缺勤。如有变化请联系学校学籍管理员。`,
  future: (day: string) => `${formatDay(day)} 还没到，不能提前报告。`,
  notSchoolDay: (day: string, why: string) => `${formatDay(day)} 是${why}，不是上学日，不计缺勤。`,
  onLeave: (name: string, from: string, until: string) =>
    `${name} 已请假（${formatDay(from)} 至 ${formatDay(until)}），请假期间不计无故缺勤。`,
  alreadyByYou: (name: string, day: string) =>
    `您已报告过 ${name} ${formatDay(day)} 的缺勤，无需重复。`,
  alreadyBy: (name: string, day: string, who: string) =>
    `${name} ${formatDay(day)} 的缺勤已由 ${who} 报告过，无需重复。`,
  undoHint: (name: string, minutes: number) => `报错了？${minutes} 分钟内可发送「撤销 ${name}」。`,
  /** 「已记录：… 全天无故缺勤」; with a reason it is echoed and not called 无故. */
  absenceRecorded: (name: string, day: string, part: string, reason: string) =>
    reason
      ? `已记录：${name} ${day} ${part}缺勤（原因：${reason}）`
      : `已记录：${name} ${day} ${part}无故缺勤`,
  /** A reason that sounds like illness or the parents' request: it may be leave (请假). */
  leaveHint: (name: string, reason: string) =>
    SOUNDS_LIKE_LEAVE.test(reason)
      ? `如家长已请假，可发送「请假 ${name} <天数> ${reason}」改为请假。`
      : '',
  noCase: (name: string) => `${name} 目前没有未结的缺勤记录。`,
  absenceTold: (
    cls: string,
    name: string,
    day: string,
    part: DayPart,
    by: string,
    reason: string,
  ) =>
    `【缺勤报告】${cls} ${name} ${formatDay(day)} ${PART_LABEL[part]}未到校` +
    `（${by} 报告${reason ? `，${reason}` : ''}）。`,
};
