/**
 * The case state machine (二(三)2(3), the five gates). A case is one student episode: excused
 * leave or an unexcused absence, through persuasion (劝返关), dropout confirmation
 * (辍学确认关) and reporting (报告关), to the notice of return (复学通知关). Pure.
 */
export type CaseState =
  'leave' | 'watch' | 'persuasion' | 'reported' | 'returned' | 'closed' | 'cancelled';

export type Move =
  | 'leave' // 请假 recorded
  | 'leaveExpired' // leave ended and the student is not back
  | 'absence' // 缺勤 reported (or reported again)
  | 'dayAbsent' // another school day absent (morning check)
  | 'visit' // 家访 record
  | 'startPersuasion' // still absent after the visits → 劝返关
  | 'persuasion' // 劝返 attempt recorded
  | 'confirmDropout' // 辍学确认关 by the principal → 报告关
  | 'back' // 到校 / 返校
  | 'mentoring' // 帮扶 assigned after a return
  | 'checkIn' // weekly check-in after a return
  | 'complete' // check-ins done
  | 'undo' // a mistaken report withdrawn
  | 'transfer'; // transferred out: the school's case ends (the receiving school takes over)

export const OPEN_STATES: CaseState[] = ['leave', 'watch', 'persuasion', 'reported', 'returned'];

const T: Record<CaseState, Partial<Record<Move, CaseState>>> = {
  leave: {
    leave: 'leave',
    leaveExpired: 'watch',
    absence: 'watch',
    back: 'closed',
    undo: 'cancelled',
    transfer: 'closed',
  },
  watch: {
    absence: 'watch',
    dayAbsent: 'watch',
    visit: 'watch',
    leave: 'leave',
    startPersuasion: 'persuasion',
    back: 'closed',
    undo: 'cancelled',
    transfer: 'closed',
  },
  persuasion: {
    absence: 'persuasion',
    dayAbsent: 'persuasion',
    visit: 'persuasion',
    persuasion: 'persuasion',
    confirmDropout: 'reported',
    back: 'returned',
    transfer: 'closed',
  },
  reported: {
    absence: 'reported',
    visit: 'reported',
    persuasion: 'reported',
    back: 'returned',
    transfer: 'closed',
  },
  returned: { mentoring: 'returned', checkIn: 'returned', complete: 'closed', visit: 'returned' },
  closed: {},
  cancelled: {},
};

/** The gate a state stands at, as the plan names it. */
export const GATE: Record<CaseState, string> = {
  leave: '入学注册关（请假中）',
  watch: '入学注册关（缺勤跟踪）',
  persuasion: '劝返关',
  reported: '报告关（已确认辍学并上报）',
  returned: '复学通知关（返校帮扶中）',
  closed: '已结案',
  cancelled: '已撤销',
};

const WHY_NOT: Partial<Record<Move, string>> = {
  confirmDropout: '只有在劝返阶段（家访后仍未返校）才能确认辍学。请先按流程家访、劝返。',
  persuasion: '目前还不在劝返阶段，请先按要求完成家访。',
  mentoring: '只有学生返校后才能安排帮扶。',
  undo: '这个案件已经进入劝返或之后的阶段，不能撤销。如需更正，请联系分管领导。',
  leave: '学生已进入劝返阶段，不能再登记为请假。',
};

export type Transition = { ok: true; to: CaseState } | { ok: false; reason: string };

export function transition(from: CaseState, move: Move): Transition {
  const to = T[from][move];
  if (to) return { ok: true, to };
  if (from === 'closed' || from === 'cancelled') return { ok: false, reason: '这个案件已经结束。' };
  return { ok: false, reason: WHY_NOT[move] ?? `当前阶段（${GATE[from]}）不能进行这个操作。` };
}

export function isOpen(state: CaseState): boolean {
  return OPEN_STATES.includes(state);
}
