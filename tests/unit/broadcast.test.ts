import {
  audienceFilter,
  batches,
  describeAudience,
  parseNotice,
  reminderDay,
  scopeAudience,
} from '../../src/domain/broadcast';
import { SchoolCalendar } from '../../src/domain/calendar';
import { loadSettings } from '../../src/config/settings';
import type { StaffLike } from '../../src/domain/roster';

/** Issue #12 "Broadcasts": the pure parts — audience grammar, scope, words, batches, days. */
const SCHOOLS = [
  { code: 'ZS01', name: '城关一中' },
  { code: 'ZS02', name: '实验小学' },
  { code: 'ZS03', name: '城关一中分校' },
];
const names = new Map(SCHOOLS.map((s) => [s.code, s.name]));
const ok = (text: string) => {
  const p = parseNotice(text, SCHOOLS);
  if (!p.ok) throw new Error(`not understood: ${text} (${p.why})`);
  return p;
};

describe('the audience grammar (通知 <对象> <内容>)', () => {
  it.each([
    ['全体校长 请于周五前提交月报', 'all', ['principal'], undefined, '请于周五前提交月报'],
    ['全体校长：请于周五前提交月报', 'all', ['principal'], undefined, '请于周五前提交月报'],
    ['全体校长:请于周五前提交月报', 'all', ['principal'], undefined, '请于周五前提交月报'],
    ['所有学校 校长 开会', 'all', ['principal'], undefined, '开会'],
    ['全体分管领导 开会', 'all', ['deputy'], undefined, '开会'],
    ['全体班主任 开会', 'all', ['headTeacher'], undefined, '开会'],
    ['全体老师 开会', 'all', ['staff'], undefined, '开会'],
    ['城关一中 明天停水', ['ZS01'], ['staff'], undefined, '明天停水'],
    ['城关一中、实验小学 全体班主任 开会', ['ZS01', 'ZS02'], ['headTeacher'], undefined, '开会'],
    ['城关一中和实验小学的班主任 开会', ['ZS01', 'ZS02'], ['headTeacher'], undefined, '开会'],
    ['城关一中的 开会', ['ZS01'], ['staff'], undefined, '开会'],
    ['城关一中 实验小学 班主任 开会', ['ZS01', 'ZS02'], ['headTeacher'], undefined, '开会'],
    ['城关一中分校 校长 开会', ['ZS03'], ['principal'], undefined, '开会'],
    ['七年级班主任 开会', 'all', ['headTeacher'], 7, '开会'],
    ['初一全体教师 开会', 'all', ['staff'], 7, '开会'],
    ['城关一中 三年级 班主任 开会', ['ZS01'], ['headTeacher'], 3, '开会'],
    ['校领导 开会', 'all', ['principal', 'deputy'], undefined, '开会'],
    ['全体校长 校长们请注意', 'all', ['principal'], undefined, '校长们请注意'],
  ])('%s', (text, schools, roles, grade, content) => {
    const p = ok(text);
    expect(p.audience).toEqual({ schools, roles, ...(grade ? { grade } : {}) });
    expect(p.content).toBe(content);
  });

  it('an unknown audience, no content, or only 全体 is not understood (help, never silence)', () => {
    expect(parseNotice('城关九中 开会', SCHOOLS)).toEqual({ ok: false, why: 'noAudience' });
    expect(parseNotice('全体校长', SCHOOLS)).toEqual({ ok: false, why: 'noContent' });
    expect(parseNotice('全体 开会', SCHOOLS)).toEqual({ ok: false, why: 'conflict' });
    expect(parseNotice('七年级 八年级 班主任 开会', SCHOOLS)).toEqual({
      ok: false,
      why: 'conflict',
    });
  });
});

describe('who may address what', () => {
  const bureau: StaffLike = { userid: 'b', name: 'B', roles: [{ role: 'bureau' }] };
  const principal: StaffLike = {
    userid: 'p',
    name: 'P',
    roles: [{ role: 'principal', schoolCode: 'ZS01' }],
  };
  const head: StaffLike = {
    userid: 'h',
    name: 'H',
    roles: [{ role: 'headTeacher', schoolCode: 'ZS01', classId: 'ZS01-7-1', grade: 7 }],
  };
  it('the bureau anything; a principal their own school; another school is refused', () => {
    const all = ok('全体班主任 开会').audience;
    expect(scopeAudience(bureau, all)).toEqual({ audience: all });
    expect(scopeAudience(principal, all)).toEqual({ audience: { ...all, schools: ['ZS01'] } });
    expect(scopeAudience(principal, ok('实验小学 班主任 开会').audience)).toEqual({
      refused: 'ZS02',
    });
    expect(scopeAudience(head, all)).toEqual({ refused: '*' });
  });
});

describe('audience in words, filter, batches', () => {
  it('names schools, never codes', () => {
    expect(describeAudience(ok('城关一中、实验小学 全体班主任 x').audience, names)).toBe(
      '城关一中、实验小学的全体班主任',
    );
    expect(describeAudience(ok('七年级班主任 x').audience, names)).toBe('全区七年级班主任');
    expect(describeAudience(ok('全体校长 x').audience, names)).toBe('全区全体校长');
  });
  it('filters staff by role, school and grade in one $elemMatch, the sender left out', () => {
    expect(audienceFilter(ok('城关一中 七年级班主任 x').audience, 'me')).toEqual({
      roles: {
        $elemMatch: { role: { $in: ['headTeacher'] }, schoolCode: { $in: ['ZS01'] }, grade: 7 },
      },
      userid: { $ne: 'me' },
    });
  });
  it('calls of at most 1,000 userids (WeCom touser)', () => {
    const ids = Array.from({ length: 2500 }, (_, i) => `u${i}`);
    expect(batches(ids).map((b) => b.length)).toEqual([1000, 1000, 500]);
    expect(batches([])).toEqual([]);
  });
});

describe('the day a report reminder goes out ("before the 8th")', () => {
  const settings = loadSettings();
  it('the 7th a Sunday → Friday the 5th (February 2027)', () => {
    const cal = new SchoolCalendar(settings.calendar);
    expect(reminderDay('2027-02-07', (d) => cal.isWorkday(d), '2027-02-02')).toBe('2027-02-05');
    // A weekday 7th: the 6th.
    expect(reminderDay('2027-01-07', (d) => cal.isWorkday(d), '2027-01-02')).toBe('2027-01-06');
  });
  it('a holiday before the last day moves it earlier (and a 调休 Saturday counts)', () => {
    const cal = new SchoolCalendar({
      ...settings.calendar,
      holidays: [...settings.calendar.holidays, '2027-02-05'],
      workdays: ['2027-01-09'],
    });
    expect(reminderDay('2027-02-07', (d) => cal.isWorkday(d), '2027-02-02')).toBe('2027-02-04');
    expect(reminderDay('2027-01-10', (d) => cal.isWorkday(d), '2027-01-02')).toBe('2027-01-09');
  });
  it('never before the report opens: every day off in between → the last day itself', () => {
    // 1–7 October 2026: the National Day holiday (chinese-days).
    const cal = new SchoolCalendar(settings.calendar);
    expect(reminderDay('2026-10-07', (d) => cal.isWorkday(d), '2026-10-02')).toBe('2026-10-07');
  });
});
