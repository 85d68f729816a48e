import { deriveCase, type CaseView } from '../../src/domain/cases/derive';
import { FACT_TYPES, FACT_LABEL, type Fact } from '../../src/domain/cases/facts';
import { GATES, GATE_LABEL } from '../../src/domain/cases/gates';
import {
  DUTY,
  DUTY_KINDS,
  HOLDER_LEVELS,
  escalationLevels,
  type DutyKind,
  type HolderLevel,
} from '../../src/domain/cases/duties';
import { LEVELS } from '../../src/domain/chain';
import { SchoolCalendar } from '../../src/domain/calendar';
import { loadSettings } from '../../src/config/settings';

/**
 * The case as a pure function of its facts (issue #9): tables of fact histories → gate, school
 * days since last seen, duties. 2026-11-30 is a Monday inside the autumn semester.
 */
const settings = loadSettings();
const cal = new SchoolCalendar(settings.calendar);
const holders = Object.fromEntries(HOLDER_LEVELS.map((l) => [l, [l]])) as Record<
  (typeof HOLDER_LEVELS)[number],
  string[]
>;
const T = (iso: string) => new Date(`${iso}+08:00`);

type Spec = Record<string, unknown> & { type: Fact['type']; at: string; actor?: string };
let seq = 0;
function facts(...specs: Spec[]): Fact[] {
  return specs.map(
    (s) =>
      ({
        factId: `f${String(++seq).padStart(4, '0')}`,
        caseId: 'C1',
        studentNo: 'G1',
        actor: 'headTeacher',
        channel: 'wecom',
        ...s,
        at: T(s.at),
      }) as unknown as Fact,
  );
}
const derive = (now: string, list: Fact[]): CaseView =>
  deriveCase({ caseId: 'C1', facts: list, cal, rules: settings.ladder, now: T(now), holders });
const duty = (v: CaseView, kind: string) => v.duties.filter((d) => d.kind === kind);
const fmt = (d?: Date) => d?.toISOString();

