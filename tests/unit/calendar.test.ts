import { SchoolCalendar } from '../../src/domain/calendar';
import { loadSettings } from '../../src/config/settings';

const cal = new SchoolCalendar(loadSettings().calendar);

describe('school days (二(一)2(3): count school days, not weekends, holidays or vacations)', () => {
  it('weekdays in a semester are school days; weekends are not', () => {
    expect(cal.isSchoolDay('2026-11-27')).toBe(true); // Friday
    expect(cal.isSchoolDay('2026-11-28')).toBe(false); // Saturday
    expect(cal.whyNot('2026-11-29')).toBe('周末');
  });
  it('a Friday absence followed by Monday is two consecutive school days', () => {
    expect(cal.nextSchoolDay('2026-11-27')).toBe('2026-11-30');
    expect(cal.schoolDaysBetween('2026-11-27', '2026-11-30')).toBe(1);
  });
  it('the National Day week is not counted; the 调休 Saturday (Oct 10, 2026) is a school day', () => {
    for (const d of ['2026-10-01', '2026-10-05', '2026-10-07'])
      expect(cal.isSchoolDay(d)).toBe(false);
    expect(cal.nextSchoolDay('2026-09-30')).toBe('2026-10-08');
    expect(cal.isSchoolDay('2026-10-10')).toBe(true); // make-up workday on a Saturday
    expect(cal.nextSchoolDay('2026-10-09')).toBe('2026-10-10');
    expect(cal.whyNot('2026-10-02')).toBe('法定节假日');
  });
  it('winter vacation is not counted', () => {
    expect(cal.isSchoolDay('2027-02-01')).toBe(false);
    expect(cal.whyNot('2027-02-01')).toBe('假期');
    expect(cal.nextSchoolDay('2027-01-22')).toBe('2027-02-22');
  });
  it('config overrides cover years chinese-days does not know yet (2027 New Year)', () => {
    expect(cal.isSchoolDay('2027-01-01')).toBe(false); // Friday, holiday from config
    expect(cal.nextSchoolDay('2026-12-31')).toBe('2027-01-04');
  });
  it('config make-up workdays and school closures', () => {
    const c = new SchoolCalendar({
      ...loadSettings().calendar,
      workdays: ['2026-11-28'],
      closures: ['2026-11-30'],
    });
    expect(c.isSchoolDay('2026-11-28')).toBe(true);
    expect(c.isSchoolDay('2026-11-30')).toBe(false);
    expect(c.whyNot('2026-11-30')).toBe('学校停课');
  });
  it('adds and counts school days', () => {
    expect(cal.addSchoolDays('2026-11-28', 0)).toBe('2026-11-30');
    expect(cal.addSchoolDays('2026-11-27', 2)).toBe('2026-12-01');
    expect(cal.previousSchoolDay('2026-11-30')).toBe('2026-11-27');
  });
});
