import { formatDay, fromIsoDay, isoDay } from '../../lib/time';
import type { SchoolCalendar } from '../calendar';
import { lastCorrection, type Fact } from './facts';
import { AWAY_GATES, CHECK_GATES, type Gate } from './gates';
import { DUTY, type DutyKind } from './duties';
import type { CaseView, DeriveInput, Duty, LadderRules, Move } from './derive';

/**
 * The replay behind deriveCase: state after each fact and each passing deadline. Methods are
 * the ladder's rules (二(一)2(3), 二(三)2(2), 二(三)2(3)) and the decisions of PROCEDURES.md's
 * "Where the plan is silent".
 */
interface Timer {
  at: Date;
  fire: () => void;
}

export class CaseSim {
  t = new Date(0);
  gate: Gate | undefined;
  absentSince?: string;
  awayDays = new Set<string>();
  /** The last school day whose attendance is known, and when we learned it. */
  cursor?: string;
  cursorAt = new Date(0);
  returnDay?: string;
  leaveUntil?: string;
  decideDay?: string;
  transfer = false;
  closedAt?: Date;
  duties = new Map<string, Duty>();
  moves: Move[] = [];
  persuadeSeq = 0;
  decideSeq = 0;

  /** The latest correction: checks whose deadline passed before it do not climb the chain. */
  readonly correctedAt?: Date;

  constructor(readonly input: DeriveInput) {
    this.correctedAt = lastCorrection(input.facts);
  }

  get cal(): SchoolCalendar {
    return this.input.cal;
  }
  get rules(): LadderRules {
    return this.input.rules;
  }

  // ───────────── time ─────────────

  /** Fires every timer due before `until` (at `until` too when `inclusive`), in time order. */
  runTimersBefore(until: Date, inclusive = false): void {
    for (let guard = 0; guard < 10_000; guard++) {
      const next = this.nextTimer();
      if (!next || next.at > until || (!inclusive && next.at >= until)) return;
      if (next.at > this.input.now) return;
      this.t = next.at;
      next.fire();
    }
  }

  nextTimer(): Timer | undefined {
    const timers = [...this.deadlineTimers(), ...this.openingTimers()];
    return timers.sort((a, b) => a.at.getTime() - b.at.getTime())[0];
  }

  deadlineTimers(): Timer[] {
    return [...this.duties.values()]
      .filter((d) => d.status === 'open')
      .map((d) => ({ at: d.dueAt, fire: () => this.miss(d) }));
  }

  openingTimers(): Timer[] {
    if (this.closedAt || this.transfer || !this.gate) return [];
    const out: (Timer | undefined)[] = [];
    if (CHECK_GATES.includes(this.gate)) out.push(this.nextCheck());
    if (this.gate === 'leave') out.push(this.leaveEnds());
    if (AWAY_GATES.includes(this.gate)) out.push(this.nextConfirmAway());
    if (this.gate === 'persuasion') out.push(this.nextDecide());
    if (this.gate === 'return') out.push(this.nextCheckIn());
    return out.filter((x): x is Timer => !!x);
  }

  at(day: string, hhmm: string): Date {
    return fromIsoDay(day, hhmm);
  }

  endOf(day: string): Date {
    return this.at(day, this.rules.endOfDayAt);
  }

  /** End of the n-th school day after the later of the trigger day and the day we learned of it. */
  dueAfter(triggerDay: string, n: number): Date {
    const learned = isoDay(this.t);
    return this.endOf(this.cal.addSchoolDays(triggerDay > learned ? triggerDay : learned, n));
  }

  // ───────────── duties ─────────────

  holders(kind: DutyKind): string[] {
    return this.input.holders[DUTY[kind].holder];
  }

  open(kind: DutyKind, id: string, openAt: Date, dueAt: Date, day?: string): Duty | undefined {
    const dutyId = `${this.input.caseId}:${id}`;
    if (this.duties.has(dutyId)) return undefined;
    const remind = new Date(dueAt.getTime() - this.rules.reminderHoursBeforeDeadline * 3_600_000);
    const duty: Duty = {
      dutyId,
      kind,
      holders: this.holders(kind),
      openAt,
      dueAt,
      status: 'open',
      ...(day ? { day } : {}),
      ...(remind.getTime() - openAt.getTime() >= 3_600_000 ? { remindAt: remind } : {}),
    };
    this.duties.set(dutyId, duty);
    return duty;
  }

