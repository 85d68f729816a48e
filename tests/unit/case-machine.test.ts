import {
  transition,
  OPEN_STATES,
  isOpen,
  type CaseState,
  type Move,
} from '../../src/domain/case-machine';
import {
  stepsForDay,
  deadline,
  nextMorning,
  leaveEnd,
  halfDayRecipients,
  visitDeadline,
} from '../../src/domain/ladder';
import { SchoolCalendar } from '../../src/domain/calendar';
import { loadSettings } from '../../src/config/settings';

const STATES: CaseState[] = [
  'leave',
  'watch',
  'persuasion',
  'reported',
  'returned',
  'closed',
  'cancelled',
];
const MOVES: Move[] = [
  'leave',
  'leaveExpired',
  'absence',
  'dayAbsent',
  'visit',
  'startPersuasion',
  'persuasion',
  'confirmDropout',
  'back',
  'mentoring',
  'checkIn',
  'complete',
  'undo',
  'transfer',
];

// The whole table, state by state (二(三)2(3): the five gates in order). '-' = forbidden.
const EXPECTED: Record<CaseState, Partial<Record<Move, CaseState>>> = {
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

describe('case state machine (二(三)2(3)), exhaustively', () => {
  for (const from of STATES) {
    for (const move of MOVES) {
      const to = EXPECTED[from][move];
      it(`${from} + ${move} → ${to ?? 'refused'}`, () => {
        const t = transition(from, move);
        if (to) expect(t).toEqual({ ok: true, to });
        else {
          expect(t.ok).toBe(false);
          if (!t.ok) expect(t.reason).toMatch(/[\u4e00-\u9fa5]/); // a Chinese reason for the teacher
        }
      });
    }
  }
  it('open states', () => {
    expect(OPEN_STATES.filter(isOpen)).toEqual([
      'leave',
      'watch',
      'persuasion',
      'reported',
      'returned',
    ]);
    expect(isOpen('closed') || isOpen('cancelled')).toBe(false);
  });
});

describe('ladder rules (pure)', () => {
  const settings = loadSettings();
  const cal = new SchoolCalendar(settings.calendar);
  const cfg = settings.ladder;
  it('day 1 → head teacher visit, day 2 → leader visit, day 3 → persuasion', () => {
    expect(stepsForDay(1, cfg)).toEqual(['headVisit']);
    expect(stepsForDay(2, cfg)).toEqual(['leaderVisit']);
    expect(stepsForDay(3, cfg)).toEqual(['startPersuasion']);
    expect(stepsForDay(4, cfg)).toEqual([]);
    expect(stepsForDay(2, { ...cfg, persuasionAfterSchoolDays: 2 })).toEqual([
      'leaderVisit',
      'startPersuasion',
    ]);
  });
  it('deadlines are the end of the next school day, in Asia/Shanghai', () => {
    expect(visitDeadline(cal, cfg, 'headVisit', '2026-11-27').toISOString()).toBe(
      '2026-11-30T10:00:00.000Z',
    ); // Mon 18:00 +08
    expect(deadline(cal, cfg, '2026-09-30', 1).toISOString()).toBe('2026-10-08T10:00:00.000Z');
    expect(nextMorning(cal, cfg, '2026-10-09')).toEqual({
      day: '2026-10-10',
      at: new Date('2026-10-10T00:30:00.000Z'),
    });
  });
  it('leave of n school days', () => {
    expect(leaveEnd(cal, '2026-11-27', 2)).toBe('2026-11-30');
  });
  it('half-day recipients: the head teacher too when a subject teacher reported', () => {
    expect(halfDayRecipients('subjectTeacher')).toEqual(['deputy', 'headTeacher']);
    expect(halfDayRecipients('headTeacher')).toEqual(['deputy']);
  });
});
