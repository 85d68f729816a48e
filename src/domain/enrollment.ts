import type { EnrollmentStatus } from './roster';

/**
 * The quarter's enrollment-change table (学籍变动统计表) as a pure function of the changes:
 * counts by kind, and the roll from the start of the period to now. The start is checked
 * against the end the previous report submitted, so a change made without a record shows up.
 */
export type ChangeKind =
  | 'joined'
  | 'transferredInDistrict'
  | 'transferredOut'
  | 'suspended'
  | 'resumed'
  | 'droppedOut'
  | 'returned'
  | 'graduated';

export const CHANGE_LABEL: Record<ChangeKind, string> = {
  joined: '新增/转入',
  transferredInDistrict: '区内转出',
  transferredOut: '转出区外',
  suspended: '休学',
  resumed: '休学复课',
  droppedOut: '辍学',
  returned: '复学',
  graduated: '毕业',
};

type From = EnrollmentStatus | 'new';

/** On the roll: enrolled or suspended (a suspended student keeps the enrollment record). */
const onRoll = (s: From) => s === 'enrolled' || s === 'suspended';

export function kindOf(from: From, to: EnrollmentStatus): ChangeKind | undefined {
  if (from === to) return undefined;
  if (to === 'enrolled')
    return from === 'suspended' ? 'resumed' : from === 'droppedOut' ? 'returned' : 'joined';
  return to;
}

export interface Reconciliation {
  counts: Record<ChangeKind, number>;
  start: number;
  inflow: number;
  outflow: number;
  end: number;
}

/** `onRollNow`: enrolled + suspended now; works backwards through the period's changes. */
export function reconcile(
  changes: { from: From; to: EnrollmentStatus }[],
  onRollNow: number,
): Reconciliation {
  const counts = Object.fromEntries(Object.keys(CHANGE_LABEL).map((k) => [k, 0])) as Record<
    ChangeKind,
    number
  >;
  let inflow = 0;
  let outflow = 0;
  for (const c of changes) {
    const k = kindOf(c.from, c.to);
    if (k) counts[k]++;
    if (!onRoll(c.from) && onRoll(c.to)) inflow++;
    if (onRoll(c.from) && !onRoll(c.to)) outflow++;
  }
  return { counts, start: onRollNow - inflow + outflow, inflow, outflow, end: onRollNow };
}

export function describeReconciliation(r: Reconciliation, previousEnd?: number): string {
  const parts = (Object.keys(CHANGE_LABEL) as ChangeKind[])
    .map((k) => `${CHANGE_LABEL[k]} ${r.counts[k]}`)
    .join('，');
  const check =
    previousEnd === undefined
      ? ''
      : previousEnd === r.start
        ? '；与上期上报的期末人数相符'
        : `；上期上报期末为 ${previousEnd}，相差 ${r.start - previousEnd}，请核查是否有未登记的学籍变动`;
  const roll = `期初在籍 ${r.start} + 增加 ${r.inflow} − 减少 ${r.outflow} = 期末在籍 ${r.end}`;
  return `本期学籍变动：${parts}。\n${roll}${check}。`;
}