  meet(d: Duty | undefined, f: Fact): void {
    if (!d || (d.status !== 'open' && d.status !== 'missed')) return;
    d.late = d.status === 'missed';
    d.status = 'met';
    d.metBy = f.actor;
    d.metAt = f.at;
    if (f.onBehalfOf) d.onBehalfOf = f.onBehalfOf;
  }

  /** Closes every live duty, overdue ones too (they stay marked late). */
  settleAll(by: string, except?: DutyKind): void {
    for (const d of this.duties.values()) {
      if ((d.status !== 'open' && d.status !== 'missed') || d.kind === except) continue;
      if (d.status === 'missed') d.late = true;
      d.status = 'settled';
      d.metBy = by;
      d.metAt = this.t;
    }
  }

  latest(kind: DutyKind, statuses = ['open', 'missed']): Duty | undefined {
    return [...this.duties.values()]
      .filter((d) => d.kind === kind && statuses.includes(d.status))
      .pop();
  }

  miss(d: Duty): void {
    d.status = 'missed';
    if (d.kind === 'checkAttendance') d.streak = this.streakOf(d);
    if (d.kind === 'leaderVisit' && this.gate === 'tracking') {
      this.startPersuasion('system', '学校领导亲自家访逾期未完成，学生仍未返校', true);
    }
    if (d.kind === 'persuade' && this.persuading()) this.openPersuade();
    this.maybeFinishReturn();
  }

  /** Asked-about days after the last known one (up to `upTo`): the checks nobody answered. */
  unanswered(kind: DutyKind, upTo?: string): Duty[] {
    return [...this.duties.values()].filter(
      (d) => d.kind === kind && !!d.day && d.day > (this.cursor ?? '') && (!upTo || d.day <= upTo),
    );
  }

  /** Unanswered checks in a row up to `d`, leaving out those a later correction reopened. */
  streakOf(d: Duty): number {
    const live = (x: Duty) => x === d || !this.correctedAt || x.dueAt > this.correctedAt;
    return this.unanswered(d.kind, d.day).filter(live).length;
  }

  /** The last school day a duty of this kind asked about (checks, still-away confirmations). */
  lastAsked(kind: DutyKind): string | undefined {
    const days = [...this.duties.values()].filter((d) => d.kind === kind).map((d) => d.day);
    return days
      .filter((x): x is string => !!x)
      .sort()
      .pop();
  }

  /** Where the next asking starts: the later of the last known day and the last asked about. */
  askedThrough(kind: DutyKind): string | undefined {
    if (!this.cursor) return undefined;
    const asked = this.lastAsked(kind);
    return asked && asked > this.cursor ? asked : this.cursor;
  }

  /** The id of the duty asking about `day` (one per kind and day; `open` adds the case). */
  askId(kind: DutyKind, day: string): string {
    return `${kind === 'checkAttendance' ? 'check' : 'away'}:${day}`;
  }

  /** Whether `day` was asked about already. */
  asked(kind: DutyKind, day: string): boolean {
    return this.duties.has(`${this.input.caseId}:${this.askId(kind, day)}`);
  }

  /**
   * Asks again about `day`: an earlier one still unanswered is carried into it (settled, marked
   * late), so the holder has one question about the student, not one per silent day.
   */
  askAgain(kind: DutyKind, day: string, openAt: Date, dueAt: Date): void {
    let since: Date | undefined;
    for (const d of this.unanswered(kind)) {
      if (d.status !== 'open' && d.status !== 'missed') continue;
      const first = d.overdueSince ?? (d.status === 'missed' ? d.dueAt : undefined);
      if (first && (!since || first < since)) since = first;
      d.late = d.status === 'missed';
      d.status = 'settled';
      d.metBy = 'system';
      d.metAt = this.t;
    }
    const asked = this.open(kind, this.askId(kind, day), openAt, dueAt, day);
    if (asked && since) asked.overdueSince = since;
  }

  // ───────────── duties that time opens ─────────────

