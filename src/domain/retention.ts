import type { Place, StudentLike } from './roster';

/**
 * Retention rate (巩固率) and the standing "no-dropout school / grade / class" recognition
 * (二(三)1(4), 二(三)1(5)). Counted from enrollment status: retained = enrolled or suspended;
 * lost = dropped out; transfers and graduates leave the base (they are not dropouts).
 */
export interface Retention {
  retained: number;
  dropped: number;
  /** 0..1; 1 when nobody dropped out (and when the base is empty). */
  rate: number;
}

export function retentionOf(students: Pick<StudentLike, 'status'>[]): Retention {
  const retained = students.filter(
    (s) => s.status === 'enrolled' || s.status === 'suspended',
  ).length;
  const dropped = students.filter((s) => s.status === 'droppedOut').length;
  return { retained, dropped, rate: rate(retained, dropped) };
}

export function groupRetention<K extends string>(
  students: StudentLike[],
  keyOf: (s: StudentLike) => K,
): Map<K, Retention> {
  const groups = new Map<K, StudentLike[]>();
  for (const s of students) groups.set(keyOf(s), [...(groups.get(keyOf(s)) ?? []), s]);
  return new Map([...groups].map(([k, list]) => [k, retentionOf(list)]));
}

export function percent(r: Retention): string {
  return `${(r.rate * 100).toFixed(r.rate === 1 ? 0 : 2)}%`;
}

/** Per-class counts (as the database gives them) rolled up to any grouping. */
export interface ClassCounts extends Place {
  retained: number;
  dropped: number;
}

export function rollUp<K extends string>(
  rows: ClassCounts[],
  keyOf: (r: ClassCounts) => K,
): Map<K, Retention> {
  const out = new Map<K, Retention>();
  for (const r of rows) {
    const prev = out.get(keyOf(r)) ?? { retained: 0, dropped: 0, rate: 1 };
    const retained = prev.retained + r.retained;
    const dropped = prev.dropped + r.dropped;
    out.set(keyOf(r), { retained, dropped, rate: rate(retained, dropped) });
  }
  return out;
}

/** retained ÷ (retained + dropped); 1 when the base is empty. */
export function rate(retained: number, dropped: number): number {
  return retained + dropped === 0 ? 1 : retained / (retained + dropped);
}
