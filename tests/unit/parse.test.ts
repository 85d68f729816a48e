import { parseAbsence, parseLeave } from '../../src/chat/parse';
import { normInt } from '../../src/roster/normalize';
import { normalize } from '../../src/chat/normalize';

const now = new Date('2026-12-02T10:00:00+08:00'); // Wednesday

describe('forgiving chat parsing', () => {
  it('full-width letters, digits and ideographic spaces; Chinese punctuation in free text kept', () => {
    expect(normalize('缺勤　Ｇ３６０２　上午！')).toBe('缺勤 G3602 上午');
    expect(normalize('家访 张三 见到母亲，约定明天返校。')).toBe(
      '家访 张三 见到母亲，约定明天返校',
    );
  });
  it('absence: defaults to today, full day', () => {
    expect(parseAbsence('', now)).toEqual({ day: '2026-12-02', part: 'full', reason: '' });
  });
  it('absence: optional parts in any order, with or without separators', () => {
    expect(parseAbsence('上午 昨天 发烧', now)).toEqual({
      day: '2026-12-01',
      part: 'am',
      reason: '发烧',
    });
    expect(parseAbsence('发烧，昨天，下午', now)).toEqual({
      day: '2026-12-01',
      part: 'pm',
      reason: '发烧',
    });
    expect(parseAbsence('昨天上午', now)).toEqual({ day: '2026-12-01', part: 'am', reason: '' });
    expect(parseAbsence('12月1日 半天', now)).toEqual({
      day: '2026-12-01',
      part: 'half',
      reason: '',
    });
    expect(parseAbsence('2026-11-30 全天 联系不上', now)).toEqual({
      day: '2026-11-30',
      part: 'full',
      reason: '联系不上',
    });
  });
  it('明天 is a date (a report for tomorrow is refused later), not a reason', () => {
    expect(parseAbsence('明天', now)).toEqual({ day: '2026-12-03', part: 'full', reason: '' });
  });
  it('a date without a year is the nearest one (December typed in January is last year)', () => {
    expect(parseAbsence('12月30日', new Date('2027-01-05T10:00:00+08:00'))).toMatchObject({
      day: '2026-12-30',
    });
  });
  it('leave: days or an end date, and a reason', () => {
    expect(parseLeave('3天 生病', now)).toEqual({ from: '2026-12-02', days: 3, reason: '生病' });
    expect(parseLeave('到12月4日，家中有事', now)).toEqual({
      from: '2026-12-02',
      until: '2026-12-04',
      reason: '家中有事',
    });
    expect(parseLeave('三天', now)).toMatchObject({ days: 3 });
    expect(parseLeave('生病', now)).toEqual({
      error: expect.stringMatching(/请写明请假几天或到哪天/),
    });
  });
});

describe('dates are read or asked about, never dropped (issue #9, finding 8)', () => {
  const wed = new Date('2026-12-02T10:00:00+08:00');
  it('weekday words: 周一 (this week), 上周五, 本周一, 星期三', () => {
    expect(parseAbsence('周一', wed)).toMatchObject({ day: '2026-11-30', reason: '' });
    expect(parseAbsence('周五', wed)).toMatchObject({ day: '2026-11-27' }); // not yet this week
    expect(parseAbsence('上周五 发烧', wed)).toMatchObject({ day: '2026-11-27', reason: '发烧' });
    expect(parseAbsence('本周一', wed)).toMatchObject({ day: '2026-11-30' });
    expect(parseAbsence('星期三', wed)).toMatchObject({ day: '2026-12-02' });
  });
  it('a date that does not exist is asked about, not recorded as today', () => {
    expect(parseAbsence('13月40日', wed)).toEqual({
      error: expect.stringMatching(/没看懂日期「13月40日」/),
    });
    expect(parseAbsence('2月30日', wed)).toEqual({ error: expect.stringMatching(/没看懂日期/) });
  });
  it('contradictions are asked about: 上午 下午, two dates', () => {
    expect(parseAbsence('上午 下午', wed)).toEqual({
      error: expect.stringMatching(/同时写了上午、下午/),
    });
    expect(parseAbsence('昨天 前天', wed)).toEqual({
      error: expect.stringMatching(/写了两个日期/),
    });
  });
  it('Chinese numerals for leave: 两天, 十天', () => {
    expect(parseLeave('两天 生病', wed)).toMatchObject({ days: 2, reason: '生病' });
    expect(parseLeave('十天', wed)).toMatchObject({ days: 10 });
  });
});

describe('roster numbers read with the same Chinese numerals (issue #8: one smallNumber)', () => {
  it.each([
    ['3', 3],
    ['３', 3],
    ['三', 3],
    ['三年级', 3],
    ['十', 10],
    ['十二班', 12],
    ['初一', 7],
    ['初三', 9],
    ['年级', undefined],
    ['二十', undefined],
  ])('normInt(%s) = %s', (input, n) => {
    expect(normInt(input)).toBe(n);
  });
});