  /**
   * The next 确认到校情况: the first school day after the known ones and the ones already asked
   * about that ends after we learned. Asked every school day until someone answers: silence
   * never records an absence day, and never stops the asking (PROCEDURES).
   */
  nextCheck(): Timer | undefined {
    const from = this.askedThrough('checkAttendance');
    if (!from) return undefined;
    let day = this.cal.nextSchoolDay(from);
    while (this.endOf(day) < this.cursorAt) day = this.cal.nextSchoolDay(day);
    if (this.asked('checkAttendance', day)) return undefined;
    const morning = this.at(day, this.rules.morningCheckAt);
    const openAt = morning > this.cursorAt ? morning : this.cursorAt;
    const by = this.at(day, this.rules.confirmAttendanceBy);
    const dueAt = by.getTime() - openAt.getTime() >= 3_600_000 ? by : this.endOf(day);
    return {
      at: openAt,
      fire: () => this.askAgain('checkAttendance', day, openAt, dueAt),
    };
  }

  /** The day after the leave the case stops saying 请假中 (the sweeper wakes for it). */
  leaveEnds(): Timer | undefined {
    if (!this.leaveUntil) return undefined;
    const until = this.leaveUntil;
    const why = `请假已于 ${formatDay(until)} 结束，尚未确认到校`;
    return {
      at: this.at(this.shiftDays(until, 1), '00:00'),
      fire: () => this.move('leaveEnded', 'system', why, true),
    };
  }

  /** Once persuasion has begun, the head teacher confirms "still away" on a rhythm (weekly). */
  nextConfirmAway(): Timer | undefined {
    const from = this.askedThrough('confirmAway');
    if (!from) return undefined;
    const day = this.cal.addSchoolDays(from, this.rules.confirmAwayEverySchoolDays);
    if (this.asked('confirmAway', day)) return undefined;
    const openAt = this.at(day, this.rules.morningCheckAt);
    return {
      at: openAt,
      fire: () => this.askAgain('confirmAway', day, openAt, this.endOf(day)),
    };
  }

  /** After N school days in persuasion the principal decides (PROCEDURES, plan silent). */
  nextDecide(): Timer | undefined {
    if (!this.decideDay) return undefined;
    const day = this.cal.onOrAfter(this.decideDay);
    const openAt = this.at(day, this.rules.morningCheckAt);
    return {
      at: openAt,
      fire: () => {
        this.decideDay = undefined;
        const due = this.endOf(this.cal.addSchoolDays(day, this.rules.decideWithinSchoolDays));
        this.open('decide', `decide:${++this.decideSeq}`, openAt, due);
        this.move(
          'confirmation',
          'system',
          `劝返已满 ${this.rules.decideAfterSchoolDays} 个上学日，须由校长决定`,
          true,
        );
      },
    };
  }

  nextCheckIn(): Timer | undefined {
    if (!this.returnDay) return undefined;
    for (let week = 1; week <= this.rules.returnCheckInWeeks; week++) {
      const id = `checkin:${week}`;
      if (this.duties.has(`${this.input.caseId}:${id}`)) continue;
      const day = this.cal.onOrAfter(this.shiftDays(this.returnDay, 7 * week));
      const openAt = this.at(day, this.rules.morningCheckAt);
      const due = this.endOf(this.cal.addSchoolDays(day, 2));
      return { at: openAt, fire: () => void this.open('checkIn', id, openAt, due) };
    }
    return undefined;
  }

  shiftDays(day: string, n: number): string {
    return isoDay(new Date(fromIsoDay(day, '12:00').getTime() + n * 86_400_000));
  }

  // ───────────── facts ─────────────

  apply(f: Fact): void {
    this.t = f.at;
    if (this.closedAt && f.type !== 'govMeasures' && f.type !== 'followUp') return;
    switch (f.type) {
      case 'absence':
        return f.part === 'full' ? this.away(f, f.day) : this.halfDay(f, f.day);
      case 'stillAway':
        return this.away(f, f.day);
      case 'present':
        return this.present(f, f.day);
      case 'leave':
        return this.leave(f, f.day, f.until);
      case 'visit':
        return this.visit(f);
      case 'registrationMissing':
        return this.registrationMissing(f, f.day);
      default:
        return this.applyLater(f);
    }
  }

  applyLater(f: Fact): void {
    switch (f.type) {
      case 'persuasion':
        return this.persuasion(f);
      case 'plan':
        return this.plan(f, f.nextDay);
      case 'dropoutConfirmed':
        return this.dropout(f);
      case 'govReported':
        this.meet(this.latest('govReport'), f);
        return this.move('reported', f.actor, '校长已向当地政府报告');
      case 'mentoring':
        this.meet(this.latest('placement'), f);
        return this.maybeFinishReturn();
      case 'checkIn':
        this.meet(this.duties.get(`${this.input.caseId}:checkin:${f.week}`), f);
        return this.maybeFinishReturn();
      case 'transferRequested':
        return this.transferRequested(f);
      case 'transferConfirmed':
        this.meet(this.latest('transferConfirm'), f);
        return this.close(f.actor, '转学手续已确认完成');
      case 'superseded':
        return this.close(f.actor, '帮扶期内再次缺勤，另立新案');
      default:
        return; // govMeasures, followUp: recorded, nothing moves
    }
  }

