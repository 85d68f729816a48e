import { readFileSync } from 'node:fs';
import { DateTime } from 'luxon';
import type { Settings } from '../config/settings';
import { ZONE } from '../lib/time';

/**
 * Public holidays and 调休 make-up workdays from chinese-days' published data file. Its query
 * functions are not used: they shift dates by a day when the machine's TZ is west of UTC
 * (seen under America/Los_Angeles); the dates themselves are plain YYYY-MM-DD keys.
 */
const HOLIDAY_DATA = JSON.parse(
  readFileSync(require.resolve('chinese-days/dist/chinese-days.json'), 'utf8'),
) as {
  holidays: Record<string, string>;
  workdays: Record<string, string>;
};

/**
 * School days (二(一)2(3): absences count school days, not weekends, holidays or vacations):
 * inside a semester, not a school closure, and a working day — public holidays and 调休
 * make-up workdays from chinese-days, overridden by config for years it does not know yet.
 */
export class SchoolCalendar {
  private readonly holidays: Set<string>;
  private readonly workdays: Set<string>;
  private readonly closures: Set<string>;

  constructor(private readonly cfg: Settings['calendar']) {
    this.holidays = new Set(cfg.holidays);
    this.workdays = new Set(cfg.workdays);
    this.closures = new Set(cfg.closures);
  }

  semesterOf(day: string): { name: string; start: string; end: string } | undefined {
    return this.cfg.semesters.find((s) => s.start <= day && day <= s.end);
  }

  /** Answers are memoised: derivations ask about the same few hundred days again and again. */
  private readonly known = new Map<string, boolean>();
  private readonly shifted = new Map<string, string>();

  isSchoolDay(day: string): boolean {
    let v = this.known.get(day);
    if (v === undefined) {
      v = this.computeSchoolDay(day);
      this.known.set(day, v);
    }
    return v;
  }

  private computeSchoolDay(day: string): boolean {
    if (!this.semesterOf(day) || this.closures.has(day)) return false;
    return this.isWorkday(day);
  }

  /**
   * A working day of the offices (the bureau, a school's office in the holidays): not a weekend
   * or public holiday, 调休 make-up days included; semesters and closures do not matter.
   */
  isWorkday(day: string): boolean {
    if (this.workdays.has(day)) return true;
    if (this.holidays.has(day)) return false;
    if (day in HOLIDAY_DATA.workdays) return true;
    if (day in HOLIDAY_DATA.holidays) return false;
    return DateTime.fromISO(day, { zone: ZONE }).weekday <= 5;
  }

  /** Why a day is not a school day, for replies ("国庆节", "寒假", "周末"). */
  whyNot(day: string): string | undefined {
    if (this.isSchoolDay(day)) return undefined;
    if (!this.semesterOf(day)) return '假期';
    if (this.closures.has(day)) return '学校停课';
    const dow = DateTime.fromISO(day, { zone: ZONE }).weekday;
    return dow >= 6 && !this.holidays.has(day) && !(day in HOLIDAY_DATA.holidays)
      ? '周末'
      : '法定节假日';
  }

  private shift(day: string, by: number): string {
    const k = `${day}${by}`;
    let v = this.shifted.get(k);
    if (v === undefined) {
      v = DateTime.fromISO(day, { zone: ZONE }).plus({ days: by }).toISODate()!;
      this.shifted.set(k, v);
    }
    return v;
  }

  /** The first school day strictly after `day` (searching up to a year ahead). */
  nextSchoolDay(day: string): string {
    return this.schoolDayFrom(day, 1);
  }

  /** `day` itself when it is a school day, else the next one. */
  onOrAfter(day: string): string {
    return this.isSchoolDay(day) ? day : this.nextSchoolDay(day);
  }

  /** The n-th school day after `day` (n = 0 → onOrAfter(day)). */
  addSchoolDays(day: string, n: number): string {
    let d = this.onOrAfter(day);
    for (let i = 0; i < n; i++) d = this.nextSchoolDay(d);
    return d;
  }

  /** School days in (from, to], i.e. how many school days `to` is after `from`. */
  schoolDaysBetween(from: string, to: string): number {
    let n = 0;
    for (let d = from; d < to;) {
      d = this.shift(d, 1);
      if (d <= to && this.isSchoolDay(d)) n++;
    }
    return n;
  }

  /** The school day before `day` (for 昨天 meaning "the last school day"). */
  previousSchoolDay(day: string): string {
    return this.schoolDayFrom(day, -1);
  }

  /** The first school day strictly after (1) or before (-1) `day`, up to a year away. */
  private schoolDayFrom(day: string, by: 1 | -1): string {
    let d = day;
    for (let i = 0; i < 366; i++) {
      d = this.shift(d, by);
      if (this.isSchoolDay(d)) return d;
    }
    const where = by > 0 ? 'after' : 'before';
    throw new Error(`no school day within a year ${where} ${day}: check the semesters in config`);
  }
}
