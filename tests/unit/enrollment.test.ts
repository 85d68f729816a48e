import { reconcile, kindOf, describeReconciliation } from '../../src/domain/enrollment';

describe('enrollment changes (学籍变动, 二(三)2(1)(3)): numbers that reconcile', () => {
  it('names each change', () => {
    expect(kindOf('new', 'enrolled')).toBe('joined');
    expect(kindOf('enrolled', 'transferredOut')).toBe('transferredOut');
    expect(kindOf('droppedOut', 'enrolled')).toBe('returned');
    expect(kindOf('suspended', 'enrolled')).toBe('resumed');
    expect(kindOf('enrolled', 'enrolled')).toBeUndefined();
  });
  it('works the roll back to the start of the period', () => {
    const r = reconcile(
      [
        { from: 'new', to: 'enrolled' },
        { from: 'enrolled', to: 'transferredOut' },
        { from: 'enrolled', to: 'droppedOut' },
        { from: 'droppedOut', to: 'enrolled' },
        { from: 'enrolled', to: 'suspended' },
      ],
      100,
    );
    expect(r).toMatchObject({ start: 100 - 2 + 2, inflow: 2, outflow: 2, end: 100 });
    expect(r.counts).toMatchObject({
      joined: 1,
      transferredOut: 1,
      droppedOut: 1,
      returned: 1,
      suspended: 1,
    });
  });
  it('checks the start against the previous report', () => {
    const r = reconcile([{ from: 'enrolled', to: 'graduated' }], 99);
    expect(describeReconciliation(r, 100)).toMatch(
      /期初在籍 100 \+ 增加 0 − 减少 1 = 期末在籍 99；与上期上报的期末人数相符/,
    );
    expect(describeReconciliation(r, 102)).toMatch(/相差 -2，请核查是否有未登记的学籍变动/);
  });
});
