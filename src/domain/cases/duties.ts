/**
 * Duties (待办/职责): what one named person must do by a deadline. Each kind names who holds it,
 * who is told when it is missed (one step up the chain of responsibility, 二(一)2(1)), the card
 * buttons that can answer it and the command to type instead. Pure data.
 */
export const DUTY_KINDS = [
  'checkAttendance',
  'headVisit',
  'leaderVisit',
  'persuade',
  'confirmAway',
  'decide',
  'govReport',
  'placement',
  'checkIn',
  'transferConfirm',
] as const;
export type DutyKind = (typeof DUTY_KINDS)[number];

/** Who holds or receives: chain levels, an at-risk student's named leader, the receiving school. */
export const HOLDER_LEVELS = [
  'headTeacher',
  'visitLeader',
  'gradeLeader',
  'deputy',
  'principal',
  'bureau',
  'receivingLeaders',
] as const;
export type HolderLevel = (typeof HOLDER_LEVELS)[number];

export const CARD_ACTIONS = [
  'present',
  'stillAway',
  'visited',
  'ack',
  'followUp',
  'details',
] as const;
export type CardAction = (typeof CARD_ACTIONS)[number];

export interface DutyRule {
  label: string;
  holder: HolderLevel;
  escalateTo: HolderLevel[];
  /** Buttons on the holder's card; escalation cards add what a superior can do. */
  actions: CardAction[];
  escalatedActions: CardAction[];
  /**
   * For a duty asked again every school day while unanswered: the levels told as the silence
   * goes on (the n-th unanswered one in a row reaches the first n levels).
   */
  climb?: HolderLevel[];
}

export const DUTY: Record<DutyKind, DutyRule> = {
  checkAttendance: {
    label: '确认到校情况',
    holder: 'headTeacher',
    escalateTo: ['gradeLeader'],
    actions: ['present', 'stillAway', 'details'],
    escalatedActions: ['present', 'stillAway', 'details'],
    climb: ['gradeLeader', 'deputy', 'principal', 'bureau'],
  },
  headVisit: {
    label: '班主任家访',
    holder: 'headTeacher',
    escalateTo: ['gradeLeader', 'deputy'],
    actions: ['visited', 'present', 'details'],
    escalatedActions: ['visited', 'present', 'details'],
  },
  leaderVisit: {
    label: '学校领导亲自家访',
    holder: 'visitLeader',
    escalateTo: ['principal'],
    actions: ['visited', 'present', 'details'],
    escalatedActions: ['visited', 'present', 'details'],
  },
  persuade: {
    label: '劝返（分管领导与包保责任人研究措施）',
    holder: 'deputy',
    escalateTo: ['principal'],
    actions: ['details'],
    escalatedActions: ['details'],
  },
  confirmAway: {
    label: '确认是否仍未到校',
    holder: 'headTeacher',
    escalateTo: ['gradeLeader'],
    actions: ['present', 'stillAway', 'details'],
    escalatedActions: ['present', 'stillAway', 'details'],
  },
  decide: {
    label: '校长决定：确认辍学或记录劝返计划',
    holder: 'principal',
    escalateTo: ['bureau'],
    actions: ['details'],
    escalatedActions: ['followUp', 'details'],
  },
  govReport: {
    label: '校长向当地政府报告',
    holder: 'principal',
    escalateTo: ['bureau'],
    actions: ['details'],
    escalatedActions: ['followUp', 'details'],
  },
  placement: {
    label: '安排帮扶教师和学生干部',
    holder: 'headTeacher',
    escalateTo: ['gradeLeader'],
    actions: ['details'],
    escalatedActions: ['details'],
  },
  checkIn: {
    label: '返校帮扶周跟进',
    holder: 'headTeacher',
    escalateTo: ['gradeLeader'],
    actions: ['ack', 'details'],
    escalatedActions: ['details'],
  },
  transferConfirm: {
    label: '确认转学完成',
    holder: 'receivingLeaders',
    escalateTo: ['principal'],
    actions: ['details'],
    escalatedActions: ['details'],
  },
};

/**
 * Who is told when a duty is missed. A duty asked again each day (确认到校情况) climbs the chain
 * while the silence lasts: the n-th unanswered one in a row reaches `climb`'s first n levels,
 * so a student who stays away never drops out of sight (PROCEDURES: silence is not a fact).
 */
export function escalationLevels(kind: DutyKind, streak = 1): HolderLevel[] {
  const rule = DUTY[kind];
  if (!rule.climb) return rule.escalateTo;
  return rule.climb.slice(0, Math.max(1, Math.min(streak, rule.climb.length)));
}

export const ACTION_LABEL: Record<CardAction, string> = {
  present: '已到校',
  stillAway: '仍未到校',
  visited: '已家访',
  ack: '已跟进',
  followUp: '督办',
  details: '查看详情',
};

/** What to type instead of a button (the text fallback of a card names these). */
export function actionCommand(action: CardAction, name: string): string {
  const verbs: Record<CardAction, string> = {
    present: '到校',
    stillAway: '仍未到校',
    visited: '家访',
    ack: '跟进',
    followUp: '督办',
    details: '进展',
  };
  return action === 'visited' ? `家访 ${name} 记录` : `${verbs[action]} ${name}`;
}