  known(f: Fact, day: string): void {
    if (!this.cursor || day > this.cursor) this.cursor = day;
    this.cursorAt = f.at;
    for (const d of this.duties.values()) {
      const answers = d.kind === 'checkAttendance' || d.kind === 'confirmAway';
      if (answers && d.day && d.day <= day) this.meet(d, f);
    }
  }

  halfDay(f: Fact, day: string): void {
    if (!this.gate) this.move('tracking', f.actor, '报告半天缺勤');
    this.known(f, day);
  }

  /** A school day the student was confirmed away (a report, or "still away" on a check). */
  away(f: Fact, day: string): void {
    const onLeave = this.gate === 'leave' || this.gate === 'leaveEnded';
    if (this.gate === 'return' || (onLeave && this.leaveUntil && day <= this.leaveUntil)) return;
    this.known(f, day);
    this.awayDays.add(day);
    if (!this.absentSince || day < this.absentSince) this.absentSince = day;
    if (!this.gate || this.gate === 'registration' || onLeave) {
      this.move('tracking', f.actor, f.type === 'absence' ? '报告无故缺勤' : '确认仍未到校');
    }
    if (this.gate !== 'tracking' || this.transfer) return;
    const first = [...this.awayDays].sort()[0];
    const n1 = this.rules.headTeacherVisitWithinSchoolDays;
    this.open('headVisit', 'headVisit', f.at, this.dueAfter(first, n1));
    if (this.awayDays.size >= 2) {
      this.open(
        'leaderVisit',
        'leaderVisit',
        f.at,
        this.dueAfter(day, this.rules.leaderVisitWithinSchoolDays),
      );
    }
  }

  present(f: Fact, day: string): void {
    this.known(f, day);
    if (this.gate && AWAY_GATES.includes(this.gate)) {
      this.returnDay = day;
      this.settleAll(f.actor);
      this.move('return', f.actor, '劝返后返校');
      const due = this.dueAfter(day, this.rules.placementWithinSchoolDays);
      this.open('placement', 'placement', f.at, due);
      return;
    }
    if (this.gate !== 'return') {
      this.returnDay = day;
      this.close(f.actor, '学生已到校');
    }
  }

  leave(f: Fact, day: string, until: string): void {
    if (this.gate && !CHECK_GATES.includes(this.gate)) return;
    this.settleAll(f.actor);
    this.awayDays.clear();
    this.absentSince = undefined;
    this.leaveUntil = until;
    this.cursor = until < day ? day : until;
    this.cursorAt = f.at;
    this.move('leave', f.actor, '登记请假');
  }

  registrationMissing(f: Fact, day: string): void {
    this.cursor = this.cal.previousSchoolDay(day);
    this.cursorAt = f.at;
    this.move('registration', f.actor, '开学后未确认报到', true);
  }

  /** A visit meets the duty it names (the op decides: the author's own, or one done instead). */
  visit(f: Fact): void {
    const d = f.dutyId ? this.duties.get(f.dutyId) : undefined;
    if (!d || (d.kind !== 'headVisit' && d.kind !== 'leaderVisit')) return;
    this.meet(d, f);
    if (d.kind === 'leaderVisit' && this.gate === 'tracking' && !this.transfer) {
      this.startPersuasion(f.actor, '学校领导已亲自家访，学生仍未返校', false);
    }
  }

  persuading(): boolean {
    return this.gate === 'persuasion' || this.gate === 'confirmation';
  }

  startPersuasion(by: string, why: string, inferred: boolean): void {
    this.settleAll(by, 'checkAttendance');
    this.move('persuasion', by, why, inferred);
    const day = isoDay(this.t);
    this.decideDay = this.cal.addSchoolDays(day, this.rules.decideAfterSchoolDays);
    this.openPersuade();
  }

  openPersuade(): void {
    const due = this.endOf(
      this.cal.addSchoolDays(isoDay(this.t), this.rules.persuasionReminderEverySchoolDays),
    );
    this.open('persuade', `persuade:${++this.persuadeSeq}`, this.t, due);
  }

