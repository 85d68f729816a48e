import type { Role, RoleName, StaffLike, StudentLike } from './roster';

/**
 * Who may do what, as declarations: one line per role and the actions it allows on a student
 * in its scope (二(一)2(1): 包学生、包班级、包年级、包校). `authorize` throws `Refused`, which the
 * dispatcher audits and answers in one place; out-of-scope students look like unknown ones.
 */
export const ACTIONS = [
  'view', // see a student's card and case
  'viewPersonal', // guardians' phones / home address unmasked
  'report', // absence, leave, return, home visit, still away
  'persuade', // record persuasion
  'correct', // withdraw someone else's report after the undo window (更正)
  'decide', // record the persuasion plan and its next date (principal)
  'confirmDropout', // 辍学确认关 (principal)
  'reportGovernment', // 报告关 (principal)
  'changeEnrollment', // 学籍变动: transfer out, suspension
  'confirmTransfer', // the receiving school (in district) or the deputy (out of district)
  'followUp', // 督办: the bureau follows a case up
  'proposeAtRisk', // 易辍: put a student on the at-risk register (二(一)2(2))
  'confirmAtRisk', // confirm, name the 双包保 leader, remove (the deputy or principal)
] as const;
export type Action = (typeof ACTIONS)[number];

export const SCHOOL_ACTIONS = [
  'submitReport',
  'readDistrict',
  'actOnReports',
  'viewDashboard', // the web dashboard of a school (issue #12)
  'broadcast', // 通知: a notice to a school's staff (issue #12)
  'broadcastDistrict', // 通知 to several schools or the district; 催报; 定时通知 (the bureau)
  'listOverdue', // 逾期: overdue duties with names (issue #12)
  'listCases', // 案件: open cases with names (issue #12)
  'exportReport', // 导出: a period's workbook as a WeCom file (issue #12)
] as const;
export type SchoolAction = (typeof SCHOOL_ACTIONS)[number];

type Scope = (r: Role, s: StudentLike) => boolean;
const teaches: Scope = (r, s) =>
  r.classId === s.classId && (!r.students?.length || r.students.includes(s.studentNo));
const inClass: Scope = (r, s) => r.classId === s.classId;
const inGrade: Scope = (r, s) => r.schoolCode === s.schoolCode && r.grade === s.grade;
const inSchool: Scope = (r, s) => r.schoolCode === s.schoolCode;
const anywhere: Scope = () => true;

const TEACHER = ['view', 'viewPersonal', 'report'] as const;
const LEADER = [...TEACHER, 'persuade', 'correct', 'changeEnrollment'] as const;

export const RULES: { role: RoleName; actions: readonly Action[]; on: Scope }[] = [
  { role: 'subjectTeacher', actions: TEACHER, on: teaches },
  {
    role: 'headTeacher',
    actions: [...TEACHER, 'persuade', 'changeEnrollment', 'proposeAtRisk'],
    on: inClass,
  },
  { role: 'gradeLeader', actions: [...LEADER, 'proposeAtRisk'], on: inGrade },
  {
    role: 'deputy',
    actions: [...LEADER, 'confirmTransfer', 'proposeAtRisk', 'confirmAtRisk'],
    on: inSchool,
  },
  {
    role: 'principal',
    actions: [
      ...LEADER,
      ...(['confirmTransfer', 'decide', 'confirmDropout', 'reportGovernment'] as const),
      ...(['proposeAtRisk', 'confirmAtRisk'] as const),
    ],
    on: inSchool,
  },
  // The bureau reads everything (guardians' data only masked) and follows cases up.
  { role: 'bureau', actions: ['view', 'followUp'], on: anywhere },
];

export const SCHOOL_RULES: { role: RoleName; actions: readonly SchoolAction[]; own: boolean }[] = [
  { role: 'principal', actions: ['submitReport'], own: true },
  { role: 'deputy', actions: ['submitReport'], own: true },
  { role: 'bureau', actions: ['readDistrict', 'actOnReports'], own: false },
  { role: 'principal', actions: ['viewDashboard'], own: true },
  { role: 'deputy', actions: ['viewDashboard'], own: true },
  { role: 'bureau', actions: ['viewDashboard'], own: false },
  { role: 'principal', actions: ['broadcast'], own: true },
  { role: 'deputy', actions: ['broadcast'], own: true },
  { role: 'bureau', actions: ['broadcast', 'broadcastDistrict'], own: false },
  { role: 'principal', actions: ['listOverdue', 'listCases', 'exportReport'], own: true },
  { role: 'deputy', actions: ['listOverdue', 'listCases', 'exportReport'], own: true },
  { role: 'bureau', actions: ['listOverdue', 'listCases', 'exportReport'], own: false },
];