describe('deriving a case from its facts (issue #9)', () => {
  it('one full day away: tracking, the head teacher visits by the next school day (二(一)2(3))', () => {
    const v = derive(
      '2026-11-30T09:00:00',
      facts({ type: 'absence', day: '2026-11-30', part: 'full', at: '2026-11-30T08:00:00' }),
    );
    expect(v.gate).toBe('tracking');
    expect(v.awayDays).toBe(1);
    const [visit] = duty(v, 'headVisit');
    expect(visit).toMatchObject({ status: 'open', holders: ['headTeacher'] });
    expect(fmt(visit.dueAt)).toBe(fmt(T('2026-12-01T18:00:00')));
    expect(fmt(v.wakeAt)).toBe(fmt(T('2026-12-01T08:30:00')));
  });

  it('silence is not a fact: an unanswered morning check is a missed duty, never an absence day', () => {
    const v = derive(
      '2026-12-01T11:00:00',
      facts({ type: 'absence', day: '2026-11-30', part: 'full', at: '2026-11-30T08:00:00' }),
    );
    const [check] = duty(v, 'checkAttendance');
    expect(check).toMatchObject({ status: 'missed', day: '2026-12-01' });
    expect(duty(v, 'leaderVisit')).toHaveLength(0); // only one confirmed day
    expect(v.awayDays).toBe(2); // school days since last seen, not reported absences
  });

  it('a half-day report does not become a full-day case the next morning', () => {
    const v = derive(
      '2026-12-01T11:00:00',
      facts({ type: 'absence', day: '2026-11-30', part: 'am', at: '2026-11-30T10:00:00' }),
    );
    expect(v.awayDays).toBe(0);
    expect(duty(v, 'headVisit')).toHaveLength(0);
    expect(duty(v, 'checkAttendance')[0]).toMatchObject({ status: 'missed', day: '2026-12-01' });
  });

  it('a second confirmed day asks a school leader to visit; the check is met by the answer', () => {
    const v = derive(
      '2026-12-01T12:00:00',
      facts(
        { type: 'absence', day: '2026-11-30', part: 'full', at: '2026-11-30T08:00:00' },
        { type: 'stillAway', day: '2026-12-01', at: '2026-12-01T09:00:00' },
      ),
    );
    expect(duty(v, 'checkAttendance')[0]).toMatchObject({ status: 'met', metBy: 'headTeacher' });
    const [leader] = duty(v, 'leaderVisit');
    expect(leader).toMatchObject({ status: 'open', holders: ['visitLeader'] });
    expect(fmt(leader.dueAt)).toBe(fmt(T('2026-12-02T18:00:00')));
  });

  it('a back-dated report escalates nothing that passed before it was made; it asks about today', () => {
    const v = derive(
      '2026-12-11T10:00:00',
      facts({ type: 'absence', day: '2026-12-03', part: 'full', at: '2026-12-11T10:00:00' }),
    );
    expect(v.duties.filter((d) => d.status === 'missed')).toEqual([]);
    expect(fmt(duty(v, 'headVisit')[0].dueAt)).toBe(fmt(T('2026-12-14T18:00:00')));
    const [check] = duty(v, 'checkAttendance');
    expect(check).toMatchObject({ status: 'open', day: '2026-12-11' });
    expect(fmt(check.dueAt)).toBe(fmt(T('2026-12-11T18:00:00')));
    expect(v.awayDays).toBe(7);
  });

  it('persuasion starts when the leader has visited, and the move says so', () => {
    const v = derive(
      '2026-12-01T17:00:00',
      facts(
        { type: 'absence', day: '2026-11-30', part: 'full', at: '2026-11-30T08:00:00' },
        { type: 'stillAway', day: '2026-12-01', at: '2026-12-01T09:00:00' },
        {
          type: 'visit',
          visitId: 'v1',
          dutyId: 'C1:leaderVisit',
          actor: 'visitLeader',
          at: '2026-12-01T16:00:00',
        },
      ),
    );
    expect(v.gate).toBe('persuasion');
    expect(v.moves.at(-1)).toMatchObject({
      gate: 'persuasion',
      by: 'visitLeader',
      inferred: false,
    });
    expect(v.moves.at(-1)?.why).toMatch(/已亲自家访/);
    expect(fmt(duty(v, 'persuade')[0].dueAt)).toBe(fmt(T('2026-12-04T18:00:00')));
  });

  it('persuasion starts when the leader visit is missed, marked as inferred', () => {
    const v = derive(
      '2026-12-03T09:00:00',
      facts(
        { type: 'absence', day: '2026-11-30', part: 'full', at: '2026-11-30T08:00:00' },
        { type: 'stillAway', day: '2026-12-01', at: '2026-12-01T09:00:00' },
      ),
    );
    expect(v.gate).toBe('persuasion');
    expect(v.moves.at(-1)).toMatchObject({ by: 'system', inferred: true });
    expect(v.moves.at(-1)?.why).toMatch(/逾期/);
    expect(fmt(v.moves.at(-1)?.at)).toBe(fmt(T('2026-12-02T18:00:00')));
  });

  const persuading = () =>
    facts(
      { type: 'absence', day: '2026-11-30', part: 'full', at: '2026-11-30T08:00:00' },
      { type: 'stillAway', day: '2026-12-01', at: '2026-12-01T09:00:00' },
      {
        type: 'visit',
        visitId: 'v1',
        dutyId: 'C1:leaderVisit',
        actor: 'visitLeader',
        at: '2026-12-01T16:00:00',
      },
    );

  it('absence keeps counting in persuasion, with a weekly "still away" confirmation', () => {
    const v = derive('2026-12-09T12:00:00', persuading());
    expect(v.awayDays).toBe(8);
    const away = duty(v, 'confirmAway');
    expect(away[0]).toMatchObject({ day: '2026-12-08', status: 'missed' });
  });

  it('long absence forces a decision: after 10 school days the principal decides (辍学确认关)', () => {
    const v = derive('2026-12-15T09:00:00', persuading());
    expect(v.gate).toBe('confirmation');
    expect(duty(v, 'decide')[0]).toMatchObject({ status: 'open', holders: ['principal'] });
    const planned = derive('2026-12-16T09:00:00', [
      ...persuading(),
      ...facts({
        type: 'plan',
        nextDay: '2026-12-22',
        actor: 'principal',
        at: '2026-12-15T15:00:00',
      }),
    ]);
    expect(planned.gate).toBe('persuasion');
    expect(duty(planned, 'decide')[0]).toMatchObject({ status: 'met', metBy: 'principal' });
    expect(
      duty(
        derive('2026-12-22T09:00:00', [
          ...persuading(),
          ...facts({
            type: 'plan',
            nextDay: '2026-12-22',
            actor: 'principal',
            at: '2026-12-15T15:00:00',
          }),
        ]),
        'decide',
      ),
    ).toHaveLength(2);
  });

  it('confirmation and reporting are separate gates; 报告关 completes with the report to the government', () => {
    const list = [
      ...persuading(),
      ...facts({ type: 'dropoutConfirmed', actor: 'principal', at: '2026-12-04T10:00:00' }),
    ];
    const v = derive('2026-12-04T11:00:00', list);
    expect(v.gate).toBe('reporting');
    expect(fmt(duty(v, 'govReport')[0].dueAt)).toBe(fmt(T('2026-12-09T18:00:00')));
    const done = derive('2026-12-05T11:00:00', [
      ...list,
      ...facts({ type: 'govReported', actor: 'principal', at: '2026-12-05T10:00:00' }),
    ]);
    expect(done.gate).toBe('reported');
    expect(duty(done, 'govReport')[0].status).toBe('met');
  });

  it('a return after persuasion: placement, weekly check-ins, then closed (复学通知关)', () => {
    const list = [
      ...persuading(),
      ...facts({ type: 'present', day: '2026-12-07', at: '2026-12-07T08:10:00' }),
    ];
    const v = derive('2026-12-07T09:00:00', list);
    expect(v.gate).toBe('return');
    expect(v.awayDays).toBe(5);
    expect(v.duties.filter((d) => d.status === 'open').map((d) => d.kind)).toEqual(['placement']);
    const later = derive('2027-01-08T20:00:00', list);
    expect(later.gate).toBe('closed');
    expect(duty(later, 'checkIn')).toHaveLength(4);
  });

  it('到校 settles every duty of the case, overdue ones too', () => {
    const list = facts(
      { type: 'absence', day: '2026-11-30', part: 'full', at: '2026-11-30T08:00:00' },
      { type: 'present', day: '2026-12-02', at: '2026-12-02T08:00:00' },
    );
    const v = derive('2026-12-02T09:00:00', list);
    expect(v.gate).toBe('closed');
    expect(v.duties.filter((d) => d.status === 'open')).toEqual([]);
    expect(duty(v, 'headVisit')[0]).toMatchObject({ status: 'settled', late: true });
  });

  it('a withdrawn report leaves nothing behind', () => {
    const [absence] = facts({
      type: 'absence',
      day: '2026-11-30',
      part: 'full',
      at: '2026-11-30T08:00:00',
    });
    const v = derive('2026-12-03T09:00:00', [
      absence,
      ...facts({ type: 'withdraw', target: absence.factId, at: '2026-11-30T08:10:00' }),
    ]);
    expect(v.gate).toBe('cancelled');
    expect(v.duties).toEqual([]);
  });

  it('a transfer with an open case is a request until the receiving school confirms', () => {
    const list = [
      ...persuading(),
      ...facts({
        type: 'transferRequested',
        inDistrict: true,
        destination: 'X',
        at: '2026-12-02T10:00:00',
      }),
    ];
    const v = derive('2026-12-02T11:00:00', list);
    expect(v.open).toBe(true);
    expect(v.transferPending).toBe(true);
    expect(v.duties.filter((d) => d.status === 'open').map((d) => d.kind)).toEqual([
      'transferConfirm',
    ]);
    const done = derive('2026-12-03T11:00:00', [
      ...list,
      ...facts({ type: 'transferConfirmed', actor: 'receivingLeaders', at: '2026-12-03T10:00:00' }),
    ]);
    expect(done.gate).toBe('closed');
  });

  it('anyone away more than 20 school days is a long absence, confirmed or not', () => {
    expect(derive('2026-12-28T09:00:00', persuading()).longAbsence).toBe(true);
    expect(derive('2026-12-10T09:00:00', persuading()).longAbsence).toBe(false);
  });

  it('leave that ends without news asks for attendance, and only a confirmation starts tracking', () => {
    const list = facts({
      type: 'leave',
      day: '2026-11-30',
      until: '2026-12-01',
      at: '2026-11-30T08:00:00',
    });
    expect(derive('2026-12-01T23:00:00', list).gate).toBe('leave');
    // fix item 3: the day after the leave the case no longer says 请假中 (the sweeper wakes then).
    expect(fmt(derive('2026-12-01T23:00:00', list).wakeAt)).toBe(fmt(T('2026-12-02T00:00:00')));
    const v = derive('2026-12-02T11:00:00', list);
    expect(v.gate).toBe('leaveEnded');
    expect(v.moves.at(-1)).toMatchObject({ by: 'system', inferred: true });
    expect(duty(v, 'checkAttendance')[0]).toMatchObject({ day: '2026-12-02', status: 'missed' });
    expect(duty(v, 'headVisit')).toHaveLength(0);
    const away = derive('2026-12-02T12:00:00', [
      ...list,
      ...facts({ type: 'stillAway', day: '2026-12-02', at: '2026-12-02T11:30:00' }),
    ]);
    expect(away.gate).toBe('tracking');
    expect(duty(away, 'headVisit')[0].status).toBe('open');
  });

  it('fix item 1: silence never stops the asking — a check every school day, carried, climbing the chain', () => {
    const list = facts({
      type: 'absence',
      day: '2026-11-30',
      part: 'full',
      at: '2026-11-30T08:00:00',
    });
    const v = derive('2026-12-08T11:00:00', list);
    const checks = duty(v, 'checkAttendance');
    expect(checks.map((d) => d.day)).toEqual([
      '2026-12-01',
      '2026-12-02',
      '2026-12-03',
      '2026-12-04',
      '2026-12-07',
      '2026-12-08',
    ]);
    // One question at a time: earlier unanswered checks are carried into today's, marked late.
    expect(checks.slice(0, -1).every((d) => d.status === 'settled' && d.late)).toBe(true);
    expect(checks.at(-1)).toMatchObject({ status: 'missed', streak: 6 });
    expect(checks.map((d) => d.streak)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(escalationLevels('checkAttendance', 1)).toEqual(['gradeLeader']);
    expect(escalationLevels('checkAttendance', 2)).toEqual(['gradeLeader', 'deputy']);
    expect(escalationLevels('checkAttendance', 6)).toEqual([
      'gradeLeader',
      'deputy',
      'principal',
      'bureau',
    ]);
    // Silence records no absence day (no leader visit), but the count of days away goes on.
    expect(duty(v, 'leaderVisit')).toHaveLength(0);
    expect(v.awayDays).toBe(7);
    expect(fmt(v.wakeAt)).toBe(fmt(T('2026-12-09T08:30:00')));
    // An answer meets today's check; the next day is asked again, the streak starts over.
    const answered = derive('2026-12-09T11:00:00', [
      ...list,
      ...facts({ type: 'stillAway', day: '2026-12-08', at: '2026-12-08T12:00:00' }),
    ]);
    const after = duty(answered, 'checkAttendance');
    expect(after.find((d) => d.day === '2026-12-08')).toMatchObject({ status: 'met', late: true });
    expect(after.at(-1)).toMatchObject({ day: '2026-12-09', status: 'missed', streak: 1 });
    expect(duty(answered, 'leaderVisit')).toHaveLength(1);
  });

  it('fix item 1: a missed still-away confirmation in persuasion is asked again a week later', () => {
    const v = derive('2026-12-22T11:00:00', persuading());
    const away = duty(v, 'confirmAway');
    expect(away.map((d) => d.day)).toEqual(['2026-12-08', '2026-12-15', '2026-12-22']);
    expect(away.map((d) => d.status)).toEqual(['settled', 'settled', 'open']);
  });

  it('names every fact type, gate and duty kind (a new one fails here until it is labelled)', () => {
    for (const t of FACT_TYPES) expect(FACT_LABEL[t]).toBeTruthy();
    for (const g of GATES) expect(GATE_LABEL[g]).toBeTruthy();
    for (const k of DUTY_KINDS) expect(DUTY[k].label).toBeTruthy();
  });
});

/**
 * Issue #8: the escalation chain per duty kind, keyed by DutyKind (tsc fails on a kind without a
 * row) and checked against DUTY_KINDS at run time: a new duty or rung fails here until written.
 */
const ESCALATION: Record<DutyKind, { holder: HolderLevel; escalateTo: HolderLevel[] }> = {
  checkAttendance: { holder: 'headTeacher', escalateTo: ['gradeLeader'] },
  headVisit: { holder: 'headTeacher', escalateTo: ['gradeLeader', 'deputy'] },
  leaderVisit: { holder: 'visitLeader', escalateTo: ['principal'] },
  persuade: { holder: 'deputy', escalateTo: ['principal'] },
  confirmAway: { holder: 'headTeacher', escalateTo: ['gradeLeader'] },
  decide: { holder: 'principal', escalateTo: ['bureau'] },
  govReport: { holder: 'principal', escalateTo: ['bureau'] },
  placement: { holder: 'headTeacher', escalateTo: ['gradeLeader'] },
  checkIn: { holder: 'headTeacher', escalateTo: ['gradeLeader'] },
  transferConfirm: { holder: 'receivingLeaders', escalateTo: ['principal'] },
};

describe('escalation chain per duty kind (二(一)2(1), issue #8: from DUTY_KINDS)', () => {
  it('every duty kind has its expected escalation, and no row names an unknown kind', () => {
    expect(Object.keys(ESCALATION).sort()).toEqual([...DUTY_KINDS].sort());
  });
  it.each(DUTY_KINDS)('%s: held and escalated as written', (kind) => {
    const { holder, escalateTo } = DUTY[kind];
    expect({ holder, escalateTo }).toEqual(ESCALATION[kind]);
    for (const to of escalateTo) expect(HOLDER_LEVELS).toContain(to);
  });
  it.each(DUTY_KINDS)('%s: a missed duty goes up the chain, never down or sideways', (kind) => {
    const rank = (l: HolderLevel) => LEVELS.indexOf(l as (typeof LEVELS)[number]);
    const { holder, escalateTo } = DUTY[kind];
    if (rank(holder) < 0) return; // a named leader or the receiving school: not a chain level
    for (const to of escalateTo) expect(rank(to)).toBeGreaterThan(rank(holder));
  });
});
