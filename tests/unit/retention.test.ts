import { retentionOf, groupRetention, percent } from '../../src/domain/retention';
import type { StudentLike } from '../../src/domain/roster';

const s = (classId: string, status: StudentLike['status']): StudentLike => ({
  studentNo: Math.random().toString(),
  name: 'x',
  schoolCode: classId.split('-')[0],
  grade: Number(classId.split('-')[1]),
  classId,
  status,
});

describe('retention rate (巩固率) and no-dropout recognition (二(三)1(4)(5))', () => {
  it('retained / (retained + dropped); transfers and graduates leave the base', () => {
    const r = retentionOf([
      s('A-3-1', 'enrolled'),
      s('A-3-1', 'enrolled'),
      s('A-3-1', 'suspended'),
      s('A-3-1', 'droppedOut'),
      s('A-3-1', 'transferredOut'),
      s('A-3-1', 'graduated'),
    ]);
    expect(r).toEqual({ retained: 3, dropped: 1, rate: 0.75 });
    expect(percent(r)).toBe('75.00%');
  });
  it('no dropouts is 100%, also for an empty base', () => {
    expect(percent(retentionOf([s('A-3-1', 'enrolled')]))).toBe('100%');
    expect(retentionOf([])).toEqual({ retained: 0, dropped: 0, rate: 1 });
  });
  it('groups by class (a class with a dropout is not a no-dropout class)', () => {
    const g = groupRetention(
      [s('A-3-1', 'enrolled'), s('A-3-2', 'droppedOut'), s('A-3-2', 'enrolled')],
      (x) => x.classId,
    );
    expect(g.get('A-3-1')!.dropped).toBe(0);
    expect(g.get('A-3-2')).toEqual({ retained: 1, dropped: 1, rate: 0.5 });
  });
});