export function canActOnStudent(staff: StaffLike, action: Action, s: StudentLike): boolean {
  return staff.roles.some((r) =>
    RULES.some((rule) => rule.role === r.role && rule.actions.includes(action) && rule.on(r, s)),
  );
}

export function canActOnSchool(
  staff: StaffLike,
  action: SchoolAction,
  schoolCode: string,
): boolean {
  return staff.roles.some((r) =>
    SCHOOL_RULES.some(
      (rule) =>
        rule.role === r.role &&
        rule.actions.includes(action) &&
        (!rule.own || r.schoolCode === schoolCode),
    ),
  );
}

/** The roles the policy lets do an action anywhere (帮助 lists a command only for them). */
export function rolesFor(action: Action | SchoolAction): RoleName[] {
  const grants = [...RULES, ...SCHOOL_RULES].filter((r) =>
    (r.actions as readonly string[]).includes(action),
  );
  return [...new Set(grants.map((r) => r.role))];
}

/** A refused action: the dispatcher audits it and answers with `refusal(action)`. */
export class Refused extends Error {
  constructor(
    readonly action: Action | SchoolAction,
    readonly target?: string,
    /** The sender may do this at their own school, not at the one they named. */
    readonly elsewhere = false,
  ) {
    super(`refused: ${action}`);
  }
}

export function authorize(staff: StaffLike, action: Action, s: StudentLike): void {
  if (!canActOnStudent(staff, action, s)) throw new Refused(action, s.studentNo);
}

export function authorizeSchool(staff: StaffLike, action: SchoolAction, schoolCode: string): void {
  if (!canActOnSchool(staff, action, schoolCode)) throw new Refused(action, schoolCode);
}

const REFUSAL: Partial<Record<Action | SchoolAction, string>> = {
  confirmDropout: '确认辍学需要由本校校长操作。如情况属实，请联系校长。',
  decide: '劝返计划和辍学决定由本校校长记录。',
  reportGovernment: '向当地政府报告由本校校长记录。',
  changeEnrollment: '学籍变动（转出、休学）由本班班主任或学校领导登记。',
  correct: '更正他人的记录需要年级或学校领导操作。请联系您的年级组长或分管领导。',
  confirmTransfer: '转学确认由转入学校（区内）或本校分管领导（区外）办理。',
  followUp: '督办由区教体局办理。',
  proposeAtRisk: '登记易辍对象由本班班主任或学校领导提出。',
  confirmAtRisk: '易辍对象的确认、包保领导和移出由本校分管领导或校长办理。',
  submitReport: '上报由学校校长或分管领导操作。',
  readDistrict: '全区数据由区教体局查看。',
  actOnReports: '全区数据由区教体局查看。',
  viewDashboard: '您只能查看本校的数据。',
  broadcast:
    '您只能通知本校的教职工。全体校长、全区或其他学校的通知由区教体局发送；' +
    '通知本校请写：通知 全体教师 <内容>。',
  broadcastDistrict: '全区通知、催报和定时通知由区教体局办理。',
  listOverdue: '逾期名单由校长、分管领导（本校）和区教体局（全区）查看。',
  listCases: '案件名单由校长、分管领导（本校）和区教体局（全区）查看。',
  exportReport: '报表由校长、分管领导（本校）和区教体局（全区或某校）导出。',
};

/** Added when the sender named another school than their own. */
const ELSEWHERE: Partial<Record<SchoolAction, string>> = {
  listOverdue: '您只能查看本校的逾期名单。',
  listCases: '您只能查看本校的案件。',
  exportReport: '您只能导出本校的报表。',
};

/** The polite refusal every denied action gets. */
export function refusal(action: Action | SchoolAction, elsewhere = false): string {
  const base =
    REFUSAL[action] ?? '抱歉，这名学生不在您负责的范围内，无法操作。如有疑问请联系学校分管领导。';
  const own = elsewhere ? ELSEWHERE[action as SchoolAction] : undefined;
  return own ? `${base}${own}` : base;
}
