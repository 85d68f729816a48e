/**
 * Teachers type on phones: full-width letters, digits and punctuation, ideographic spaces,
 * stray punctuation. Normalise before parsing so `缺勤　张三，上午` works like `缺勤 张三 上午`.
 */
export function normalize(input: string): string {
  return input
    .normalize('NFKC') // full-width ASCII → ASCII, ideographic space → space
    .replace(/[，、；：,;:]/g, ' ')
    .replace(/[。！？!?]+$/g, '')
    .replace(/\s+/g, ' ')
    .trim();
}

/** Splits off the first word (the command) from the rest. */
export function splitCommand(text: string): { verb: string; rest: string } {
  const t = normalize(text);
  const m = /^(\S+)\s*(.*)$/.exec(t);
  return m ? { verb: m[1], rest: m[2] } : { verb: '', rest: '' };
}
