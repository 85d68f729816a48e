/**
 * Invented people for the demo district and generated counties: a seeded random source,
 * surnames with their real frequencies, given names that fit the gender, and valid 学籍号s.
 */

/** mulberry32: small, fast, deterministic. */
export function rng(seed: number): () => number {
  return () => {
    seed |= 0;
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export type Rand = () => number;
export const pick = <T>(rand: Rand, xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)];

/**
 * The commonest surnames with their approximate share of the population in per mille
 * (公安部 2020 figures, rounded); the rest of the population gets the long tail below.
 */
const SURNAME_SHARE: [string, number][] = [
  ['王', 71],
  ['李', 70],
  ['张', 67],
  ['刘', 54],
  ['陈', 46],
  ['杨', 31],
  ['黄', 21],
  ['赵', 20],
  ['吴', 19],
  ['周', 19],
  ['徐', 15],
  ['孙', 15],
  ['马', 12],
  ['朱', 12],
  ['胡', 11],
  ['郭', 11],
  ['何', 10],
  ['林', 9],
  ['高', 9],
  ['罗', 9],
  ['郑', 8],
  ['梁', 8],
  ['谢', 7],
  ['宋', 6],
  ['唐', 6],
  ['许', 6],
  ['韩', 5],
  ['冯', 5],
  ['邓', 5],
  ['曹', 5],
];
const TAIL = [
  ...'彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱',
  ...'江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤',
];
const TAIL_SHARE = 1000 - SURNAME_SHARE.reduce((n, [, s]) => n + s, 0);

export function surname(rand: Rand): string {
  let x = rand() * 1000;
  for (const [name, share] of SURNAME_SHARE) {
    if (x < share) return name;
    x -= share;
  }
  return TAIL[Math.floor((x / TAIL_SHARE) * TAIL.length)] ?? TAIL[0];
}

export const BOY_NAMES = [
  ...['浩然', '子轩', '宇航', '俊杰', '博文', '天佑', '明轩', '梓豪', '一鸣', '思远', '家豪'],
  ...['文博', '嘉懿', '晨阳', '志强', '伟', '鹏', '磊', '子墨', '承泽', '睿', '昊天', '瑞霖'],
  ...['泽宇', '浩宇', '子豪', '宇轩', '皓轩', '俊熙', '晨曦', '铭泽', '锦程', '文轩', '涛'],
];
export const GIRL_NAMES = [
  ...['欣怡', '梓涵', '诗涵', '雨桐', '可馨', '佳怡', '紫萱', '思琪', '语嫣', '若曦', '雅静'],
  ...['梦瑶', '芷若', '婉清', '晓琳', '静', '婷', '丽娜', '雨萱', '一诺', '心怡', '子涵'],
  ...['欣妍', '馨予', '诗琪', '雨欣', '梓萱', '思涵', '佳琪', '欣然', '语桐', '悦', '琳'],
];
/** Parents' and teachers' generation: given names of people born 1970–1995. */
export const MEN_NAMES = [
  ...['建国', '国强', '建华', '志刚', '海涛', '建军', '永强', '立新', '卫东', '军', '斌'],
  ...['勇', '超', '明', '俊', '峰', '辉', '强', '波', '刚', '文斌', '小龙', '建平', '宏伟'],
];
export const WOMEN_NAMES = [
  ...['秀英', '桂兰', '海燕', '丽华', '秀兰', '玉兰', '红梅', '丽娟', '雪梅', '敏', '静'],
  ...['燕', '艳', '娟', '霞', '芳', '丽', '慧', '晓红', '春梅', '美玲', '小燕', '文静'],
];

export const adultName = (rand: Rand, male: boolean, family = surname(rand)): string =>
  family + pick(rand, male ? MEN_NAMES : WOMEN_NAMES);

/** The ISO 7064 MOD 11-2 check character of a 17-digit ID body (the last may be X). */
export function idCheck(body17: string): string {
  const weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
  const sum = [...body17].reduce((n, d, i) => n + Number(d) * weights[i], 0);
  return '10X98765432'[sum % 11];
}

/**
 * A 学籍号 of the G kind: G + the student's ID number (area code, birth date, a
 * sequence, the check character), so unique per area, birth date and sequence.
 */
export function studentNo(area: string, birth: string, seq: number, male: boolean): string {
  // The ID's sequence is odd for boys and even for girls.
  const s = String(seq * 2 + (male ? 1 : 0)).padStart(3, '0');
  const body = `${area}${birth.replaceAll('-', '')}${s}`;
  return `G${body}${idCheck(body)}`;
}

export function mobile(rand: Rand): string {
  const prefix = pick(rand, ['38', '39', '58', '59', '86', '87', '36', '77', '50', '88', '35']);
  return `1${prefix}${String(Math.floor(rand() * 1e8)).padStart(8, '0')}`;
}
