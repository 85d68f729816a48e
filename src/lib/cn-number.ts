/** Chinese numerals as teachers type them (两天, 十二天, 三年级). */
const CN_DIGIT: Record<string, number> = {
  零: 0,
  一: 1,
  二: 2,
  两: 2,
  三: 3,
  四: 4,
  五: 5,
  六: 6,
  七: 7,
  八: 8,
  九: 9,
};

/** A Chinese or Arabic number up to 99 (两天, 十二天, 3天). */
export function smallNumber(s: string): number | undefined {
  if (/^\d{1,2}$/.test(s)) return Number(s);
  if (!/^[零一二两三四五六七八九十]{1,3}$/.test(s)) return undefined;
  const digit = (c: string) => CN_DIGIT[c] ?? 0;
  if (s === '十') return 10;
  const [a, b] = s.split('十');
  if (b === undefined) return s.length === 1 ? digit(s) : undefined;
  return (a ? digit(a) : 1) * 10 + (b ? digit(b) : 0);
}
