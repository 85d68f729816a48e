import type { Settings } from '../../config/settings';
import type { SchoolCalendar } from '../calendar';
import { standing, type Fact } from './facts';
import type { Gate } from './gates';
import type { DutyKind, HolderLevel } from './duties';
import { CaseSim } from './sim';

/**
 * The case derived from its facts, the calendar, the rules and `now` (pure): the gate, the
 * school days since the student was last seen, and every duty with its holder, deadline and
 * state. The facts are replayed in time order with the clock: a deadline that passes before the
 * next fact is missed at its time, so the same facts at the same `now` always give the same
 * case. Nothing here is stored as truth; the database keeps it as a view for 待办 and deadlines.
 */
export type LadderRules = Settings['ladder'];
export type DutyStatus = 'open' | 'met' | 'missed' | 'settled';

export interface Duty {
  dutyId: string;
  kind: DutyKind;
  holders: string[];
  /** The school day it is about (attendance checks). */
  day?: string;
  openAt: Date;
  remindAt?: Date;
  dueAt: Date;
  status: DutyStatus;
  /** Who met it (or settled it), when; `onBehalfOf` when someone above did it instead. */
  metBy?: string;
  metAt?: Date;
  onBehalfOf?: string;
  late?: boolean;
  /** A repeated check: how many in a row went unanswered, this one included (set when missed). */
  streak?: number;
  /**
   * A check asked again while earlier ones went unanswered: overdue since the first of those
   * missed deadlines (逾期 counts from it, even before today's own deadline).
   */
  overdueSince?: Date;
}

export interface Move {
  gate: Gate;
  at: Date;
  by: string;
  why: string;
  inferred: boolean;
}

export interface CaseView {
  gate: Gate;
  open: boolean;
  closedAt?: Date;
  /** First school day of the current absence; the student was last seen the school day before. */
  absentSince?: string;
  /** School days since last seen (counted in every gate, frozen at the return). */
  awayDays: number;
  longAbsence: boolean;
  transferPending: boolean;
  moves: Move[];
  duties: Duty[];
  /** The next moment this view changes without a new fact (a reminder, a deadline, a new duty). */
  wakeAt?: Date;
}

export interface DeriveInput {
  caseId: string;
  facts: Fact[];
  cal: SchoolCalendar;
  rules: LadderRules;
  now: Date;
  /** Who holds each level for this student (missing links already fallen back upward). */
  holders: Record<HolderLevel, string[]>;
}

export function deriveCase(input: DeriveInput): CaseView {
  const sim = new CaseSim(input);
  const facts = standing(input.facts).sort(
    (a, b) => a.at.getTime() - b.at.getTime() || a.factId.localeCompare(b.factId),
  );
  for (const fact of facts) {
    sim.runTimersBefore(fact.at);
    sim.apply(fact);
  }
  sim.runTimersBefore(input.now, true);
  return sim.view(facts.length === 0);
}
