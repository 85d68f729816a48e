import { nextRun, periodOf, periodRange, visitRounds, visitQuota } from '../../src/domain/reports';
import { loadSettings } from '../../src/config/settings';

const cfg = loadSettings().reports;
const iso = (d: Date) => d.toISOString();

describe('the reporting cycle (二(三)2(2), 二(三)2(3), 二(二)1(1), 二(一)2(3))', () => {
  it('monthly: the 1st at 09:00; reports last month; due before the 8th', () => {
    const run = nextRun('monthly', new Date('2026-11-30T08:00:00+08:00'), cfg);
    expect(iso(run)).toBe('2026-12-01T01:00:00.000Z');
    expect(periodOf('monthly', run, cfg)).toEqual({
      period: '2026-11',
      label: '2026年11月',
      dueAt: new Date('2026-12-07T18:00:00+08:00'),
    });
    expect(iso(nextRun('monthly', run, cfg))).toBe('2027-01-01T01:00:00.000Z');
  });
  it('quarterly: only in the last month of a quarter; due the 15th', () => {
    expect(iso(nextRun('quarterly', new Date('2026-12-02T00:00:00+08:00'), cfg))).toBe(
      '2027-03-01T01:00:00.000Z',
    );
    const run = new Date('2026-12-01T09:00:00+08:00');
    expect(periodOf('quarterly', run, cfg)).toEqual({
      period: '2026-Q4',
      label: '2026年第4季度',
      dueAt: new Date('2026-12-15T18:00:00+08:00'),
    });
  });
  it('campaign months: March and September', () => {
    expect(iso(nextRun('campaign', new Date('2026-11-30T08:00:00+08:00'), cfg))).toBe(
      '2027-03-01T01:00:00.000Z',
    );
    expect(iso(nextRun('campaign', new Date('2027-03-01T10:00:00+08:00'), cfg))).toBe(
      '2027-09-01T01:00:00.000Z',
    );
  });
  it('period ranges in Asia/Shanghai', () => {
    expect(periodRange('2026-11')).toEqual({
      from: new Date('2026-11-01T00:00:00+08:00'),
      to: new Date('2026-12-01T00:00:00+08:00'),
    });
    expect(periodRange('2026-Q4')).toEqual({
      from: new Date('2026-10-01T00:00:00+08:00'),
      to: new Date('2027-01-01T00:00:00+08:00'),
    });
  });
  it('two visit rounds per semester: at its start and two weeks before its end', () => {
    const rounds = visitRounds([{ name: '秋季', start: '2026-09-01', end: '2027-01-22' }]);
    expect(rounds.map((r) => iso(r.at))).toEqual([
      '2026-09-01T01:00:00.000Z',
      '2027-01-08T01:00:00.000Z',
    ]);
  });
  it('visit quotas: head teacher 20, subject teacher 15', () => {
    const q = loadSettings().quotas;
    expect(visitQuota([{ role: 'headTeacher' }, { role: 'subjectTeacher' }], q)).toBe(20);
    expect(visitQuota([{ role: 'subjectTeacher' }], q)).toBe(15);
    expect(visitQuota([{ role: 'deputy' }], q)).toBe(0);
  });
});