  persuasion(f: Fact): void {
    if (!this.persuading()) return;
    const d = this.latest('persuade', ['open']) ?? this.latest('persuade', ['missed']);
    this.meet(d, f);
    for (const open of [...this.duties.values()]) {
      if (open.kind === 'persuade' && open.status === 'open') open.status = 'settled';
    }
    this.openPersuade();
  }

  plan(f: Fact, nextDay: string): void {
    if (!this.persuading()) return;
    this.meet(this.latest('decide'), f);
    this.decideDay = nextDay;
    if (this.gate === 'confirmation')
      this.move('persuasion', f.actor, '校长记录劝返计划，继续劝返');
  }

  dropout(f: Fact): void {
    if (!this.persuading()) return;
    this.meet(this.latest('decide'), f);
    for (const d of this.duties.values()) {
      if (d.kind === 'persuade' && d.status === 'open') d.status = 'settled';
    }
    this.decideDay = undefined;
    this.move('reporting', f.actor, '校长确认辍学，须向当地政府报告');
    this.open(
      'govReport',
      'govReport',
      f.at,
      this.dueAfter(isoDay(f.at), this.rules.govReportWithinSchoolDays),
    );
  }

  transferRequested(f: Fact): void {
    this.transfer = true;
    this.settleAll(f.actor);
    const due = this.dueAfter(isoDay(f.at), this.rules.transferConfirmWithinSchoolDays);
    this.open('transferConfirm', 'transfer', f.at, due);
  }

  maybeFinishReturn(): void {
    if (this.gate !== 'return') return;
    const checkIns = [...this.duties.values()].filter((d) => d.kind === 'checkIn');
    const settled = (d: Duty) => d.status !== 'open';
    const placement = this.latest('placement', ['open']);
    if (checkIns.length >= this.rules.returnCheckInWeeks && checkIns.every(settled) && !placement) {
      this.close('system', `返校帮扶 ${this.rules.returnCheckInWeeks} 周跟进完成`, true);
    }
  }

  move(gate: Gate, by: string, why: string, inferred = false): void {
    if (this.gate === gate) return;
    this.gate = gate;
    this.moves.push({ gate, at: this.t, by, why, inferred });
  }

  close(by: string, why: string, inferred = false): void {
    this.settleAll(by);
    this.move('closed', by, why, inferred);
    this.closedAt = this.t;
  }

  // ───────────── the view ─────────────

  view(empty: boolean): CaseView {
    const gate: Gate = empty ? 'cancelled' : (this.gate ?? 'tracking');
    const open = gate !== 'closed' && gate !== 'cancelled';
    const awayDays = this.countAway();
    const duties = [...this.duties.values()];
    const soon = [
      ...duties.filter((d) => d.status === 'open').flatMap((d) => [d.remindAt, d.dueAt]),
      ...(open ? this.openingTimers().map((x) => x.at) : []),
      ...(open ? [this.nextCount()] : []),
    ].filter((x): x is Date => !!x && x > this.input.now);
    const wakeAt = soon.sort((a, b) => a.getTime() - b.getTime())[0];
    return {
      gate,
      open,
      ...(this.closedAt ? { closedAt: this.closedAt } : {}),
      ...(this.absentSince ? { absentSince: this.absentSince } : {}),
      awayDays,
      longAbsence: awayDays > this.rules.longAbsenceSchoolDays,
      transferPending: this.transfer && open,
      moves: this.moves,
      duties: empty ? [] : duties,
      ...(wakeAt && open ? { wakeAt } : {}),
    };
  }

  /** While the student is away the count grows each school day: wake then so views stay true. */
  nextCount(): Date | undefined {
    if (!this.absentSince || this.returnDay) return undefined;
    return this.at(this.cal.nextSchoolDay(isoDay(this.input.now)), this.rules.morningCheckAt);
  }

  /** School days from the first day away to today (or to the day before the return). */
  countAway(): number {
    if (!this.absentSince) return 0;
    const today = isoDay(this.input.now);
    const end = this.returnDay ? this.cal.previousSchoolDay(this.returnDay) : today;
    if (end < this.absentSince) return this.returnDay ? 1 : 0;
    return this.cal.schoolDaysBetween(this.cal.previousSchoolDay(this.absentSince), end);
  }
}
