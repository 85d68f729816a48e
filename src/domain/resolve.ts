import { pinyin } from 'pinyin-pro';
import { LRUCache } from 'lru-cache';

/**
 * Finding a student from what a teacher typed, among the students in the sender's scope only
 * (a student outside it is never revealed): 学籍号, exact name, then near matches (same pinyin
 * = an input-method homophone, or one character off).
 */
export interface Named {
  studentNo: string;
  name: string;
}

export type Resolution<T> =
  | { kind: 'one'; student: T }
  | { kind: 'many'; options: T[] }
  | { kind: 'suggest'; options: T[] }
  | { kind: 'none' };

/** Bounded (issue #10 item 7): a roster's names fit; typed junk cannot grow the heap. */
export const PINYIN_CACHE_MAX = 5000;
const pinyinCache = new LRUCache<string, string>({ max: PINYIN_CACHE_MAX });
export const pinyinCacheSize = (): number => pinyinCache.size;
export function pinyinOf(name: string): string {
  let p = pinyinCache.get(name);
  if (p === undefined) {
    p = pinyin(name, { toneType: 'none', type: 'array' }).join(' ');
    pinyinCache.set(name, p);
  }
  return p;
}

/** A typo that keeps the surname: same length, same first character, one other character off. */
function oneCharOff(a: string, b: string): boolean {
  const x = [...a];
  const y = [...b];
  if (x.length !== y.length || x[0] !== y[0]) return false;
  return x.filter((c, i) => c !== y[i]).length === 1;
}

export function looksLikeStudentNo(q: string): boolean {
  return /^[A-Za-z]?\d{8,19}[0-9Xx]?$/.test(q);
}

export function resolveStudent<T extends Named>(query: string, inScope: T[]): Resolution<T> {
  const q = query.trim();
  if (!q) return { kind: 'none' };
  if (looksLikeStudentNo(q)) {
    const hit = inScope.find((s) => s.studentNo.toUpperCase() === q.toUpperCase());
    return hit ? { kind: 'one', student: hit } : { kind: 'none' };
  }
  const exact = inScope.filter((s) => s.name === q);
  if (exact.length === 1) return { kind: 'one', student: exact[0] };
  if (exact.length > 1) return { kind: 'many', options: exact };
  const py = pinyinOf(q);
  // Only the same pronunciation or a typo keeping the surname: anyone else is another child.
  const near = inScope.filter((s) => pinyinOf(s.name) === py || oneCharOff(s.name, q));
  return near.length ? { kind: 'suggest', options: near.slice(0, 9) } : { kind: 'none' };
}

/**
 * Splits "张三上午发烧" / "张三 上午 发烧" into the student token and the rest, using the
 * names in scope to find where a name ends when the teacher typed no space.
 */
export function takeStudentToken(rest: string, names: string[]): { token: string; tail: string } {
  const t = rest.trim();
  const cut = t.search(/[\s，,、；;：:]/);
  const first = cut < 0 ? t : t.slice(0, cut);
  const after = (n: number) =>
    t
      .slice(n)
      .replace(/^[\s，,、；;：:]+/, '')
      .trim();
  if (names.includes(first) || looksLikeStudentNo(first))
    return { token: first, tail: cut < 0 ? '' : after(cut) };
  const prefix = [...names].sort((a, b) => b.length - a.length).find((n) => first.startsWith(n));
  if (prefix) return { token: prefix, tail: after(prefix.length) };
  return { token: first, tail: cut < 0 ? '' : after(cut) };
}
