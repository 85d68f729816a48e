/**
 * Teachers type on phones: full-width letters and digits, ideographic spaces, stray
 * punctuation between words. Normalise what a parser needs, but keep the Chinese
 * punctuation of free text (a home-visit record keeps its commas).
 */
export function normalize(input: string): string {
  return input
    .replace(/[\uFF01-\uFF5E]/g, (c) =>
      /[０-９Ａ-Ｚａ-ｚ]/.test(c) ? String.fromCharCode(c.charCodeAt(0) - 0xfee0) : c,
    )
    .replace(/[\u3000\s]+/g, ' ')
    .replace(/[。！？!?]+$/g, '')
    .trim();
}

/** Separators between the short parts of a command ("张三，上午" = "张三 上午"). */
export const PART_SEPARATORS = /[\s，,、；;：:]+/;

/** Drops separators at the start of a tail ("张三，上午" → tail "上午"). */
export function trimLeadingSeparators(s: string): string {
  return s.replace(/^[\s，,、；;：:]+/, '');
}
