/**
 * Where a case stands. The five gates are the plan's (二(三)2(3)): 入学注册关, 劝返关, 辍学确认关,
 * 报告关, 复学通知关. Before persuasion an absence is tracked (缺勤跟踪), and excused leave is
 * not a gate at all; both are named for what they are. When a leave ends without news the
 * case says so (leaveEnded): silence after a leave is neither leave nor a confirmed absence.
 */
export const GATES = [
  'registration',
  'leave',
  'leaveEnded',
  'tracking',
  'persuasion',
  'confirmation',
  'reporting',
  'reported',
  'return',
  'closed',
  'cancelled',
] as const;

export type Gate = (typeof GATES)[number];

export const GATE_LABEL: Record<Gate, string> = {
  registration: '入学注册关（开学未报到）',
  leave: '请假中',
  leaveEnded: '请假已结束（待确认到校）',
  tracking: '缺勤跟踪',
  persuasion: '劝返关',
  confirmation: '辍学确认关（校长决定）',
  reporting: '报告关（待向当地政府报告）',
  reported: '报告关（已报告当地政府）',
  return: '复学通知关（返校帮扶）',
  closed: '已结案',
  cancelled: '已撤销',
};

export function isOpenGate(g: Gate): boolean {
  return g !== 'closed' && g !== 'cancelled';
}

/** Gates in which attendance is asked every school day (确认到校情况) until someone answers. */
export const CHECK_GATES: readonly Gate[] = ['registration', 'leave', 'leaveEnded', 'tracking'];

/** Gates in which the student is away and persuasion has begun (still-away confirmed weekly). */
export const AWAY_GATES: readonly Gate[] = ['persuasion', 'confirmation', 'reporting', 'reported'];
