/**
 * A case is its facts: what a named person reported about a student, when, through which
 * channel — or, marked `inferred`, what the system concluded from silence or the calendar.
 * Facts are append-only; a mistaken one is withdrawn by a later `withdraw` fact, never edited.
 * Everything else (gate, days away, duties) is derived from them (derive.ts).
 */
export type Channel = 'wecom' | 'job' | 'cli' | 'sandbox' | 'web';
export type DayPart = 'full' | 'am' | 'pm' | 'half';

/** What every fact carries, whatever its type. */
export interface FactBase {
  /** Unique, time-ordered id (also what `withdraw` points at). */
  factId: string;
  caseId: string;
  studentNo: string;
  /** A staff userid, or 'system' for inferred facts. */
  actor: string;
  /** Set when the actor did what `onBehalfOf`'s duty asked (a leader instead of the holder). */
  onBehalfOf?: string;
  channel: Channel;
  /** When the school learned of it (the message's time). */
  at: Date;
  inferred?: boolean;
  /** The duty this fact answers, when it answers one explicitly (a card click, a visit instead). */
  dutyId?: string;
  detail?: string;
}

export type Fact = FactBase &
  (
    | { type: 'absence'; day: string; part: DayPart }
    | { type: 'leave'; day: string; until: string }
    | { type: 'present'; day: string }
    | { type: 'stillAway'; day: string }
    | { type: 'visit'; visitId: string; pending?: boolean }
    | { type: 'persuasion' }
    | { type: 'plan'; nextDay: string }
    | { type: 'dropoutConfirmed' }
    | { type: 'govReported' }
    | { type: 'govMeasures' }
    | { type: 'mentoring'; mentor: string; helper?: string; placement?: string }
    | { type: 'checkIn'; week: number }
    | { type: 'transferRequested'; inDistrict: boolean; destination: string; toSchool?: string }
    | { type: 'transferConfirmed' }
    | { type: 'followUp' }
    | { type: 'registrationMissing'; day: string }
    | { type: 'superseded' }
    | { type: 'withdraw'; target: string }
  );

export type FactType = Fact['type'];

/** Every fact type, so tests and labels cover each one (adding a type fails them until covered). */
export const FACT_TYPES = [
  'absence',
  'leave',
  'present',
  'stillAway',
  'visit',
  'persuasion',
  'plan',
  'dropoutConfirmed',
  'govReported',
  'govMeasures',
  'mentoring',
  'checkIn',
  'transferRequested',
  'transferConfirmed',
  'followUp',
  'registrationMissing',
  'superseded',
  'withdraw',
] as const satisfies readonly FactType[];

export const FACT_LABEL: Record<FactType, string> = {
  absence: '报告缺勤',
  leave: '登记请假',
  present: '报告到校',
  stillAway: '确认仍未到校',
  visit: '家访',
  persuasion: '劝返',
  plan: '记录劝返计划',
  dropoutConfirmed: '确认辍学',
  govReported: '向当地政府报告',
  govMeasures: '记录政府措施',
  mentoring: '安排帮扶',
  checkIn: '返校跟进',
  transferRequested: '申请转学',
  transferConfirmed: '确认转学完成',
  followUp: '教体局督办',
  registrationMissing: '开学未报到',
  superseded: '另立新案',
  withdraw: '撤销',
};

/** Facts that still count: withdrawn ones (and the withdrawals themselves) drop out. */
export function standing(facts: Fact[]): Fact[] {
  const withdrawn = new Set(facts.filter((f) => f.type === 'withdraw').map((f) => f.target));
  return facts.filter((f) => f.type !== 'withdraw' && !withdrawn.has(f.factId));
}

/** When the record was last corrected (a withdrawal): deadlines before it were not missed live. */
export function lastCorrection(facts: Fact[]): Date | undefined {
  const at = facts.filter((f) => f.type === 'withdraw').map((f) => f.at.getTime());
  return at.length ? new Date(Math.max(...at)) : undefined;
}
